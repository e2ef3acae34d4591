package listing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Raw is a listing as an agency sends it: through the agency API, a feed or
// `anken normalize`. Every optional field may be free text
// ("rate": "月額60万〜70万円") or already structured
// ("rate": {"unit": "month", "min": 600000, "max": 700000}).
type Raw struct {
	ExternalID   string `json:"external_id,omitempty"`
	Title        string `json:"title,omitempty"`
	Description  string `json:"description,omitempty"`
	Rate         Value  `json:"rate,omitzero"`
	Remote       Value  `json:"remote,omitzero"`
	Days         Value  `json:"days,omitzero"`
	Hours        Value  `json:"hours,omitzero"`
	Location     Value  `json:"location,omitzero"`
	Skills       Value  `json:"skills,omitzero"`
	Role         Value  `json:"role,omitzero"`
	Contract     Value  `json:"contract,omitzero"`
	Start        Value  `json:"start,omitzero"`
	SideJob      Value  `json:"side_job,omitzero"`
	Experience   Value  `json:"experience,omitzero"` // 「Go経験2年以上」 or [{"skill": "go", "years": 2}]
	ApplyURL     string `json:"apply_url,omitempty"`
	PostedAt     string `json:"posted_at,omitempty"`     // RFC 3339 or YYYY-MM-DD
	ValidThrough string `json:"valid_through,omitempty"` // RFC 3339 or YYYY-MM-DD
}

// Value is one optional raw field: a JSON string, number, boolean, array or
// object, kept as sent until the normalizer reads it. The zero Value is absent.
type Value struct {
	raw json.RawMessage
}

// TextValue returns a Value holding the string s.
func TextValue(s string) Value {
	b, _ := json.Marshal(s)
	return Value{raw: b}
}

// JSONValue returns a Value holding v encoded as JSON.
func JSONValue(v any) (Value, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Value{}, err
	}
	return Value{raw: b}, nil
}

// IsZero reports whether the field was absent or null.
func (v Value) IsZero() bool {
	return len(v.raw) == 0 || bytes.Equal(v.raw, []byte("null"))
}

// Text returns the value as a string when it was sent as one.
func (v Value) Text() (string, bool) {
	if len(v.raw) == 0 || v.raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(v.raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// Decode decodes a structured value into dst.
func (v Value) Decode(dst any) error {
	if v.IsZero() {
		return errors.New("value is absent")
	}
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("decode %s: %w", v.raw, err)
	}
	return nil
}

// Kind names the JSON kind of the value: "string", "number", "bool",
// "array", "object" or "" when absent.
func (v Value) Kind() string {
	if v.IsZero() {
		return ""
	}
	switch v.raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	default:
		return "number"
	}
}

// String returns the value's JSON text.
func (v Value) String() string { return string(v.raw) }

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) {
	if len(v.raw) == 0 {
		return []byte("null"), nil
	}
	return v.raw, nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *Value) UnmarshalJSON(b []byte) error {
	v.raw = append(v.raw[:0], b...)
	return nil
}
