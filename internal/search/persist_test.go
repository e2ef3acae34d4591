package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"

	"anken/internal/listing"
	"anken/internal/search/persist"
)

// persistedFields are the fields of Index a snapshot holds, or rebuilds
// from what it holds as it loads (slot from id and live, skillCode from
// skillSlug).
var persistedFields = []string{"id", "group", "book", "titleEnd", "skillEnd", "cols", "skills", "slot", "free",
	"live", "words", "titleWords", "skillWords", "grams", "titleGrams", "skillGrams", "roles", "remotes",
	"prefs", "contracts", "skillSet", "sideJob", "part", "days", "rates", "rateLows", "hiFrom", "loUpTo", "byTime",
	"skillCode", "skillSlug", "agencyCode", "agencySlug", "reposts", "dups", "seq", "cache"}

// derivedFields are the fields a snapshot leaves out, and why.
var derivedFields = map[string]string{
	"mu":            "a lock",
	"keptStats":     "answers kept for one position of the index: starts empty",
	"keptFacets":    "answers kept for one position of the index: starts empty",
	"rep":           "each duplicate's representative: derived from reposts as the snapshot is read",
	"agencySet":     "each agency's slots: derived from the columns as the snapshot is read",
	"stamp":         "names versions within one process: a snapshot read takes a new one for all",
	"walkMax":       "a setting of the loading index",
	"runMax":        "a setting of the loading index",
	"countWalkMax":  "a setting of the loading index",
	"denseRepsFrom": "a setting of the loading index",
	"hist":          "the history for cursors: starts at the snapshot's position, as after a build",
	"aheadWait":     "a setting of the loading index",
	"waitMu":        "a lock",
	"moved":         "searches waiting for a position",
}

// TestSnapshotAccountsForEveryField fails when Index, cols or timeline
// gains a field persist.go does not know about: write and read it there
// (and bump FormatVersion), or list it as derived.
func TestSnapshotAccountsForEveryField(t *testing.T) {
	known := map[string]bool{}
	for _, f := range persistedFields {
		known[f] = true
	}
	for f := range derivedFields {
		if known[f] {
			t.Errorf("Index.%s is listed both as persisted and as derived", f)
		}
		known[f] = true
	}
	typ := reflect.TypeFor[Index]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if !known[name] {
			t.Errorf("Index.%s is neither in a snapshot nor listed as derived: persist it in persist.go (and bump FormatVersion) or add it to derivedFields with the reason", name)
		}
		delete(known, name)
	}
	for f := range known {
		t.Errorf("persist_test.go lists Index.%s, which Index no longer has", f)
	}
	for _, c := range []struct {
		typ    reflect.Type
		fields string
	}{
		{reflect.TypeFor[cols](), "posted seen rateLo rateHi hourLo hourHi role remote pref contract days sideJob part agency"},
		{reflect.TypeFor[timeline](), "lo bits"},
	} {
		var got []string
		for i := range c.typ.NumField() {
			got = append(got, c.typ.Field(i).Name)
		}
		if strings.Join(got, " ") != c.fields {
			t.Errorf("%s has fields %v; a snapshot writes %s: change persist.go (and FormatVersion), then this list", c.typ, got, c.fields)
		}
	}
}

// TestPersistOracle writes a snapshot of an index that has seen builds,
// upserts, closes and duplicate groups, loads it, and checks that the
// loaded index holds the same state field by field and answers the same
// pages, totals and facets for random queries (every sort, filters, terms
// of one to five runes, collapsed or not), also after the same further
// changes applied to both.
func TestPersistOracle(t *testing.T) {
	for _, c := range []struct {
		name  string
		build bool
	}{{"written one by one", false}, {"built, then written", true}} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(15, 2))
			x := NewIndex()
			x.runMax = 16   // timeline buckets split and merge
			x.cache.min = 0 // every term of three runes or more is cached
			live := map[int64]*listing.Listing{}
			var seq int64
			newListing := func(id int64) *listing.Listing {
				l := randomListing(r, id)
				l.GroupID = id
				if id > 10 && r.IntN(3) == 0 {
					l.GroupID = 1 + r.Int64N(id-1) // a repost of an earlier listing
				}
				return l
			}
			var next int64 = 1
			// change writes a random change to every index given.
			change := func(xs ...*Index) {
				id := 1 + r.Int64N(next)
				seq++
				switch r.IntN(4) {
				case 0: // close
					delete(live, id)
					for _, x := range xs {
						x.Apply(seq, &listing.Listing{ID: id, Status: listing.StatusClosed})
					}
				default:
					if r.IntN(2) == 0 {
						id = next
						next++
					}
					l := newListing(id)
					live[id] = l
					for _, x := range xs {
						x.Apply(seq, l)
					}
				}
			}
			if c.build {
				err := x.RebuildAt(context.Background(), func(add func(*listing.Listing)) (int64, error) {
					for ; next <= 700; next++ {
						l := newListing(next)
						if next%9 == 0 { // twice: the later one counts, the first leaves a free slot
							add(newListing(next))
						}
						add(l)
						live[l.ID] = l
					}
					closed := newListing(next)
					closed.Status = listing.StatusClosed
					add(closed)
					next++
					seq = 5_000
					return seq, nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			for i := range 1_200 {
				change(x)
				if i%100 == 0 { // terms cached, then kept exact through the changes after
					cacheTerms(t, r, x, live)
				}
			}
			if n := len(x.cache.list()); n < 10 {
				t.Fatalf("%d terms cached before the snapshot", n)
			}

			var buf bytes.Buffer
			info, err := x.WriteSnapshot(&buf, persist.Info{Seq: seq, Store: "store-1", Mark: 42, MarkAt: time.Unix(1_790_000_000, 5).UTC()})
			if err != nil {
				t.Fatal(err)
			}
			y := NewIndex()
			y.runMax = x.runMax
			y.cache.min = 0
			var seen persist.Info
			got, err := y.LoadSnapshot(bytes.NewReader(buf.Bytes()), func(i persist.Info) error { seen = i; return nil })
			if err != nil {
				t.Fatal(err)
			}
			if got != seen || got.Seq != seq || got.Store != "store-1" || got.Mark != 42 || !got.MarkAt.Equal(info.MarkAt) ||
				got.Listings != len(live) || !got.Written.Equal(info.Written) || got.Version != FormatVersion {
				t.Errorf("loaded header %+v (check saw %+v); written %+v, %d listings", got, seen, info, len(live))
			}
			t.Logf("%d listings, snapshot of %d bytes", len(live), buf.Len())
			sameIndex(t, x, y)
			sameAnswers(t, r, x, y, live)
			checkTimeline(t, y)

			// Both go on from there alike, the loaded cache kept exact.
			for range 600 {
				change(x, y)
			}
			sameIndex(t, x, y)
			sameAnswers(t, r, x, y, live)
			checkTimeline(t, y)
			for _, term := range y.cache.list() {
				q := Query{Text: term, Limit: 50}
				got, _ := searchAll(t, y, q, live)
				n := 0
				for _, l := range live {
					if oracleMatch(l, q) {
						n++
					}
				}
				if len(got) != n {
					t.Errorf("cached term %q: the loaded index finds %d listings, brute force %d", term, len(got), n)
				}
			}
		})
	}
}

// cacheTerms searches x for a few terms of three to five runes from its
// listings' texts, which the term cache keeps.
func cacheTerms(t *testing.T, r *rand.Rand, x *Index, live map[int64]*listing.Listing) {
	t.Helper()
	ls := slices.SortedFunc(maps.Values(live), func(a, b *listing.Listing) int { return int(a.ID - b.ID) })
	for range min(5, len(ls)) {
		l := ls[r.IntN(len(ls))]
		rs := []rune(l.Title + " " + l.Description)
		at := r.IntN(max(1, len(rs)-5))
		term := strings.TrimSpace(string(rs[at:min(len(rs), at+3+r.IntN(3))]))
		if _, err := x.Search(context.Background(), Query{Text: term, Limit: 1}); err != nil {
			t.Fatal(err)
		}
	}
}

// unstamped returns hits with their stamps left out.
func unstamped(hits []Hit) []Hit {
	out := slices.Clone(hits)
	for i := range out {
		out[i].Stamp = 0
	}
	return out
}

// sameAnswers compares x and y (and the oracle) on random queries.
func sameAnswers(t *testing.T, r *rand.Rand, x, y *Index, live map[int64]*listing.Listing) {
	t.Helper()
	ls := slices.SortedFunc(maps.Values(live), func(a, b *listing.Listing) int { return int(a.ID - b.ID) })
	queries := 250
	if testing.Short() || raceEnabled {
		queries = 80
	}
	for i := range queries {
		q := randomQuery(r, ls)
		if r.IntN(3) == 0 { // a term of one to five runes from some listing's text
			l := ls[r.IntN(len(ls))]
			rs := []rune(l.Title + " " + l.Description)
			at := r.IntN(len(rs))
			q.Text = strings.TrimSpace(string(rs[at:min(len(rs), at+1+r.IntN(5))]))
		}
		q.Collapse = r.IntN(3) == 0
		ax, ra := searchAll(t, x, q, live)
		ay, rb := searchAll(t, y, q, live)
		// Stamps name versions within one index, so they differ between
		// the two (TestHitStamp covers them).
		if !slices.Equal(ax, ay) || ra.Total != rb.Total || !reflect.DeepEqual(unstamped(ra.Hits), unstamped(rb.Hits)) {
			t.Fatalf("query %d %+v:\noriginal total %d, %v\nloaded   total %d, %v", i, q, ra.Total, ax, rb.Total, ay)
		}
		for _, f := range q.Facets {
			if !maps.Equal(ra.Facets[f], rb.Facets[f]) {
				t.Fatalf("query %d %+v: facet %s: original %v, loaded %v", i, q, f, ra.Facets[f], rb.Facets[f])
			}
		}
		if !q.Collapse {
			var want []*listing.Listing
			for _, l := range ls {
				if oracleMatch(l, q) {
					want = append(want, l)
				}
			}
			if !slices.Equal(ay, oracleOrder(want, q)) {
				t.Fatalf("query %d %+v: loaded %v, oracle %v", i, q, ay, oracleOrder(want, q))
			}
		}
	}
}

// sameIndex compares the persisted fields of two indexes, value by value
// (bitmaps by content; a nil slice or map equals an empty one).
func sameIndex(t *testing.T, a, b *Index) {
	t.Helper()
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for _, name := range persistedFields {
		if name == "cache" { // the terms and answers, in the order of use; not the clock
			ea, eb := a.cache.entries(), b.cache.entries()
			if len(ea) != len(eb) {
				t.Fatalf("loaded index caches %d terms, the original %d", len(eb), len(ea))
			}
			for i := range ea {
				if ea[i].term != eb[i].term || !ea[i].hits.Equals(eb[i].hits) || !ea[i].title.Equals(eb[i].title) || !ea[i].skills.Equals(eb[i].skills) {
					t.Fatalf("cached term %d: %q %v, loaded %q %v", i, ea[i].term, ea[i].hits, eb[i].term, eb[i].hits)
				}
			}
			continue
		}
		if name == "book" { // its lines and postings, not where their bytes are
			ka, kb := *a.book, *b.book
			ka.arena, kb.arena = textArena{}, textArena{}
			if err := deepSame(reflect.ValueOf(&ka).Elem(), reflect.ValueOf(&kb).Elem(), name); err != nil {
				t.Fatalf("loaded index differs: %v", err)
			}
			continue
		}
		if err := deepSame(open(va.FieldByName(name)), open(vb.FieldByName(name)), name); err != nil {
			t.Fatalf("loaded index differs: %v", err)
		}
	}
}

// open makes v's value readable whatever its field's export.
func open(v reflect.Value) reflect.Value {
	if !v.CanAddr() {
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		v = c
	}
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}

var bitmapType = reflect.TypeFor[*roaring.Bitmap]()

func deepSame(a, b reflect.Value, path string) error {
	if a.Type() == bitmapType {
		x, y := a.Interface().(*roaring.Bitmap), b.Interface().(*roaring.Bitmap)
		if (x == nil) != (y == nil) || x != nil && !x.Equals(y) {
			return fmt.Errorf("%s: bitmap %v, loaded %v", path, x, y)
		}
		return nil
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() != b.IsNil() {
			return fmt.Errorf("%s: nil %t, loaded nil %t", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return nil
		}
		return deepSame(open(a.Elem()), open(b.Elem()), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if err := deepSame(open(a.Field(i)), open(b.Field(i)), path+"."+a.Type().Field(i).Name); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: length %d, loaded %d", path, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if err := deepSame(open(a.Index(i)), open(b.Index(i)), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: %d keys, loaded %d", path, a.Len(), b.Len())
		}
		it := a.MapRange()
		for it.Next() {
			w := b.MapIndex(it.Key())
			if !w.IsValid() {
				return fmt.Errorf("%s: key %v missing", path, it.Key())
			}
			if err := deepSame(open(it.Value()), open(w), fmt.Sprintf("%s[%v]", path, it.Key())); err != nil {
				return err
			}
		}
		return nil
	default:
		if a.Interface() != b.Interface() {
			return fmt.Errorf("%s: %v, loaded %v", path, a.Interface(), b.Interface())
		}
		return nil
	}
}

// smallSnapshot returns an index of a few hundred listings and its
// snapshot.
func smallSnapshot(t *testing.T) (*Index, []byte) {
	t.Helper()
	r := rand.New(rand.NewPCG(4, 4))
	x := NewIndex()
	for id := range int64(300) {
		l := randomListing(r, id+1)
		l.GroupID = l.ID
		if id > 5 && id%4 == 0 {
			l.GroupID = id - 3
		}
		x.Apply(id+1, l)
	}
	x.Apply(301, &listing.Listing{ID: 7, Status: listing.StatusClosed})
	var buf bytes.Buffer
	if _, err := x.WriteSnapshot(&buf, persist.Info{Store: "s"}); err != nil {
		t.Fatal(err)
	}
	return x, buf.Bytes()
}

// TestSnapshotRefused feeds LoadSnapshot cut, altered, foreign and
// over-long files: each is refused with persist.ErrBad, and the index
// keeps what it held.
func TestSnapshotRefused(t *testing.T) {
	_, good := smallSnapshot(t)
	y := NewIndex()
	y.Upsert(fixedListing(1))
	y.Upsert(fixedListing(2))
	before := func() (int, int64) {
		y.mu.RLock()
		defer y.mu.RUnlock()
		return len(y.slot), y.seq
	}
	n0, seq0 := before()
	refused := func(what string, b []byte, want string) {
		t.Helper()
		_, err := y.LoadSnapshot(bytes.NewReader(b), nil)
		if err == nil || !errors.Is(err, persist.ErrBad) || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: LoadSnapshot = %v; want persist.ErrBad saying %q", what, err, want)
		}
		if n, seq := before(); n != n0 || seq != seq0 {
			t.Fatalf("%s: the index changed on a refused snapshot: %d listings at %d, had %d at %d", what, n, seq, n0, seq0)
		}
	}
	header := 70 + 1 + 4 // fixed part, the store "s", the header's checksum
	for _, cut := range []int{0, 1, 8, 12, header - 1, header, header + 3, len(good) / 3, len(good) / 2, len(good) - 21, len(good) - 1} {
		refused(fmt.Sprintf("cut at %d of %d", cut, len(good)), good[:cut], "")
	}
	r := rand.New(rand.NewPCG(9, 9))
	positions := []int{}
	for i := range header + 8 {
		positions = append(positions, i)
	}
	for i := len(good) - 20; i < len(good); i++ {
		positions = append(positions, i)
	}
	for range 400 {
		positions = append(positions, r.IntN(len(good)))
	}
	for _, at := range positions {
		b := slices.Clone(good)
		b[at] ^= 1 << r.IntN(8)
		refused(fmt.Sprintf("bit flipped at byte %d of %d", at, len(good)), b, "")
	}
	refused("a byte after the end", append(slices.Clone(good), 0), "after the end")

	// Another version, another vocabulary: refused by name, even with a
	// header whose checksum is right.
	resum := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[header-4:], crc32.Checksum(b[:header-4], crc32.MakeTable(crc32.Castagnoli)))
		return b
	}
	b := slices.Clone(good)
	binary.LittleEndian.PutUint32(b[8:], FormatVersion+1)
	refused("the next format version", resum(b), fmt.Sprintf("format version %d, this binary reads %d", FormatVersion+1, FormatVersion))
	b = slices.Clone(good)
	b[12] ^= 0xff
	refused("another vocabulary", resum(b), "other roles, skills or Unicode tables")
	refused("not a snapshot", []byte("SQLite format 3\x00 and more bytes than a header has, surely, by now......................"), "not an index snapshot")

	// A check that refuses stops the load with its own error.
	stop := errors.New("another store")
	if _, err := y.LoadSnapshot(bytes.NewReader(good), func(persist.Info) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("LoadSnapshot with a refusing check = %v", err)
	}
	if n, seq := before(); n != n0 || seq != seq0 {
		t.Errorf("the index changed on a refused check")
	}
	// And the good one loads.
	if _, err := y.LoadSnapshot(bytes.NewReader(good), nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := before(); n != 299 {
		t.Errorf("loaded %d listings, want 299", n)
	}
}

// TestSnapshotFile writes snapshots to a file: the file is replaced
// whole, a write whose context ends leaves the old one and no temporary
// file, and the position must be the index's. (persist's tests remove
// the temporary files a stopped process left.)
func TestSnapshotFile(t *testing.T) {
	x, _ := smallSnapshot(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "index.snapshot")
	info, size, err := x.WriteSnapshotFile(context.Background(), path, persist.Info{Seq: 301, Store: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != size || info.Seq != 301 || info.Listings != 299 {
		t.Fatalf("file %v, %v; size %d; info %+v", st, err, size, info)
	}
	if _, _, err := x.WriteSnapshotFile(context.Background(), path, persist.Info{Seq: 300}); err == nil {
		t.Error("a snapshot at a position other than the index's was written")
	}
	x.Apply(302, fixedListing(1_000))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := x.WriteSnapshotFile(ctx, path, persist.Info{Store: "s"}); !errors.Is(err, context.Canceled) {
		t.Errorf("write with an ended context = %v", err)
	}
	y, got, err := readSnapshotFile(path)
	if err != nil || got.Seq != 301 || y.Len() != 299 {
		t.Fatalf("after a stopped write: %+v, %v; want the snapshot at 301", got, err)
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("files left: %v", files)
	}
}

func readSnapshotFile(path string) (*Index, persist.Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, persist.Info{}, err
	}
	defer f.Close()
	return ReadSnapshot(f, nil)
}
