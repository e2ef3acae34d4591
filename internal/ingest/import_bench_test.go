package ingest_test

import (
	"bytes"
	"context"
	"testing"

	"anken/internal/demo"
	"anken/internal/feed"
	"anken/internal/ingest"
	"anken/internal/store/storetest"
)

// BenchmarkImport imports generated JSON Lines into a fresh SQLite store;
// it reports listings per second.
func BenchmarkImport(b *testing.B) {
	var buf bytes.Buffer
	const n = 5000
	if err := demo.WriteJSONL(&buf, n, demo.Options{Seed: 1}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		st := storetest.Open(b, "sqlite")
		ag, err := st.CreateAgency(context.Background(), "bench", "")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		run, err := ingest.Import(context.Background(), st, ingest.FeedRequest{Agency: ag, Format: feed.JSONL}, bytes.NewReader(buf.Bytes()), ingest.ImportOptions{})
		if err != nil || run.Created+run.Updated != n {
			b.Fatalf("run %+v, %v", run, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "listings/s")
}
