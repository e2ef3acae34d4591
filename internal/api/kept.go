package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/catalog"
	"anken/internal/search"
)

// keptPages keeps the encoded answers of GET /v1/listings, each for the
// index's position it is exact at. Visitors ask the same searches again
// and again (the top page's links, a popular keyword, a shared link), and
// a write changes few of their answers: the hits, total and facets of a
// search change only when the listing written matches it before or after
// the write (search.Index.Unchanged decides it exactly), and the listings
// shown are read at the versions the index holds. A kept answer is served
// as it was written, without searching, reading listings or encoding
// again; asked at a later position, it is first checked against the
// writes since and then either served, now exact at the new position, or
// dropped. The next page's cursor it holds names the position it was
// computed at, which gives the same pages as a cursor of the new one.
//
// An answer is kept only when the position did not move while it was
// computed, so what is served is always exactly what would be computed at
// the position the index is at. Later pages (a cursor) show the current
// content of listings that matched at their first page, so they are kept
// for their exact position only.
type keptPages struct {
	mu    sync.Mutex
	by    map[string]*keptPage
	bytes int
}

type keptPage struct {
	b  []byte
	q  search.Query
	at int64 // the position b is exact at
}

// Bounds of the answers kept: a page of 100 listings encodes to a few
// hundred KB.
const (
	keptPagesMax      = 1024
	keptPagesMaxBytes = 32 << 20
	keptPageMaxBytes  = 1 << 20
)

// positions is what keptPages asks of the index (catalog.Catalog).
type positions interface {
	Position() int64
	Unchanged(q search.Query, since int64) (int64, bool)
}

// get returns the answer kept for key when it is exact at the index's
// position now.
func (k *keptPages) get(idx positions, key string) ([]byte, bool) {
	k.mu.Lock()
	e, ok := k.by[key]
	k.mu.Unlock()
	if !ok {
		return nil, false
	}
	if idx.Position() == e.at {
		return e.b, true
	}
	now, ok := idx.Unchanged(e.q, e.at)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.by[key] != e {
		return nil, false // replaced or dropped meanwhile
	}
	if !ok {
		k.drop(key)
		return nil, false
	}
	e.at = max(e.at, now)
	return e.b, true
}

// put keeps b as the answer for key, exact at position at.
func (k *keptPages) put(key string, q search.Query, at int64, b []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if old, ok := k.by[key]; ok && old.at > at {
		return // computed before a position already kept
	}
	if k.by == nil || len(k.by) >= keptPagesMax || k.bytes+len(b) > keptPagesMaxBytes {
		k.by, k.bytes = map[string]*keptPage{}, 0
	}
	k.drop(key)
	k.by[key] = &keptPage{b: b, q: q, at: at}
	k.bytes += len(b)
}

// drop forgets key's answer. k.mu is held.
func (k *keptPages) drop(key string) {
	if old, ok := k.by[key]; ok {
		k.bytes -= len(old.b)
		delete(k.by, key)
	}
}

// keep returns the middleware of GET /v1/listings that answers from k
// and keeps in k the answers it computes. The key is the raw query string
// (a different spelling of one search is another key, never a wrong
// answer), the Accept header the answer's format was chosen by, and the
// minute posted_within counts from. A query that does not parse goes to
// the handler, which says why.
func (h *handlers) keep(k *keptPages) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		raw := ctx.URL().RawQuery
		p, err := catalog.ParseQuery(raw)
		if err != nil {
			next(ctx)
			return
		}
		q, err := p.Query()
		if err != nil {
			next(ctx)
			return
		}
		key := raw + "\x00" + ctx.Header("Accept") + "\x00" + strconv.FormatInt(q.SeenSince, 10)
		if b, ok := k.get(h.Catalog, key); ok {
			ctx.SetHeader("Content-Type", "application/json")
			ctx.SetHeader("Content-Length", strconv.Itoa(len(b)))
			ctx.SetStatus(http.StatusOK)
			ctx.BodyWriter().Write(b)
			return
		}
		at := h.Catalog.Position()
		rec := &recording{humaContext: ctx}
		next(rec)
		if rec.Status() == http.StatusOK && !rec.over && h.Catalog.Position() == at {
			k.put(key, q, at, bytes.Clone(rec.buf.Bytes()))
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
