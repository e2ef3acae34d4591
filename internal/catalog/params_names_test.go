package catalog

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

// TestParamNames: ParseParams reads every parameter ParamNames lists, and
// no other (each sample changes what it reads; a name not listed changes
// nothing).
func TestParamNames(t *testing.T) {
	sample := map[string]string{"q": "Go", "skill": "go", "role": "backend", "remote": "full", "prefecture": "JP-13",
		"contract": "outsourcing", "rate_min": "500000", "rate_max": "900000", "hourly_min": "3000", "hourly_max": "6000",
		"workload": "part", "agency": "techlink", "posted_within": "7d", "days_max": "3", "side_job": "true", "sort": "newest", "facets": "role", "collapse": "false",
		"cursor": "abc", "limit": "5", "basis": "hourly"}
	zero, err := ParseParams(url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range ParamNames {
		v, ok := sample[name]
		if !ok {
			t.Fatalf("no sample value for %s", name)
		}
		p, err := ParseParams(url.Values{name: {v}})
		if err != nil {
			t.Fatalf("%s=%s: %v", name, v, err)
		}
		if reflect.DeepEqual(p, zero) {
			t.Errorf("%s=%s: ParseParams does not read it", name, v)
		}
		if _, err := p.Query(); err != nil {
			t.Errorf("%s=%s is not accepted: %v", name, v, err)
		}
	}
	if len(sample) != len(ParamNames) {
		t.Errorf("samples for %d parameters, ParamNames lists %d", len(sample), len(ParamNames))
	}
	if p, _ := ParseParams(url.Values{"utm_source": {"x"}}); !reflect.DeepEqual(p, zero) {
		t.Errorf("an unknown parameter changed what was read: %+v", p)
	}
}

// posted_within reads back from the time asked, to the minute.
func TestPostedWithin(t *testing.T) {
	now := time.Date(2026, 12, 8, 9, 30, 45, 0, time.UTC)
	for _, c := range []struct {
		value string
		want  time.Time
	}{
		{"1d", time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)},
		{"3d", time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)},
		{"7d", time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)},
		{"30d", time.Date(2026, 11, 8, 9, 30, 0, 0, time.UTC)},
		{"", time.Time{}},
	} {
		q, err := Params{PostedWithin: c.value}.QueryAt(now)
		if err != nil {
			t.Fatalf("%s: %v", c.value, err)
		}
		want := int64(0)
		if !c.want.IsZero() {
			want = c.want.Unix()
		}
		if q.SeenSince != want {
			t.Errorf("%s: since %v, want %v", c.value, time.Unix(q.SeenSince, 0).UTC(), c.want)
		}
	}
}
