package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/store"
	"anken/internal/web"
)

// PageOptions configure a page benchmark.
type PageOptions struct {
	Listings int
	Seed     uint64
	Requests int // timed requests per class
	Log      io.Writer
	Profile  io.Writer // when set, receives a CPU profile of the timed requests
}

// PageReport is what a page run measured.
type PageReport struct {
	Listings int
	Build    time.Duration
	Classes  []PageClass
}

// PageClass holds one class's figures: server time (the handler, from
// the request's arrival to the last byte written), time at the client
// over loopback HTTP, and the bytes of the page.
type PageClass struct {
	Name             string
	Server, Client   Latency
	BytesP50, BytesX int // median and largest page
}

// Pages measures the search page as a browser meets it: anken's pages
// served over HTTP on loopback from the index over generated listings,
// each request a whole page (search, disjunctive facet counts, listings,
// rendering). Listings are read from memory rather than a database, so
// the figures are the index and the page; a store read of one page of
// listings by id adds about a millisecond on SQLite.
func Pages(ctx context.Context, o PageOptions) (*PageReport, error) {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	rep := &PageReport{Listings: o.Listings}
	ls := Generate(o.Listings, o.Seed)
	logf("generated and normalized %d listings", len(ls))
	x := search.NewIndex()
	start := time.Now()
	if err := x.Rebuild(ctx, func(add func(*listing.Listing)) error {
		for _, l := range ls {
			add(l)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	rep.Build = time.Since(start)
	logf("built the index in %s", rep.Build.Round(time.Millisecond))
	mem, err := newMemStore(ls)
	if err != nil {
		return nil, err
	}
	ls = nil
	runtime.GC()
	site, err := web.New(web.Deps{Catalog: &catalog.Catalog{Store: mem, Index: x}, BaseURL: "http://127.0.0.1"})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	site.Register(mux)
	var (
		mu     sync.Mutex
		served time.Duration
	)
	timed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.Now()
		mux.ServeHTTP(w, r)
		mu.Lock()
		served = time.Since(t)
		mu.Unlock()
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: web.Secure(timed, http.NotFoundHandler())}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	runtime.GC()
	if o.Profile != nil {
		if err := pprof.StartCPUProfile(o.Profile); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	deep := map[string]string{} // a query's deep page, found once

	for _, c := range PageClasses(o.Seed, o.Requests) {
		var server, at []time.Duration
		var sizes []int
		for i, path := range c.Paths {
			if c.Page > 1 {
				first := path
				if path = deep[first]; path == "" {
					path, err = deepPath(ctx, client, base, first, c.Page)
					if err != nil {
						return nil, err
					}
					deep[first] = path
				}
			}
			t := time.Now()
			resp, err := client.Get(base + path)
			if err != nil {
				return nil, fmt.Errorf("bench: GET %s: %w", path, err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t)
			if err != nil || resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("bench: GET %s: %d %v", path, resp.StatusCode, err)
			}
			if i == 0 {
				continue // the first request of a class warms its caches
			}
			mu.Lock()
			server = append(server, served)
			mu.Unlock()
			at = append(at, d)
			sizes = append(sizes, int(n))
		}
		pc := PageClass{Name: c.Name, Server: summarize(server), Client: summarize(at)}
		slices.Sort(sizes)
		if len(sizes) > 0 {
			pc.BytesP50, pc.BytesX = sizes[len(sizes)/2], sizes[len(sizes)-1]
		}
		rep.Classes = append(rep.Classes, pc)
		logf("%-24s server p50 %v p99 %v; page %d B (max %d B)", c.Name, pc.Server.P50, pc.Server.P99, pc.BytesP50, pc.BytesX)
	}
	return rep, nil
}

// pageClass is a kind of page request.
type pageClass struct {
	Name  string
	Paths []string
	Page  int // how many pages deep (1: first)
}

// PageClasses are the search page requests the benchmark times: the
// query classes of the search benchmark as /search URLs, plus pages with
// checked filters, whose counts cost a search more per checked group.
func PageClasses(seed uint64, per int) []pageClass {
	var out []pageClass
	for _, c := range Classes(seed, per) {
		pc := pageClass{Name: c.Name, Page: c.Page}
		for _, q := range c.Queries {
			pc.Paths = append(pc.Paths, "/search?"+queryValues(q).Encode())
		}
		out = append(out, pc)
	}
	filtered := pageClass{Name: "checked filters"}
	skills := []string{"go", "python", "java", "typescript", "react", "aws"}
	for i := range per {
		v := url.Values{}
		v.Set("remote", "full")
		v.Set("skill", skills[i%len(skills)])
		if i%2 == 0 {
			v.Set("role", "backend,infra")
		}
		if i%3 == 0 {
			v.Set("days_max", "3")
		}
		filtered.Paths = append(filtered.Paths, "/search?"+v.Encode())
	}
	out = append(out, filtered)
	// The job-type pages and the market page: one Stats, one Trend and one
	// Search each, over every listing of a role, a skill or a search.
	roles := pageClass{Name: "job-type page"}
	market := pageClass{Name: "market page"}
	for i := range per {
		roles.Paths = append(roles.Paths, "/roles/"+string(listing.Roles[i%len(listing.Roles)]))
		v := url.Values{}
		v.Set("skill", skills[i%len(skills)])
		if i%2 == 0 {
			v.Set("remote", "full")
		}
		market.Paths = append(market.Paths, "/market?"+v.Encode())
	}
	return append(out, roles, market)
}

// queryValues writes q as the URL query of /search.
func queryValues(q search.Query) url.Values {
	p := catalog.Params{Q: q.Text, Skill: q.Skills, RateMin: q.RateMin, RateMax: q.RateMax, DaysMax: q.DaysMax,
		Sort: string(q.Sort), Collapse: true}
	for _, r := range q.Roles {
		p.Role = append(p.Role, string(r))
	}
	for _, r := range q.Remotes {
		p.Remote = append(p.Remote, string(r))
	}
	return p.Values()
}

// deepPath follows the next-page links of path to its page'th page.
func deepPath(ctx context.Context, client *http.Client, base, path string, page int) (string, error) {
	for range page - 1 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return "", err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "", err
		}
		const mark = `rel="next" href="`
		i := strings.Index(string(b), mark)
		if i < 0 {
			return path, nil
		}
		rest := string(b[i+len(mark):])
		next := rest[:strings.IndexByte(rest, '"')]
		path = strings.ReplaceAll(next, "&amp;", "&")
	}
	return path, nil
}

// memStore serves generated listings (ids 1..n) from memory, each kept
// encoded as the store keeps it (JSON) in pointer-free chunks, so the
// listings weigh on the garbage collector no more than rows in a database
// would, and a read decodes its listings as a store read does.
type memStore struct {
	chunks [][]byte
	at     []span // at[i] is where listing i+1 is
}

type span struct{ chunk, off, end uint32 }

// memChunk is the size of one chunk of encoded listings.
const memChunk = 64 << 20

// newMemStore encodes the listings, dropping each from ls once encoded so
// that the decoded and the encoded copies are not both held.
func newMemStore(ls []*listing.Listing) (*memStore, error) {
	m := &memStore{at: make([]span, len(ls))}
	var cur []byte
	for i, l := range ls {
		b, err := json.Marshal(l)
		if err != nil {
			return nil, fmt.Errorf("bench: encode listing %d: %w", l.ID, err)
		}
		if len(cur)+len(b) > cap(cur) {
			if cur != nil {
				m.chunks = append(m.chunks, cur)
			}
			cur = make([]byte, 0, max(memChunk, len(b)))
		}
		m.at[i] = span{uint32(len(m.chunks)), uint32(len(cur)), uint32(len(cur) + len(b))}
		cur = append(cur, b...)
		ls[i] = nil
		if i%200_000 == 199_999 {
			runtime.GC()
		}
	}
	m.chunks = append(m.chunks, cur)
	return m, nil
}

func (m *memStore) Listing(_ context.Context, id int64) (listing.Listing, error) {
	if id < 1 || int(id) > len(m.at) {
		return listing.Listing{}, fmt.Errorf("listing %d: %w", id, store.ErrNotFound)
	}
	sp := m.at[id-1]
	var l listing.Listing
	if err := json.Unmarshal(m.chunks[sp.chunk][sp.off:sp.end], &l); err != nil {
		return listing.Listing{}, fmt.Errorf("listing %d: %w", id, err)
	}
	return l, nil
}

func (m *memStore) ListingsByID(ctx context.Context, ids []int64) ([]listing.Listing, error) {
	out := make([]listing.Listing, 0, len(ids))
	for _, id := range ids {
		l, err := m.Listing(ctx, id)
		if err != nil {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

func (m *memStore) GroupListings(ctx context.Context, id int64) ([]listing.Listing, error) {
	l, err := m.Listing(ctx, id)
	if err != nil {
		return nil, nil
	}
	return []listing.Listing{l}, nil
}

func (m *memStore) LastChange(context.Context) (time.Time, error) { return time.Now(), nil }

// MarketSnapshots answers no daily snapshots: the pages' trends are empty.
func (m *memStore) MarketSnapshots(context.Context, string, string, string) ([]store.MarketSnapshot, error) {
	return nil, nil
}

func (m *memStore) Agencies(context.Context) ([]store.Agency, error) {
	return []store.Agency{{Slug: "techlink", Name: "テックリンク"}}, nil
}

func (m *memStore) AgencyProfile(_ context.Context, slug string) (store.AgencyProfile, error) {
	if slug != "techlink" {
		return store.AgencyProfile{}, store.ErrNotFound
	}
	return store.AgencyProfile{Slug: "techlink", Name: "テックリンク"}, nil
}

// Markdown writes the report as a table for docs/BENCHMARKS.md.
func (r *PageReport) Markdown(w io.Writer) {
	fmt.Fprintf(w, "%d listings; index built in %s.\n\n", r.Listings, r.Build.Round(100*time.Millisecond))
	fmt.Fprintln(w, "| search page | server p50 | p95 | p99 | client p99 | page (median) | page (max) |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
	kb := func(n int) string { return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB" }
	for _, c := range r.Classes {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", c.Name, ms(c.Server.P50), ms(c.Server.P95),
			ms(c.Server.P99), ms(c.Client.P99), kb(c.BytesP50), kb(c.BytesX))
	}
}
