package search

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"anken/internal/listing"
)

// hit is a matching doc with its relevance score.
type hit struct {
	d     *doc
	score int
}

// sortKey orders hits: larger keys come first, compared left to right.
// The listing id is last, so the order is total and a cursor that names the
// last key seen is a stable place to continue from.
type sortKey [3]int64

func keyOf(s Sort, h hit) sortKey {
	l := h.d.l
	switch s {
	case SortNewest:
		return sortKey{l.PostedAt.UnixNano(), 0, l.ID}
	case SortRate:
		return sortKey{rateHi(l.Rate), 0, l.ID}
	default:
		return sortKey{int64(h.score), l.PostedAt.UnixNano(), l.ID}
	}
}

func (k sortKey) compare(o sortKey) int {
	return cmp.Or(cmp.Compare(k[0], o[0]), cmp.Compare(k[1], o[1]), cmp.Compare(k[2], o[2]))
}

// cursor is the position after the last hit of a page.
type cursor struct {
	key         sortKey
	fingerprint uint64
}

const cursorVersion = "c1"

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
	fmt.Fprintf(h, "%q|%q|%q|%q|%q|%q|%d|%d|%d|%v|%s", q.Text, q.Skills, q.Roles, q.Remotes,
		q.Prefectures, q.Contracts, q.RateMin, q.RateMax, q.DaysMax, boolPtr(q.SideJob), q.Sort)
	return h.Sum64()
}

func boolPtr(b *bool) string {
	if b == nil {
		return "-"
	}
	return strconv.FormatBool(*b)
}

// page sorts hits and returns those after cur, up to q.Limit, with the
// cursor for the next page ("" on the last).
func page(q Query, hits []hit, cur *cursor) ([]*listing.Listing, string) {
	keys := make([]sortKey, len(hits))
	order := make([]int, len(hits))
	for i, h := range hits {
		keys[i] = keyOf(q.Sort, h)
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return keys[b].compare(keys[a]) })
	start := 0
	if cur != nil {
		// First hit whose key is below the cursor's.
		start, _ = slices.BinarySearchFunc(order, cur.key, func(i int, k sortKey) int {
			if keys[i].compare(k) >= 0 {
				return -1
			}
			return 1
		})
	}
	end := min(start+q.Limit, len(order))
	out := make([]*listing.Listing, 0, end-start)
	for _, i := range order[start:end] {
		out = append(out, hits[i].d.l)
	}
	if end == len(order) {
		return out, ""
	}
	last := keys[order[end-1]]
	return out, cursor{key: last, fingerprint: q.fingerprint()}.encode()
}
