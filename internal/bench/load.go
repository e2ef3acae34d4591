package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"anken/internal/demo"
	"anken/internal/listing"
)

// LoadOptions configure a load run against a running anken.
type LoadOptions struct {
	BaseURL   string        // e.g. http://127.0.0.1:8080
	AgencyKey string        // an agency's API key for the writes; without it the writes' share goes to searches
	Workers   int           // concurrent clients
	Rate      float64       // target requests a second over all workers; 0: as fast as they go
	Duration  time.Duration // how long to run after the warm-up
	Seed      uint64

	// RSS of the server, sampled every Sample: from /proc/PID/status when
	// PID is set, else from process_resident_memory_bytes at MetricsURL
	// (with MetricsToken as a bearer token when set). Neither: no samples.
	PID          int
	MetricsURL   string
	MetricsToken string
	Sample       time.Duration

	Log io.Writer
}

// LoadReport is what a load run measured.
type LoadReport struct {
	Elapsed  time.Duration
	Requests int
	Errors   int
	Classes  []LoadClass
	RSS      []RSSSample
	Failures []string // the first few failures, for the reader
	IDs      int      // listing ids gathered from searches for the listing pages
}

// LoadClass is one kind of request with its figures. Latency is from
// sending the request to reading the last byte of the answer.
type LoadClass struct {
	Name     string
	Share    float64 // of all requests, as planned
	Latency  Latency
	Errors   int
	Statuses map[int]int
}

// RSSSample is the server's resident set at a moment of the run.
type RSSSample struct {
	At    time.Duration // since the timed run began
	Bytes uint64
}

// The request mix: 85% searches and pages, 10% listing pages, 5% agency
// writes. Shares are out of 100.
const (
	classSearchAPI = iota
	classSearchPage
	classTop
	classRole
	classListing
	classWrite
	nClasses
)

var loadMix = [nClasses]struct {
	name  string
	share int
}{
	{"search API (/v1/listings)", 40},
	{"search page (/search)", 30},
	{"top page (/)", 5},
	{"job-type page (/roles/…)", 10},
	{"listing page (/listings/{id})", 10},
	{"agency write (PUT)", 5},
}

// Load drives a running anken over HTTP with the mix above for
// o.Duration and reports requests a second, latency per class, errors and
// the server's RSS over time.
func Load(ctx context.Context, o LoadOptions) (*LoadReport, error) {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	base := strings.TrimRight(o.BaseURL, "/")
	if base == "" {
		return nil, errors.New("bench load: no --url")
	}
	o.Workers = max(o.Workers, 1)
	if o.Sample <= 0 {
		o.Sample = 30 * time.Second
	}
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        o.Workers * 2,
			MaxIdleConnsPerHost: o.Workers * 2,
			IdleConnTimeout:     time.Minute,
		},
	}
	defer client.CloseIdleConnections()

	// Queries: the search benchmark's classes, as API and page URLs.
	var apiPaths, pagePaths []string
	for _, c := range Classes(o.Seed, 100) {
		for _, q := range c.Queries {
			v := queryValues(q)
			if c.Page > 1 {
				// A deep page by offset is not a thing here: page 2–3 via
				// the cursor would need a chain of requests; the first page
				// with the newest sort stands in.
				v.Set("sort", "newest")
			}
			pagePaths = append(pagePaths, "/search?"+v.Encode())
			if len(q.Facets) > 0 {
				var fs []string
				for _, f := range q.Facets {
					fs = append(fs, string(f))
				}
				v.Set("facets", strings.Join(fs, ","))
			}
			apiPaths = append(apiPaths, "/v1/listings?"+v.Encode())
		}
	}
	var rolePaths []string
	for _, r := range listing.Roles {
		rolePaths = append(rolePaths, "/roles/"+string(r))
	}

	// Warm-up: listing ids from search results, for the listing pages.
	ids, err := gatherIDs(ctx, client, base, apiPaths)
	if err != nil {
		return nil, err
	}
	logf("warm-up: %d listing ids from %d searches", len(ids), min(len(apiPaths), 60))
	if len(ids) == 0 {
		return nil, errors.New("bench load: the searches found no listings: is the server's index loaded (/readyz)?")
	}

	// Writes: generated listings under external ids of their own, each
	// write a change (a line of the description moves on), so it is a
	// real store write, change-log entry and index update.
	var raws []listing.Raw
	if o.AgencyKey != "" {
		for it := range demo.Generate(2000, demo.Options{Seed: o.Seed + 7, Now: time.Now()}) {
			r := it.Raw
			r.ExternalID = "load-" + it.Agency + "-" + r.ExternalID
			raws = append(raws, r)
		}
	}
	var writeSeq atomic.Int64

	type result struct {
		class int
		took  time.Duration
		code  int
		err   string
	}
	var (
		mu      sync.Mutex
		took    [nClasses][]time.Duration
		errs    [nClasses]int
		codes   [nClasses]map[int]int
		fails   []string
		total   int
		nErrors int
	)
	for i := range codes {
		codes[i] = map[int]int{}
	}
	record := func(rs []result) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range rs {
			total++
			took[r.class] = append(took[r.class], r.took)
			codes[r.class][r.code]++
			if r.err != "" {
				errs[r.class]++
				nErrors++
				if len(fails) < 10 {
					fails = append(fails, loadMix[r.class].name+": "+r.err)
				}
			}
		}
	}

	runCtx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	start := time.Now()

	// Pacing: with a target rate, one goroutine hands out a ticket per
	// request at that rate; a worker that finds none waits. When every
	// worker is busy the tickets wait too, so the rate achieved is what
	// the server (and this client) could do.
	var tickets chan struct{}
	if o.Rate > 0 {
		tickets = make(chan struct{}, o.Workers)
		go func() {
			interval := time.Duration(float64(time.Second) / o.Rate)
			next := time.Now()
			for {
				next = next.Add(interval)
				if d := time.Until(next); d > 0 {
					select {
					case <-runCtx.Done():
						return
					case <-time.After(d):
					}
				}
				select {
				case <-runCtx.Done():
					return
				case tickets <- struct{}{}:
				}
			}
		}()
	}

	// RSS samples, from the start of the timed run.
	var (
		samples []RSSSample
		smu     sync.Mutex
	)
	sample := func() {
		b, err := serverRSS(ctx, client, o)
		if err != nil {
			logf("rss sample: %v", err)
			return
		}
		if b == 0 {
			return
		}
		at := time.Since(start).Round(time.Second)
		smu.Lock()
		samples = append(samples, RSSSample{At: at, Bytes: b})
		smu.Unlock()
		logf("%6s  rss %d MiB", at, b>>20)
	}
	var wg sync.WaitGroup
	if o.PID > 0 || o.MetricsURL != "" {
		wg.Go(func() {
			sample()
			t := time.NewTicker(o.Sample)
			defer t.Stop()
			for {
				select {
				case <-runCtx.Done():
					sample()
					return
				case <-t.C:
					sample()
				}
			}
		})
	}

	for w := range o.Workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(o.Seed, uint64(w)+1))
			var buf []result
			for runCtx.Err() == nil {
				if tickets != nil {
					select {
					case <-runCtx.Done():
					case <-tickets:
					}
					if runCtx.Err() != nil {
						break
					}
				}
				class := pickClass(r.IntN(100), o.AgencyKey != "")
				var req *http.Request
				switch class {
				case classSearchAPI:
					req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, base+apiPaths[r.IntN(len(apiPaths))], nil)
				case classSearchPage:
					req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, base+pagePaths[r.IntN(len(pagePaths))], nil)
				case classTop:
					req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, base+"/", nil)
				case classRole:
					req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, base+rolePaths[r.IntN(len(rolePaths))], nil)
				case classListing:
					req, _ = http.NewRequestWithContext(runCtx, http.MethodGet, base+"/listings/"+strconv.FormatInt(ids[r.IntN(len(ids))], 10), nil)
				case classWrite:
					raw := raws[r.IntN(len(raws))]
					n := writeSeq.Add(1)
					raw.Description += "\n管理番号: L" + strconv.FormatInt(n, 10)
					body, err := json.Marshal(raw)
					if err != nil {
						return
					}
					req, _ = http.NewRequestWithContext(runCtx, http.MethodPut,
						base+"/v1/agency/listings/"+url.PathEscape(raw.ExternalID), bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+o.AgencyKey)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				res := result{class: class}
				if err != nil {
					if runCtx.Err() != nil {
						break // cut off by the end of the run: not counted
					}
					res.err = err.Error()
				} else {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					res.code = resp.StatusCode
					switch {
					case err != nil && runCtx.Err() != nil:
						continue
					case err != nil:
						res.err = err.Error()
					case resp.StatusCode != http.StatusOK:
						res.err = req.Method + " " + req.URL.RequestURI() + ": " + resp.Status
					}
				}
				res.took = time.Since(t0)
				buf = append(buf, res)
				if len(buf) == 256 {
					record(buf)
					buf = buf[:0]
				}
			}
			record(buf)
		})
	}
	wg.Wait()
	elapsed := min(time.Since(start), o.Duration)

	rep := &LoadReport{Elapsed: elapsed, Requests: total, Errors: nErrors, RSS: samples, Failures: fails, IDs: len(ids)}
	for c := range nClasses {
		share := float64(loadMix[c].share)
		if o.AgencyKey == "" && c == classSearchAPI {
			share += float64(loadMix[classWrite].share)
		}
		if o.AgencyKey == "" && c == classWrite {
			share = 0
		}
		rep.Classes = append(rep.Classes, LoadClass{Name: loadMix[c].name, Share: share / 100,
			Latency: summarize(took[c]), Errors: errs[c], Statuses: codes[c]})
	}
	return rep, nil
}

// pickClass maps a number in [0, 100) to a class by the mix; without
// writes their share goes to the search API.
func pickClass(n int, writes bool) int {
	for c := range nClasses {
		if n < loadMix[c].share {
			if c == classWrite && !writes {
				return classSearchAPI
			}
			return c
		}
		n -= loadMix[c].share
	}
	return classSearchAPI
}

// gatherIDs runs some of the searches and keeps the listing ids they find.
func gatherIDs(ctx context.Context, client *http.Client, base string, paths []string) ([]int64, error) {
	seen := map[int64]bool{}
	var ids []int64
	for i, p := range paths {
		if i >= 60 {
			break
		}
		u, _ := url.Parse(base + p)
		v := u.Query()
		v.Set("limit", "50")
		v.Del("facets")
		u.RawQuery = v.Encode()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("bench load: warm-up: %w", err)
		}
		var page struct {
			Hits []struct {
				ID int64 `json:"id"`
			} `json:"hits"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("bench load: warm-up: GET %s: %s", u.RequestURI(), resp.Status)
		}
		if err != nil {
			return nil, fmt.Errorf("bench load: warm-up: GET %s: %w", u.RequestURI(), err)
		}
		for _, h := range page.Hits {
			if !seen[h.ID] {
				seen[h.ID] = true
				ids = append(ids, h.ID)
			}
		}
	}
	return ids, nil
}

// serverRSS reads the server's resident set: VmRSS of /proc/PID/status,
// or process_resident_memory_bytes from its /metrics.
func serverRSS(ctx context.Context, client *http.Client, o LoadOptions) (uint64, error) {
	if o.PID > 0 {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(o.PID) + "/status")
		if err != nil {
			return 0, err
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				return kb << 10, err
			}
		}
		return 0, fmt.Errorf("no VmRSS in /proc/%d/status", o.PID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.MetricsURL, nil)
	if err != nil {
		return 0, err
	}
	if o.MetricsToken != "" {
		req.Header.Set("Authorization", "Bearer "+o.MetricsToken)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", o.MetricsURL, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return uint64(f), err
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no process_resident_memory_bytes at %s", o.MetricsURL)
}

// Markdown writes the report as tables for docs/BENCHMARKS.md.
func (r *LoadReport) Markdown(w io.Writer) {
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(w, "%d requests in %s: **%.0f requests/s**, %d errors; %d listing ids from the warm-up searches\n\n",
		r.Requests, r.Elapsed.Round(time.Second), float64(r.Requests)/secs, r.Errors, r.IDs)
	fmt.Fprintln(w, "| class | share | requests | req/s | p50 | p95 | p99 | max | errors | statuses |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, c := range r.Classes {
		if c.Share == 0 {
			continue
		}
		var st []string
		for _, code := range slices.Sorted(maps.Keys(c.Statuses)) {
			name := strconv.Itoa(code)
			if code == 0 {
				name = "no answer"
			}
			st = append(st, fmt.Sprintf("%s×%d", name, c.Statuses[code]))
		}
		l := c.Latency
		fmt.Fprintf(w, "| %s | %.0f%% | %d | %.0f | %s | %s | %s | %s | %d | %s |\n", c.Name, c.Share*100, l.N,
			float64(l.N)/secs, ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max), c.Errors, strings.Join(st, " "))
	}
	if len(r.RSS) > 0 {
		fmt.Fprintln(w)
		fmt.Fprint(w, "Server RSS:")
		for _, s := range r.RSS {
			fmt.Fprintf(w, " %s %d MiB;", s.At, s.Bytes>>20)
		}
		fmt.Fprintln(w)
		if len(r.RSS) >= 3 {
			// The first sample is before the run warmed the server up;
			// growth is read from the second.
			first, last := r.RSS[1].Bytes, r.RSS[len(r.RSS)-1].Bytes
			var hi uint64
			for _, s := range r.RSS[1:] {
				hi = max(hi, s.Bytes)
			}
			fmt.Fprintf(w, "From the second sample to the last: %+d MiB (%+.1f%%), highest %d MiB.\n",
				(int64(last)-int64(first))>>20, 100*(float64(last)-float64(first))/float64(first), hi>>20)
		}
	}
	if len(r.Failures) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "First failures:")
		for _, f := range r.Failures {
			fmt.Fprintln(w, "-", f)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
