package ingest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	now := time.Unix(1_790_000_000, 0)
	body := []byte(`{"id": "evt_1", "type": "listing.close", "external_id": "X-1"}`)
	good := Sign("whsec_a", now, body)
	tests := []struct {
		name   string
		header string
		secret string
		body   []byte
		want   error
	}{
		{"good", good, "whsec_a", body, nil},
		{"rotating: second v1 matches", "t=1790000000,v1=00ff," + strings.Split(good, ",")[1], "whsec_a", body, nil},
		{"other secret", good, "whsec_b", body, ErrSignatureMismatch},
		{"body changed", good, "whsec_a", append([]byte(" "), body...), ErrSignatureMismatch},
		{"stale", Sign("whsec_a", now.Add(-6*time.Minute), body), "whsec_a", body, ErrSignatureStale},
		{"future", Sign("whsec_a", now.Add(6*time.Minute), body), "whsec_a", body, ErrSignatureStale},
		{"missing", "", "whsec_a", body, ErrSignatureMalformed},
		{"no v1", "t=1790000000", "whsec_a", body, ErrSignatureMalformed},
		{"bad t", "t=abc,v1=00", "whsec_a", body, ErrSignatureMalformed},
		{"no secret", good, "", body, ErrSignatureMismatch},
		// Without a secret the form and the time are judged as with one,
		// so neither tells whether the agency has a secret.
		{"no secret, stale", Sign("whsec_a", now.Add(-6*time.Minute), body), "", body, ErrSignatureStale},
		{"no secret, malformed", "t=abc,v1=00", "", body, ErrSignatureMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := Verify(tc.header, tc.secret, tc.body, now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %q, %v; want %v", sig, err, tc.want)
			}
			if err == nil && !strings.HasPrefix(sig, "1790000000.") {
				t.Errorf("delivery signature %q", sig)
			}
		})
	}
}

func TestParseEvent(t *testing.T) {
	for body, field := range map[string]string{
		`{"id": "e", "type": "listing.upsert", "listing": {"external_id": "A", "title": "x"}}`:     "",
		`{"type": "listing.upsert", "external_id": "A", "listing": {"title": "x"}}`:                "",
		`{"type": "listing.close", "external_id": "A"}`:                                            "",
		`{"type": "listing.close", "external_id": "A", "created": 1767225600, "api_version": "2"}`: "",
		`{"type": "listing.upsert"}`:                               "listing",
		`{"type": "listing.upsert", "listing": {"title": "x"}}`:    "listing.external_id",
		`{"type": "listing.close"}`:                                "external_id",
		`{"type": "delete"}`:                                       "type",
		`[1]`:                                                      "body",
		`{"type": "listing.close", "external_id": "A"} {}`:         "body",
		"{\"type\": \"listing.close\", \"external_id\": \"\xff\"}": "body",
	} {
		_, err := ParseEvent([]byte(body))
		var ee *EventError
		switch {
		case field == "" && err != nil:
			t.Errorf("%s: %v", body, err)
		case field != "" && (!errors.As(err, &ee) || ee.Field != field):
			t.Errorf("%s: error %v, want one on %s", body, err, field)
		}
	}
}

// FuzzSignature checks that Verify never panics, accepts what Sign made and
// nothing signed under another secret or over another body.
func FuzzSignature(f *testing.F) {
	f.Add("whsec_a", []byte(`{"type": "listing.close", "external_id": "A"}`), "t=1790000000,v1=00", int64(0))
	f.Add("", []byte{}, "t=,v1=", int64(-400))
	f.Add("s", []byte("x"), "t=1790000000,v1=zz,v1=,=", int64(299))
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string, skew int64) {
		now := time.Unix(1_790_000_000, 0)
		Verify(header, secret, body, now) // must not panic
		at := now.Add(time.Duration(skew%600) * time.Second)
		h := Sign(secret, at, body)
		_, err := Verify(h, secret, body, now)
		fresh := now.Sub(at) <= Tolerance && at.Sub(now) <= Tolerance
		switch {
		case secret == "" && err == nil:
			t.Fatal("verified without a secret")
		case secret != "" && fresh && err != nil:
			t.Fatalf("own signature refused: %v", err)
		case !fresh && err == nil:
			t.Fatal("stale signature accepted")
		}
		if _, err := Verify(h, secret+"x", body, now); err == nil {
			t.Fatal("verified under another secret")
		}
		if _, err := Verify(h, secret, append(body, '!'), now); err == nil {
			t.Fatal("verified another body")
		}
	})
}
