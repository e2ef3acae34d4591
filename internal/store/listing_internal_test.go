package store

import (
	"bytes"
	"testing"
	"time"

	"anken/internal/listing"
)

// TestStampIsEncode checks that a doc stamped with its PostedAt in the
// write is the doc encoding the listing gives, whatever the time's zone.
func TestStampIsEncode(t *testing.T) {
	jst := time.FixedZone("JST", 9*3600)
	for _, at := range []time.Time{
		time.Date(2026, 12, 8, 1, 2, 3, 456789000, time.UTC),
		time.Date(2026, 12, 8, 10, 2, 3, 0, jst),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.Local),
	} {
		l := &listing.Listing{ExternalID: "X-1", Title: `"posted_at":"1970-01-01T00:00:00Z" を含む題`,
			Description: "説明 <b>&</b>", Status: listing.StatusOpen, ApplyURL: "https://example.com/1"}
		st := prepareListing(l)
		if st.doc != nil || st.template == nil {
			t.Fatalf("a listing without PostedAt: doc %q, template %q", st.doc, st.template)
		}
		l.PostedAt = at
		st.stamp(l)
		var want stored
		want.encode(l)
		if !bytes.Equal(st.doc, want.doc) || st.hash != want.hash {
			t.Errorf("at %v: stamped %s\nencoded %s", at, st.doc, want.doc)
		}
	}
}
