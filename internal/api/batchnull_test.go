package api_test

import (
	"strings"
	"testing"
)

// TestBatchNullListings: {"listings": null} is a 422 naming body.listings,
// like a missing or empty list, not an empty success.
func TestBatchNullListings(t *testing.T) {
	fx := newIngestFixture(t)
	auth := map[string]string{"Authorization": "Bearer " + fx.key, "Content-Type": "application/json"}
	for _, body := range []string{`{"listings": null}`, `{"listings": []}`, `{}`} {
		code, m := fx.send(t, "POST", "/v1/agency/listings:batch", auth, []byte(body))
		errs, _ := m["errors"].([]any)
		named := false
		for _, e := range errs {
			loc, _ := e.(map[string]any)["location"].(string)
			msg, _ := e.(map[string]any)["message"].(string)
			if strings.HasPrefix(loc, "body.listings") || loc == "body" && strings.Contains(msg, "listings") {
				named = true
			}
		}
		if code != 422 || !named {
			t.Errorf("%s: %d %v", body, code, m)
		}
	}
}
