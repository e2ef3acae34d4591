// Package dedupe finds the same job listed by several agencies. It reduces
// a listing's normalized text to a MinHash signature over character
// shingles, whose agreement estimates the Jaccard similarity of two texts,
// and cuts the signature into LSH bands so that similar listings share a
// bucket. Exact keys (the canonical apply URL) come first. This package
// decides (which candidates are worth reading, which group a listing
// joins: TopVotes, Choose); the store keeps the buckets and hands it the
// candidates inside its write transaction. It is pure computation.
package dedupe

import (
	"encoding/binary"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"anken/internal/skill"
)

// Signature shape: Size slots cut into Bands bands of Rows slots. With
// Rows = 4 and Bands = 16, two listings of Jaccard similarity 0.6 share a
// bucket with probability 1-(1-0.6⁴)¹⁶ ≈ 0.89, at 0.7 ≈ 0.99, at 0.3 ≈ 0.12.
const (
	Rows  = 4
	Bands = 16
	Size  = Rows * Bands
)

// Threshold is the estimated similarity at or above which two listings of
// different agencies are the same job. Tuned on the demo generator's
// planted reposts (see dedupe_test.go and docs/BENCHMARKS.md).
const Threshold = 0.62

// shingle is the number of characters in a shingle.
const shingle = 4

// Signature is a one-permutation MinHash of a text: Size bins, each the
// smallest hash of a shingle that fell into it. The zero Signature is
// "no text".
type Signature [Size]uint32

// Sign returns the signature of a listing's title and description.
func Sign(title, description string) Signature {
	var sig Signature
	for i := range sig {
		sig[i] = empty
	}
	text := letters(title + "\n" + description)
	if len(text) == 0 {
		return Signature{}
	}
	add := func(h uint64) {
		h = mix(h)
		bin := h % Size
		v := uint32(h >> 32)
		if v == empty {
			v--
		}
		if v < sig[bin] {
			sig[bin] = v
		}
	}
	if len(text) < shingle { // shorter than one shingle: the text is its one shingle
		var h uint64 = 0x9e3779b97f4a7c15
		for _, c := range text {
			h = (h ^ uint64(c)) * 0x100000001b3
		}
		add(h)
	}
	for i := shingle; i <= len(text); i++ {
		var h uint64 = 0x9e3779b97f4a7c15
		for _, c := range text[i-shingle : i] {
			h = (h ^ uint64(c)) * 0x100000001b3
		}
		add(h)
	}
	densify(&sig)
	return sig
}

// empty marks a bin no shingle fell into.
const empty = ^uint32(0)

// densify fills each empty bin from the next filled one to its right,
// salted by the distance, so that empty bins of two similar texts still
// agree (rotation densification, Shrivastava & Li 2014).
func densify(sig *Signature) {
	orig := *sig
	for i := range sig {
		if orig[i] != empty {
			continue
		}
		for d := 1; d < Size; d++ {
			if v := orig[(i+d)%Size]; v != empty {
				sig[i] = uint32(mix(uint64(v) + uint64(d)*0x9e3779b9))
				break
			}
		}
	}
}

// Similarity estimates the Jaccard similarity of the two texts: the share
// of bins that agree. Zero signatures are similar to nothing.
func (s *Signature) Similarity(o *Signature) float64 {
	if s.IsZero() || o.IsZero() {
		return 0
	}
	same := 0
	for i := range s {
		if s[i] == o[i] {
			same++
		}
	}
	return float64(same) / Size
}

// IsZero reports whether the signature is of no text.
func (s *Signature) IsZero() bool { return *s == Signature{} }

// BandKeys returns the LSH bucket keys of the signature: one per band,
// the band's index mixed in so equal rows in different bands differ.
func (s *Signature) BandKeys() [Bands]int64 {
	var out [Bands]int64
	for b := range Bands {
		h := uint64(b+1) * 0xbf58476d1ce4e5b9
		for _, v := range s[b*Rows : (b+1)*Rows] {
			h = mix(h ^ uint64(v))
		}
		out[b] = int64(h &^ (1 << 63)) // positive, fits BIGINT
	}
	return out
}

// Bytes encodes the signature for storage (Size×4 bytes, little endian).
func (s *Signature) Bytes() []byte {
	b := make([]byte, 4*Size)
	for i, v := range s {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

// Parse decodes what Bytes encoded; anything else is the zero Signature.
func Parse(b []byte) Signature {
	var s Signature
	if len(b) != 4*Size {
		return s
	}
	for i := range s {
		s[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return s
}

// URLKey returns the bucket key of a canonical apply URL: scheme and host
// lower-cased, "www." dropped, tracking parameters (utm_*, fbclid, gclid),
// the fragment and a trailing slash removed. ok is false for no URL.
func URLKey(raw string) (key int64, ok bool) {
	c := CanonicalURL(raw)
	if c == "" {
		return 0, false
	}
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(c); i++ {
		h = (h ^ uint64(c[i])) * 0x100000001b3
	}
	return int64(mix(h) &^ (1 << 63)), true
}

// CanonicalURL returns raw in canonical form, or "" when it is not an
// absolute http(s) URL.
func CanonicalURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "utm_") || lk == "fbclid" || lk == "gclid" || lk == "ref" {
			q.Del(k)
		}
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	c := "https://" + host + path
	if enc := q.Encode(); enc != "" {
		c += "?" + enc
	}
	return c
}

// letters returns the letters of text (kana, kanji, latin), NFKC-
// normalized and lower-cased: spaces, punctuation, symbols and digits
// carry formatting and rates, which agencies change when they repost a job.
func letters(text string) []rune {
	folded := skill.AppendFold(make([]byte, 0, len(text)+8), text)
	out := make([]rune, 0, len(folded)/2)
	for i := 0; i < len(folded); {
		c := folded[i]
		if c < utf8.RuneSelf { // ASCII: folded, so letters are a–z
			if 'a' <= c && c <= 'z' {
				out = append(out, rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(folded[i:])
		i += size
		if isLetter(r) {
			out = append(out, r)
		}
	}
	return out
}

// isLetter is unicode.IsLetter, with the kana and kanji of Japanese text
// answered without a table search.
func isLetter(r rune) bool {
	switch {
	case 0x3041 <= r && r <= 0x3096, // hiragana
		0x30a1 <= r && r <= 0x30fa, // katakana
		0x4e00 <= r && r <= 0x9fa5: // CJK unified ideographs
		return true
	}
	return unicode.IsLetter(r)
}

// mix is the splitmix64 finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
