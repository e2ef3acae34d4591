package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/danielgtaylor/huma/v2"
)

// keptPages keeps the encoded answers of GET /v1/listings for the index's
// position they were computed at. Visitors ask the same searches again and
// again (the top page's links, a popular keyword, the next page of a
// shared link), and between two writes the answer to one request cannot
// change: the hits, total and facets are the index's at that position, the
// listings shown are read at the versions it holds, and the next page's
// cursor names the position. A kept answer is served as it was written,
// without searching, reading listings or encoding again.
//
// Every write moves the position, and the first request at a new position
// forgets every answer kept (a write can change any answer: a new listing
// may match any search). An answer is kept only when the position did not
// move while it was computed, so what is served is always exactly what
// would be computed at the position the index is at.
type keptPages struct {
	mu    sync.Mutex
	at    int64
	by    map[string][]byte
	bytes int
}

// Bounds of the answers kept at one position: a position held for a while
// sees the searches most asked for, and a page of 100 listings encodes to
// a few hundred KB.
const (
	keptPagesMax      = 1024
	keptPagesMaxBytes = 32 << 20
	keptPageMaxBytes  = 1 << 20
)

// get returns the answer kept for key at position at.
func (k *keptPages) get(at int64, key string) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.at != at {
		return nil, false
	}
	b, ok := k.by[key]
	return b, ok
}

// put keeps b as the answer for key at position at, forgetting the answers
// of another position.
func (k *keptPages) put(at int64, key string, b []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.at != at || k.by == nil {
		if at < k.at {
			return // computed before a position already seen: the index moved on
		}
		k.at, k.by, k.bytes = at, map[string][]byte{}, 0
	}
	if len(k.by) >= keptPagesMax || k.bytes+len(b) > keptPagesMaxBytes {
		clear(k.by)
		k.bytes = 0
	}
	if old, ok := k.by[key]; ok {
		k.bytes -= len(old)
	}
	k.by[key] = b
	k.bytes += len(b)
}

// keep returns the middleware of GET /v1/listings that answers from k
// and keeps in k the answers it computes. The key is the raw query string
// (a different spelling of one search is another key, never a wrong
// answer) and the Accept header the answer's format was chosen by.
func (h *handlers) keep(k *keptPages) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		key := ctx.URL().RawQuery + "\x00" + ctx.Header("Accept")
		at := h.Catalog.Position()
		if b, ok := k.get(at, key); ok {
			ctx.SetHeader("Content-Type", "application/json")
			ctx.SetHeader("Content-Length", strconv.Itoa(len(b)))
			ctx.SetStatus(http.StatusOK)
			ctx.BodyWriter().Write(b)
			return
		}
		rec := &recording{humaContext: ctx}
		next(rec)
		if rec.Status() == http.StatusOK && !rec.over && h.Catalog.Position() == at {
			k.put(at, key, bytes.Clone(rec.buf.Bytes()))
		}
	}
}

// recording is a huma.Context whose body is also copied, up to
// keptPageMaxBytes.
type recording struct {
	humaContext
	buf  bytes.Buffer
	over bool
}

// humaContext names huma.Context for embedding: a field named Context
// would hide its method Context.
type humaContext = huma.Context

func (r *recording) BodyWriter() io.Writer { return recordingWriter{r} }

type recordingWriter struct{ r *recording }

func (w recordingWriter) Write(p []byte) (int, error) {
	if !w.r.over {
		if w.r.buf.Len()+len(p) > keptPageMaxBytes {
			w.r.over, w.r.buf = true, bytes.Buffer{}
		} else {
			w.r.buf.Write(p)
		}
	}
	return w.r.humaContext.BodyWriter().Write(p)
}
