package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestAgencyProfileAPI: an agency reads and sets its own profile with its
// key, and nobody else's; an operator sets any agency's; a profile that
// breaks the rule is 422 naming the field and changes nothing. The cases
// run in order, each on what the earlier ones left.
func TestAgencyProfileAPI(t *testing.T) {
	fx := newOpsFixture(t, "sqlite")
	ctx := context.Background()
	b, _ := fx.st.CreateAgency(ctx, "agency-b", "B")
	keyB, _ := fx.st.CreateKey(ctx, b.ID)
	body := func(name, desc, site string) string {
		out, _ := json.Marshal(map[string]string{"name": name, "description": desc, "site_url": site})
		return string(out)
	}
	aSet := body("エージェントA", "Go の案件が中心です。\n副業も扱います。", "https://a.example/")
	for _, c := range []struct {
		name              string
		method, path, key string
		body              string
		status            int
		want              map[string]any // fields of the answer
		invalid           string         // the field a 422 names
	}{
		{"A reads its new profile", "GET", "/v1/agency/profile", fx.keyA, "", 200,
			map[string]any{"slug": "agency-a", "name": "A", "description": "", "site_url": ""}, ""},
		{"A sets it", "PUT", "/v1/agency/profile", fx.keyA, aSet, 200,
			map[string]any{"slug": "agency-a", "name": "エージェントA", "description": "Go の案件が中心です。\n副業も扱います。", "site_url": "https://a.example/"}, ""},
		{"A reads it back", "GET", "/v1/agency/profile", fx.keyA, "", 200,
			map[string]any{"name": "エージェントA", "site_url": "https://a.example/"}, ""},
		{"B reads its own, not A's", "GET", "/v1/agency/profile", keyB, "", 200,
			map[string]any{"slug": "agency-b", "name": "B", "description": ""}, ""},
		{"B sets its own", "PUT", "/v1/agency/profile", keyB, body("エージェントB", "", ""), 200,
			map[string]any{"slug": "agency-b", "name": "エージェントB"}, ""},
		{"CR LF folded", "PUT", "/v1/agency/profile", keyB, body("エージェントB", "一行目\r\n二行目", ""), 200,
			map[string]any{"description": "一行目\n二行目"}, ""},
		{"a tab in the description", "PUT", "/v1/agency/profile", fx.keyA, body("A", "Go\tTS", ""), 422, nil, "body.description"},
		{"2,001 characters", "PUT", "/v1/agency/profile", fx.keyA, body("A", strings.Repeat("案", 2001), ""), 422, nil, "body.description"},
		{"a javascript: site", "PUT", "/v1/agency/profile", fx.keyA, body("A", "", "javascript:alert(1)"), 422, nil, "body.site_url"},
		{"a relative site", "PUT", "/v1/agency/profile", fx.keyA, body("A", "", "/about"), 422, nil, "body.site_url"},
		{"no name", "PUT", "/v1/agency/profile", fx.keyA, `{"description": "名前なし"}`, 422, nil, "body"}, // huma: required property name
		{"a blank name", "PUT", "/v1/agency/profile", fx.keyA, body("  ", "", ""), 422, nil, "body.name"},
		{"A's profile is as A set it", "GET", "/v1/agency/profile", fx.keyA, "", 200,
			map[string]any{"name": "エージェントA", "description": "Go の案件が中心です。\n副業も扱います。", "site_url": "https://a.example/"}, ""},
		{"without a key", "PUT", "/v1/agency/profile", "", aSet, 401, nil, ""},
		{"an agency's key on the operator's path", "PUT", "/v1/operator/agencies/agency-b", fx.keyA, body("乗っ取り", "", ""), 403, nil, ""},
		{"an operator sets B's", "PUT", "/v1/operator/agencies/agency-b", fx.operatorKey, body("B社", "運用者が設定", "http://b.example/"), 200,
			map[string]any{"slug": "agency-b", "name": "B社", "description": "運用者が設定", "site_url": "http://b.example/"}, ""},
		{"B reads what the operator set", "GET", "/v1/agency/profile", keyB, "", 200,
			map[string]any{"name": "B社", "site_url": "http://b.example/"}, ""},
		{"the operator reads it", "GET", "/v1/operator/agencies/agency-b", fx.operatorKey, "", 200,
			map[string]any{"slug": "agency-b", "name": "B社", "description": "運用者が設定", "site_url": "http://b.example/"}, ""},
		{"an operator, an unknown agency", "PUT", "/v1/operator/agencies/nobody", fx.operatorKey, body("X", "", ""), 404, nil, ""},
		{"an operator, a bad site", "PUT", "/v1/operator/agencies/agency-b", fx.operatorKey, body("B社", "", "ftp://b.example/"), 422, nil, "body.site_url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := fx.Do(t, c.method, c.path, c.key, c.body)
			if r.Status != c.status {
				t.Fatalf("%s %s: %d %s; want %d", c.method, c.path, r.Status, r.Raw, c.status)
			}
			for k, v := range c.want {
				if r.Body[k] != v {
					t.Errorf("%s = %#v, want %#v (%s)", k, r.Body[k], v, r.Raw)
				}
			}
			if c.status == 200 && c.method == "PUT" && r.Body["updated_at"] == nil {
				t.Errorf("no updated_at after a PUT: %s", r.Raw)
			}
			if c.invalid != "" && !strings.Contains(r.Raw, `"location":"`+c.invalid+`"`) {
				t.Errorf("the 422 does not name %s: %s", c.invalid, r.Raw)
			}
		})
	}
}
