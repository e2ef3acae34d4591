package search

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
	"golang.org/x/text/unicode/norm"

	"anken/internal/listing"
	"anken/internal/skill"
)

// Index snapshots on disk (not the cursors' points in time of
// snapshot.go): a node writes its index to a file and, at its next start,
// loads it instead of building the index from every listing in the store,
// then applies the change log from the snapshot's position on.
//
// A snapshot holds everything a search reads: per slot the ids, groups,
// folded texts and coded columns, the free slots, every posting and filter
// bitmap (roaring's own portable format), the timeline's buckets, the
// duplicate groups and the position. The slot map and the skill codes are
// rebuilt from those as it loads. It also holds the term cache, exact for
// the index as it is written (the cache is kept exact as listings are
// written), so the terms people asked for before a restart do not each
// cost a pass over their candidates' texts again after it. What serves
// cursors (the history of writes, the waits) is not written: it starts
// empty, as after a build. persist_test.go fails when Index gains a field
// this file does not account for.
//
// Layout, little-endian:
//
//	header  "ANKENIDX", FormatVersion u32, vocabulary u64, seq i64,
//	        mark i64, mark's time (Unix ns, 0 none) i64, listings u64,
//	        slots u64, written (Unix ns) i64,
//	        store identity (u16 length, bytes), CRC-32C of the header u32
//	body    skill slugs; per slot a fixed record (id, group, text bounds,
//	        columns, skill count, text length); the skill codes; the
//	        texts; free slots; live; the word and gram postings; the
//	        filter bitmaps; the timeline; the duplicate groups; the
//	        cached terms, least recently used first
//	trailer body length u64, CRC-32C of the body u32, "ANKENEND"
//
// A file of another FormatVersion, another vocabulary (the roles,
// remotes, contracts, prefectures, rate bands and skill names the columns
// and texts were coded with, the Unicode tables they were folded with),
// with a checksum that does not match, cut short or with bytes after its
// end is refused whole: the index is replaced only once all of it has
// been read and checked.

const (
	snapshotMagic = "ANKENIDX"
	snapshotEnd   = "ANKENEND"
	// snapshotBuf is the size of the reader's and writer's buffers.
	snapshotBuf = 1 << 20
	// slotRecord is the size of a slot's fixed record.
	slotRecord = 71
)

// ErrBadSnapshot is wrapped by every error about a snapshot's content
// (as opposed to reading or writing it).
var ErrBadSnapshot = errors.New("search: bad index snapshot")

// SnapshotInfo is what a snapshot's header says.
type SnapshotInfo struct {
	Version  int       // FormatVersion of the binary that wrote it
	Seq      int64     // the index's position: the last change of the store's log it holds
	Store    string    // identity of the store whose change log Seq is a position in
	Mark     int64     // the listing whose latest change was at Seq when written; 0 when unknown
	MarkAt   time.Time // that change's time (the listing's updated_at)
	Listings int       // open listings
	Written  time.Time // when the writing began
}

// vocabulary is a hash of what coded columns and folded texts depend on
// besides FormatVersion: a snapshot made with another is refused.
var vocabulary = sync.OnceValue(func() uint64 {
	h := fnv.New64a()
	put := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	put(strconv.Itoa(FormatVersion))
	for _, r := range listing.Roles {
		put(string(r))
	}
	for _, r := range listing.Remotes {
		put(string(r))
	}
	for _, c := range listing.Contracts {
		put(string(c))
	}
	for _, c := range listing.PrefectureCodes {
		put(c)
	}
	put(strconv.Itoa(rateBands) + "/" + strconv.Itoa(rateBandWidth))
	put(unicode.Version + "/" + norm.Version)
	for _, s := range skill.All() {
		put(s.Slug + "\t" + fold(s.Name))
	}
	return h.Sum64()
})

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteSnapshot writes the index to w. info gives the store's identity
// and the mark; a non-zero info.Seq must be the index's position (the
// caller's idea of where in the change log the index is), or nothing is
// written. It returns the header written.
//
// It holds the read lock while it writes: searches go on, writes wait
// until it is done.
func (x *Index) WriteSnapshot(w io.Writer, info SnapshotInfo) (SnapshotInfo, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if info.Seq != 0 && info.Seq != x.seq {
		return SnapshotInfo{}, fmt.Errorf("search: snapshot at position %d asked, the index is at %d", info.Seq, x.seq)
	}
	if len(info.Store) > 1<<10 {
		return SnapshotInfo{}, fmt.Errorf("search: snapshot: store identity of %d bytes", len(info.Store))
	}
	info.Version, info.Seq, info.Listings = FormatVersion, x.seq, len(x.slot)
	info.Written = time.Now().UTC()
	sw := &snapWriter{w: w, buf: make([]byte, 0, snapshotBuf)}
	sw.header(info, len(x.id))
	sw.body = true
	x.writeBody(sw)
	sw.trailer()
	return info, sw.err
}

// writeBody writes the body. x.mu is held.
func (x *Index) writeBody(w *snapWriter) {
	w.u32(uint32(len(x.skillSlug)))
	for _, s := range x.skillSlug {
		w.str(s)
	}
	w.u32(uint32(len(x.agencySlug)))
	for _, s := range x.agencySlug {
		w.str(s)
	}
	skills, texts := 0, 0
	for s := range x.id {
		var rec [slotRecord]byte
		c := &x.cols[s]
		b := binary.LittleEndian.AppendUint64(rec[:0], uint64(x.id[s]))
		b = binary.LittleEndian.AppendUint64(b, uint64(x.group[s]))
		b = binary.LittleEndian.AppendUint32(b, x.titleEnd[s])
		b = binary.LittleEndian.AppendUint32(b, x.skillEnd[s])
		b = binary.LittleEndian.AppendUint64(b, uint64(c.posted))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.rateLo))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.rateHi))
		b = append(b, c.role, c.remote, c.pref, c.contract, c.days, boolByte(c.sideJob))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(x.skills[s])))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(x.text[s])))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.hourLo))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.hourHi))
		b = append(b, boolByte(c.part))
		b = binary.LittleEndian.AppendUint64(b, uint64(c.seen))
		b = binary.LittleEndian.AppendUint16(b, c.agency)
		w.raw(b)
		skills += len(x.skills[s])
		texts += len(x.text[s])
	}
	w.u64(uint64(skills))
	for _, codes := range x.skills {
		for _, c := range codes {
			w.u16(c)
		}
	}
	w.u64(uint64(texts))
	for _, t := range x.text {
		w.raw(unsafe.Slice(unsafe.StringData(t), len(t)))
	}
	w.u64(uint64(len(x.free)))
	for _, s := range x.free {
		w.u32(s)
	}
	w.bitmap(x.live)
	for _, m := range []map[string]*roaring.Bitmap{x.words, x.titleWords, x.skillWords} {
		w.u64(uint64(len(m)))
		for k, b := range m {
			w.str(k)
			w.bitmap(b)
		}
	}
	for _, m := range []map[gram]*roaring.Bitmap{x.grams, x.titleGrams, x.skillGrams} {
		w.u64(uint64(len(m)))
		for k, b := range m {
			w.u64(uint64(k))
			w.bitmap(b)
		}
	}
	for _, bs := range x.filterBitmaps() {
		w.u32(uint32(len(*bs)))
		for _, b := range *bs {
			w.bitmap(b)
		}
	}
	w.bitmap(x.sideJob)
	w.bitmap(x.part)
	w.u32(uint32(len(x.byTime.lo)))
	for i, lo := range x.byTime.lo {
		w.u64(uint64(lo[0]))
		w.u64(uint64(lo[1]))
		w.bitmap(x.byTime.bits[i])
	}
	w.u64(uint64(len(x.reposts)))
	for g, ms := range x.reposts {
		w.u64(uint64(g))
		w.u32(uint32(len(ms)))
		for _, s := range ms {
			w.u32(s)
		}
	}
	w.bitmap(x.dups)
	es := x.cache.entries()
	w.u64(uint64(len(es)))
	for _, e := range es {
		w.str(e.term)
		w.bitmap(e.hits)
		w.bitmap(e.title)
		w.bitmap(e.skills)
	}
}

// filterBitmaps lists the index's slices of filter bitmaps, in the order a
// snapshot holds them.
func (x *Index) filterBitmaps() []*[]*roaring.Bitmap {
	return []*[]*roaring.Bitmap{&x.roles, &x.remotes, &x.prefs, &x.contracts, &x.skillSet, &x.days,
		&x.rates, &x.rateLows, &x.hiFrom, &x.loUpTo}
}

// snapWriter buffers what it is given and hands it on in large writes,
// keeping the checksum of the body. The first error sticks.
type snapWriter struct {
	w    io.Writer
	buf  []byte
	body bool // the header is written: what follows is summed
	sum  uint32
	n    int64 // body bytes
	err  error

	scratch [8]byte
}

func (w *snapWriter) flush() {
	if w.err == nil && len(w.buf) > 0 {
		_, w.err = w.w.Write(w.buf)
	}
	w.buf = w.buf[:0]
}

// Write makes snapWriter an io.Writer for roaring's WriteTo.
func (w *snapWriter) Write(p []byte) (int, error) {
	w.raw(p)
	return len(p), w.err
}

func (w *snapWriter) raw(p []byte) {
	if w.err != nil {
		return
	}
	if w.body {
		w.sum = crc32.Update(w.sum, castagnoli, p)
		w.n += int64(len(p))
	}
	for len(p) > 0 {
		if len(w.buf) == cap(w.buf) {
			w.flush()
			if w.err != nil {
				return
			}
		}
		k := min(len(p), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
	}
}

func (w *snapWriter) u16(v uint16) { w.raw(binary.LittleEndian.AppendUint16(w.scratch[:0], v)) }
func (w *snapWriter) u32(v uint32) { w.raw(binary.LittleEndian.AppendUint32(w.scratch[:0], v)) }
func (w *snapWriter) u64(v uint64) { w.raw(binary.LittleEndian.AppendUint64(w.scratch[:0], v)) }

func (w *snapWriter) str(s string) {
	w.u32(uint32(len(s)))
	w.raw(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func (w *snapWriter) bitmap(b *roaring.Bitmap) {
	if w.err == nil {
		if _, err := b.WriteTo(w); err != nil && w.err == nil {
			w.err = err
		}
	}
}

func (w *snapWriter) header(info SnapshotInfo, slots int) {
	h := []byte(snapshotMagic)
	h = binary.LittleEndian.AppendUint32(h, uint32(info.Version))
	h = binary.LittleEndian.AppendUint64(h, vocabulary())
	h = binary.LittleEndian.AppendUint64(h, uint64(info.Seq))
	h = binary.LittleEndian.AppendUint64(h, uint64(info.Mark))
	h = binary.LittleEndian.AppendUint64(h, uint64(unixNano(info.MarkAt)))
	h = binary.LittleEndian.AppendUint64(h, uint64(info.Listings))
	h = binary.LittleEndian.AppendUint64(h, uint64(slots))
	h = binary.LittleEndian.AppendUint64(h, uint64(unixNano(info.Written)))
	h = binary.LittleEndian.AppendUint16(h, uint16(len(info.Store)))
	h = append(h, info.Store...)
	h = binary.LittleEndian.AppendUint32(h, crc32.Checksum(h, castagnoli))
	w.raw(h)
}

func (w *snapWriter) trailer() {
	n, sum := w.n, w.sum
	w.body = false
	w.u64(uint64(n))
	w.u32(sum)
	w.raw([]byte(snapshotEnd))
	w.flush()
}

// ReadSnapshot reads a snapshot written by WriteSnapshot into a new index.
// check, when not nil, is called with the header before the body is read:
// an error from it stops the read and is returned.
func ReadSnapshot(r io.Reader, check func(SnapshotInfo) error) (*Index, SnapshotInfo, error) {
	x := NewIndex()
	info, err := x.LoadSnapshot(r, check)
	if err != nil {
		return nil, SnapshotInfo{}, err
	}
	return x, info, nil
}

// LoadSnapshot replaces the index's contents with the snapshot r holds,
// as RebuildAt does with the listings of a store: the position is the
// snapshot's, the history and the term cache start empty, and searches see
// the old contents until the new ones are complete. check, when not nil,
// is called with the header before the body is read; an error from it
// stops the load and is returned. On any error the index is unchanged.
// r must hold the snapshot and nothing after it.
func (x *Index) LoadSnapshot(r io.Reader, check func(SnapshotInfo) error) (info SnapshotInfo, err error) {
	sr := &snapReader{r: r, buf: make([]byte, snapshotBuf)}
	info, slots, err := sr.header()
	if err != nil {
		return SnapshotInfo{}, err
	}
	if check != nil {
		if err := check(info); err != nil {
			return SnapshotInfo{}, err
		}
	}
	n := NewIndex()
	n.runMax = x.runMax
	n.cache.max = x.cache.max
	// A body whose checksum does not match is refused at its end; before
	// that, bytes that are wrong could be anything. Decoding checks every
	// count and bound it relies on, and a panic left is an error too.
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("%w: %v", ErrBadSnapshot, v)
			}
		}()
		err = n.readBody(sr, slots, info.Listings)
	}()
	if err == nil {
		err = sr.trailer()
	}
	if err != nil {
		return SnapshotInfo{}, err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.takeFrom(n)
	x.cache.restore(n.cache.entries())
	x.moveTo(info.Seq)
	x.hist.clear(info.Seq)
	return info, nil
}

// snapReader reads a snapshot through a buffer of its own, keeping the
// checksum of the body read so far: the bytes consumed, not those read
// ahead.
type snapReader struct {
	r        io.Reader
	buf      []byte
	pos, end int // buf[pos:end] is read ahead
	hashed   int // buf[hashed:pos] is consumed but not yet in sum
	summing  bool
	sum      uint32
	n        int64 // body bytes consumed
	eof      bool
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSnapshot, fmt.Sprintf(format, args...))
}

// hash adds the consumed bytes to the sum.
func (r *snapReader) hash() {
	if r.summing {
		r.sum = crc32.Update(r.sum, castagnoli, r.buf[r.hashed:r.pos])
	}
	r.hashed = r.pos
}

// fill makes at least need bytes (at most len(r.buf)) available.
func (r *snapReader) fill(need int) error {
	if r.end-r.pos >= need {
		return nil
	}
	r.hash()
	k := copy(r.buf, r.buf[r.pos:r.end])
	r.pos, r.end, r.hashed = 0, k, 0
	for r.end < need {
		if r.eof {
			return bad("cut short")
		}
		m, err := r.r.Read(r.buf[r.end:])
		r.end += m
		if errors.Is(err, io.EOF) {
			r.eof = true
		} else if err != nil {
			return fmt.Errorf("search: read snapshot: %w", err)
		}
	}
	return nil
}

// next consumes n bytes (at most len(r.buf)), returned in the buffer.
func (r *snapReader) next(n int) ([]byte, error) {
	if err := r.fill(n); err != nil {
		return nil, err
	}
	b := r.buf[r.pos : r.pos+n]
	r.pos += n
	if r.summing {
		r.n += int64(n)
	}
	return b, nil
}

// Read makes snapReader an io.Reader for roaring's ReadFrom.
func (r *snapReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.pos == r.end {
		if err := r.fill(1); err != nil {
			return 0, err
		}
	}
	k := copy(p, r.buf[r.pos:r.end])
	r.pos += k
	if r.summing {
		r.n += int64(k)
	}
	return k, nil
}

// readFull consumes exactly len(p) bytes into p.
func (r *snapReader) readFull(p []byte) error {
	for len(p) > 0 {
		k, err := r.Read(p[:min(len(p), len(r.buf))])
		if err != nil {
			return err
		}
		p = p[k:]
	}
	return nil
}

func (r *snapReader) u32() (uint32, error) {
	b, err := r.next(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (r *snapReader) u64() (uint64, error) {
	b, err := r.next(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a count of items and checks it against most.
func (r *snapReader) count(what string, most uint64) (int, error) {
	v, err := r.u64()
	if err != nil {
		return 0, err
	}
	if v > most {
		return 0, bad("%d %s, at most %d possible", v, what, most)
	}
	return int(v), nil
}

// str reads a string of at most most bytes.
func (r *snapReader) str(most int) (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	if int64(n) > int64(most) {
		return "", bad("a string of %d bytes, at most %d possible", n, most)
	}
	b, err := r.bytes(int(n))
	return string(b), err
}

// bytes consumes n bytes into a new slice, which grows as they arrive:
// a wrong length fails at the end of the input, not by allocating it.
func (r *snapReader) bytes(n int) ([]byte, error) {
	if n <= len(r.buf) {
		b, err := r.next(n)
		if err != nil {
			return nil, err
		}
		return append(make([]byte, 0, n), b...), nil
	}
	b := make([]byte, 0, len(r.buf))
	for len(b) < n {
		chunk, err := r.next(min(n-len(b), len(r.buf)))
		if err != nil {
			return nil, err
		}
		b = append(b, chunk...)
	}
	return b, nil
}

// header reads and checks the header; it returns it and the slot count.
func (r *snapReader) header() (SnapshotInfo, int, error) {
	const fixed = 8 + 4 + 8 + 8 + 8 + 8 + 8 + 8 + 8 + 2
	b, err := r.next(8 + 4)
	if err != nil {
		return SnapshotInfo{}, 0, err
	}
	if string(b[:8]) != snapshotMagic {
		return SnapshotInfo{}, 0, bad("not an index snapshot")
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[8:]); v != FormatVersion {
		return SnapshotInfo{}, 0, bad("format version %d, this binary reads %d", v, FormatVersion)
	}
	h := append([]byte(nil), b...)
	if b, err = r.next(fixed - len(h)); err != nil {
		return SnapshotInfo{}, 0, err
	}
	h = append(h, b...)
	storeLen := int(le.Uint16(h[fixed-2:]))
	if b, err = r.next(storeLen + 4); err != nil {
		return SnapshotInfo{}, 0, err
	}
	h = append(h, b...)
	if crc32.Checksum(h[:fixed+storeLen], castagnoli) != le.Uint32(h[fixed+storeLen:]) {
		return SnapshotInfo{}, 0, bad("header checksum does not match")
	}
	if le.Uint64(h[12:]) != vocabulary() {
		return SnapshotInfo{}, 0, bad("written with other roles, skills or Unicode tables than this binary's")
	}
	info := SnapshotInfo{
		Version:  FormatVersion,
		Seq:      int64(le.Uint64(h[20:])),
		Mark:     int64(le.Uint64(h[28:])),
		MarkAt:   fromUnixNano(int64(le.Uint64(h[36:]))),
		Listings: int(le.Uint64(h[44:])),
		Written:  fromUnixNano(int64(le.Uint64(h[60:]))),
		Store:    string(h[fixed : fixed+storeLen]),
	}
	slots := le.Uint64(h[52:])
	if slots > 1<<32 || uint64(info.Listings) > slots || info.Seq < 0 {
		return SnapshotInfo{}, 0, bad("%d listings in %d slots at position %d", info.Listings, slots, info.Seq)
	}
	r.hash()
	r.summing = true
	return info, int(slots), nil
}

// unixNano is t in Unix nanoseconds, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromUnixNano is the inverse of unixNano, in UTC.
func fromUnixNano(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// trailer reads the trailer and checks the body against it, and that
// nothing follows.
func (r *snapReader) trailer() error {
	r.hash()
	n, sum := r.n, r.sum
	r.summing = false
	b, err := r.next(8 + 4 + len(snapshotEnd))
	if err != nil {
		return err
	}
	if string(b[12:]) != snapshotEnd || int64(binary.LittleEndian.Uint64(b)) != n {
		return bad("no end after %d bytes of body", n)
	}
	if binary.LittleEndian.Uint32(b[8:]) != sum {
		return bad("body checksum does not match")
	}
	if r.pos < r.end {
		return bad("bytes after the end")
	}
	if !r.eof {
		var one [1]byte
		if k, _ := io.ReadFull(r.r, one[:]); k > 0 {
			return bad("bytes after the end")
		}
	}
	return nil
}

// readBody reads the body into x, a new index, checking every bound a
// search relies on: one function per section, in the order written.
func (x *Index) readBody(r *snapReader, slots, listings int) error {
	for _, section := range []func() error{
		func() error { return x.readSkills(r) },
		func() error { return x.readAgencies(r) },
		func() error { return x.readSlots(r, slots) },
		func() error { return x.readLive(r, slots, listings) },
		func() error { return x.readPostings(r, slots) },
		func() error { return x.readFilters(r, slots) },
		func() error { return x.readTimeline(r, slots) },
		func() error { return x.readGroups(r, slots) },
		func() error { return x.readCache(r, slots) },
	} {
		if err := section(); err != nil {
			return err
		}
	}
	return nil
}

// readSkills reads the skill slugs, by code.
func (x *Index) readSkills(r *snapReader) error {
	nskills, err := r.u32()
	if err != nil {
		return err
	}
	if nskills > 1<<16 {
		return bad("%d skills", nskills)
	}
	for range nskills {
		slug, err := r.str(1 << 10)
		if err != nil {
			return err
		}
		if _, ok := x.skillCode[slug]; ok {
			return bad("skill %q twice", slug)
		}
		x.skillCodeOf(slug)
	}

	return nil
}

// readAgencies reads the agency slugs, by code.
func (x *Index) readAgencies(r *snapReader) error {
	n, err := r.u32()
	if err != nil {
		return err
	}
	if n > 1<<16 {
		return bad("%d agencies", n)
	}
	for range n {
		slug, err := r.str(1 << 10)
		if err != nil {
			return err
		}
		if _, ok := x.agencyCode[slug]; ok {
			return bad("agency %q twice", slug)
		}
		x.agencyCodeOf(slug)
	}
	return nil
}

// readSlots reads the slots: the fixed records, then the skill codes,
// then the texts.
func (x *Index) readSlots(r *snapReader, slots int) error {
	x.id, x.group = make([]int64, slots), make([]int64, slots)
	x.titleEnd, x.skillEnd = make([]uint32, slots), make([]uint32, slots)
	x.cols, x.skills, x.text = make([]cols, slots), make([][]uint16, slots), make([]string, slots)
	nsk := make([]uint16, slots)
	textLen := make([]uint32, slots)
	per := len(r.buf) / slotRecord
	for lo := 0; lo < slots; lo += per {
		hi := min(slots, lo+per)
		b, err := r.next((hi - lo) * slotRecord)
		if err != nil {
			return err
		}
		le := binary.LittleEndian
		for s := lo; s < hi; s, b = s+1, b[slotRecord:] {
			x.id[s], x.group[s] = int64(le.Uint64(b)), int64(le.Uint64(b[8:]))
			x.titleEnd[s], x.skillEnd[s] = le.Uint32(b[16:]), le.Uint32(b[20:])
			c := &x.cols[s]
			c.posted, c.rateLo, c.rateHi = int64(le.Uint64(b[24:])), int32(le.Uint32(b[32:])), int32(le.Uint32(b[36:]))
			c.role, c.remote, c.pref, c.contract, c.days = b[40], b[41], b[42], b[43], b[44]
			c.sideJob = b[45] == 1
			nsk[s], textLen[s] = le.Uint16(b[46:]), le.Uint32(b[48:])
			c.hourLo, c.hourHi = int32(le.Uint32(b[52:])), int32(le.Uint32(b[56:]))
			c.part = b[60] == 1
			c.seen, c.agency = int64(le.Uint64(b[61:])), le.Uint16(b[69:])
			if b[45] > 1 || b[60] > 1 || int(c.agency) >= max(len(x.agencySlug), 1) || int(c.role) > len(listing.Roles) || int(c.remote) > len(listing.Remotes) ||
				int(c.pref) > len(listing.Prefectures) || int(c.contract) > len(listing.Contracts) ||
				x.titleEnd[s] > x.skillEnd[s] || x.skillEnd[s] > textLen[s] && textLen[s] > 0 {
				// A free slot keeps its bounds with no text (remove).
				return bad("slot %d: columns or text bounds out of range", s)
			}
		}
	}
	sum := 0
	for _, k := range nsk {
		sum += int(k)
	}
	total, err := r.count("skill codes", uint64(sum))
	if err != nil {
		return err
	}
	if total != sum {
		return bad("%d skill codes, the slots name %d", total, sum)
	}
	codes := make([]uint16, 0, min(total, len(r.buf)))
	for len(codes) < total {
		b, err := r.next(min(total-len(codes), len(r.buf)/2) * 2)
		if err != nil {
			return err
		}
		for ; len(b) > 0; b = b[2:] {
			c := binary.LittleEndian.Uint16(b)
			if int(c) >= len(x.skillSlug) {
				return bad("skill code %d of %d", c, len(x.skillSlug))
			}
			codes = append(codes, c)
		}
	}
	i := 0
	for s := range slots {
		k := int(nsk[s])
		x.skills[s] = codes[i : i+k : i+k]
		i += k
	}
	if err := x.readTexts(r, textLen); err != nil {
		return err
	}

	return nil
}

// readLive reads the free slots and the live ones, and makes the slot map
// from them.
func (x *Index) readLive(r *snapReader, slots, listings int) error {
	nfree, err := r.count("free slots", uint64(slots))
	if err != nil {
		return err
	}
	x.free = make([]uint32, nfree)
	for i := range x.free {
		if x.free[i], err = r.u32(); err != nil {
			return err
		}
	}
	if x.live, err = r.bitmap(slots); err != nil {
		return err
	}
	if n := x.live.GetCardinality(); n != uint64(listings) || int(n)+nfree != slots {
		return bad("%d live slots and %d free of %d; %d listings", n, nfree, slots, listings)
	}
	for _, s := range x.free {
		if int(s) >= slots || x.live.Contains(s) {
			return bad("free slot %d is live or out of range", s)
		}
	}
	x.slot = make(map[int64]uint32, listings)
	it := x.live.Iterator()
	for it.HasNext() {
		s := it.Next()
		if _, ok := x.slot[x.id[s]]; ok {
			return bad("listing %d in two slots", x.id[s])
		}
		if int(x.skillEnd[s]) > len(x.text[s]) {
			return bad("slot %d: text bounds out of range", s)
		}
		if a := int(x.cols[s].agency); a >= len(x.agencySet) {
			return bad("slot %d: agency %d of %d", s, a, len(x.agencySet))
		}
		x.slot[x.id[s]] = s
		x.agencySet[x.cols[s].agency].Add(s) // derived: each agency's slots
	}

	return nil
}

// readPostings reads the word and gram postings.
func (x *Index) readPostings(r *snapReader, slots int) error {
	for _, m := range []map[string]*roaring.Bitmap{x.words, x.titleWords, x.skillWords} {
		n, err := r.count("words", 1<<40)
		if err != nil {
			return err
		}
		for range n {
			k, err := r.str(1 << 20)
			if err != nil {
				return err
			}
			if m[k], err = r.bitmap(slots); err != nil {
				return err
			}
		}
		if len(m) != n {
			return bad("a word twice")
		}
	}
	for _, m := range []map[gram]*roaring.Bitmap{x.grams, x.titleGrams, x.skillGrams} {
		n, err := r.count("grams", 1<<40)
		if err != nil {
			return err
		}
		for range n {
			k, err := r.u64()
			if err != nil {
				return err
			}
			if m[gram(k)], err = r.bitmap(slots); err != nil {
				return err
			}
		}
		if len(m) != n {
			return bad("a gram twice")
		}
	}

	return nil
}

// readFilters reads the filter bitmaps: as many of each as this binary
// has.
func (x *Index) readFilters(r *snapReader, slots int) error {
	var err error
	for i, bs := range x.filterBitmaps() {
		n, err := r.u32()
		if err != nil {
			return err
		}
		if int(n) != len(*bs) {
			return bad("filter %d has %d bitmaps, this binary %d", i, n, len(*bs))
		}
		for j := range *bs {
			if (*bs)[j], err = r.bitmap(slots); err != nil {
				return err
			}
		}
	}
	if x.sideJob, err = r.bitmap(slots); err != nil {
		return err
	}
	if x.part, err = r.bitmap(slots); err != nil {
		return err
	}

	return nil
}

// readTimeline reads the slots in posted order.
func (x *Index) readTimeline(r *snapReader, slots int) error {
	nb, err := r.u32()
	if err != nil {
		return err
	}
	if nb == 0 || int(nb) > slots+1 {
		return bad("%d timeline buckets for %d slots", nb, slots)
	}
	t := &timeline{lo: make([]pair, nb), bits: make([]*roaring.Bitmap, nb)}
	for i := range t.lo {
		a, err := r.u64()
		if err != nil {
			return err
		}
		b, err := r.u64()
		if err != nil {
			return err
		}
		t.lo[i] = pair{int64(a), int64(b)}
		if i > 0 && t.lo[i].compare(t.lo[i-1]) <= 0 || i == 0 && t.lo[0] != least {
			return bad("timeline bucket %d out of order", i)
		}
		if t.bits[i], err = r.bitmap(slots); err != nil {
			return err
		}
	}
	x.byTime = t

	return nil
}

// readGroups reads the duplicate groups and derives what a snapshot
// leaves out of them (stamps, each duplicate's representative).
func (x *Index) readGroups(r *snapReader, slots int) error {
	ng, err := r.count("groups", uint64(slots))
	if err != nil {
		return err
	}
	for range ng {
		g, err := r.u64()
		if err != nil {
			return err
		}
		m, err := r.u32()
		if err != nil {
			return err
		}
		if m == 0 || int(m) > slots {
			return bad("a group of %d reposts", m)
		}
		ms := make([]uint32, m)
		for i := range ms {
			if ms[i], err = r.u32(); err != nil {
				return err
			}
			if int(ms[i]) >= slots {
				return bad("repost in slot %d of %d", ms[i], slots)
			}
		}
		x.reposts[int64(g)] = ms
	}
	if len(x.reposts) != ng {
		return bad("a group twice")
	}
	if x.dups, err = r.bitmap(slots); err != nil {
		return err
	}
	// stamp is derived: one new stamp names every version read.
	x.stamp = make([]uint64, slots)
	st := stamps.Add(1)
	for s := range x.stamp {
		x.stamp[s] = st
	}
	// rep is derived: each group's members but its representative.
	x.rep = make([]uint32, slots)
	tails := roaring.New()
	for g := range x.reposts {
		ms := x.members(g)
		for _, s := range ms[min(1, len(ms)):] {
			x.rep[s] = ms[0]
			tails.Add(s)
		}
	}
	if !tails.Equals(x.dups) {
		return bad("%d duplicates, the groups name %d", x.dups.GetCardinality(), tails.GetCardinality())
	}

	return nil
}

// readCache reads the term cache, least recently used first.
func (x *Index) readCache(r *snapReader, slots int) error {
	nterms, err := r.count("cached terms", 1<<20)
	if err != nil {
		return err
	}
	es := make([]cachedEntry, 0, nterms)
	for range nterms {
		e := cachedEntry{}
		if e.term, err = r.str(1 << 12); err != nil {
			return err
		}
		for _, b := range []**roaring.Bitmap{&e.hits, &e.title, &e.skills} {
			if *b, err = r.bitmap(slots); err != nil {
				return err
			}
		}
		if e.term == "" || !subset(e.hits, x.live) || !subset(e.title, e.hits) || !subset(e.skills, e.hits) {
			return bad("cached term %q does not fit the index", e.term)
		}
		es = append(es, e)
	}
	x.cache.restore(es)
	return nil
}

// subset reports whether every value of a is in b.
func subset(a, b *roaring.Bitmap) bool { return a.AndCardinality(b) == a.GetCardinality() }

// readTexts reads the slots' texts into blocks shared by many, as a build
// folds them (textArena).
func (x *Index) readTexts(r *snapReader, lens []uint32) error {
	var sum uint64
	for _, n := range lens {
		sum += uint64(n)
	}
	total, err := r.count("text bytes", sum)
	if err != nil {
		return err
	}
	if uint64(total) != sum {
		return bad("%d text bytes, the slots hold %d", total, sum)
	}
	var block []byte
	for s := 0; s < len(lens); {
		n := int(lens[s])
		if n == 0 {
			s++
			continue
		}
		if n > arenaBlock/8 { // a long text on its own
			b, err := r.bytes(n)
			if err != nil {
				return err
			}
			x.text[s] = unsafe.String(&b[0], n)
			s++
			continue
		}
		// As many texts as fit in the block, in one read.
		if cap(block)-len(block) < n {
			block = make([]byte, 0, arenaBlock)
		}
		start, end := s, len(block)
		for ; s < len(lens) && lens[s] <= arenaBlock/8 && end+int(lens[s]) <= cap(block); s++ {
			end += int(lens[s])
		}
		chunk := block[len(block):end]
		if err := r.readFull(chunk); err != nil {
			return err
		}
		for i := start; i < s; i++ {
			if k := int(lens[i]); k > 0 {
				x.text[i] = unsafe.String(&chunk[0], k)
				chunk = chunk[k:]
			}
		}
		block = block[:end]
	}
	return nil
}

// bitmap reads a bitmap whose values must be slots below slots.
func (r *snapReader) bitmap(slots int) (*roaring.Bitmap, error) {
	b := roaring.New()
	if _, err := b.ReadFrom(r); err != nil {
		if errors.Is(err, ErrBadSnapshot) {
			return nil, err
		}
		return nil, bad("bitmap: %v", err)
	}
	if !b.IsEmpty() && uint64(b.Maximum()) >= uint64(slots) {
		return nil, bad("slot %d in a bitmap, of %d", b.Maximum(), slots)
	}
	return b, nil
}

// WriteSnapshotFile writes the index's snapshot to path atomically: into a
// temporary file beside it, synced, then renamed over it, so that path
// holds the old snapshot or the new one, never part of one. When ctx ends
// the write stops and path is left as it was. It returns the header
// written and the file's size.
func (x *Index) WriteSnapshotFile(ctx context.Context, path string, info SnapshotInfo) (SnapshotInfo, int64, error) {
	w, err := x.BeginSnapshotFile(ctx, path, info)
	if err != nil {
		return SnapshotInfo{}, 0, err
	}
	return w.Commit()
}

// SnapshotWrite is a snapshot written to a temporary file beside its path
// and not yet in place: Commit puts it there, Abort drops it.
type SnapshotWrite struct {
	f          *os.File
	tmp, path  string
	info       SnapshotInfo
	size       int64
	committed  bool
	commitOnce sync.Once
}

// BeginSnapshotFile is the first half of WriteSnapshotFile, the one that
// reads the index (under its read lock): it writes the snapshot to a
// temporary file beside path. The caller must Commit or Abort it; Commit
// (syncing the file to disk) no longer reads the index.
func (x *Index) BeginSnapshotFile(ctx context.Context, path string, info SnapshotInfo) (*SnapshotWrite, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("search: write snapshot: %w", err)
	}
	w := &SnapshotWrite{f: f, tmp: f.Name(), path: path}
	if w.info, err = x.WriteSnapshot(ctxWriter{ctx, f}, info); err == nil {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			w.size = st.Size()
		}
	}
	if err != nil {
		w.Abort()
		return nil, fmt.Errorf("search: write snapshot %s: %w", path, err)
	}
	return w, nil
}

// Commit syncs the snapshot to disk and renames it into place. It returns
// the header written and the file's size.
func (w *SnapshotWrite) Commit() (SnapshotInfo, int64, error) {
	err := errors.New("search: snapshot write already ended")
	w.commitOnce.Do(func() {
		err = w.f.Sync()
		if cerr := w.f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(w.tmp, w.path)
		}
		if err != nil {
			os.Remove(w.tmp)
			return
		}
		w.committed = true
		// The rename is durable once the directory is.
		if d, err := os.Open(filepath.Dir(w.path)); err == nil {
			d.Sync()
			d.Close()
		}
	})
	if err != nil || !w.committed {
		return SnapshotInfo{}, 0, fmt.Errorf("search: write snapshot %s: %w", w.path, err)
	}
	return w.info, w.size, nil
}

// Abort removes the temporary file, unless Commit has put it in place.
func (w *SnapshotWrite) Abort() {
	w.commitOnce.Do(func() {
		w.f.Close()
		os.Remove(w.tmp)
	})
}

// ctxWriter fails its writes once ctx has ended.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// LoadSnapshotFile is LoadSnapshot from the file at path.
func (x *Index) LoadSnapshotFile(path string, check func(SnapshotInfo) error) (SnapshotInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return SnapshotInfo{}, err
	}
	defer f.Close()
	info, err := x.LoadSnapshot(f, check)
	if err != nil {
		return SnapshotInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// RemoveStaleTemps removes the temporary files of snapshot writes to path
// that a process stopped midway left, once they are older than age.
func RemoveStaleTemps(path string, age time.Duration) {
	tmps, _ := filepath.Glob(path + ".tmp-*")
	for _, t := range tmps {
		if st, err := os.Stat(t); err == nil && time.Since(st.ModTime()) > age {
			os.Remove(t)
		}
	}
}
