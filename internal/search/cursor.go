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
// The listing id is last, so the order is total and a cursor holding the
// last key shown is a stable place to continue from: a listing written
// between pages lands before or after it, and none already passed is shown
// again.
type sortKey [3]int64

func (k sortKey) compare(o sortKey) int {
	return cmp.Or(cmp.Compare(k[0], o[0]), cmp.Compare(k[1], o[1]), cmp.Compare(k[2], o[2]))
}

// cursor is the position after the last hit of a page.
type cursor struct {
	key         sortKey
	fingerprint uint64
}

const cursorVersion = "c3"

func (c cursor) encode() string {
	s := fmt.Sprintf("%s.%d.%d.%d.%x", cursorVersion, c.key[0], c.key[1], c.key[2], c.fingerprint)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// decodeCursor reads q.Cursor; nil when there is none. A cursor must come
// from a search with the same text, filters and sort.
func decodeCursor(q Query) (*cursor, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", ErrBadCursor)
	}
	f := strings.Split(string(b), ".")
	if len(f) != 5 || f[0] != cursorVersion {
		return nil, fmt.Errorf("%w: unknown format", ErrBadCursor)
	}
	var c cursor
	for i := range c.key {
		if c.key[i], err = strconv.ParseInt(f[i+1], 10, 64); err != nil {
			return nil, fmt.Errorf("%w: bad key", ErrBadCursor)
		}
	}
	if c.fingerprint, err = strconv.ParseUint(f[4], 16, 64); err != nil {
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
	fmt.Fprintf(h, "%q|%q|%q|%q|%q|%q|%d|%d|%d|%s|%s|%t", q.Text, q.Skills, q.Roles, q.Remotes,
		q.Prefectures, q.Contracts, q.RateMin, q.RateMax, q.DaysMax, boolPtr(q.SideJob), q.Sort, q.Collapse)
	return h.Sum64()
}

func boolPtr(b *bool) string {
	if b == nil {
		return "-"
	}
	return strconv.FormatBool(*b)
}
