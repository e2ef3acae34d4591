package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPostedAtWindow: a posted_at more than a day ahead is not stored as
// given (the listing would top the newest sort for ever): the listing takes
// the time it was first stored, with a warning in the answer; one before
// 2000 is refused naming body.posted_at.
func TestPostedAtWindow(t *testing.T) {
	fx := newFixture(t)
	now := time.Now().UTC()
	listing := func(posted string) string {
		return fmt.Sprintf(`{"title": "Goでの決済API開発", "description": "バックエンド", "posted_at": %q}`, posted)
	}
	tests := []struct {
		name, id, posted string
		status           int
		warned           bool   // the answer warns about posted_at
		mentions         string // the answer must name this
	}{
		{"an hour ago", "OLD", now.Add(-time.Hour).Format(time.RFC3339), 200, false, ""},
		{"an hour ahead", "AHEAD", now.Add(time.Hour).Format(time.RFC3339), 200, false, ""},
		{"end of time", "FUTURE", "9999-12-31", 200, true, "posted_at"},
		{"end of time again", "FUTURE", "9999-12-31", 200, true, "unchanged"},
		{"next year", "NEXT", now.AddDate(1, 0, 0).Format(time.RFC3339), 200, true, "posted_at"},
		{"1999", "Y1999", "1999-12-31", 422, false, "body.posted_at"},
		{"1900", "Y1900", "1900-01-01T00:00:00Z", 422, false, "body.posted_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fx.do(t, "PUT", "/v1/agency/listings/"+tt.id, fx.keyA, listing(tt.posted))
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if !strings.Contains(r.raw, tt.mentions) {
				t.Errorf("answer does not name %q: %s", tt.mentions, r.raw)
			}
			if warned := strings.Contains(fmt.Sprint(r.body["warnings"]), "posted_at"); warned != tt.warned {
				t.Errorf("warned about posted_at: %v, want %v: %s", warned, tt.warned, r.raw)
			}
		})
	}

	// What is stored: the far-future listing carries the time it was
	// first stored, and the refused ones are not stored at all.
	for _, c := range []struct {
		id     string
		near   time.Time // zero: not stored
		leeway time.Duration
	}{
		{"FUTURE", now, time.Minute},
		{"NEXT", now, time.Minute},
		{"AHEAD", now.Add(time.Hour), time.Second},
		{"Y1999", time.Time{}, 0},
	} {
		r := fx.do(t, "GET", "/v1/agency/listings/"+c.id, fx.keyA, "")
		if c.near.IsZero() {
			if r.status != 404 {
				t.Errorf("%s: %d, want 404: %s", c.id, r.status, r.raw)
			}
			continue
		}
		var l struct {
			PostedAt time.Time `json:"posted_at"`
		}
		if err := json.Unmarshal([]byte(r.raw), &l); r.status != 200 || err != nil {
			t.Fatalf("%s: %d %v: %s", c.id, r.status, err, r.raw)
		}
		if d := l.PostedAt.Sub(c.near); d < -c.leeway || d > c.leeway {
			t.Errorf("%s: posted_at %v, want about %v", c.id, l.PostedAt, c.near)
		}
	}

	// Newest first: the listing posted an hour ahead comes before the one
	// that claimed 9999-12-31.
	r := fx.do(t, "GET", "/v1/listings?sort=newest&collapse=false", "", "")
	if r.status != 200 {
		t.Fatalf("search: %d %s", r.status, r.raw)
	}
	var order []string
	for _, h := range r.body["hits"].([]any) {
		order = append(order, h.(map[string]any)["external_id"].(string))
	}
	if len(order) != 4 || order[0] != "AHEAD" || order[3] != "OLD" {
		t.Errorf("newest order = %v, want AHEAD first and OLD last", order)
	}
}
