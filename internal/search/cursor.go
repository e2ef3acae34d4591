package search

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// sortKey orders hits: larger keys come first, compared left to right.
// The listing id is last, so the order is total. Keys read no clock, so a
// listing's key changes only when the listing does.
type sortKey [3]int64

func (k sortKey) compare(o sortKey) int {
	return cmp.Or(cmp.Compare(k[0], o[0]), cmp.Compare(k[1], o[1]), cmp.Compare(k[2], o[2]))
}

// cursor is the position after the last hit of a page, in the answer of
// the search at the index's position at, its first page's (see Pages in
// the package documentation, and snapshot.go).
type cursor struct {
	key         sortKey
	fingerprint uint64
	// pinned is set when the cursor names the position at of its first
	// page: always, but for a c3 cursor, which continues from key over the
	// index as it is.
	pinned bool
	at     int64
}

// cursorVersion is the cursor's format. Changes:
//
//	c3: the last key shown and the query's fingerprint.
//	c4: and the index's position on the first page.
const cursorVersion = "c4"

func (c cursor) encode() string {
	s := fmt.Sprintf("%s.%d.%d.%d.%d.%x", cursorVersion, c.key[0], c.key[1], c.key[2], c.at, c.fingerprint)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// decodeCursor reads q.Cursor; nil when there is none. A cursor must come
// from a search with the same text, filters and sort. A c3 cursor, from
// before snapshots, still reads: its page continues after its key over
// the index as it is, as it used to, and the pages after that one are
// its answer at the index's position then.
func decodeCursor(q Query) (*cursor, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", ErrBadCursor)
	}
	f := strings.Split(string(b), ".")
	var c cursor
	switch {
	case len(f) == 6 && f[0] == cursorVersion:
		c.pinned = true
		if c.at, err = strconv.ParseInt(f[4], 10, 64); err != nil || c.at < 0 {
			return nil, fmt.Errorf("%w: bad position", ErrBadCursor)
		}
	case len(f) == 5 && f[0] == "c3":
	default:
		return nil, fmt.Errorf("%w: unknown format", ErrBadCursor)
	}
	for i := range c.key {
		if c.key[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
			return nil, fmt.Errorf("%w: bad key", ErrBadCursor)
		}
	}
	if c.fingerprint, err = strconv.ParseUint(f[len(f)-1], 16, 64); err != nil {
		return nil, fmt.Errorf("%w: bad fingerprint", ErrBadCursor)
	}
	if c.fingerprint != q.fingerprint() {
		return nil, fmt.Errorf("%w: it belongs to a search with other terms, filters or sort", ErrBadCursor)
	}
	return &c, nil
}

// fingerprint identifies what a search matches and how it is ordered, so
// a cursor is only used with the search that issued it.
func (q *Query) fingerprint() uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s", q.matchKey(), q.Sort)
	return h.Sum64()
}

func boolPtr(b *bool) string {
	if b == nil {
		return "-"
	}
	return strconv.FormatBool(*b)
}
