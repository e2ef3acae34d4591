package api_test

import (
	"strings"
	"testing"
)

// A problem echoes at most a short part of a bad value, however large the
// value sent (huma's own validation errors included).
func TestProblemEchoIsClipped(t *testing.T) {
	fx := newFixture(t)
	huge := strings.Repeat("決済", 20_000)
	// A body that does not parse: huma names it whole as the bad value.
	r := fx.do(t, "PUT", "/v1/agency/listings/X-1", fx.keyA, `{"title": "`+huge+`", "description": `)
	if r.status < 400 || r.status >= 500 {
		t.Fatalf("status %d", r.status)
	}
	if len(r.raw) > 4_000 {
		t.Errorf("the problem is %d bytes: it echoes the request", len(r.raw))
	}
	if !strings.Contains(r.raw, "bytes in all") {
		t.Errorf("no clipped value in %s", r.raw[:min(len(r.raw), 500)])
	}
}
