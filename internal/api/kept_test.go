package api_test

import (
	"strings"
	"testing"
)

// TestSearchAnswersKeptUntilAWrite: a search asked again at the same index
// position is answered with the same bytes, the first request after a
// write that changes its answer sees the write, and a write that matches
// it neither way leaves the kept answer served — its cursor still leads to
// the next page.
func TestSearchAnswersKeptUntilAWrite(t *testing.T) {
	fx := newFixture(t)
	put := func(id, title string) {
		t.Helper()
		body := strings.Replace(goodListing, "【Go/フルリモート】決済基盤のバックエンド開発", title, 1)
		if r := fx.Do(t, "PUT", "/v1/agency/listings/"+id, fx.keyA, body); r.Status != 200 {
			t.Fatalf("PUT %s: %d %s", id, r.Status, r.Raw)
		}
	}
	const q = "/v1/listings?q=%E6%B1%BA%E6%B8%88&facets=role,skills&limit=5" // q=決済
	put("K-1", "決済基盤の開発 一")
	first := fx.Do(t, "GET", q, "", "")
	again := fx.Do(t, "GET", q, "", "")
	if first.Status != 200 || again.Status != 200 {
		t.Fatalf("status %d, %d", first.Status, again.Status)
	}
	if first.Raw != again.Raw || again.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("asked again at one position, the answer changed:\n%s\n%s (%s)", first.Raw, again.Raw, again.Header.Get("Content-Type"))
	}
	if first.Body["total"] != float64(1) {
		t.Fatalf("total %v, want 1", first.Body["total"])
	}

	put("K-2", "決済基盤の開発 二")
	after := fx.Do(t, "GET", q, "", "")
	if after.Body["total"] != float64(2) || after.Raw == first.Raw {
		t.Fatalf("after a write, total %v (want 2): a kept answer outlived the write", after.Body["total"])
	}

	// The next page's cursor from a kept first page works, and a bad
	// request is never kept: it fails the same way every time.
	if c, _ := after.Body["next_cursor"].(string); c != "" {
		t.Fatalf("one page of two hits with limit 5 has a cursor %q", c)
	}
	for range 2 {
		if r := fx.Do(t, "GET", "/v1/listings?q=%E6%B1%BA%E6%B8%88&limit=500", "", ""); r.Status != 422 {
			t.Fatalf("limit=500: %d", r.Status)
		}
	}
	// A write that matches the search neither way: the kept first page is
	// served as it was (a page computed afresh would carry a cursor of the
	// new position), and its cursor still leads to the rest.
	const q1 = "/v1/listings?q=%E6%B1%BA%E6%B8%88&limit=1" // q=決済, one a page
	p1 := fx.Do(t, "GET", q1, "", "")
	unrelated := strings.Replace(strings.Replace(goodListing, "【Go/フルリモート】決済基盤のバックエンド開発", "在庫管理システムの開発", 1),
		"決済APIの設計・開発。", "在庫APIの設計・開発。", 1)
	if r := fx.Do(t, "PUT", "/v1/agency/listings/K-3", fx.keyA, unrelated); r.Status != 200 {
		t.Fatalf("PUT K-3: %d %s", r.Status, r.Raw)
	}
	p1again := fx.Do(t, "GET", q1, "", "")
	if p1again.Raw != p1.Raw {
		t.Fatalf("a write matching neither way changed the answer:\n%s\n%s", p1.Raw, p1again.Raw)
	}
	cursor, _ := p1again.Body["next_cursor"].(string)
	p2 := fx.Do(t, "GET", q1+"&cursor="+cursor, "", "")
	hits1, _ := p1.Body["hits"].([]any)
	hits2, _ := p2.Body["hits"].([]any)
	if p2.Status != 200 || len(hits1) != 1 || len(hits2) != 1 || p2.Body["total"] != float64(2) ||
		hits1[0].(map[string]any)["id"] == hits2[0].(map[string]any)["id"] {
		t.Fatalf("page 2 from the kept page's cursor: %d %s", p2.Status, p2.Raw)
	}

	// Another search is another answer.
	other := fx.Do(t, "GET", "/v1/listings?q=%E4%BA%8C", "", "") // q=二
	if other.Body["total"] != float64(1) {
		t.Fatalf("q=二: total %v, want 1", other.Body["total"])
	}
}
