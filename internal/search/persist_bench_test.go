package search_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"anken/internal/search"
	"anken/internal/search/persist"
)

// BenchmarkSnapshot times writing the index's snapshot to a file (and, of
// that, the part that reads the index, before the file is synced) and
// loading it back, over the listings of listings() (ANKEN_BENCH_LISTINGS),
// and a search while snapshots are being written against one without. A
// write to the index during a snapshot waits until the snapshot has read
// it: "apply during write" measures that wait.
func BenchmarkSnapshot(b *testing.B) {
	ls := listings(b)
	x := build(b, ls)
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "index.snapshot")
	var size int64
	b.Run("write", func(b *testing.B) {
		var reading time.Duration // of it, reading the index (under its read lock)
		for b.Loop() {
			t := time.Now()
			w, err := x.BeginSnapshotFile(ctx, path, persist.Info{})
			if err != nil {
				b.Fatal(err)
			}
			reading += time.Since(t)
			if _, size, err = w.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(size)/1e6, "MB")
		b.ReportMetric(float64(size)/float64(len(ls)), "bytes/listing")
		b.ReportMetric(float64(reading.Milliseconds())/float64(b.N), "ms-reading/op")
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := search.NewIndex().LoadSnapshotFile(path, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(ls)*b.N)/b.Elapsed().Seconds(), "listings/s")
	})
	q := search.Query{Text: "開発", Facets: search.Facets, Collapse: true}
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			if _, err := x.Search(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("search during write", func(b *testing.B) {
		stop, done := make(chan struct{}), make(chan struct{})
		var writes atomic.Int64
		go func() {
			defer close(done)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, _, err := x.WriteSnapshotFile(ctx, path, persist.Info{}); err != nil {
					b.Error(err)
					return
				}
				writes.Add(1)
			}
		}()
		for b.Loop() {
			if _, err := x.Search(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
		close(stop)
		<-done
		b.ReportMetric(float64(writes.Load()), "writes")
	})
	b.Run("apply during write", func(b *testing.B) {
		l := *ls[0]
		var waited time.Duration
		for b.Loop() {
			started := make(chan struct{})
			done := make(chan struct{})
			go func() {
				close(started)
				x.WriteSnapshotFile(ctx, path, persist.Info{})
				close(done)
			}()
			<-started
			time.Sleep(time.Millisecond) // the write holds the read lock by now
			t := time.Now()
			x.Upsert(&l)
			waited += time.Since(t)
			<-done
		}
		b.ReportMetric(float64(waited.Milliseconds())/float64(b.N), "ms-waited/op")
	})
}
