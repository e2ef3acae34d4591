package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/server/servertest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestAuditEveryWrite: every write operation of an agency, an operator or
// a guide editor, as the OpenAPI document lists them, leaves exactly one
// row in the audit log when it writes, with who, what, the target and
// detail the write itself gives, and from where; a request that fails
// (refused, not found, in conflict) or writes nothing (an Idempotency-Key
// repeated) leaves none. The cases run in order on one server per
// backend, each on what the earlier ones left.
func TestAuditEveryWrite(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			testAuditEveryWrite(t, backend)
		})
	}
}

func testAuditEveryWrite(t *testing.T, backend string) {
	ctx := context.Background()
	fx := newOpsFixture(t, backend)
	a, err := fx.st.AgencyBySlug(ctx, "agency-a")
	if err != nil {
		t.Fatal(err)
	}
	op := fx.operatorKey
	send := func(method, path, key, ctype, body string, header ...string) servertest.Response {
		t.Helper()
		return fx.Do(t, method, path, key, body, append([]string{"Content-Type", ctype}, header...)...)
	}
	event := []byte(`{"id": "evt_9", "type": "listing.close", "external_id": "X-1"}`)
	signature := ingest.Sign(fx.secret, time.Now(), event)
	var listingID, keyID, sourceID, heldRun int64
	source := func(path string) string {
		var g struct {
			Source string `json:"source"`
		}
		r := send("GET", path, "", "", "")
		json.Unmarshal([]byte(r.Raw), &g)
		b, _ := json.Marshal(map[string]string{"source": g.Source, "note": "audit test"})
		return string(b)
	}
	type auditCase struct {
		name   string
		do     func() servertest.Response
		status int
		// row is the kind, actor, action, target and detail of the one
		// row the request leaves (regular expressions), or nil for none.
		row []string
	}
	agencyRow := func(action, target, detail string) []string {
		return []string{store.AuditAgency, "agency-a", action, target, detail}
	}
	opRow := func(action, target, detail string) []string {
		return []string{store.AuditOperator, "山田", action, target, detail}
	}
	cases := []auditCase{
		{"put a listing", func() servertest.Response {
			r := fx.Do(t, "PUT", "/v1/agency/listings/X-1", fx.keyA, goodListing)
			if id, ok := r.Body["id"].(float64); ok {
				listingID = int64(id)
			}
			return r
		}, 200, agencyRow("put-agency-listing", "/v1/agency/listings/X-1", `put 1 listings: 1 accepted, 0 rejected`)},
		{"put refused before the write", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/agency/listings/X-1", fx.keyA, `{"external_id":"X-2","title":"t"}`)
		}, 422, nil},
		{"put with a revoked key", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/agency/listings/X-1", "ak_000000000000000000000000000000000000000000000000", goodListing)
		}, 401, nil},
		{"batch with an Idempotency-Key", func() servertest.Response {
			return send("POST", "/v1/agency/listings:batch", fx.keyA, "application/json",
				`{"listings": [{"external_id":"X-2","title":"Goの案件","description":"Go"},{"external_id":"","title":""}]}`, "Idempotency-Key", "k-1")
		}, 200, agencyRow("batch-agency-listings", "/v1/agency/listings:batch", `put 2 listings: 1 accepted, 1 rejected`)},
		{"the batch repeated with its key", func() servertest.Response {
			return send("POST", "/v1/agency/listings:batch", fx.keyA, "application/json",
				`{"listings": [{"external_id":"X-2","title":"Goの案件","description":"Go"},{"external_id":"","title":""}]}`, "Idempotency-Key", "k-1")
		}, 200, nil},
		{"close a listing", func() servertest.Response {
			return fx.Do(t, "DELETE", "/v1/agency/listings/X-2", fx.keyA, "")
		}, 200, agencyRow("close-agency-listing", `listing \d+`, `X-2 of agency-a: closed`)},
		{"close an unknown listing", func() servertest.Response {
			return fx.Do(t, "DELETE", "/v1/agency/listings/nope", fx.keyA, "")
		}, 404, nil},
		{"webhook delivery", func() servertest.Response {
			return send("POST", "/v1/webhooks/agency-a", "", "application/json", string(event), ingest.SignatureHeader, signature)
		}, 202, agencyRow("post-webhook", "/v1/webhooks/agency-a", `inbox item \d+ \(duplicate: false\)`)},
		{"the same signed delivery again", func() servertest.Response {
			return send("POST", "/v1/webhooks/agency-a", "", "application/json", string(event), ingest.SignatureHeader, signature)
		}, 409, nil},
		{"webhook signed wrongly", func() servertest.Response {
			return send("POST", "/v1/webhooks/agency-a", "", "application/json", string(event), ingest.SignatureHeader,
				ingest.Sign("whsec_wrong", time.Now(), event))
		}, 401, nil},
		{"feed upload", func() servertest.Response {
			return send("POST", "/v1/agency/feeds?format=jsonl", fx.keyA, "application/x-ndjson",
				`{"external_id":"F-1","title":"Rustの案件","description":"Rust"}`+"\n"+`{"external_id":"F-2"}`+"\n")
		}, 202, agencyRow("upload-agency-feed", `feed run \d+ of agency-a`,
			`2 rows: 0 created, 0 updated, 0 unchanged, 0 rejected, 0 closed; received`)},
		{"feed source", func() servertest.Response {
			r := fx.Do(t, "POST", "/v1/agency/feed-sources", fx.keyA, `{"url":"https://feeds.example.com/a.jsonl","format":"jsonl"}`)
			if id, ok := r.Body["id"].(float64); ok {
				sourceID = int64(id)
			}
			return r
		}, 200, agencyRow("put-agency-feed-source", "agency agency-a", `feed source \d+: https://feeds.example.com/a.jsonl \(jsonl, every 1h0m0s\)`)},
		{"feed source refused", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/agency/feed-sources", fx.keyA, `{"url":"http://127.0.0.1/a.jsonl","format":"jsonl"}`)
		}, 422, nil},
		{"delete the feed source", func() servertest.Response {
			return fx.Do(t, "DELETE", fmt.Sprintf("/v1/agency/feed-sources/%d", sourceID), fx.keyA, "")
		}, 204, agencyRow("delete-agency-feed-source", "agency agency-a", `feed source \d+: https://feeds.example.com/a.jsonl`)},
		{"delete it again", func() servertest.Response {
			return fx.Do(t, "DELETE", fmt.Sprintf("/v1/agency/feed-sources/%d", sourceID), fx.keyA, "")
		}, 404, nil},
		{"confirm a held run", func() servertest.Response {
			heldRun = holdRun(t, fx.st, fx.clock, a)
			return fx.Do(t, "POST", fmt.Sprintf("/v1/agency/feeds/%d/confirm", heldRun), fx.keyA, "")
		}, 200, agencyRow("confirm-agency-feed-run", `feed run \d+ of agency-a`, `\d+ listings closed`)},
		{"confirm it again", func() servertest.Response {
			return fx.Do(t, "POST", fmt.Sprintf("/v1/agency/feeds/%d/confirm", heldRun), fx.keyA, "")
		}, 409, nil},
		{"create an agency", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/agencies", op, `{"slug":"sakura","name":"さくら"}`)
		}, 201, opRow("create-agency", "agency sakura", "さくら")},
		{"create it again", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/agencies", op, `{"slug":"sakura"}`)
		}, 409, nil},
		{"create one with an agency's key", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/agencies", fx.keyA, `{"slug":"ume"}`)
		}, 403, nil},
		{"issue a key", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/agencies/sakura/keys", op, "")
		}, 201, opRow("issue-agency-key", "agency sakura", `key ak_[0-9a-f]{6}`)},
		{"rotate the keys", func() servertest.Response {
			r := fx.Do(t, "POST", "/v1/operator/agencies/sakura/keys/rotate", op, "")
			keys, _ := fx.st.AgencyKeys(ctx, mustSlug(t, fx.st, "sakura").ID)
			if len(keys) > 0 {
				keyID = keys[0].ID
			}
			return r
		}, 200, opRow("rotate-agency-keys", "agency sakura", `key ak_[0-9a-f]{6}; 1 revoked`)},
		{"revoke an unknown key", func() servertest.Response {
			return fx.Do(t, "DELETE", fmt.Sprintf("/v1/operator/agencies/sakura/keys/%d", keyID+100), op, "")
		}, 404, nil},
		{"revoke the key", func() servertest.Response {
			return fx.Do(t, "DELETE", fmt.Sprintf("/v1/operator/agencies/sakura/keys/%d", keyID), op, "")
		}, 200, opRow("revoke-agency-key", "agency sakura", `key \d+ revoked`)},
		{"revoke every key", func() servertest.Response {
			return fx.Do(t, "DELETE", "/v1/operator/agencies/sakura/keys", op, "")
		}, 200, opRow("revoke-agency-keys", "agency sakura", "0 keys revoked")},
		{"set the agency's profile", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/agency/profile", fx.keyA, `{"name":"エージェントA","site_url":"https://a.example/"}`)
		}, 200, agencyRow("put-agency-profile", "agency agency-a", `profile: name \(エージェントA\), site_url \(https://a.example/\)`)},
		{"set it badly", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/agency/profile", fx.keyA, `{"name":"A","site_url":"javascript:alert(1)"}`)
		}, 422, nil},
		{"an operator sets a profile", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/operator/agencies/sakura", op, `{"name":"さくらテック","description":"紹介文"}`)
		}, 200, opRow("put-agency-profile-operator", "agency sakura", `profile: name \(さくらテック\), description \(3 characters\)`)},
		{"an operator, an unknown agency's profile", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/operator/agencies/nobody", op, `{"name":"X"}`)
		}, 404, nil},
		{"a webhook secret", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/agencies/sakura/webhook-secret", op, "")
		}, 200, opRow("issue-webhook-secret", "agency sakura", "")},
		{"hide a listing", func() servertest.Response {
			return fx.Do(t, "POST", fmt.Sprintf("/v1/operator/listings/%d/hide", listingID), op, "")
		}, 200, opRow("hide-listing", `listing \d+`, "X-1 of agency-a: hidden")},
		{"hide an unknown listing", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/listings/999999/hide", op, "")
		}, 404, nil},
		{"restore it", func() servertest.Response {
			return fx.Do(t, "POST", fmt.Sprintf("/v1/operator/listings/%d/restore", listingID), op, "")
		}, 200, opRow("restore-listing", `listing \d+`, "X-1 of agency-a: restored")},
		{"replay every parked item", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/inbox/replay", op, `{"all": true}`)
		}, 200, opRow("replay-inbox", "all parked items", "0 replayed")},
		{"replay naming nothing", func() servertest.Response {
			return fx.Do(t, "POST", "/v1/operator/inbox/replay", op, `{}`)
		}, 422, nil},
		{"edit a guide", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/guides/backend", op, source("/v1/guides/backend"))
		}, 200, opRow("put-guide", "/v1/guides/backend", `revision \d+`)},
		{"edit a guide badly", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/guides/backend", op, `{"source": "no front matter"}`)
		}, 422, nil},
		{"edit a job-type article", func() servertest.Response {
			return fx.Do(t, "PUT", "/v1/roles/backend/article", op, source("/v1/roles/backend/article"))
		}, 200, opRow("put-role-article", "/v1/roles/backend/article", `revision \d+`)},
		{"a read", func() servertest.Response {
			return fx.Do(t, "GET", "/v1/operator/audit", op, "")
		}, 200, nil},
	}
	var last int64
	audited := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.do()
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Raw)
			}
			rows := storetest.AuditSince(t, fx.st, &last)
			if c.row == nil {
				if len(rows) != 0 {
					t.Errorf("rows %+v; want none", rows)
				}
				return
			}
			if len(rows) != 1 {
				t.Fatalf("%d rows %+v; want 1", len(rows), rows)
			}
			e := rows[0]
			for i, got := range []string{e.ActorKind, e.Actor, e.Action, e.Target, e.Detail, e.IP} {
				want := "127.0.0.1"
				if i < len(c.row) {
					want = c.row[i]
				}
				if !regexp.MustCompile(`^(?:` + want + `)$`).MatchString(got) {
					t.Errorf("row's %s = %q, want %s", []string{"actor kind", "actor", "action", "target", "detail", "ip"}[i], got, want)
				}
			}
			audited[e.Action] = true
		})
	}
	// Every write the document lists is among the cases.
	for _, o := range operations(fx.doc) {
		method, path := o.method, o.path
		if method == "GET" || !slices.ContainsFunc(o.Tags, func(t string) bool { return t == "agency" || t == "operator" || t == "guides" }) {
			continue
		}
		if !audited[o.OperationID] {
			t.Errorf("%s %s (%s): no case shows its audit row", method, path, o.OperationID)
		}
	}
}

// holdRun makes a full feed run of a that would close most of its open
// listings, so that it is held, and returns its id.
func holdRun(t *testing.T, st *store.Store, clock *storetest.Clock, a store.Agency) int64 {
	t.Helper()
	ctx := context.Background()
	for _, id := range []string{"H-1", "H-2", "H-3"} {
		if _, err := st.PutListing(ctx, a, &listing.Listing{ExternalID: id, Title: "Goの案件", Description: "Go",
			Status: listing.StatusOpen, PostedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(2 * time.Millisecond) // the run starts after those writes
	run, _, err := st.StartRun(ctx, a, "upload", "jsonl", true, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ctx, []store.Work{{Agency: a, RunID: run.ID, Source: "feed", Puts: []*listing.Listing{
		{ExternalID: "H-9", Title: "Goの案件", Description: "Go", Status: listing.StatusOpen, PostedAt: time.Now()}}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.EndReceive(ctx, run.ID, 1, ""); err != nil {
		t.Fatal(err)
	}
	if r, _ := st.FeedRun(ctx, a, run.ID); r.State != store.RunHeld {
		t.Fatalf("run %+v, want held", r)
	}
	return run.ID
}

func mustSlug(t *testing.T, st *store.Store, slug string) store.Agency {
	t.Helper()
	a, err := st.AgencyBySlug(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
