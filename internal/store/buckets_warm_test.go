package store

import (
	"context"
	"testing"
)

// TestWarmDuplicates: warming builds the bucket index before any write,
// and warming again is a no-op.
func TestWarmDuplicates(t *testing.T) {
	ctx := context.Background()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := migrated(t, backend)
			if s.buckets.ready.Load() {
				t.Fatal("the bucket index is built before anything asked for it")
			}
			if err := s.WarmDuplicates(ctx); err != nil {
				t.Fatal(err)
			}
			if !s.buckets.ready.Load() {
				t.Fatal("WarmDuplicates left the bucket index unbuilt")
			}
			if err := s.WarmDuplicates(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
