package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"anken/internal/listing"
)

// Event is one webhook delivery's body:
//
//	{"id": "evt_123", "type": "listing.upsert", "listing": {raw listing}}
//	{"id": "evt_124", "type": "listing.close", "external_id": "X-1"}
//
// id is the agency's event id: a delivery with an id already received is
// acknowledged and not stored again, so agencies may retry freely.
// Top-level fields other than these are accepted and ignored: senders add
// fields (a timestamp, an API version) over time, and a delivery must not
// fail for carrying one.
type Event struct {
	_          struct{}     `additionalProperties:"true"`
	ID         string       `json:"id,omitempty" maxLength:"200" doc:"Your event id; a repeated id is acknowledged and not applied twice."`
	Type       string       `json:"type" enum:"listing.upsert,listing.close"`
	Listing    *listing.Raw `json:"listing,omitempty" doc:"The listing, for listing.upsert."`
	ExternalID string       `json:"external_id,omitempty" doc:"The listing to close, for listing.close."`
}

// Event types.
const (
	EventUpsert = "listing.upsert"
	EventClose  = "listing.close"
)

// EventError names the field of an event that is wrong.
type EventError struct{ Field, Reason string }

func (e *EventError) Error() string { return e.Field + ": " + e.Reason }

// ParseEvent reads and checks a webhook body.
func ParseEvent(body []byte) (Event, error) {
	var ev Event
	if !utf8.Valid(body) {
		return ev, &EventError{"body", "is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&ev); err != nil {
		return ev, &EventError{"body", "is not a JSON event: " + err.Error()}
	}
	if dec.More() {
		return ev, &EventError{"body", "has data after the event object"}
	}
	if len(ev.ID) > 200 || strings.ContainsFunc(ev.ID, func(r rune) bool { return r < 0x20 }) {
		return ev, &EventError{"id", "must be at most 200 characters without control characters"}
	}
	switch ev.Type {
	case EventUpsert:
		if ev.Listing == nil {
			return ev, &EventError{"listing", "is required for " + EventUpsert}
		}
		if ev.ExternalID != "" && ev.Listing.ExternalID == "" {
			ev.Listing.ExternalID = ev.ExternalID
		}
		if ev.Listing.ExternalID == "" {
			return ev, &EventError{"listing.external_id", "is required"}
		}
	case EventClose:
		if ev.ExternalID == "" {
			return ev, &EventError{"external_id", "is required for " + EventClose}
		}
	default:
		return ev, &EventError{"type", fmt.Sprintf("is %q: want %s or %s", ev.Type, EventUpsert, EventClose)}
	}
	return ev, nil
}
