package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"anken/internal/account"
	"anken/internal/api"
	"anken/internal/guide"
)

// guideFixture serves agency-a (agencyKey) and an operator, 編集部, with
// the guides seeded from their files.
type guideFixture struct {
	*fixture
	agencyKey, operatorKey string
}

func newGuideFixture(t *testing.T) guideFixture {
	t.Helper()
	fx := newMeFixture(t, account.Limits{})
	if _, err := fx.Guides.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return guideFixture{fixture: fx, agencyKey: fx.keyA, operatorKey: fx.Operator(t, "編集部")}
}

// TestGuidesAPI reads the guides as anyone may and checks the backend
// guide's figures as the API answers them.
func TestGuidesAPI(t *testing.T) {
	fx := newGuideFixture(t)
	r := fx.Do(t, "GET", "/v1/guides", "", "")
	if r.Status != 200 {
		t.Fatalf("GET /v1/guides = %d %s", r.Status, r.Raw)
	}
	var list api.GuidesBody
	json.Unmarshal([]byte(r.Raw), &list)
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

	r = fx.Do(t, "GET", "/v1/guides/writing", "", "")
	var g guide.Guide
	json.Unmarshal([]byte(r.Raw), &g)
	if r.Status != 200 || len(g.Sections) != len(guide.Sections[guide.KindGuide]) || len(g.FAQ) < 2 ||
		!strings.HasPrefix(g.Source, "---\n") || g.Revision != 1 {
		t.Errorf("GET /v1/guides/writing = %d: %d sections, %d questions, revision %d", r.Status, len(g.Sections), len(g.FAQ), g.Revision)
	}
	if s := g.Section("ai"); s.Heading != "AIとの相性" || s.Markdown == "" {
		t.Errorf("ai section = %+v", s)
	}
	if r := fx.Do(t, "GET", "/v1/guides/plumbing", "", ""); r.Status != 404 {
		t.Errorf("GET /v1/guides/plumbing = %d, want 404", r.Status)
	}
	r = fx.Do(t, "GET", "/v1/roles/sre/article", "", "")
	if r.Status != 200 || r.Body["role"] != "sre" || !strings.Contains(r.Body["title"].(string), "SRE") {
		t.Errorf("GET /v1/roles/sre/article = %d %v", r.Status, r.Body["title"])
	}
	if r := fx.Do(t, "GET", "/v1/roles/wizard/article", "", ""); r.Status != 422 {
		t.Errorf("GET /v1/roles/wizard/article = %d, want 422", r.Status)
	}
}

// TestGuideEdits: only an operator edits; each edit is checked like the
// files and kept with who, when and what.
func TestGuideEdits(t *testing.T) {
	fx := newGuideFixture(t)
	r := fx.Do(t, "GET", "/v1/guides/qa", "", "")
	src := r.Body["source"].(string)
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
		if r := fx.Do(t, "PUT", "/v1/guides/qa", tt.key, good); r.Status != tt.status {
			t.Errorf("%s: PUT = %d %s, want %d", tt.name, r.Status, r.Raw, tt.status)
		}
		if r := fx.Do(t, "GET", "/v1/guides/qa/revisions", tt.key, ""); r.Status != tt.status {
			t.Errorf("%s: GET revisions = %d, want %d", tt.name, r.Status, tt.status)
		}
	}
	if r := fx.Do(t, "PUT", "/v1/guides/qa", "", good); !strings.Contains(r.Raw, "op_") {
		t.Errorf("401 does not say what key to send: %s", r.Raw)
	}

	bad := edit(strings.Replace(src, "safety: 80", "safety: 120", 1), "")
	r = fx.Do(t, "PUT", "/v1/guides/qa", fx.operatorKey, bad)
	if r.Status != 422 || r.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(r.Raw, "body.source") || !strings.Contains(r.Raw, `safety`) {
		t.Errorf("bad score: %d %s, want 422 naming body.source and safety", r.Status, r.Raw)
	}
	missing := edit(strings.Replace(src, "## リスクと注意点", "## リスク", 1), "")
	if r := fx.Do(t, "PUT", "/v1/guides/qa", fx.operatorKey, missing); r.Status != 422 {
		t.Errorf("unknown section: %d, want 422", r.Status)
	}

	r = fx.Do(t, "PUT", "/v1/guides/qa", fx.operatorKey, good)
	if r.Status != 200 || r.Body["ai"] != 75.0 || r.Body["updated_by"] != "編集部" || r.Body["revision"] != 2.0 {
		t.Fatalf("PUT = %d %v %v %v", r.Status, r.Body["ai"], r.Body["updated_by"], r.Body["revision"])
	}
	if r := fx.Do(t, "GET", "/v1/guides/qa", "", ""); r.Body["ai"] != 75.0 {
		t.Errorf("GET after PUT: ai = %v", r.Body["ai"])
	}
	r = fx.Do(t, "GET", "/v1/guides/qa/revisions", fx.operatorKey, "")
	var revs api.RevisionsBody
	json.Unmarshal([]byte(r.Raw), &revs)
	if len(revs.Revisions) != 2 || revs.Revisions[0].Operator != "編集部" || revs.Revisions[0].Note != "AI の点数を更新" ||
		!strings.Contains(revs.Revisions[0].Source, "ai: 75") || revs.Revisions[1].Operator != "" || revs.Revisions[0].CreatedAt.IsZero() {
		t.Errorf("revisions = %+v", revs)
	}

	r = fx.Do(t, "GET", "/v1/roles/pm/article", "", "")
	asrc := strings.Replace(r.Body["source"].(string), "title: PM・PMO", "title: プロジェクトマネージャー・PMO", 1)
	if r := fx.Do(t, "PUT", "/v1/roles/pm/article", fx.agencyKey, edit(asrc, "")); r.Status != 403 {
		t.Errorf("PUT article with an agency key = %d, want 403", r.Status)
	}
	r = fx.Do(t, "PUT", "/v1/roles/pm/article", fx.operatorKey, edit(asrc, "正式名称に"))
	if r.Status != 200 || r.Body["title"] != "プロジェクトマネージャー・PMO" {
		t.Errorf("PUT article = %d %v", r.Status, r.Body["title"])
	}
	if r := fx.Do(t, "GET", "/v1/roles/pm/article/revisions", fx.operatorKey, ""); r.Status != 200 || len(r.Body["revisions"].([]any)) != 2 {
		t.Errorf("article revisions = %d %s", r.Status, r.Raw)
	}
}
