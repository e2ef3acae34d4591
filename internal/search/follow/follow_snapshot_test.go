package follow_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// logBuffer collects a follower's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitLog waits up to 10 s for a line holding every one of parts.
func (l *logBuffer) waitLog(t *testing.T, parts ...string) {
	t.Helper()
	if !poll(10*time.Second, func() bool {
		for _, line := range strings.Split(l.String(), "\n") {
			if containsAll(line, parts) {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no log line with %q; logs:\n%s", parts, l)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// node is a follower with its index and its log, keeping its snapshot
// at path (none when path is empty).
type node struct {
	x   *search.Index
	f   *follow.Follower
	log *logBuffer
}

func newNode(st *store.Store, path string, every time.Duration) *node {
	n := &node{x: search.NewIndex(), log: &logBuffer{}}
	n.f = follow.New(st, n.x, 20*time.Millisecond, slog.New(slog.NewJSONHandler(n.log, nil)))
	if path != "" {
		n.f.KeepSnapshots(follow.SnapshotOptions{Path: path, Every: every, Store: st})
	}
	return n
}

// answers is what a node answers to a few searches: ids of every page.
func (n *node) answers(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []search.Query{{}, {Text: "案件"}, {Text: "停止中"}, {Text: "go"}, {Text: "開発", Sort: search.SortNewest},
		{Sort: search.SortRate, Collapse: true}, {Text: "改"}} {
		q.Limit = search.MaxLimit
		res, err := n.x.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		fmt.Fprintf(&b, "%q: %d %v\n", q.Text, res.Total, ids)
	}
	return b.String()
}

type writer struct {
	t  *testing.T
	st *store.Store
	a  store.Agency
}

func (w writer) put(ext, title string, rate int64) {
	w.t.Helper()
	l := &listing.Listing{ExternalID: ext, Title: title, Description: "Goでの開発。", Status: listing.StatusOpen,
		PostedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Rate: listing.Rate{Unit: listing.PerMonth, Max: rate, MonthlyMax: rate}}
	if _, err := w.st.PutListing(context.Background(), w.a, l); err != nil {
		w.t.Fatal(err)
	}
}

func (w writer) close(ext string) {
	w.t.Helper()
	if _, err := w.st.CloseListing(context.Background(), w.a, ext); err != nil {
		w.t.Fatal(err)
	}
}

func newWriter(t *testing.T, st *store.Store) writer {
	t.Helper()
	a, err := st.AgencyBySlug(context.Background(), "a")
	if err != nil {
		if a, err = st.CreateAgency(context.Background(), "a", "A"); err != nil {
			t.Fatal(err)
		}
	}
	return writer{t, st, a}
}

// TestFollowerStartsFromSnapshot: a node builds its index, writes its
// snapshot after the build and again when the position moved; the next
// node starts from it, applies what was written meanwhile (new, changed
// and closed listings) and answers as a node that built its index from
// the store. A snapshot with a flipped byte, or of another store, is not
// used: the index is built.
func TestFollowerStartsFromSnapshot(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, backend)
			w := newWriter(t, st)
			for i := range 40 {
				w.put(fmt.Sprint("L-", i), fmt.Sprintf("案件%d バックエンド開発", i), int64(500_000+10_000*i))
			}
			path := filepath.Join(t.TempDir(), "index.snapshot")

			first := newNode(st, path, 50*time.Millisecond)
			if err := first.f.Load(ctx); err != nil {
				t.Fatal(err)
			}
			first.log.waitLog(t, "no index snapshot yet")
			first.log.waitLog(t, "index built from the store", `"listings":40`)
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { first.f.Run(runCtx); close(done) }()
			first.log.waitLog(t, "index snapshot written", `"why":"built"`, `"listings":40`)
			w.put("L-40", "案件40 追加", 900_000)
			first.f.Notify()
			first.log.waitLog(t, "index snapshot written", `"why":"periodic"`, `"listings":41`)
			stop()
			<-done
			if err := first.f.SaveSnapshot(ctx); err != nil {
				t.Fatal(err)
			}
			first.log.waitLog(t, "index snapshot already at the index's position")

			// Written while no node runs.
			for i := range 5 {
				w.put(fmt.Sprint("N-", i), fmt.Sprintf("停止中の新着案件%d", i), 700_000)
			}
			w.put("L-1", "案件1 改訂版", 1_500_000)
			w.put("L-2", "案件2 改訂版", 100_000)
			for _, ext := range []string{"L-3", "L-4", "N-0"} {
				w.close(ext)
			}

			second := newNode(st, path, 0)
			if err := second.f.Load(ctx); err != nil {
				t.Fatal(err)
			}
			// Ten writes, nine changes: the log keeps N-0's close, not its put.
			second.log.waitLog(t, "index loaded from snapshot", `"listings":41`, `"changes":9`, `"seq":51`)
			built := newNode(st, "", 0)
			if err := built.f.Load(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := second.answers(t), built.answers(t); got != want {
				t.Errorf("from the snapshot:\n%s\nbuilt from the store:\n%s", got, want)
			}
			if second.x.Len() != 43 || second.f.Seq() != built.f.Seq() {
				t.Errorf("from the snapshot: %d listings at %d; built: %d at %d", second.x.Len(), second.f.Seq(), built.x.Len(), built.f.Seq())
			}
			res, _ := second.x.Search(ctx, search.Query{Text: "停止中"})
			if res.Total != 4 {
				t.Errorf("listings written while stopped, one closed since: %d found, want 4", res.Total)
			}

			// A flipped byte: built instead.
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			bad := filepath.Join(t.TempDir(), "index.snapshot")
			b[len(b)/2] ^= 0x10
			os.WriteFile(bad, b, 0o644)
			corrupt := newNode(st, bad, 0)
			if err := corrupt.f.Load(ctx); err != nil {
				t.Fatal(err)
			}
			corrupt.log.waitLog(t, "index snapshot not used", "bad index snapshot")
			corrupt.log.waitLog(t, "index built from the store", `"listings":43`)
			if got, want := corrupt.answers(t), built.answers(t); got != want {
				t.Errorf("after a corrupt snapshot:\n%s\nbuilt from the store:\n%s", got, want)
			}

			// Another store, though its log is far enough along.
			other := storetest.Open(t, backend)
			ow := newWriter(t, other)
			for i := range 60 {
				ow.put(fmt.Sprint("O-", i), "別の案件", 600_000)
			}
			foreign := newNode(other, path, 0)
			if err := foreign.f.Load(ctx); err != nil {
				t.Fatal(err)
			}
			foreign.log.waitLog(t, "index snapshot not used", "written for store")
			foreign.log.waitLog(t, "index built from the store", `"listings":60`)
		})
	}
}

// TestFollowerSnapshotOfRestoredStore restores a SQLite store from a
// backup older than the node's snapshot: the snapshot is refused (the
// log has not reached its position), and still refused once the restored
// store's log has been written past that position again (the listing
// changed there is not the same change).
func TestFollowerSnapshotOfRestoredStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func() *store.Store {
		st, err := store.Open(ctx, store.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	db := filepath.Join(dir, "anken.db")
	backup := filepath.Join(t.TempDir(), "backup.db")
	st := open()
	w := newWriter(t, st)
	for i := range 20 {
		w.put(fmt.Sprint("L-", i), "案件", 600_000)
	}
	st.Close() // checkpoints the WAL into the file
	copyFile(t, db, backup)

	st = open()
	w = newWriter(t, st)
	for i := 20; i < 30; i++ {
		w.put(fmt.Sprint("L-", i), "案件", 600_000)
	}
	path := filepath.Join(t.TempDir(), "index.snapshot")
	n := newNode(st, path, 0)
	if err := n.f.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if err := n.f.SaveSnapshot(ctx); err != nil {
		t.Fatal(err)
	}
	n.log.waitLog(t, "index snapshot written", `"seq":30`)
	st.Close()

	// Restore the backup.
	copyFile(t, backup, db)
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
	st = open()
	defer st.Close()
	n = newNode(st, path, 0)
	if err := n.f.Load(ctx); err != nil {
		t.Fatal(err)
	}
	n.log.waitLog(t, "index snapshot not used", "change log ends at 20, before the snapshot's position 30")
	n.log.waitLog(t, "index built from the store", `"listings":20`)

	// Other listings written to the restored store take the numbers the
	// lost ones had.
	w = newWriter(t, st)
	for i := 20; i < 30; i++ {
		w.put(fmt.Sprint("R-", i), "復元後の案件", 800_000)
	}
	n = newNode(st, path, 0)
	if err := n.f.Load(ctx); err != nil {
		t.Fatal(err)
	}
	n.log.waitLog(t, "index snapshot not used", "restored from an older backup and written to since")
	n.log.waitLog(t, "index built from the store", `"listings":30`)
	res, err := n.x.Search(ctx, search.Query{Text: "復元後"})
	if err != nil || res.Total != 10 {
		t.Errorf("listings written after the restore: %d found, %v; want 10", res.Total, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
