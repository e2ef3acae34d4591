package traffic_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
	"anken/internal/traffic"
)

const (
	firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	safari  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)

func TestBot(t *testing.T) {
	for _, c := range []struct {
		ua  string
		bot bool
	}{
		{firefox, false},
		{safari, false},
		{"curl/8.5.0", false},
		{"", true},
		{"   ", true},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true},
		{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", true},
		{"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", true},
		{"Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)", true},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", true},
		{"Screaming Frog SEO Spider/20.0", true},
		{"SomeCRAWLER/1.0", true},
		{"Mozilla/5.0 " + string(make([]byte, 600)) + " Googlebot", true}, // longer than the stack buffer
	} {
		if got := traffic.Bot(c.ua); got != c.bot {
			t.Errorf("Bot(%.60q) = %v, want %v", c.ua, got, c.bot)
		}
	}
}

// memory is a Writer that keeps what was flushed, summed, and fails
// while fail is set.
type memory struct {
	mu      sync.Mutex
	fail    error
	flushes int
	sums    map[string]store.TrafficCounts // "day id" → counts
}

func (m *memory) AddTraffic(_ context.Context, rows []store.TrafficRow) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.flushes++
	if m.sums == nil {
		m.sums = map[string]store.TrafficCounts{}
	}
	for _, r := range rows {
		k := fmt.Sprint(r.Day, " ", r.ListingID)
		s := m.sums[k]
		s.Impressions += r.Impressions
		s.Views += r.Views
		s.Clicks += r.Clicks
		m.sums[k] = s
	}
	return nil
}

func (m *memory) got() map[string]store.TrafficCounts {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sums
}

// hit is one request a test makes.
type hit struct {
	addr, ua string
	kind     traffic.Kind
	ids      []int64
	at       time.Duration // after the test's start
	method   string        // GET when empty
	header   [2]string     // one more header, when named
}

// TestCount: a client's repeats of a kind for a listing count once a day
// (the day cut at midnight in Asia/Tokyo), other clients, kinds and
// listings apart; robots, HEADs and prefetches not at all.
func TestCount(t *testing.T) {
	// 2026-11-03 23:59:00 JST.
	start := time.Date(2026, 11, 3, 14, 59, 0, 0, time.UTC)
	c := func(i, v, k int64) store.TrafficCounts {
		return store.TrafficCounts{Impressions: i, Views: v, Clicks: k}
	}
	tests := []struct {
		name string
		hits []hit
		want map[string]store.TrafficCounts
	}{
		{"a view and a click count once each however often", []hit{
			{addr: "192.0.2.1:5000", ua: firefox, kind: traffic.View, ids: []int64{7}},
			{addr: "192.0.2.1:5001", ua: firefox, kind: traffic.View, ids: []int64{7}, at: time.Second}, // another port, same client
			{addr: "192.0.2.1:5000", ua: firefox, kind: traffic.Click, ids: []int64{7}, at: 2 * time.Second},
			{addr: "192.0.2.1:5000", ua: firefox, kind: traffic.Click, ids: []int64{7}, at: 3 * time.Second},
		}, map[string]store.TrafficCounts{"2026-11-03 7": c(0, 1, 1)}},
		{"other addresses, User-Agents and listings count apart", []hit{
			{addr: "192.0.2.1:5000", ua: firefox, kind: traffic.Impression, ids: []int64{1, 2, 3}},
			{addr: "192.0.2.2:5000", ua: firefox, kind: traffic.Impression, ids: []int64{1, 2}},
			{addr: "192.0.2.1:5000", ua: safari, kind: traffic.Impression, ids: []int64{1}},
			{addr: "192.0.2.1:5000", ua: firefox, kind: traffic.Impression, ids: []int64{3, 1, 2}},
			{addr: "[2001:db8::1]:443", ua: safari, kind: traffic.View, ids: []int64{2}},
		}, map[string]store.TrafficCounts{"2026-11-03 1": c(3, 0, 0), "2026-11-03 2": c(2, 1, 0), "2026-11-03 3": c(1, 0, 0)}},
		{"robots, HEADs and prefetches are not counted", []hit{
			{addr: "66.249.66.1:1", ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", kind: traffic.View, ids: []int64{7}},
			{addr: "192.0.2.1:1", ua: "", kind: traffic.Click, ids: []int64{7}},
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, method: "HEAD"},
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, header: [2]string{"Sec-Purpose", "prefetch"}},
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, header: [2]string{"Purpose", "prefetch"}},
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, header: [2]string{"X-Moz", "prefetch"}},
		}, map[string]store.TrafficCounts{}},
		{"the day ends at midnight in Tokyo: the same client counts again", []hit{
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}},
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, at: 59 * time.Second},
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, at: 60 * time.Second}, // 00:00:00 JST
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, at: 10 * time.Hour},
			{addr: "192.0.2.1:1", ua: firefox, kind: traffic.View, ids: []int64{7}, at: 24*time.Hour + time.Minute},
		}, map[string]store.TrafficCounts{"2026-11-03 7": c(0, 1, 0), "2026-11-04 7": c(0, 1, 0), "2026-11-05 7": c(0, 1, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := storetest.NewClock(start)
			mem := &memory{}
			ctr := traffic.New(mem, traffic.Options{Now: clock.Now})
			at := time.Duration(0)
			for _, h := range tt.hits {
				clock.Add(h.at - at)
				at = h.at
				r := httptest.NewRequest(cmpOr(h.method, "GET"), "/listings/7", nil)
				r.RemoteAddr = h.addr
				r.Header.Set("User-Agent", h.ua)
				if h.header[0] != "" {
					r.Header.Set(h.header[0], h.header[1])
				}
				ctr.Count(r, h.kind, h.ids...)
			}
			if err := ctr.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := mem.got()
			if got == nil {
				got = map[string]store.TrafficCounts{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("counts\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestFlushFailureKeepsCounts: counts a failed flush could not write are
// written, with those gathered since, by the next.
func TestFlushFailureKeepsCounts(t *testing.T) {
	mem := &memory{fail: errors.New("store down")}
	ctr := traffic.New(mem, traffic.Options{})
	get := func(addr string, id int64) {
		r := httptest.NewRequest("GET", "/go/1/a", nil)
		r.RemoteAddr, r.Header["User-Agent"] = addr, []string{firefox}
		ctr.Count(r, traffic.Click, id)
	}
	get("192.0.2.1:1", 1)
	if err := ctr.Flush(context.Background()); err == nil {
		t.Fatal("a flush to a failing store reported no error")
	}
	get("192.0.2.2:1", 1)
	get("192.0.2.2:1", 2)
	mem.mu.Lock()
	mem.fail = nil
	mem.mu.Unlock()
	if err := ctr.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	day := traffic.Day(time.Now())
	want := map[string]store.TrafficCounts{day + " 1": {Clicks: 2}, day + " 2": {Clicks: 1}}
	if got := mem.got(); !reflect.DeepEqual(got, want) || ctr.Pending() != 0 {
		t.Errorf("after a failed flush and a good one: %v, %d pending; want %v", got, ctr.Pending(), want)
	}
}

// TestNodesAddUp: two counters (two nodes) over one store, each flushing
// its own counts, some more than once, add up; and a counter stopped
// writes what it gathered since its last flush. On SQLite and, with
// ANKEN_TEST_DATABASE_URL, PostgreSQL.
func TestNodesAddUp(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, backend)
			a, err := st.CreateAgency(ctx, "sakura", "さくらエージェント")
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for i := range 3 {
				r, err := st.PutListing(ctx, a, &listing.Listing{ExternalID: fmt.Sprint("S-", i), Title: "Go の開発", Description: "Go",
					Status: listing.StatusOpen, PostedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			clock := storetest.NewClock(time.Date(2026, 11, 3, 3, 0, 0, 0, time.UTC)) // 12:00 JST
			nodes := []*traffic.Counter{
				traffic.New(st, traffic.Options{Now: clock.Now, Every: time.Hour}),
				traffic.New(st, traffic.Options{Now: clock.Now, Every: time.Hour}),
			}
			// Each of 20 clients sees the three listings on a search page on
			// both nodes, opens the first on node 0 and clicks it on node 1:
			// once per node each, as a node does not know what another saw.
			var wg sync.WaitGroup
			for n, ctr := range nodes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 20 {
						r := httptest.NewRequest("GET", "/search", nil)
						r.RemoteAddr, r.Header["User-Agent"] = fmt.Sprintf("198.51.100.%d:4000", i), []string{safari}
						ctr.Count(r, traffic.Impression, ids...)
						ctr.Count(r, traffic.Impression, ids...) // the page again
						if n == 0 {
							ctr.Count(r, traffic.View, ids[0])
						} else {
							ctr.Count(r, traffic.Click, ids[0])
						}
						if i == 10 {
							if err := ctr.Flush(ctx); err != nil {
								t.Error(err)
							}
						}
					}
				}()
			}
			wg.Wait()
			if err := nodes[0].Flush(ctx); err != nil {
				t.Fatal(err)
			}
			// Node 1 is stopped: its Run writes what is pending and returns.
			run, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { nodes[1].Run(run); close(done) }()
			stop()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("Run did not return within a minute of being stopped")
			}
			if n := nodes[1].Pending(); n != 0 {
				t.Errorf("%d counts pending after Run stopped", n)
			}
			got, err := st.AgencyTraffic(ctx, a, "2026-11-03", "2026-11-03", 0)
			if err != nil {
				t.Fatal(err)
			}
			want := store.AgencyTraffic{
				Days: []store.DayTraffic{{Day: "2026-11-03", TrafficCounts: store.TrafficCounts{Impressions: 120, Views: 20, Clicks: 20}}},
				Listings: []store.ListingTraffic{
					{ListingID: ids[0], ExternalID: "S-0", TrafficCounts: store.TrafficCounts{Impressions: 40, Views: 20, Clicks: 20}},
					{ListingID: ids[1], ExternalID: "S-1", TrafficCounts: store.TrafficCounts{Impressions: 40}},
					{ListingID: ids[2], ExternalID: "S-2", TrafficCounts: store.TrafficCounts{Impressions: 40}},
				},
			}
			slices.SortFunc(got.Listings, func(a, b store.ListingTraffic) int { return int(a.ListingID - b.ListingID) })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("two nodes' counts:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// BenchmarkCount is the cost counting adds to a search page: twenty
// cards' impressions, by clients that are mostly new.
func BenchmarkCount(b *testing.B) {
	ctr := traffic.New(&memory{}, traffic.Options{})
	ids := make([]int64, 20)
	r := httptest.NewRequest("GET", "/search", nil)
	r.Header.Set("User-Agent", safari)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		r.RemoteAddr = "198.51.100.1:4000"
		for j := range ids {
			ids[j] = int64(i%5000*20 + j)
		}
		ctr.Count(r, traffic.Impression, ids...)
	}
}
