package market

import (
	"context"
	"sync"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/store"
)

func TestScopeOf(t *testing.T) {
	yes := true
	for _, c := range []struct {
		q     search.Query
		scope string
		exact bool
	}{
		{search.Query{Collapse: true}, Overall, true},
		{search.Query{Collapse: true, Sort: search.SortRate, Limit: 5, Facets: search.Facets}, Overall, true},
		{search.Query{}, Overall, false}, // not collapsed: snapshots count each job once
		// Role and skill snapshots are of full-workload listings.
		{search.Query{Collapse: true, Roles: []listing.Role{"backend"}, Workload: listing.WorkloadFull}, "role:backend", true},
		{search.Query{Collapse: true, Skills: []string{"go"}, Workload: listing.WorkloadFull}, "skill:go", true},
		{search.Query{Collapse: true, Roles: []listing.Role{"backend"}}, "role:backend", false},
		{search.Query{Collapse: true, Skills: []string{"go"}, Workload: listing.WorkloadPart}, "skill:go", false},
		{search.Query{Collapse: true, Workload: listing.WorkloadFull}, Overall, false},
		{search.Query{Collapse: true, Roles: []listing.Role{"backend"}, Workload: listing.WorkloadFull, HourlyMin: 3000}, "role:backend", false},
		{search.Query{Collapse: true, Roles: []listing.Role{"backend"}, Remotes: []listing.Remote{"full"}}, "role:backend", false},
		{search.Query{Collapse: true, Roles: []listing.Role{"backend"}, Skills: []string{"go"}}, "role:backend", false},
		{search.Query{Collapse: true, Skills: []string{"go", "aws"}}, "skill:go", false},
		{search.Query{Collapse: true, Roles: []listing.Role{"backend", "sre"}, Skills: []string{"go"}}, "skill:go", false},
		{search.Query{Collapse: true, Roles: []listing.Role{"backend", "sre"}}, Overall, false},
		{search.Query{Collapse: true, Text: "東京"}, Overall, false},
		{search.Query{Collapse: true, SideJob: &yes}, Overall, false},
	} {
		scope, exact := ScopeOf(c.q)
		if scope != c.scope || exact != c.exact {
			t.Errorf("ScopeOf(%+v) = %s, %v; want %s, %v", c.q, scope, exact, c.scope, c.exact)
		}
	}
}

func TestWindow(t *testing.T) {
	// 2026-11-20 16:00 UTC is 2026-11-21 01:00 in Tokyo.
	from, to := Window(time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC), 90)
	if from != "2026-08-24" || to != "2026-11-21" {
		t.Errorf("Window = %s..%s, want 2026-08-24..2026-11-21", from, to)
	}
}

// fakeStore keeps snapshots and one lease in memory.
type fakeStore struct {
	mu     sync.Mutex
	snaps  map[[2]string]store.MarketSnapshot // scope, day
	holder string
	puts   int
}

func (f *fakeStore) TakeLease(_ context.Context, name, holder string, _ time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.holder != "" && f.holder != holder {
		return false, nil
	}
	f.holder = holder
	return true, nil
}

func (f *fakeStore) ReleaseLease(_ context.Context, name, holder string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.holder == holder {
		f.holder = ""
	}
	return nil
}

func (f *fakeStore) MarketDays(context.Context) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	first, last := "", ""
	for k := range f.snaps {
		if first == "" || k[1] < first {
			first = k[1]
		}
		last = max(last, k[1])
	}
	if first == "" {
		return "", "", store.ErrNotFound
	}
	return first, last, nil
}

func (f *fakeStore) PutMarketSnapshots(_ context.Context, snaps []store.MarketSnapshot) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	for _, s := range snaps {
		f.snaps[[2]string{s.Scope, s.Day}] = s
	}
	return nil
}

// TestDaily: one node of two takes the day's snapshots, once; the first
// day of a demo store is backfilled; a node whose index is loading waits.
func TestDaily(t *testing.T) {
	ctx := context.Background()
	x := search.NewIndex()
	for i, r := range []int64{600_000, 650_000, 700_000, 0} {
		x.Upsert(&listing.Listing{ID: int64(i + 1), Title: "Go", Status: listing.StatusOpen, Role: "backend",
			Skills: []string{"go"}, Rate: listing.Rate{MonthlyMin: r}})
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, Tokyo)
	st := &fakeStore{snaps: map[[2]string]store.MarketSnapshot{}}
	history := 0
	a := &Daily{Store: st, Index: x, Holder: "a", Now: func() time.Time { return now },
		History: func(today []store.MarketSnapshot) []store.MarketSnapshot {
			history++
			return []store.MarketSnapshot{{Day: "2026-11-19", Scope: Overall, Count: 3, Demo: true}}
		}}
	b := &Daily{Store: st, Index: x, Holder: "b", Now: func() time.Time { return now }, Ready: func() bool { return false }}
	if took, err := b.Once(ctx); took || err != nil {
		t.Fatalf("a node whose index is loading took snapshots: %v, %v", took, err)
	}
	st.holder = "b" // b holds the lease: a waits for it
	if took, err := a.Once(ctx); took || err != nil {
		t.Fatalf("took snapshots without the lease: %v, %v", took, err)
	}
	st.holder = ""
	if took, err := a.Once(ctx); !took || err != nil {
		t.Fatalf("Once = %v, %v; want taken", took, err)
	}
	if took, err := a.Once(ctx); took || err != nil || st.puts != 1 || history != 1 {
		t.Fatalf("taken twice a day: %v, %v, %d puts, %d histories", took, err, st.puts, history)
	}
	if st.holder != "" {
		t.Errorf("lease kept by %s after the job", st.holder)
	}
	overall := st.snaps[[2]string{Overall, "2026-11-20"}]
	want := store.MarketSnapshot{Day: "2026-11-20", Scope: Overall, Count: 4, Priced: 3, P25: 600_000, Median: 650_000,
		P75: 700_000, ZoneFrom: 600_000, ZoneTo: 700_000, PayRule: PayRule}
	if overall != want {
		t.Errorf("overall = %+v, want %+v", overall, want)
	}
	if s, ok := st.snaps[[2]string{"role:backend", "2026-11-20"}]; !ok || s.Count != 4 {
		t.Errorf("role:backend = %+v, %v", s, ok)
	}
	if s, ok := st.snaps[[2]string{"role:pm", "2026-11-20"}]; !ok || s.Count != 0 {
		t.Errorf("every role is taken, even without listings: role:pm = %+v, %v", s, ok)
	}
	if s, ok := st.snaps[[2]string{"skill:go", "2026-11-20"}]; !ok || s.Median != 650_000 {
		t.Errorf("skill:go = %+v, %v", s, ok)
	}
	if _, ok := st.snaps[[2]string{"skill:rust", "2026-11-20"}]; ok {
		t.Error("a skill without listings has a snapshot")
	}
	if _, ok := st.snaps[[2]string{Overall, "2026-11-19"}]; !ok {
		t.Error("no demo history")
	}
	// The next day: taken again, without history (the store has some).
	now = now.AddDate(0, 0, 1)
	if took, err := a.Once(ctx); !took || err != nil || history != 1 {
		t.Fatalf("next day: %v, %v, %d histories", took, err, history)
	}
}

func TestTrendOf(t *testing.T) {
	tr := TrendOf("role:backend", true, "2026-11-19", "2026-11-20", []store.MarketSnapshot{
		{Day: "2026-11-19", Count: 3, Demo: true},
		{Day: "2026-11-20", Count: 4, Median: 650_000, ZoneFrom: 600_000, ZoneTo: 700_000},
	})
	if !tr.Demo || len(tr.Points) != 2 || tr.Points[0].VolumeZone != nil || tr.Points[0].Median != 0 ||
		*tr.Points[1].VolumeZone != (ZoneRange{600_000, 700_000}) || tr.Points[1].Median != 650_000 {
		t.Errorf("TrendOf = %+v", tr)
	}
}

// A trend says on which day the pay rule changed, and each point which
// rule it was taken under.
func TestTrendRuleChanged(t *testing.T) {
	snaps := []store.MarketSnapshot{
		{Day: "2026-12-05", Scope: "role:backend", Count: 5, Median: 720_000, PayRule: 1},
		{Day: "2026-12-06", Scope: "role:backend", Count: 5, Median: 720_000},
		{Day: "2026-12-07", Scope: "role:backend", Count: 4, Median: 650_000, PayRule: PayRule},
		{Day: "2026-12-08", Scope: "role:backend", Count: 4, Median: 650_000, PayRule: PayRule},
	}
	tr := TrendOf("role:backend", true, "2026-12-01", "2026-12-08", snaps)
	if tr.RuleChanged != "2026-12-07" {
		t.Errorf("rule changed %q, want 2026-12-07", tr.RuleChanged)
	}
	for i, want := range []int{1, 1, PayRule, PayRule} {
		if tr.Points[i].PayRule != want {
			t.Errorf("point %d pay rule %d, want %d", i, tr.Points[i].PayRule, want)
		}
	}
	if tr := TrendOf("role:backend", true, "2026-12-07", "2026-12-08", snaps[2:]); tr.RuleChanged != "" {
		t.Errorf("rule changed %q in a trend of the new rule only", tr.RuleChanged)
	}
}
