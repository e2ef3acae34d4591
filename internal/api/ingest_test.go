package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"anken/internal/account"
	"anken/internal/ingest"
	"anken/internal/server/servertest"
	"anken/internal/store"
)

// ingestFixture serves agency-a (key, with its webhook secret) with a
// delivery worker on the store's clock.
type ingestFixture struct {
	*fixture
	agency store.Agency
	key    string
	worker *ingest.Worker
}

func newIngestFixture(t *testing.T) *ingestFixture {
	t.Helper()
	fx := newMeFixture(t, account.Limits{})
	a, err := fx.st.AgencyBySlug(context.Background(), "agency-a")
	if err != nil {
		t.Fatal(err)
	}
	if fx.secret, err = fx.st.NewWebhookSecret(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	return &ingestFixture{fixture: fx, agency: a, key: fx.keyA,
		worker: &ingest.Worker{Store: fx.st, Backoff: time.Millisecond, MaxAttempts: 2, Now: fx.clock.Now}}
}

// request sends body with exactly the headers given and returns the answer.
func (fx *ingestFixture) request(t *testing.T, method, path string, header map[string]string, body []byte) servertest.Response {
	t.Helper()
	h := []string{"Content-Type", header["Content-Type"]}
	for k, v := range header {
		h = append(h, k, v)
	}
	return fx.Do(t, method, path, "", string(body), h...)
}

func (fx *ingestFixture) send(t *testing.T, method, path string, header map[string]string, body []byte) (int, map[string]any) {
	t.Helper()
	r := fx.request(t, method, path, header, body)
	if r.Status >= 400 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("%s %s: %d with %s", method, path, r.Status, r.Header.Get("Content-Type"))
	}
	return r.Status, r.Body
}

// drain runs the worker until the inbox has nothing to claim.
func (fx *ingestFixture) drain(t *testing.T) {
	t.Helper()
	for range 100 {
		n, err := fx.worker.Once(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("inbox never drained")
}

func TestWebhook(t *testing.T) {
	fx := newIngestFixture(t)
	ctx := context.Background()
	body := []byte(`{"id": "evt_1", "type": "listing.upsert", "listing": {"external_id": "W-1",
		"title": "【Go】決済APIの開発", "rate": "月額70万円", "remote": "フルリモート"}}`)
	signed := func(b []byte, at time.Time) map[string]string {
		return map[string]string{"Anken-Signature": ingest.Sign(fx.secret, at, b), "Content-Type": "application/json"}
	}
	h := signed(body, time.Now())
	if code, m := fx.send(t, "POST", "/v1/webhooks/agency-a", h, body); code != 202 || m["inbox_id"] == nil {
		t.Fatalf("delivery: %d %v", code, m)
	}
	if code, m := fx.send(t, "POST", "/v1/webhooks/agency-a", h, body); code != 409 {
		t.Errorf("replayed delivery: %d %v", code, m)
	}
	if code, m := fx.send(t, "POST", "/v1/webhooks/agency-a", signed(body, time.Now().Add(time.Second)), body); code != 200 || m["duplicate"] != true {
		t.Errorf("same event re-signed: %d %v", code, m)
	}
	if code, _ := fx.send(t, "POST", "/v1/webhooks/agency-a", signed(body, time.Now().Add(-6*time.Minute)), body); code != 401 {
		t.Errorf("stale delivery: %d", code)
	}
	bad := map[string]string{"Anken-Signature": "t=1,v1=00"}
	if code, _ := fx.send(t, "POST", "/v1/webhooks/agency-a", bad, body); code != 401 {
		t.Errorf("bad signature: %d", code)
	}
	if code, _ := fx.send(t, "POST", "/v1/webhooks/nobody", h, body); code != 401 {
		t.Errorf("unknown agency: %d", code)
	}
	noType := []byte(`{"id": "evt_2"}`)
	if code, m := fx.send(t, "POST", "/v1/webhooks/agency-a", signed(noType, time.Now()), noType); code != 400 || !strings.Contains(m["detail"].(string), "type") {
		t.Errorf("event without type: %d %v", code, m)
	}
	invalid := []byte(`{"id": "evt_3", "type": "listing.upsert", "listing": {"external_id": "W-2", "title": ""}}`)
	if code, _ := fx.send(t, "POST", "/v1/webhooks/agency-a", signed(invalid, time.Now()), invalid); code != 202 {
		t.Errorf("invalid listing delivery: %d", code)
	}
	fx.drain(t)
	l, err := fx.st.AgencyListing(ctx, fx.agency, "W-1")
	if err != nil || l.Rate.MonthlyMin != 700_000 {
		t.Fatalf("W-1 after the worker: %+v, %v", l, err)
	}
	auth := map[string]string{"Authorization": "Bearer " + fx.key}
	code, m := fx.send(t, "GET", "/v1/agency/rejections", auth, nil)
	rs, _ := m["rejections"].([]any)
	if code != 200 || len(rs) != 1 || rs[0].(map[string]any)["external_id"] != "W-2" || rs[0].(map[string]any)["field"] != "title" {
		t.Errorf("rejections: %d %v", code, m)
	}
	closeEv := []byte(`{"id": "evt_4", "type": "listing.close", "external_id": "W-1"}`)
	fx.send(t, "POST", "/v1/webhooks/agency-a", signed(closeEv, time.Now()), closeEv)
	fx.drain(t)
	if l, _ := fx.st.AgencyListing(ctx, fx.agency, "W-1"); l.Status != "closed" {
		t.Errorf("W-1 after close event: %s", l.Status)
	}
}

func TestFeedUpload(t *testing.T) {
	fx := newIngestFixture(t)
	ctx := context.Background()
	auth := map[string]string{"Authorization": "Bearer " + fx.key}
	csv := "案件ID,案件名,単価,勤務地\n" +
		"F-1,Goバックエンド開発,月額60万～70万円,東京都渋谷区\n" +
		"F-2,,月額50万円,大阪府\n" +
		"F-3,AWS基盤構築,月額1000000万円,\n" +
		"F-4,Reactフロントエンド,時給4000円,福岡県\n"
	sjis, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	code, m := fx.send(t, "POST", "/v1/agency/feeds?format=csv&full=true", map[string]string{
		"Authorization": "Bearer " + fx.key, "Content-Type": "text/csv", "Idempotency-Key": "upload-1"}, sjis)
	if code != 202 || m["rows"] != 4.0 || m["state"] == nil {
		t.Fatalf("upload: %d %v", code, m)
	}
	id := int64(m["id"].(float64))
	fx.drain(t)
	code, m = fx.send(t, "GET", "/v1/agency/feeds/"+jsonNum(id), auth, nil)
	if code != 200 || m["state"] != "done" || m["created"] != 2.0 || m["rejected"] != 2.0 {
		t.Fatalf("run: %d %v", code, m)
	}
	// Same key: the same run, not read again.
	if code, m := fx.send(t, "POST", "/v1/agency/feeds?format=csv", map[string]string{
		"Authorization": "Bearer " + fx.key, "Idempotency-Key": "upload-1"}, sjis); code != 200 || int64(m["id"].(float64)) != id {
		t.Errorf("repeat upload: %d %v", code, m)
	}
	code, m = fx.send(t, "GET", "/v1/agency/rejections?run="+jsonNum(id), auth, nil)
	rs, _ := m["rejections"].([]any)
	if code != 200 || len(rs) < 2 {
		t.Fatalf("run rejections: %d %v", code, m)
	}
	lines := map[float64]string{}
	for _, r := range rs {
		r := r.(map[string]any)
		lines[r["line"].(float64)] = r["field"].(string)
	}
	if lines[3] != "title" || !strings.HasPrefix(lines[4], "rate") {
		t.Errorf("rejected lines %v: want line 3 title and line 4 rate", lines)
	}
	if l, err := fx.st.AgencyListing(ctx, fx.agency, "F-4"); err != nil || l.Prefecture != "JP-40" {
		t.Errorf("F-4: %+v, %v", l, err)
	}
	// A feed that breaks off keeps what it read and says where.
	code, m = fx.send(t, "POST", "/v1/agency/feeds?format=jobposting", auth, []byte(`[{"identifier": "J-1", "title": "SRE"}, {"identifier": `))
	if code != 400 || !strings.Contains(m["detail"].(string), "feed run") {
		t.Errorf("broken feed: %d %v", code, m)
	}
	if code, _ := fx.send(t, "POST", "/v1/agency/feeds?format=xls", auth, []byte("x")); code != 422 {
		t.Errorf("unknown format: %d", code)
	}
	if code, _ := fx.send(t, "POST", "/v1/agency/feeds?format=csv", nil, []byte("x")); code != 401 {
		t.Errorf("no key: %d", code)
	}
}

func TestIdempotencyKey(t *testing.T) {
	fx := newIngestFixture(t)
	h := map[string]string{"Authorization": "Bearer " + fx.key, "Content-Type": "application/json", "Idempotency-Key": "put-1"}
	body := []byte(`{"title": "Goの案件", "rate": "月額60万円"}`)
	c1, m1 := fx.send(t, "PUT", "/v1/agency/listings/K-1", h, body)
	c2, m2 := fx.send(t, "PUT", "/v1/agency/listings/K-1", h, body)
	if c1 != 200 || c2 != 200 || m1["outcome"] != "created" || m2["outcome"] != "created" || m1["id"] != m2["id"] {
		t.Errorf("repeat with key: %d %v / %d %v", c1, m1, c2, m2)
	}
	if c, _ := fx.send(t, "PUT", "/v1/agency/listings/K-1", h, []byte(`{"title": "別"}`)); c != 422 {
		t.Errorf("key reused for another body: %d", c)
	}
	delete(h, "Idempotency-Key")
	if _, m := fx.send(t, "PUT", "/v1/agency/listings/K-1", h, body); m["outcome"] != "unchanged" {
		t.Errorf("without key: %v", m)
	}

	// A rejected PUT keeps no answer: the agency sends it again corrected,
	// with the same key.
	h["Idempotency-Key"] = "put-2"
	if c, _ := fx.send(t, "PUT", "/v1/agency/listings/K-2", h, []byte(`{"title": ""}`)); c != 422 {
		t.Errorf("rejected PUT with a key: %d, want 422", c)
	}
	if c, m := fx.send(t, "PUT", "/v1/agency/listings/K-2", h, body); c != 200 || m["outcome"] != "created" {
		t.Errorf("corrected PUT with the rejected one's key: %d %v, want 200 created", c, m)
	}

	// Requests racing with one key write once, and all get that write's answer.
	h["Idempotency-Key"] = "batch-race"
	batch := []byte(`{"listings": [{"external_id": "K-3", "title": "Goの案件", "rate": "月額60万円"}, {"external_id": "K-4", "title": "Rustの案件"}]}`)
	type answer struct {
		code int
		m    map[string]any
		err  error
	}
	audited := func() int {
		rows, err := fx.st.AuditLog(context.Background(), store.AuditFilter{Actor: fx.agency.Slug, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	before := audited()
	answers := make(chan answer, 20)
	for range 20 {
		go func() {
			req, _ := http.NewRequest("POST", fx.URL+"/v1/agency/listings:batch", bytes.NewReader(batch))
			for k, v := range h {
				req.Header.Set(k, v)
			}
			var a answer
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				a.code = resp.StatusCode
				err = json.NewDecoder(resp.Body).Decode(&a.m)
				resp.Body.Close()
			}
			a.err = err
			answers <- a
		}()
	}
	var first string
	for i := range 20 {
		a := <-answers
		got, _ := json.Marshal(a.m["results"])
		if a.err != nil || a.code != 200 || !strings.Contains(string(got), `"outcome":"created"`) {
			t.Errorf("racing batch: %d %s %v, want 200 with the first write's created listings", a.code, got, a.err)
		}
		if i == 0 {
			first = string(got)
		} else if string(got) != first {
			t.Errorf("racing batches answered differently:\n%s\n%s", first, got)
		}
	}
	if n := audited() - before; n != 1 {
		t.Errorf("racing batches with one key left %d audit rows, want 1: one write", n)
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestFeedSourceURL(t *testing.T) {
	fx := newIngestFixture(t)
	auth := map[string]string{"Authorization": "Bearer " + fx.key, "Content-Type": "application/json"}
	for url, want := range map[string]int{
		"https://feeds.example.com/jobs.jsonl":     200,
		"http://93.184.215.14/feed.csv":            200,
		"ftp://feeds.example.com/jobs.jsonl":       422,
		"file:///etc/passwd":                       422,
		"http://127.0.0.1:8080/admin":              422,
		"http://[::1]/":                            422,
		"http://169.254.169.254/latest/meta-data/": 422,
		"http://100.100.100.200/latest/meta-data/": 422,
		"http://10.0.0.8/feed":                     422,
		"http://[fd00::1]/feed":                    422,
		"http://[::ffff:192.168.0.1]/feed":         422,
		"http://localhost:5432/":                   422,
		// Loopback spelled as the resolver also reads it (issue 25).
		"http://2130706433:8080/": 422,
		"http://0x7f.1/":          422,
		"http://127.1/":           422,
		"http://0177.0.0.1/":      422,
		"http://0/":               422,
		"http://127.0.0.1./":      422,
		"http://127。0。0。1/":       422,
		"http://①②⑦.0.0.1/":       422,
	} {
		body, _ := json.Marshal(map[string]any{"url": url, "format": "jsonl", "every": "1h"})
		code, m := fx.send(t, "POST", "/v1/agency/feed-sources", auth, body)
		if code != want {
			t.Errorf("%s: %d %v, want %d", url, code, m, want)
			continue
		}
		if want == 422 {
			errs, _ := m["errors"].([]any)
			if len(errs) == 0 || errs[0].(map[string]any)["location"] != "body.url" {
				t.Errorf("%s: problem %v does not name body.url", url, m)
			}
		}
	}
}

// TestFeedConfirm uploads a full feed that drops 3 of 4 listings: the run is
// held until the agency confirms it, and only the agency can.
func TestFeedConfirm(t *testing.T) {
	fx := newIngestFixture(t)
	ctx := context.Background()
	auth := map[string]string{"Authorization": "Bearer " + fx.key}
	row := func(id string) string {
		return `{"external_id": "` + id + `", "title": "Goバックエンド開発 ` + id + `", "rate": "月額60万円"}` + "\n"
	}
	code, m := fx.send(t, "POST", "/v1/agency/feeds?format=jsonl&full=true", auth, []byte(row("C-1")+row("C-2")+row("C-3")+row("C-4")))
	if code != 202 {
		t.Fatalf("first upload: %d %v", code, m)
	}
	fx.drain(t)
	fx.clock.Add(2 * time.Millisecond) // the second run starts after the first's writes
	code, m = fx.send(t, "POST", "/v1/agency/feeds?format=jsonl&full=true", auth, []byte(row("C-1")))
	if code != 202 {
		t.Fatalf("second upload: %d %v", code, m)
	}
	id := jsonNum(int64(m["id"].(float64)))
	fx.drain(t)
	code, m = fx.send(t, "GET", "/v1/agency/feeds/"+id, auth, nil)
	if code != 200 || m["state"] != "held" || m["closed"] != 0.0 || m["error"] != "would close 3 of 4 open listings; confirm to close them" {
		t.Fatalf("run: %d %v", code, m)
	}
	other, _ := fx.st.CreateAgency(ctx, "agency-b", "B")
	otherKey, _ := fx.st.CreateKey(ctx, other.ID)
	if code, m := fx.send(t, "POST", "/v1/agency/feeds/"+id+"/confirm", map[string]string{"Authorization": "Bearer " + otherKey}, nil); code != 404 {
		t.Errorf("another agency confirms: %d %v", code, m)
	}
	code, m = fx.send(t, "POST", "/v1/agency/feeds/"+id+"/confirm", auth, nil)
	if code != 200 || m["state"] != "done" || m["closed"] != 3.0 {
		t.Fatalf("confirm: %d %v", code, m)
	}
	for ext, want := range map[string]string{"C-1": "open", "C-2": "closed", "C-3": "closed", "C-4": "closed"} {
		if l, _ := fx.st.AgencyListing(ctx, fx.agency, ext); string(l.Status) != want {
			t.Errorf("%s is %s, want %s", ext, l.Status, want)
		}
	}
	if code, m := fx.send(t, "POST", "/v1/agency/feeds/"+id+"/confirm", auth, nil); code != 409 || !strings.Contains(m["detail"].(string), "not held") {
		t.Errorf("confirm again: %d %v", code, m)
	}
}

// TestBadBodyEchoIsClipped checks that a body that does not parse is not
// echoed back whole in the problem.
func TestBadBodyEchoIsClipped(t *testing.T) {
	fx := newFixture(t)
	body := `{"listings": [` + strings.Repeat(`{"external_id":"x","title":"広告"},`, 5000) + `oops]}`
	r := fx.Do(t, "POST", "/v1/agency/listings:batch", fx.keyA, body)
	if r.Status != 400 {
		t.Fatalf("status %d, want 400", r.Status)
	}
	if len(r.Raw) > 2000 || !strings.Contains(r.Raw, "bytes in all") {
		t.Errorf("problem of %d bytes echoes the body: %.300s", len(r.Raw), r.Raw)
	}
}
