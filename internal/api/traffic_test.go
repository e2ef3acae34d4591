package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"anken/internal/account"
	"anken/internal/store"
	"anken/internal/traffic"
)

// agencyListing is a listing body with its own title.
func agencyListing(title string) string {
	return fmt.Sprintf(`{"title": %q, "description": "決済APIの設計・開発。Go と PostgreSQL。", "rate": "月額60万〜70万円", "apply_url": "https://a.example/jobs/1"}`, title)
}

// TestAgencyStats: an agency's counts per day and per listing with CTR,
// one listing of its own alone, and the days asked checked; another
// agency's listing is 404 as one that does not exist; no key or an
// engineer's token is 401.
func TestAgencyStats(t *testing.T) {
	fx := newMeFixture(t, account.Limits{})
	ctx := context.Background()
	engineer := fx.engineer(t, "tanaka@example.jp", "correct horse battery staple 9")
	b, _ := fx.st.CreateAgency(ctx, "agency-b", "B")
	keyB, _ := fx.st.CreateKey(ctx, b.ID)
	id := map[string]int64{}
	for _, c := range []struct{ key, ext string }{{fx.keyA, "A-1"}, {fx.keyA, "A-2"}, {keyB, "B-1"}} {
		r := fx.Do(t, "PUT", "/v1/agency/listings/"+c.ext, c.key, agencyListing("案件 "+c.ext))
		if r.Status != 200 {
			t.Fatalf("put %s: %d %s", c.ext, r.Status, r.Raw)
		}
		id[c.ext] = int64(r.Body["id"].(float64))
	}
	c := func(i, v, k int64) store.TrafficCounts {
		return store.TrafficCounts{Impressions: i, Views: v, Clicks: k}
	}
	if err := fx.st.AddTraffic(ctx, []store.TrafficRow{
		{ListingID: id["A-1"], Day: "2026-11-01", TrafficCounts: c(400, 40, 10)},
		{ListingID: id["A-2"], Day: "2026-11-01", TrafficCounts: c(100, 20, 3)},
		{ListingID: id["A-1"], Day: "2026-11-03", TrafficCounts: c(100, 5, 2)},
		{ListingID: id["B-1"], Day: "2026-11-02", TrafficCounts: c(7777, 777, 77)},
	}); err != nil {
		t.Fatal(err)
	}
	counts := func(i, v, k int64, ctr float64) map[string]any {
		return map[string]any{"impressions": float64(i), "views": float64(v), "clicks": float64(k), "ctr": ctr}
	}
	day := func(d string, i, v, k int64, ctr float64) map[string]any {
		m := counts(i, v, k, ctr)
		m["day"] = d
		return m
	}
	row := func(ext string, i, v, k int64, ctr float64) map[string]any {
		m := counts(i, v, k, ctr)
		m["listing_id"], m["external_id"] = float64(id[ext]), ext
		return m
	}

	r := fx.Do(t, "GET", "/v1/agency/stats?from=2026-11-01&to=2026-11-03", fx.keyA, "")
	if r.Status != 200 {
		t.Fatalf("stats: %d %s", r.Status, r.Raw)
	}
	want := map[string]any{"from": "2026-11-01", "to": "2026-11-03", "total": counts(600, 65, 15, 0.025),
		"days":     []any{day("2026-11-01", 500, 60, 13, 0.026), day("2026-11-02", 0, 0, 0, 0), day("2026-11-03", 100, 5, 2, 0.02)},
		"listings": []any{row("A-1", 500, 45, 12, 0.024), row("A-2", 100, 20, 3, 0.03)}}
	if !equalJSON(r.Body, want) {
		t.Errorf("agency A, 1–3 November:\n got %s\nwant %v", r.Raw, want)
	}
	r = fx.Do(t, "GET", "/v1/agency/stats?from=2026-11-02&to=2026-11-03&listing=A-1", fx.keyA, "")
	want = map[string]any{"from": "2026-11-02", "to": "2026-11-03", "listing": "A-1", "total": counts(100, 5, 2, 0.02),
		"days": []any{day("2026-11-02", 0, 0, 0, 0), day("2026-11-03", 100, 5, 2, 0.02)}, "listings": []any{row("A-1", 100, 5, 2, 0.02)}}
	if r.Status != 200 || !equalJSON(r.Body, want) {
		t.Errorf("agency A, listing A-1:\n got %d %s\nwant %v", r.Status, r.Raw, want)
	}
	r = fx.Do(t, "GET", "/v1/agency/stats", fx.keyA, "")
	if days, _ := r.Body["days"].([]any); r.Status != 200 || len(days) != traffic.DefaultDays ||
		r.Body["to"] != traffic.Day(time.Now()) && r.Body["to"] != traffic.Day(time.Now().Add(-time.Minute)) {
		t.Errorf("by default: %d, %d days to %v; want the 30 days to today (JST)", r.Status, len(days), r.Body["to"])
	}

	notFound := fx.Do(t, "GET", "/v1/agency/stats?listing=NO-SUCH", fx.keyA, "")
	for _, c := range []struct {
		name, query, key string
		status           int
	}{
		{"another agency's listing", "?listing=B-1", fx.keyA, 404},
		{"no key", "", "", 401},
		{"an engineer's token", "", engineer, 401},
		{"an unknown key", "", "ak_0000000000000000000000000000000000000000000000", 401},
		{"not a day", "?from=2026-11-1", fx.keyA, 422},
		{"from after to", "?from=2026-11-04&to=2026-11-03", fx.keyA, 422},
		{"367 days", "?from=2025-11-01&to=2026-11-02", fx.keyA, 422},
	} {
		r := fx.Do(t, "GET", "/v1/agency/stats"+c.query, c.key, "")
		if r.Status != c.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s: %d %s; want %d problem+json", c.name, r.Status, r.Raw, c.status)
		}
		if strings.Contains(r.Raw, "7777") || strings.Contains(r.Raw, "案件 B-1") {
			t.Errorf("%s: the answer tells of agency B's listing: %s", c.name, r.Raw)
		}
		if c.name == "another agency's listing" && strings.ReplaceAll(r.Raw, "B-1", "NO-SUCH") != notFound.Raw {
			t.Errorf("another agency's listing answers unlike one that does not exist:\n%s\n%s", r.Raw, notFound.Raw)
		}
	}
}

// equalJSON compares a decoded answer with want, through their JSON.
func equalJSON(got map[string]any, want map[string]any) bool {
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// TestAgencyAuthorization walks every operation that takes an agency's
// key, as registered: none answers without a key, with an engineer's
// token or with an unknown key (401); agency B gets 404 for agency A's
// listings, feed runs, feed sources and stats, its own for the rest, and
// no answer to B tells of A's data, which is as it was afterwards. An
// operation registered but missing from the table fails the test.
func TestAgencyAuthorization(t *testing.T) {
	fx := newMeFixture(t, account.Limits{})
	ctx := context.Background()
	engineer := fx.engineer(t, "tanaka@example.jp", "correct horse battery staple 9")
	b, _ := fx.st.CreateAgency(ctx, "agency-b", "B")
	keyB, _ := fx.st.CreateKey(ctx, b.ID)
	for _, ext := range []string{"A-1", "A-2"} {
		if r := fx.Do(t, "PUT", "/v1/agency/listings/"+ext, fx.keyA, agencyListing("A社の秘密の案件 "+ext)); r.Status != 200 {
			t.Fatalf("put %s: %d %s", ext, r.Status, r.Raw)
		}
	}
	r := fx.Do(t, "POST", "/v1/agency/feeds?format=jsonl", fx.keyA, `{"external_id":"A-F1","title":"A社の秘密のフィード案件","rate":"月額60万円"}`+"\n")
	if r.Status != 202 {
		t.Fatalf("A's upload: %d %s", r.Status, r.Raw)
	}
	runA := fmt.Sprint(int64(r.Body["id"].(float64)))
	r = fx.Do(t, "POST", "/v1/agency/feed-sources", fx.keyA, `{"url":"https://feeds.example.com/a-secret-feed.jsonl","format":"jsonl","every":"1h"}`)
	if r.Status != 200 {
		t.Fatalf("A's feed source: %d %s", r.Status, r.Raw)
	}
	sourceA := fmt.Sprint(int64(r.Body["id"].(float64)))
	if r := fx.Do(t, "PUT", "/v1/agency/profile", fx.keyA, `{"name":"A社","description":"A社の秘密の紹介","site_url":"https://a-secret.example/"}`); r.Status != 200 {
		t.Fatalf("A's profile: %d %s", r.Status, r.Raw)
	}
	snapshot := func() string {
		var s strings.Builder
		for _, p := range []string{"/v1/agency/listings/A-1", "/v1/agency/listings/A-2", "/v1/agency/feeds/" + runA, "/v1/agency/feed-sources", "/v1/agency/stats?from=2026-11-01&to=2026-11-02", "/v1/agency/profile"} {
			s.WriteString(fx.Do(t, "GET", p, fx.keyA, "").Raw)
		}
		return s.String()
	}
	before := snapshot()
	secrets := []string{"A社の秘密", "a-secret-feed", "a-secret.example", fx.keyA}

	table := map[string]authCase{
		"PUT /v1/agency/listings/{external_id}":    {path: "/v1/agency/listings/B-own", body: agencyListing("B社の案件"), status: 200},
		"POST /v1/agency/listings:batch":           {path: "/v1/agency/listings:batch", body: `{"listings":[{"external_id":"B-2","title":"B社の案件 2"}]}`, status: 200},
		"GET /v1/agency/listings/{external_id}":    {path: "/v1/agency/listings/A-1", status: 404},
		"DELETE /v1/agency/listings/{external_id}": {path: "/v1/agency/listings/A-2", status: 404},
		"POST /v1/agency/feeds":                    {path: "/v1/agency/feeds?format=jsonl", body: `{"external_id":"B-F1","title":"B社のフィード案件"}` + "\n", status: 202},
		"GET /v1/agency/feeds/{id}":                {path: "/v1/agency/feeds/" + runA, status: 404},
		"POST /v1/agency/feeds/{id}/confirm":       {path: "/v1/agency/feeds/" + runA + "/confirm", status: 404},
		"POST /v1/agency/feed-sources":             {path: "/v1/agency/feed-sources", body: `{"url":"https://feeds.example.com/b.jsonl","format":"jsonl","every":"1h"}`, status: 200},
		"GET /v1/agency/feed-sources":              {path: "/v1/agency/feed-sources", status: 200},
		"DELETE /v1/agency/feed-sources/{id}":      {path: "/v1/agency/feed-sources/" + sourceA, status: 404},
		"GET /v1/agency/rejections":                {path: "/v1/agency/rejections", status: 200},
		"GET /v1/agency/stats":                     {path: "/v1/agency/stats?listing=A-1", status: 404},
		"GET /v1/agency/profile":                   {path: "/v1/agency/profile", status: 200},
		"PUT /v1/agency/profile":                   {path: "/v1/agency/profile", body: `{"name":"B社","description":"B社の紹介"}`, status: 200},
	}
	var ops []string
	for _, op := range operations(fx.doc) {
		if op.securedBy("agencyKey") {
			ops = append(ops, op.method+" "+op.path)
		}
	}
	eachOperation(t, ops, table, "agency B tries it on agency A's data", func(t *testing.T, key, method string, c authCase) {
		for _, cred := range []struct{ who, key string }{
			{"no key", ""}, {"an engineer's token", engineer}, {"an unknown key", "ak_0000000000000000000000000000000000000000000000"},
		} {
			if r := fx.Do(t, method, c.path, cred.key, c.body); r.Status != 401 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("with %s: %d %s; want 401 problem", cred.who, r.Status, r.Raw)
			}
		}
		r := fx.Do(t, method, c.path, keyB, c.body)
		if r.Status != c.status {
			t.Errorf("agency B: %d %s; want %d", r.Status, r.Raw, c.status)
		}
		for _, s := range secrets {
			if strings.Contains(r.Raw, s) {
				t.Errorf("agency B's answer holds A's %q: %s", s, r.Raw)
			}
		}
	})
	if after := snapshot(); after != before {
		t.Errorf("A's data changed while B tried it:\nbefore %s\nafter  %s", before, after)
	}
}
