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
	r := fx.Do(t, "PUT", "/v1/agency/listings/X-1", fx.keyA, `{"title": "`+huge+`", "description": `)
	if r.Status < 400 || r.Status >= 500 {
		t.Fatalf("status %d", r.Status)
	}
	if len(r.Raw) > 4_000 {
		t.Errorf("the problem is %d bytes: it echoes the request", len(r.Raw))
	}
	if !strings.Contains(r.Raw, "bytes in all") {
		t.Errorf("no clipped value in %s", r.Raw[:min(len(r.Raw), 500)])
	}
}
