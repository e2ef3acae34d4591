package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"anken/internal/server/servertest"
	"anken/internal/store"
)

// TestOpsAgencyProfile: an operator edits an agency's profile on its /ops
// page: a refused field comes back with what was typed and why (422,
// nothing changed), a good one is saved (audited) and shows on the
// agency's public page at once; a visitor without a session changes
// nothing.
func TestOpsAgencyProfile(t *testing.T) {
	fx := newOpsFixture(t)
	ctx := context.Background()
	anon := fx.Browser()
	wantRedirect(t, "logged out", anon.Do(t, "GET", "/ops/agencies/techlink", nil), "/ops?next=")
	wantRedirect(t, "logged out post", anon.Do(t, "POST", "/ops/agencies/techlink/profile", url.Values{"name": {"乗っ取り"}}), "/ops?next=")
	c := fx.Browser()
	wantRedirect(t, "login", c.Do(t, "POST", "/ops/login", url.Values{"key": {fx.opKey}, "next": {"/ops"}}), "/ops")

	p := c.Do(t, "GET", "/ops/agencies/techlink", nil)
	checkOpsPage(t, "agency page", p)
	if p.Status != 200 || len(p.All(`form[action="/ops/agencies/techlink/profile"][method="post"]`)) != 1 ||
		len(p.All(`input[name="name"][value="テックリンク"]`)) != 1 || len(p.All(`textarea[name="description"]`)) != 1 ||
		len(p.All(`input[name="site_url"][type="url"]`)) != 1 {
		t.Fatalf("agency page: %d without the profile form\n%s", p.Status, p.Main())
	}
	if len(servertest.All(c.Do(t, "GET", "/ops/agencies", nil).Doc, `a[href="/ops/agencies/techlink"]`)) != 1 {
		t.Error("the agencies' list does not link techlink's page")
	}
	for _, bad := range []struct {
		field string
		form  url.Values
	}{
		{"site_url", url.Values{"name": {"テックリンク"}, "description": {"紹介"}, "site_url": {"javascript:alert(1)"}}},
		{"description", url.Values{"name": {"テックリンク"}, "description": {strings.Repeat("案", 2001)}}},
		{"name", url.Values{"name": {""}, "description": {"紹介"}}},
	} {
		p := c.Do(t, "POST", "/ops/agencies/techlink/profile", bad.form)
		if p.Status != 422 {
			t.Fatalf("%s refused: %d; want 422", bad.field, p.Status)
		}
		if len(p.All(`[name="`+bad.field+`"][aria-invalid="true"]`)) != 1 || len(p.All(`div[role="alert"]`)) != 1 {
			t.Errorf("%s refused: the field is not marked invalid with an alert\n%s", bad.field, p.Main())
		}
		if bad.field == "site_url" && len(p.All(`input[name="site_url"][value="javascript:alert(1)"]`)) != 1 {
			t.Error("the refused form lost what was typed")
		}
	}
	if pr, _ := fx.st.AgencyProfile(ctx, "techlink"); pr.Description != "" || pr.SiteURL != "" {
		t.Fatalf("a refused form changed the profile: %+v", pr)
	}
	// A textarea sends CR LF: stored as \n, one paragraph a line.
	form := url.Values{"name": {"テックリンク株式会社"}, "description": {"Go の案件が中心です。\r\n副業も扱います。"}, "site_url": {"https://techlink.example/"}}
	wantRedirect(t, "save", c.Do(t, "POST", "/ops/agencies/techlink/profile", form), "/ops/agencies/techlink?done=profile")
	pr, err := fx.st.AgencyProfile(ctx, "techlink")
	if err != nil || pr.Name != "テックリンク株式会社" || pr.Description != "Go の案件が中心です。\n副業も扱います。" || pr.SiteURL != "https://techlink.example/" {
		t.Fatalf("stored %+v, %v", pr, err)
	}
	if p := c.Do(t, "GET", "/ops/agencies/techlink?done=profile", nil); !strings.Contains(p.Text(`[role=status]`), "プロフィールを保存しました") {
		t.Error("no notice after saving")
	}
	pub := anon.Do(t, "GET", "/agencies/techlink", nil)
	if pub.Status != 200 || len(pub.All(`p.agency-desc`)) != 2 || len(pub.All(`a[href="https://techlink.example/"]`)) != 1 ||
		pub.Text(`h1`) != "テックリンク株式会社" {
		t.Errorf("public page after saving: %d\n%s", pub.Status, pub.Main())
	}
	if p := c.Do(t, "GET", "/ops/agencies/nobody", nil); p.Status != 404 {
		t.Errorf("an unknown agency's page: %d; want 404", p.Status)
	}
	if p := c.Do(t, "POST", "/ops/agencies/nobody/profile", form); p.Status != 404 {
		t.Errorf("an unknown agency's profile: %d; want 404", p.Status)
	}
	es, _ := fx.st.AuditLog(ctx, store.AuditFilter{Action: "put-agency-profile-operator"})
	if len(es) != 1 || es[0].Actor != "山田" || es[0].Target != "agency techlink" ||
		es[0].Detail != "profile: name (テックリンク株式会社), description (21 characters), site_url (https://techlink.example/)" {
		t.Errorf("audit rows %+v; want one of 山田's save", es)
	}
}
