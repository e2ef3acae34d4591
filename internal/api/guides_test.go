package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"anken/internal/api"
	"anken/internal/guide"
	"anken/internal/ingest"
	"anken/internal/operate"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store/storetest"
)

type guideFixture struct {
	*fixture
	agencyKey, operatorKey string
}

func newGuideFixture(t *testing.T) guideFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	a, err := st.CreateAgency(ctx, "agency-a", "A")
	if err != nil {
		t.Fatal(err)
	}
	ak, _ := st.CreateKey(ctx, a.ID)
	_, ok, err := st.CreateOperator(ctx, "編集部")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	lib, err := guide.New(st, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	idx := search.NewIndex()
	if err := follow.New(st, idx, time.Hour, log).Load(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Register(mux, api.Deps{Store: st, Index: idx, Log: log, Guides: lib, Operate: operate.New(st, nil), Ingest: ingest.NewWriter(st, nil)})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return guideFixture{fixture: &fixture{srv: srv}, agencyKey: ak, operatorKey: ok}
}

// TestGuidesAPI reads the guides as anyone may and checks the backend
// guide's figures as the API answers them.
func TestGuidesAPI(t *testing.T) {
	fx := newGuideFixture(t)
	r := fx.do(t, "GET", "/v1/guides", "", "")
	if r.status != 200 {
		t.Fatalf("GET /v1/guides = %d %s", r.status, r.raw)
	}
	var list api.GuidesBody
	json.Unmarshal([]byte(r.raw), &list)
	if len(list.Guides) < 8 || list.Guides[0].Slug != "backend" || list.WorkDays != 22 {
		t.Fatalf("guides = %+v", list)
	}
	b := list.Guides[0]
	if b.Total != 355 || b.AI != 78 || len(b.Scores) != 5 || b.URL != "/guides/backend" {
		t.Errorf("backend = total %d, AI %d, %d scores, url %s", b.Total, b.AI, len(b.Scores), b.URL)
	}
	if len(b.Tiers) != 2 || b.Tiers[0].MonthlyMin != 44_000 || b.Tiers[0].MonthlyMax != 154_000 ||
		b.Tiers[1].MonthlyMin != 88_000 || b.Tiers[1].MonthlyMax != 352_000 {
		t.Errorf("backend tiers = %+v", b.Tiers)
	}

	r = fx.do(t, "GET", "/v1/guides/writing", "", "")
	var g guide.Guide
	json.Unmarshal([]byte(r.raw), &g)
	if r.status != 200 || len(g.Sections) != len(guide.Sections[guide.KindGuide]) || len(g.FAQ) < 2 ||
		!strings.HasPrefix(g.Source, "---\n") || g.Revision != 1 {
		t.Errorf("GET /v1/guides/writing = %d: %d sections, %d questions, revision %d", r.status, len(g.Sections), len(g.FAQ), g.Revision)
	}
	if s := g.Section("ai"); s.Heading != "AIとの相性" || s.Markdown == "" {
		t.Errorf("ai section = %+v", s)
	}
	if r := fx.do(t, "GET", "/v1/guides/plumbing", "", ""); r.status != 404 {
		t.Errorf("GET /v1/guides/plumbing = %d, want 404", r.status)
	}
	r = fx.do(t, "GET", "/v1/roles/sre/article", "", "")
	if r.status != 200 || r.body["role"] != "sre" || !strings.Contains(r.body["title"].(string), "SRE") {
		t.Errorf("GET /v1/roles/sre/article = %d %v", r.status, r.body["title"])
	}
	if r := fx.do(t, "GET", "/v1/roles/wizard/article", "", ""); r.status != 422 {
		t.Errorf("GET /v1/roles/wizard/article = %d, want 422", r.status)
	}
}

// TestGuideEdits: only an operator edits; each edit is checked like the
// files and kept with who, when and what.
func TestGuideEdits(t *testing.T) {
	fx := newGuideFixture(t)
	r := fx.do(t, "GET", "/v1/guides/qa", "", "")
	src := r.body["source"].(string)
	edit := func(source, note string) string {
		b, _ := json.Marshal(api.ContentEdit{Source: source, Note: note})
		return string(b)
	}
	good := edit(strings.Replace(src, "ai: 70", "ai: 75", 1), "AI の点数を更新")
	for _, tt := range []struct {
		name, key string
		status    int
	}{
		{"no key", "", 401},
		{"unknown operator key", "op_0123456789abcdef0123456789abcdef0123456789abcdef", 401},
		{"unknown key", "ak_nobody", 401},
		{"agency key", fx.agencyKey, 403},
	} {
		if r := fx.do(t, "PUT", "/v1/guides/qa", tt.key, good); r.status != tt.status {
			t.Errorf("%s: PUT = %d %s, want %d", tt.name, r.status, r.raw, tt.status)
		}
		if r := fx.do(t, "GET", "/v1/guides/qa/revisions", tt.key, ""); r.status != tt.status {
			t.Errorf("%s: GET revisions = %d, want %d", tt.name, r.status, tt.status)
		}
	}
	if r := fx.do(t, "PUT", "/v1/guides/qa", "", good); !strings.Contains(r.raw, "op_") {
		t.Errorf("401 does not say what key to send: %s", r.raw)
	}

	bad := edit(strings.Replace(src, "safety: 80", "safety: 120", 1), "")
	r = fx.do(t, "PUT", "/v1/guides/qa", fx.operatorKey, bad)
	if r.status != 422 || r.ctype != "application/problem+json" || !strings.Contains(r.raw, "body.source") || !strings.Contains(r.raw, `safety`) {
		t.Errorf("bad score: %d %s, want 422 naming body.source and safety", r.status, r.raw)
	}
	missing := edit(strings.Replace(src, "## リスクと注意点", "## リスク", 1), "")
	if r := fx.do(t, "PUT", "/v1/guides/qa", fx.operatorKey, missing); r.status != 422 {
		t.Errorf("unknown section: %d, want 422", r.status)
	}

	r = fx.do(t, "PUT", "/v1/guides/qa", fx.operatorKey, good)
	if r.status != 200 || r.body["ai"] != 75.0 || r.body["updated_by"] != "編集部" || r.body["revision"] != 2.0 {
		t.Fatalf("PUT = %d %v %v %v", r.status, r.body["ai"], r.body["updated_by"], r.body["revision"])
	}
	if r := fx.do(t, "GET", "/v1/guides/qa", "", ""); r.body["ai"] != 75.0 {
		t.Errorf("GET after PUT: ai = %v", r.body["ai"])
	}
	r = fx.do(t, "GET", "/v1/guides/qa/revisions", fx.operatorKey, "")
	var revs api.RevisionsBody
	json.Unmarshal([]byte(r.raw), &revs)
	if len(revs.Revisions) != 2 || revs.Revisions[0].Operator != "編集部" || revs.Revisions[0].Note != "AI の点数を更新" ||
		!strings.Contains(revs.Revisions[0].Source, "ai: 75") || revs.Revisions[1].Operator != "" || revs.Revisions[0].CreatedAt.IsZero() {
		t.Errorf("revisions = %+v", revs)
	}

	r = fx.do(t, "GET", "/v1/roles/pm/article", "", "")
	asrc := strings.Replace(r.body["source"].(string), "title: PM・PMO", "title: プロジェクトマネージャー・PMO", 1)
	if r := fx.do(t, "PUT", "/v1/roles/pm/article", fx.agencyKey, edit(asrc, "")); r.status != 403 {
		t.Errorf("PUT article with an agency key = %d, want 403", r.status)
	}
	r = fx.do(t, "PUT", "/v1/roles/pm/article", fx.operatorKey, edit(asrc, "正式名称に"))
	if r.status != 200 || r.body["title"] != "プロジェクトマネージャー・PMO" {
		t.Errorf("PUT article = %d %v", r.status, r.body["title"])
	}
	if r := fx.do(t, "GET", "/v1/roles/pm/article/revisions", fx.operatorKey, ""); r.status != 200 || len(r.body["revisions"].([]any)) != 2 {
		t.Errorf("article revisions = %d %s", r.status, r.raw)
	}
}
