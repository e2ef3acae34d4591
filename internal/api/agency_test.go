package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"anken/internal/api"
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
			r := fx.Do(t, "PUT", "/v1/agency/listings/"+tt.id, fx.keyA, listing(tt.posted))
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Raw)
			}
			if !strings.Contains(r.Raw, tt.mentions) {
				t.Errorf("answer does not name %q: %s", tt.mentions, r.Raw)
			}
			if warned := strings.Contains(fmt.Sprint(r.Body["warnings"]), "posted_at"); warned != tt.warned {
				t.Errorf("warned about posted_at: %v, want %v: %s", warned, tt.warned, r.Raw)
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
		r := fx.Do(t, "GET", "/v1/agency/listings/"+c.id, fx.keyA, "")
		if c.near.IsZero() {
			if r.Status != 404 {
				t.Errorf("%s: %d, want 404: %s", c.id, r.Status, r.Raw)
			}
			continue
		}
		var l struct {
			PostedAt time.Time `json:"posted_at"`
		}
		if err := json.Unmarshal([]byte(r.Raw), &l); r.Status != 200 || err != nil {
			t.Fatalf("%s: %d %v: %s", c.id, r.Status, err, r.Raw)
		}
		if d := l.PostedAt.Sub(c.near); d < -c.leeway || d > c.leeway {
			t.Errorf("%s: posted_at %v, want about %v", c.id, l.PostedAt, c.near)
		}
	}

	// Newest first: the listing posted an hour ahead comes before the one
	// that claimed 9999-12-31.
	r := fx.Do(t, "GET", "/v1/listings?sort=newest&collapse=false", "", "")
	if r.Status != 200 {
		t.Fatalf("search: %d %s", r.Status, r.Raw)
	}
	var order []string
	for _, h := range r.Body["hits"].([]any) {
		order = append(order, h.(map[string]any)["external_id"].(string))
	}
	if len(order) != 4 || order[0] != "AHEAD" || order[3] != "OLD" {
		t.Errorf("newest order = %v, want AHEAD first and OLD last", order)
	}
}

// TestInvalidUTF8Refused: bytes that are not UTF-8 in a JSON body or in the
// path's external_id are refused, as webhooks and feeds refuse them, rather
// than stored as U+FFFD (where two external ids would become one).
func TestInvalidUTF8Refused(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		location                 string // errors[].location naming what is wrong
	}{
		{"PUT title", "PUT", "/v1/agency/listings/U-1", "{\"title\": \"Go開発\xff\"}", 400, "body"},
		{"PUT body external_id", "PUT", "/v1/agency/listings/U-1", "{\"external_id\": \"U-1\xff\", \"title\": \"Go開発\"}", 400, "body"},
		{"PUT cut rune", "PUT", "/v1/agency/listings/U-1", `{"title": "Go` + "開"[:2] + `"}`, 400, "body"},
		{"PUT path", "PUT", "/v1/agency/listings/U-%FF", `{"title": "Go開発"}`, 422, "path.external_id"},
		{"PUT path cut rune", "PUT", "/v1/agency/listings/U-%E6%A1", `{"title": "Go開発"}`, 422, "path.external_id"},
		{"batch item", "POST", "/v1/agency/listings:batch",
			`{"listings": [{"external_id": "U-2", "title": "Go開発"}, {"external_id": "U-3` + "\xff" + `", "title": "Go開発"}]}`, 400, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fx.Do(t, tt.method, tt.path, fx.keyA, tt.body)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Raw)
			}
			if !strings.Contains(r.Raw, "UTF-8") || !strings.Contains(r.Raw, `"location":"`+tt.location+`"`) {
				t.Errorf("problem does not name %s as not UTF-8: %s", tt.location, r.Raw)
			}
		})
	}
	// Nothing was stored, not even the batch's good item.
	if r := fx.Do(t, "GET", "/v1/listings?collapse=false", "", ""); r.Status != 200 || r.Body["total"] != 0.0 {
		t.Errorf("listings stored: %d %s", r.Status, r.Raw)
	}
	for _, id := range []string{"U-1", "U-2", "U-3%EF%BF%BD", "U-%EF%BF%BD"} {
		if r := fx.Do(t, "GET", "/v1/agency/listings/"+id, fx.keyA, ""); r.Status != 404 {
			t.Errorf("%s stored: %d %s", id, r.Status, r.Raw)
		}
	}
	// The same requests in valid UTF-8 are stored.
	if r := fx.Do(t, "PUT", "/v1/agency/listings/U-%E6%A1%88", fx.keyA, `{"title": "Go開発"}`); r.Status != 200 {
		t.Errorf("PUT U-案: %d %s", r.Status, r.Raw)
	}
}

// TestBatchBodyLimit: a batch body of MaxBatchBytes is read; one byte more
// is refused with 413 before it is decoded.
func TestBatchBodyLimit(t *testing.T) {
	fx := newFixture(t)
	const item = `{"listings": [{"external_id": "L-1", "title": "Go開発"}]`
	body := func(size int) string { // item padded with spaces to size bytes
		return item + strings.Repeat(" ", size-len(item)-1) + "}"
	}
	tests := []struct {
		name   string
		size   int
		status int
	}{
		{"small", len(item) + 1, 200},
		{"at the limit", api.MaxBatchBytes, 200},
		{"one byte over", api.MaxBatchBytes + 1, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fx.Do(t, "POST", "/v1/agency/listings:batch", fx.keyA, body(tt.size))
			if r.Status != tt.status {
				t.Fatalf("%d bytes: status %d, want %d: %.300s", tt.size, r.Status, tt.status, r.Raw)
			}
			if tt.status == 413 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("413 as %q, want application/problem+json", r.Header.Get("Content-Type"))
			}
		})
	}
}
