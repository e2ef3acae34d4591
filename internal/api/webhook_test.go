package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"anken/internal/ingest"
)

// rawSend posts body and returns the status and the bytes of the answer.
func (fx *ingestFixture) rawSend(t *testing.T, path string, header map[string]string, body []byte) (int, string) {
	t.Helper()
	r := fx.request(t, "POST", path, header, body)
	return r.Status, r.Raw
}

// TestWebhookRefusalsAlike: an unknown agency, an agency without a webhook
// secret and a wrong signature answer byte for byte alike, so the path
// tells a stranger nothing of which agencies exist.
func TestWebhookRefusalsAlike(t *testing.T) {
	fx := newIngestFixture(t)
	ctx := context.Background()
	if _, err := fx.st.CreateAgency(ctx, "agency-nosecret", "No secret"); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id": "evt_1", "type": "listing.close", "external_id": "W-1"}`)
	now := time.Now()
	cases := []struct {
		name, path, secret string
	}{
		{"unknown agency", "/v1/webhooks/nobody", fx.secret},
		{"agency without a secret", "/v1/webhooks/agency-nosecret", fx.secret},
		{"wrong signature", "/v1/webhooks/agency-a", "whsec_wrong"},
	}
	var first string
	for i, c := range cases {
		h := map[string]string{"Anken-Signature": ingest.Sign(c.secret, now, body), "Content-Type": "application/json"}
		code, got := fx.rawSend(t, c.path, h, body)
		if code != 401 {
			t.Errorf("%s: %d %s", c.name, code, got)
		}
		if strings.Contains(got, "nobody") || strings.Contains(got, "nosecret") || strings.Contains(got, "not found") {
			t.Errorf("%s names the agency or its absence: %s", c.name, got)
		}
		if i == 0 {
			first = got
		} else if got != first {
			t.Errorf("%s answers\n%s\nunlike %s:\n%s", c.name, got, cases[0].name, first)
		}
	}
	if !strings.Contains(first, "signature not valid for this webhook") {
		t.Errorf("refusal: %s", first)
	}
	// A stale or malformed header is judged before the agency: the same
	// answer whatever the slug.
	for name, header := range map[string]string{
		"stale":     ingest.Sign(fx.secret, now.Add(-6*time.Minute), body),
		"malformed": "t=abc,v1=00",
	} {
		_, known := fx.rawSend(t, "/v1/webhooks/agency-a", map[string]string{"Anken-Signature": header}, body)
		_, unknown := fx.rawSend(t, "/v1/webhooks/nobody", map[string]string{"Anken-Signature": header}, body)
		if known != unknown {
			t.Errorf("%s header: known agency answers\n%s\nunknown one\n%s", name, known, unknown)
		}
	}
}

// TestWebhookEventAsDocumented: a replayed signed delivery is 409 and an
// event with top-level fields anken does not know is accepted (README,
// Webhook signatures; the post-webhook operation).
func TestWebhookEventAsDocumented(t *testing.T) {
	fx := newIngestFixture(t)
	ctx := context.Background()
	body := []byte(`{"id": "evt_9", "type": "listing.upsert", "created": 1767225600, "api_version": "2026-01",
		"listing": {"external_id": "U-1", "title": "【Go】APIの開発", "rate": "月額70万円"}}`)
	h := map[string]string{"Anken-Signature": ingest.Sign(fx.secret, time.Now(), body), "Content-Type": "application/json"}
	if code, m := fx.send(t, "POST", "/v1/webhooks/agency-a", h, body); code != 202 {
		t.Fatalf("event with unknown fields: %d %v", code, m)
	}
	code, m := fx.send(t, "POST", "/v1/webhooks/agency-a", h, body)
	if code != 409 || !strings.Contains(m["detail"].(string), "received before") {
		t.Errorf("replayed delivery: %d %v", code, m)
	}
	fx.drain(t)
	if l, err := fx.st.AgencyListing(ctx, fx.agency, "U-1"); err != nil || l.Rate.MonthlyMin != 700_000 {
		t.Errorf("U-1 after the worker: %+v, %v", l, err)
	}
}
