package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode"

	"github.com/RoaringBitmap/roaring/v2"
	"golang.org/x/text/unicode/norm"

	"anken/internal/listing"
	"anken/internal/search/persist"
	"anken/internal/search/query"
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
// The file's frame (header, checksums, trailer, a file put in place whole)
// is package persist's; this file writes and reads the body, which is the
// index's own fields. Layout, little-endian:
//
//	body    skill slugs; agency slugs; per slot a fixed record (id,
//	        group, text bounds, columns, skill count, text length); the
//	        skill codes; the texts; free slots; live; the word and gram
//	        postings; the filter bitmaps; the timeline; the duplicate
//	        groups; the cached terms, least recently used first
//
// A snapshot of another FormatVersion or another vocabulary (the roles,
// remotes, contracts, prefectures, rate bands and skill names the columns
// and texts were coded with, the Unicode tables they were folded with),
// or whose frame is broken, is refused whole: the index is replaced only
// once all of it has been read and checked.

// slotRecord is the size of a slot's fixed record.
const slotRecord = 71

// snapshotFormat is what this binary writes snapshots in and reads them
// of.
func snapshotFormat() persist.Format {
	return persist.Format{Version: FormatVersion, Vocabulary: vocabulary()}
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
		put(s.Slug + "\t" + query.Fold(s.Name))
	}
	return h.Sum64()
})

// WriteSnapshot writes the index to w. info gives the store's identity
// and the mark; a non-zero info.Seq must be the index's position (the
// caller's idea of where in the change log the index is), or nothing is
// written. It returns the header written.
//
// It holds the read lock while it writes: searches go on, writes wait
// until it is done.
func (x *Index) WriteSnapshot(w io.Writer, info persist.Info) (persist.Info, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if info.Seq != 0 && info.Seq != x.seq {
		return persist.Info{}, fmt.Errorf("search: snapshot at position %d asked, the index is at %d", info.Seq, x.seq)
	}
	if len(info.Store) > 1<<10 {
		return persist.Info{}, fmt.Errorf("search: snapshot: store identity of %d bytes", len(info.Store))
	}
	info.Version, info.Seq, info.Listings = FormatVersion, x.seq, len(x.slot)
	info.Written = time.Now().UTC()
	sw := persist.NewWriter(w)
	sw.Header(snapshotFormat(), info, len(x.id))
	x.writeBody(sw)
	return info, sw.End()
}

// writeBody writes the body. x.mu is held.
func (x *Index) writeBody(w *persist.Writer) {
	w.U32(uint32(len(x.skillSlug)))
	for _, s := range x.skillSlug {
		w.Str(s)
	}
	w.U32(uint32(len(x.agencySlug)))
	for _, s := range x.agencySlug {
		w.Str(s)
	}
	skills := 0
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
		b = binary.LittleEndian.AppendUint32(b, uint32(len(x.book.idsOf(uint32(s)))))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.hourLo))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.hourHi))
		b = append(b, boolByte(c.part))
		b = binary.LittleEndian.AppendUint64(b, uint64(c.seen))
		b = binary.LittleEndian.AppendUint16(b, c.agency)
		w.Raw(b)
		skills += len(x.skills[s])
	}
	w.U64(uint64(skills))
	for _, codes := range x.skills {
		for _, c := range codes {
			w.U16(c)
		}
	}
	x.book.write(w, len(x.id))
	w.U64(uint64(len(x.free)))
	for _, s := range x.free {
		w.U32(s)
	}
	w.Bitmap(x.live)
	for _, m := range []map[string]*roaring.Bitmap{x.words, x.titleWords, x.skillWords} {
		w.U64(uint64(len(m)))
		for k, b := range m {
			w.Str(k)
			w.Bitmap(b)
		}
	}
	for _, m := range []map[query.Gram]*roaring.Bitmap{x.grams, x.titleGrams, x.skillGrams} {
		writeGrams(w, m)
	}
	for _, bs := range x.filterBitmaps() {
		w.U32(uint32(len(*bs)))
		for _, b := range *bs {
			w.Bitmap(b)
		}
	}
	w.Bitmap(x.sideJob)
	w.Bitmap(x.part)
	w.U32(uint32(len(x.byTime.lo)))
	for i, lo := range x.byTime.lo {
		w.U64(uint64(lo[0]))
		w.U64(uint64(lo[1]))
		w.Bitmap(x.byTime.bits[i])
	}
	w.U64(uint64(len(x.reposts)))
	for g, ms := range x.reposts {
		w.U64(uint64(g))
		w.U32(uint32(len(ms)))
		for _, s := range ms {
			w.U32(s)
		}
	}
	w.Bitmap(x.dups)
	es := x.cache.entries()
	w.U64(uint64(len(es)))
	for _, e := range es {
		w.Str(e.term)
		w.Bitmap(e.hits)
		w.Bitmap(e.title)
		w.Bitmap(e.skills)
	}
}

// filterBitmaps lists the index's slices of filter bitmaps, in the order a
// snapshot holds them.
func (x *Index) filterBitmaps() []*[]*roaring.Bitmap {
	return []*[]*roaring.Bitmap{&x.roles, &x.remotes, &x.prefs, &x.contracts, &x.skillSet, &x.days,
		&x.rates, &x.rateLows, &x.hiFrom, &x.loUpTo}
}

// ReadSnapshot reads a snapshot written by WriteSnapshot into a new index.
// check, when not nil, is called with the header before the body is read:
// an error from it stops the read and is returned.
func ReadSnapshot(r io.Reader, check func(persist.Info) error) (*Index, persist.Info, error) {
	x := NewIndex()
	info, err := x.LoadSnapshot(r, check)
	if err != nil {
		return nil, persist.Info{}, err
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
func (x *Index) LoadSnapshot(r io.Reader, check func(persist.Info) error) (info persist.Info, err error) {
	sr := persist.NewReader(r)
	info, slots, err := sr.Header(snapshotFormat())
	if err != nil {
		return persist.Info{}, err
	}
	if check != nil {
		if err := check(info); err != nil {
			return persist.Info{}, err
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
				err = fmt.Errorf("%w: %v", persist.ErrBad, v)
			}
		}()
		err = n.readBody(sr, slots, info.Listings)
	}()
	if err == nil {
		err = sr.End()
	}
	if err != nil {
		return persist.Info{}, err
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

// readBody reads the body into x, a new index, checking every bound a
// search relies on: one function per section, in the order written.
func (x *Index) readBody(r *persist.Reader, slots, listings int) error {
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
func (x *Index) readSkills(r *persist.Reader) error {
	nskills, err := r.U32()
	if err != nil {
		return err
	}
	if nskills > 1<<16 {
		return persist.Bad("%d skills", nskills)
	}
	for range nskills {
		slug, err := r.Str(1 << 10)
		if err != nil {
			return err
		}
		if _, ok := x.skillCode[slug]; ok {
			return persist.Bad("skill %q twice", slug)
		}
		x.skillCodeOf(slug)
	}

	return nil
}

// readAgencies reads the agency slugs, by code.
func (x *Index) readAgencies(r *persist.Reader) error {
	n, err := r.U32()
	if err != nil {
		return err
	}
	if n > 1<<16 {
		return persist.Bad("%d agencies", n)
	}
	for range n {
		slug, err := r.Str(1 << 10)
		if err != nil {
			return err
		}
		if _, ok := x.agencyCode[slug]; ok {
			return persist.Bad("agency %q twice", slug)
		}
		x.agencyCodeOf(slug)
	}
	return nil
}

// readSlots reads the slots: the fixed records, then the skill codes,
// then the texts.
func (x *Index) readSlots(r *persist.Reader, slots int) error {
	x.id, x.group = make([]int64, slots), make([]int64, slots)
	x.titleEnd, x.skillEnd = make([]uint32, slots), make([]uint32, slots)
	x.cols, x.skills = make([]cols, slots), make([][]uint16, slots)
	nsk := make([]uint16, slots)
	nlines := make([]uint32, slots)
	per := r.BufLen() / slotRecord
	for lo := 0; lo < slots; lo += per {
		hi := min(slots, lo+per)
		b, err := r.Next((hi - lo) * slotRecord)
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
			nsk[s], nlines[s] = le.Uint16(b[46:]), le.Uint32(b[48:])
			c.hourLo, c.hourHi = int32(le.Uint32(b[52:])), int32(le.Uint32(b[56:]))
			c.part = b[60] == 1
			c.seen, c.agency = int64(le.Uint64(b[61:])), le.Uint16(b[69:])
			if b[45] > 1 || b[60] > 1 || int(c.agency) >= max(len(x.agencySlug), 1) || int(c.role) > len(listing.Roles) || int(c.remote) > len(listing.Remotes) ||
				int(c.pref) > len(listing.Prefectures) || int(c.contract) > len(listing.Contracts) ||
				x.titleEnd[s] > x.skillEnd[s] {
				return persist.Bad("slot %d: columns or text bounds out of range", s)
			}
		}
	}
	sum := 0
	for _, k := range nsk {
		sum += int(k)
	}
	total, err := r.Count("skill codes", uint64(sum))
	if err != nil {
		return err
	}
	if total != sum {
		return persist.Bad("%d skill codes, the slots name %d", total, sum)
	}
	codes := make([]uint16, 0, min(total, r.BufLen()))
	for len(codes) < total {
		b, err := r.Next(min(total-len(codes), r.BufLen()/2) * 2)
		if err != nil {
			return err
		}
		for ; len(b) > 0; b = b[2:] {
			c := binary.LittleEndian.Uint16(b)
			if int(c) >= len(x.skillSlug) {
				return persist.Bad("skill code %d of %d", c, len(x.skillSlug))
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
	if err := x.book.read(r, nlines); err != nil {
		return err
	}

	return nil
}

// readLive reads the free slots and the live ones, and makes the slot map
// from them.
func (x *Index) readLive(r *persist.Reader, slots, listings int) error {
	nfree, err := r.Count("free slots", uint64(slots))
	if err != nil {
		return err
	}
	x.free = make([]uint32, nfree)
	for i := range x.free {
		if x.free[i], err = r.U32(); err != nil {
			return err
		}
	}
	if x.live, err = r.Bitmap(slots); err != nil {
		return err
	}
	if n := x.live.GetCardinality(); n != uint64(listings) || int(n)+nfree != slots {
		return persist.Bad("%d live slots and %d free of %d; %d listings", n, nfree, slots, listings)
	}
	for _, s := range x.free {
		if int(s) >= slots || x.live.Contains(s) {
			return persist.Bad("free slot %d is live or out of range", s)
		}
		if len(x.book.idsOf(s)) > 0 {
			// A free slot's lines would hold the book's lines alive.
			return persist.Bad("free slot %d has lines", s)
		}
	}
	x.slot = make(map[int64]uint32, listings)
	it := x.live.Iterator()
	for it.HasNext() {
		s := it.Next()
		if _, ok := x.slot[x.id[s]]; ok {
			return persist.Bad("listing %d in two slots", x.id[s])
		}
		if int(x.skillEnd[s]) > x.book.textLen(s) {
			return persist.Bad("slot %d: text bounds out of range", s)
		}
		if a := int(x.cols[s].agency); a >= len(x.agencySet) {
			return persist.Bad("slot %d: agency %d of %d", s, a, len(x.agencySet))
		}
		x.slot[x.id[s]] = s
		x.agencySet[x.cols[s].agency].Add(s) // derived: each agency's slots
	}

	return nil
}

// writeGrams writes gram postings m.
func writeGrams(w *persist.Writer, m map[query.Gram]*roaring.Bitmap) {
	w.U64(uint64(len(m)))
	for k, b := range m {
		w.U64(uint64(k))
		w.Bitmap(b)
	}
}

// readGrams reads what writeGrams wrote into m, each value below most.
func readGrams(r *persist.Reader, m map[query.Gram]*roaring.Bitmap, most int) error {
	n, err := r.Count("grams", 1<<40)
	if err != nil {
		return err
	}
	for range n {
		k, err := r.U64()
		if err != nil {
			return err
		}
		if m[query.Gram(k)], err = r.Bitmap(most); err != nil {
			return err
		}
	}
	if len(m) != n {
		return persist.Bad("a query.Gram twice")
	}
	return nil
}

// readPostings reads the word and gram postings.
func (x *Index) readPostings(r *persist.Reader, slots int) error {
	for _, m := range []map[string]*roaring.Bitmap{x.words, x.titleWords, x.skillWords} {
		n, err := r.Count("words", 1<<40)
		if err != nil {
			return err
		}
		for range n {
			k, err := r.Str(1 << 20)
			if err != nil {
				return err
			}
			if m[k], err = r.Bitmap(slots); err != nil {
				return err
			}
		}
		if len(m) != n {
			return persist.Bad("a word twice")
		}
	}
	for _, m := range []map[query.Gram]*roaring.Bitmap{x.grams, x.titleGrams, x.skillGrams} {
		if err := readGrams(r, m, slots); err != nil {
			return err
		}
	}

	return nil
}

// readFilters reads the filter bitmaps: as many of each as this binary
// has.
func (x *Index) readFilters(r *persist.Reader, slots int) error {
	var err error
	for i, bs := range x.filterBitmaps() {
		n, err := r.U32()
		if err != nil {
			return err
		}
		if int(n) != len(*bs) {
			return persist.Bad("filter %d has %d bitmaps, this binary %d", i, n, len(*bs))
		}
		for j := range *bs {
			if (*bs)[j], err = r.Bitmap(slots); err != nil {
				return err
			}
		}
	}
	if x.sideJob, err = r.Bitmap(slots); err != nil {
		return err
	}
	if x.part, err = r.Bitmap(slots); err != nil {
		return err
	}

	return nil
}

// readTimeline reads the slots in posted order.
func (x *Index) readTimeline(r *persist.Reader, slots int) error {
	nb, err := r.U32()
	if err != nil {
		return err
	}
	if nb == 0 || int(nb) > slots+1 {
		return persist.Bad("%d timeline buckets for %d slots", nb, slots)
	}
	t := &timeline{lo: make([]pair, nb), bits: make([]*roaring.Bitmap, nb)}
	for i := range t.lo {
		a, err := r.U64()
		if err != nil {
			return err
		}
		b, err := r.U64()
		if err != nil {
			return err
		}
		t.lo[i] = pair{int64(a), int64(b)}
		if i > 0 && t.lo[i].compare(t.lo[i-1]) <= 0 || i == 0 && t.lo[0] != least {
			return persist.Bad("timeline bucket %d out of order", i)
		}
		if t.bits[i], err = r.Bitmap(slots); err != nil {
			return err
		}
	}
	x.byTime = t

	return nil
}

// readGroups reads the duplicate groups and derives what a snapshot
// leaves out of them (stamps, each duplicate's representative).
func (x *Index) readGroups(r *persist.Reader, slots int) error {
	ng, err := r.Count("groups", uint64(slots))
	if err != nil {
		return err
	}
	for range ng {
		g, err := r.U64()
		if err != nil {
			return err
		}
		m, err := r.U32()
		if err != nil {
			return err
		}
		if m == 0 || int(m) > slots {
			return persist.Bad("a group of %d reposts", m)
		}
		ms := make([]uint32, m)
		for i := range ms {
			if ms[i], err = r.U32(); err != nil {
				return err
			}
			if int(ms[i]) >= slots {
				return persist.Bad("repost in slot %d of %d", ms[i], slots)
			}
		}
		x.reposts[int64(g)] = ms
	}
	if len(x.reposts) != ng {
		return persist.Bad("a group twice")
	}
	if x.dups, err = r.Bitmap(slots); err != nil {
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
		return persist.Bad("%d duplicates, the groups name %d", x.dups.GetCardinality(), tails.GetCardinality())
	}

	return nil
}

// readCache reads the term cache, least recently used first.
func (x *Index) readCache(r *persist.Reader, slots int) error {
	nterms, err := r.Count("cached terms", 1<<20)
	if err != nil {
		return err
	}
	es := make([]cachedEntry, 0, nterms)
	for range nterms {
		e := cachedEntry{}
		if e.term, err = r.Str(1 << 12); err != nil {
			return err
		}
		for _, b := range []**roaring.Bitmap{&e.hits, &e.title, &e.skills} {
			if *b, err = r.Bitmap(slots); err != nil {
				return err
			}
		}
		if e.term == "" || !subset(e.hits, x.live) || !subset(e.title, e.hits) || !subset(e.skills, e.hits) {
			return persist.Bad("cached term %q does not fit the index", e.term)
		}
		es = append(es, e)
	}
	x.cache.restore(es)
	return nil
}

// subset reports whether every value of a is in b.
func subset(a, b *roaring.Bitmap) bool { return a.AndCardinality(b) == a.GetCardinality() }

// WriteSnapshotFile writes the index's snapshot to path atomically: into a
// temporary file beside it, synced, then renamed over it, so that path
// holds the old snapshot or the new one, never part of one. When ctx ends
// the write stops and path is left as it was. It returns the header
// written and the file's size.
func (x *Index) WriteSnapshotFile(ctx context.Context, path string, info persist.Info) (persist.Info, int64, error) {
	w, err := x.BeginSnapshotFile(ctx, path, info)
	if err != nil {
		return persist.Info{}, 0, err
	}
	return w.Commit()
}

// BeginSnapshotFile is the first half of WriteSnapshotFile, the one that
// reads the index (under its read lock): it writes the snapshot to a
// temporary file beside path. The caller must Commit or Abort it; Commit
// (syncing the file to disk) no longer reads the index.
func (x *Index) BeginSnapshotFile(ctx context.Context, path string, info persist.Info) (*persist.File, error) {
	return persist.Begin(ctx, path, func(w io.Writer) (persist.Info, error) { return x.WriteSnapshot(w, info) })
}

// LoadSnapshotFile is LoadSnapshot from the file at path.
func (x *Index) LoadSnapshotFile(path string, check func(persist.Info) error) (persist.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return persist.Info{}, err
	}
	defer f.Close()
	info, err := x.LoadSnapshot(f, check)
	if err != nil {
		return persist.Info{}, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}
