package api_test

import (
	"strings"
	"testing"
)

// TestSearchAnswersKeptUntilAWrite: a search asked again at the same index
// position is answered with the same bytes, and the first request after a
// write sees the write — kept answers never outlive the position they were
// computed at.
func TestSearchAnswersKeptUntilAWrite(t *testing.T) {
	fx := newFixture(t)
	put := func(id, title string) {
		t.Helper()
		body := strings.Replace(goodListing, "【Go/フルリモート】決済基盤のバックエンド開発", title, 1)
		if r := fx.do(t, "PUT", "/v1/agency/listings/"+id, fx.keyA, body); r.status != 200 {
			t.Fatalf("PUT %s: %d %s", id, r.status, r.raw)
		}
	}
	const q = "/v1/listings?q=%E6%B1%BA%E6%B8%88&facets=role,skills&limit=5" // q=決済
	put("K-1", "決済基盤の開発 一")
	first := fx.do(t, "GET", q, "", "")
	again := fx.do(t, "GET", q, "", "")
	if first.status != 200 || again.status != 200 {
		t.Fatalf("status %d, %d", first.status, again.status)
	}
	if first.raw != again.raw || again.ctype != "application/json" {
		t.Fatalf("asked again at one position, the answer changed:\n%s\n%s (%s)", first.raw, again.raw, again.ctype)
	}
	if first.body["total"] != float64(1) {
		t.Fatalf("total %v, want 1", first.body["total"])
	}

	put("K-2", "決済基盤の開発 二")
	after := fx.do(t, "GET", q, "", "")
	if after.body["total"] != float64(2) || after.raw == first.raw {
		t.Fatalf("after a write, total %v (want 2): a kept answer outlived the write", after.body["total"])
	}

	// The next page's cursor from a kept first page works, and a bad
	// request is never kept: it fails the same way every time.
	if c, _ := after.body["next_cursor"].(string); c != "" {
		t.Fatalf("one page of two hits with limit 5 has a cursor %q", c)
	}
	for range 2 {
		if r := fx.do(t, "GET", "/v1/listings?q=%E6%B1%BA%E6%B8%88&limit=500", "", ""); r.status != 422 {
			t.Fatalf("limit=500: %d", r.status)
		}
	}
	// Another search is another answer.
	other := fx.do(t, "GET", "/v1/listings?q=%E4%BA%8C", "", "") // q=二
	if other.body["total"] != float64(1) {
		t.Fatalf("q=二: total %v, want 1", other.body["total"])
	}
}
