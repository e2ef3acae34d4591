package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"anken/internal/demo"
	"anken/internal/listing"
	"anken/internal/normalize"
	"anken/internal/search"
)

// Posted says how a generated feed carries posted_at.
const (
	PostedSpread  = "spread"  // the generator's: over the last 60 days, to the minute
	PostedAbsent  = "absent"  // none: the store takes the time of import
	PostedInstant = "instant" // every listing at one instant, an hour ago
	PostedMinute  = "minute"  // every listing within one minute, an hour ago
	PostedPast    = "past"    // the generator's spread, ten years earlier
)

// PostedModes lists the Posted values UserOptions accepts.
var PostedModes = []string{PostedSpread, PostedAbsent, PostedInstant, PostedMinute, PostedPast}

// UserOptions configure a run as a user meets anken.
type UserOptions struct {
	Listings  int
	Seed      uint64
	Posted    string  // one of PostedModes; "" is PostedSpread
	OneAgency bool    // one agency sends the whole feed; else the demo's agencies, each its own file
	Reposts   float64 // share of planted reposts (demo.Options.Reposts: 0 default, negative none)
	Queries   int     // timed requests per class
	// Binary is the anken executable run for agency, import and serve.
	Binary string
	// Dir holds the feed, the store and the server's log. A Dir that
	// already holds a loaded store of the same feed options is reused:
	// no generation and no import.
	Dir string
	// Baselines answer the first BaselineQueries (0: all) of each
	// class's queries (page 1) in turn, from this process, after loading
	// the same feed normalized once anken's server has stopped.
	Baselines       []Baseline
	BaselineQueries int
	Log             io.Writer
}

// UserReport is what a user run measured.
type UserReport struct {
	Listings  int
	Posted    string
	OneAgency bool
	Reposts   float64
	Reused    bool          // the store of an earlier run was used: no import
	Import    time.Duration // every `anken import` together
	Created   int           // listings the imports created
	Rows      int
	Ready     time.Duration // from exec of `anken serve` to /readyz answering 200, the index built from the store
	RSSReady  uint64        // the server's resident set once ready
	RSSAfter  uint64        // and after every class's requests
	Baselines []BaselineReport
	Classes   []UserClass
	Errors    []string
	// The index snapshot the server writes after its build: its size,
	// and the time from /readyz 200 to the file in place.
	SnapshotBytes int64
	SnapshotWrite time.Duration
	Stop          time.Duration // SIGTERM to exit, after the requests
	// The second start, from the snapshot: exec to /readyz 200; of it,
	// reading the snapshot and applying the changes logged after it (as
	// the server logs them); the resident set once ready.
	Restart        time.Duration
	RestartRead    time.Duration
	RestartCatchUp time.Duration
	RestartChanges int
	RSSRestart     uint64
}

// UserClass holds one class's timings at the client.
type UserClass struct {
	Name      string
	HTTP      Latency
	AvgHits   int
	Baselines []Latency // as UserOptions.Baselines; none for a deeper page
}

// userClass is a class of requests: queries and how deep each is paged.
type userClass struct {
	name    string
	page    int
	queries []search.Query
}

// User runs the benchmark: generate a feed, load it with `anken import`,
// start `anken serve` on it, and time each class of search over HTTP with
// a fresh connection pool per class.
func User(ctx context.Context, o UserOptions) (*UserReport, error) {
	logf := o.logf
	if o.Posted == "" {
		o.Posted = PostedSpread
	}
	if !containsString(PostedModes, o.Posted) {
		return nil, fmt.Errorf("bench: posted %q: want one of %s", o.Posted, strings.Join(PostedModes, ", "))
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	rep := &UserReport{Listings: o.Listings, Posted: o.Posted, OneAgency: o.OneAgency, Reposts: o.Reposts}
	data := filepath.Join(o.Dir, "data")
	stamp := fmt.Sprintf("listings=%d seed=%d posted=%s one-agency=%t reposts=%g\n", o.Listings, o.Seed, o.Posted, o.OneAgency, o.Reposts)
	stampFile := filepath.Join(o.Dir, "loaded")
	env := append(os.Environ(), "ANKEN_DATA_DIR="+data, "ANKEN_DATABASE_URL=", "ANKEN_LOG_LEVEL=warn")
	if b, err := os.ReadFile(stampFile); err == nil && string(b) == stamp {
		rep.Reused = true
		logf("reusing the store in %s (%s)", data, strings.TrimSpace(stamp))
	} else {
		if err := os.RemoveAll(data); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		os.Remove(stampFile)
		files, err := writeFeed(o)
		if err != nil {
			return nil, err
		}
		logf("wrote the feed: %d files", len(files))
		// The store first: the agency and import commands work only on one
		// that exists.
		if _, err := run(ctx, o.Binary, env, "migrate"); err != nil {
			return nil, err
		}
		for slug := range files {
			if _, err := run(ctx, o.Binary, env, "agency", "create", slug); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		for slug, f := range files {
			out, err := run(ctx, o.Binary, env, "import", "--quiet", "--agency", slug, f)
			if err != nil {
				return nil, err
			}
			var rows, created int
			if _, err := fmt.Sscanf(out, "rows %d: created %d", &rows, &created); err != nil {
				return nil, fmt.Errorf("bench: import %s said %q", slug, out)
			}
			rep.Rows += rows
			rep.Created += created
		}
		rep.Import = time.Since(start)
		logf("imported %d rows (%d created) in %s: %.0f rows/s", rep.Rows, rep.Created,
			rep.Import.Round(time.Millisecond), float64(rep.Rows)/rep.Import.Seconds())
		if err := os.WriteFile(stampFile, []byte(stamp), 0o644); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}

	// The first start builds its index from the store: a snapshot an
	// earlier run left goes first.
	snapshot := filepath.Join(data, "index.snapshot")
	if err := os.Remove(snapshot); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("bench: %w", err)
	}

	samples, err := sampleTexts(o.Dir, 4000, o.Seed)
	if err != nil {
		return nil, err
	}
	classes := userClasses(o.Seed, o.Queries, samples)

	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(o.Dir, "serve.log"))
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer logFile.Close()
	srv := exec.Command(o.Binary, "serve", "--addr", addr)
	srv.Env = append(env, "ANKEN_RATE_READ=off", "ANKEN_RATE_WRITE=off", "ANKEN_RATE_AGENCY=off")
	srv.Stdout, srv.Stderr = logFile, logFile
	start := time.Now()
	proc, err := startProcess(srv)
	if err != nil {
		return nil, fmt.Errorf("bench: serve: %w", err)
	}
	defer proc.stop()
	base := "http://" + addr
	if err := proc.waitReady(ctx, base); err != nil {
		return nil, err
	}
	rep.Ready = time.Since(start)
	rep.RSSReady = rssOf(srv.Process.Pid)
	logf("serve ready in %s, RSS %d MB", rep.Ready.Round(time.Millisecond), rep.RSSReady>>20)
	// The snapshot is written after the build, in the background; the
	// requests are timed once it is in place.
	if rep.SnapshotBytes, err = proc.waitFile(ctx, snapshot); err != nil {
		return nil, err
	}
	rep.SnapshotWrite = time.Since(start) - rep.Ready
	logf("index snapshot of %d MB in place %s after ready", rep.SnapshotBytes>>20, rep.SnapshotWrite.Round(time.Millisecond))

	for _, c := range classes {
		uc, err := timeClass(ctx, base, c)
		if err != nil {
			return nil, err
		}
		rep.Classes = append(rep.Classes, uc)
		logf("%-26s p50 %v p95 %v p99 %v (%d hits on average)", c.name, uc.HTTP.P50, uc.HTTP.P95, uc.HTTP.P99, uc.AvgHits)
	}
	rep.RSSAfter = rssOf(srv.Process.Pid)
	logf("RSS after the queries %d MB", rep.RSSAfter>>20)
	if rep.Stop, err = proc.terminate(5 * time.Minute); err != nil {
		return nil, err
	}
	logf("serve stopped %s after SIGTERM", rep.Stop.Round(time.Millisecond))
	if err := restart(ctx, o, env, rep); err != nil {
		return nil, err
	}

	if len(o.Baselines) > 0 {
		ls, err := readFeed(o.Dir)
		if err != nil {
			return nil, err
		}
		if rep.Baselines, err = loadBaselines(ctx, o.Baselines, ls, logf); err != nil {
			return nil, err
		}
		ls = nil
		for i, c := range classes {
			if c.page != 1 {
				continue
			}
			qs := c.queries
			if o.BaselineQueries > 0 {
				qs = qs[:min(len(qs), o.BaselineQueries)]
			}
			line := fmt.Sprintf("%-26s", c.name)
			// Each baseline answers the class in a run of its own.
			for _, b := range o.Baselines {
				var ds []time.Duration
				for _, q := range qs {
					q.Limit = search.DefaultLimit
					t := time.Now()
					if _, err := b.Search(ctx, q); err != nil {
						return nil, fmt.Errorf("bench: %s %+v: %w", b.Name(), q, err)
					}
					ds = append(ds, time.Since(t))
				}
				l := summarize(ds)
				rep.Classes[i].Baselines = append(rep.Classes[i].Baselines, l)
				line += fmt.Sprintf(" %s p50 %v p99 %v;", b.Name(), l.P50, l.P99)
			}
			logf("%s", line)
		}
		for i, b := range o.Baselines {
			rep.Baselines[i].RSSAfter = b.RSS()
		}
	}
	return rep, nil
}

// restart starts serve again on the store and the snapshot the first
// start left, and times it to /readyz 200. Its log (at info, in
// serve-restart.log) says how it loaded the index.
func restart(ctx context.Context, o UserOptions, env []string, rep *UserReport) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	logPath := filepath.Join(o.Dir, "serve-restart.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer logFile.Close()
	srv := exec.Command(o.Binary, "serve", "--addr", addr)
	srv.Env = append(env, "ANKEN_LOG_LEVEL=info", "ANKEN_RATE_READ=off", "ANKEN_RATE_WRITE=off", "ANKEN_RATE_AGENCY=off")
	srv.Stdout, srv.Stderr = logFile, logFile
	start := time.Now()
	proc, err := startProcess(srv)
	if err != nil {
		return fmt.Errorf("bench: serve: %w", err)
	}
	defer proc.stop()
	if err := proc.waitReady(ctx, "http://"+addr); err != nil {
		return err
	}
	rep.Restart = time.Since(start)
	rep.RSSRestart = rssOf(srv.Process.Pid)
	if _, err := proc.terminate(5 * time.Minute); err != nil {
		return err
	}
	b, err := os.ReadFile(logPath)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	var loaded struct {
		Msg      string `json:"msg"`
		Read     int64  `json:"read"`
		CatchUp  int64  `json:"catch_up"`
		Changes  int    `json:"changes"`
		Listings int    `json:"listings"`
	}
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"msg":"index loaded from snapshot"`) {
			found = json.Unmarshal([]byte(line), &loaded) == nil
		}
	}
	if !found {
		return fmt.Errorf("bench: the restarted server did not load the index snapshot (see %s)", logPath)
	}
	rep.RestartRead, rep.RestartCatchUp = time.Duration(loaded.Read), time.Duration(loaded.CatchUp)
	rep.RestartChanges = loaded.Changes
	o.logf("restarted: ready in %s from the snapshot (read %s, %d changes applied in %s), RSS %d MB",
		rep.Restart.Round(time.Millisecond), rep.RestartRead.Round(time.Millisecond), rep.RestartChanges,
		rep.RestartCatchUp.Round(time.Millisecond), rep.RSSRestart>>20)
	return nil
}

func (o UserOptions) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// run execs the anken binary and returns its standard output.
func run(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("bench: anken %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// writeFeed writes the generated feed as JSON Lines, one file per agency
// (by slug), posted_at as o.Posted says.
func writeFeed(o UserOptions) (map[string]string, error) {
	now := time.Now().Truncate(time.Minute)
	r := rand.New(rand.NewPCG(o.Seed, 0xfeed))
	files := map[string]string{}
	writers := map[string]*bufio.Writer{}
	var closers []*os.File
	defer func() {
		for _, f := range closers {
			f.Close()
		}
	}()
	encoders := map[string]*json.Encoder{}
	for it := range demo.Generate(o.Listings, demo.Options{Seed: o.Seed, Now: now, Reposts: o.Reposts}) {
		slug := it.Agency
		if o.OneAgency {
			slug = "bench"
			it.ExternalID = it.Agency + "-" + it.ExternalID
		}
		switch o.Posted {
		case PostedAbsent:
			it.PostedAt = ""
		case PostedInstant:
			it.PostedAt = now.Add(-time.Hour).Format(time.RFC3339)
		case PostedMinute:
			it.PostedAt = now.Add(-time.Hour + time.Duration(r.IntN(60))*time.Second).Format(time.RFC3339)
		case PostedPast:
			if t, err := time.Parse(time.RFC3339, it.PostedAt); err == nil {
				it.PostedAt = t.AddDate(-10, 0, 0).Format(time.RFC3339)
			}
		}
		enc := encoders[slug]
		if enc == nil {
			path := filepath.Join(o.Dir, "feed-"+slug+".jsonl")
			f, err := os.Create(path)
			if err != nil {
				return nil, fmt.Errorf("bench: %w", err)
			}
			closers = append(closers, f)
			w := bufio.NewWriterSize(f, 1<<20)
			enc = json.NewEncoder(w)
			enc.SetEscapeHTML(false)
			files[slug], writers[slug], encoders[slug] = path, w, enc
		}
		if err := enc.Encode(it.Raw); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	for _, w := range writers {
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	for _, f := range closers {
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	closers = nil
	return files, nil
}

// eachRaw calls fn with every raw listing of the feed files in dir.
func eachRaw(dir string, fn func(raw *listing.Raw)) error {
	paths, err := filepath.Glob(filepath.Join(dir, "feed-*.jsonl"))
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("bench: no feed files in %s", dir)
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var raw listing.Raw
			if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
				f.Close()
				return fmt.Errorf("bench: %s: %w", p, err)
			}
			fn(&raw)
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return fmt.Errorf("bench: %s: %w", p, err)
		}
	}
	return nil
}

// sampleTexts returns up to k titles and descriptions of the feed, drawn
// evenly at random.
func sampleTexts(dir string, k int, seed uint64) ([]string, error) {
	r := rand.New(rand.NewPCG(seed, 0x7e87))
	var out []string
	n := 0
	err := eachRaw(dir, func(raw *listing.Raw) {
		n++
		t := raw.Title + "\n" + raw.Description
		if len(out) < k {
			out = append(out, t)
		} else if j := r.IntN(n); j < k {
			out[j] = t
		}
	})
	return out, err
}

// readFeed normalizes the feed files for the baseline, with ids from 1
// in file order. A listing without posted_at is posted now, as the store
// would post it.
func readFeed(dir string) ([]*listing.Listing, error) {
	now := time.Now()
	var ls []*listing.Listing
	err := eachRaw(dir, func(raw *listing.Raw) {
		l := normalize.NormalizeAt(*raw, now).Listing
		l.ID = int64(len(ls) + 1)
		l.GroupID = l.ID
		if l.PostedAt.IsZero() {
			l.PostedAt = now
		}
		ls = append(ls, &l)
	})
	return ls, err
}

// userClasses are the classes of Classes and those users meet besides:
// no terms in each sort, terms of one and two Japanese characters, and
// terms of three to five characters taken from listing text and asked
// once each, so nothing about them is cached.
func userClasses(seed uint64, perClass int, texts []string) []userClass {
	var out []userClass
	asked := map[string]bool{}
	for _, c := range Classes(seed, perClass) {
		qs := c.Queries
		if c.Page > 1 {
			qs = qs[:max(1, len(qs)/10)] // each costs a request per page
		}
		for _, q := range qs {
			asked[q.Text] = true
		}
		out = append(out, userClass{name: c.Name, page: c.Page, queries: qs})
	}
	for _, s := range []search.Sort{search.SortRelevance, search.SortNewest, search.SortRate} {
		c := userClass{name: "no terms, sort=" + string(s), page: 1}
		for range perClass {
			c.queries = append(c.queries, search.Query{Sort: s})
		}
		out = append(out, c)
	}
	r := rand.New(rand.NewPCG(seed, 0x7e2a))
	// term draws n runes of Japanese letters in a row from a random text.
	term := func(n int) string {
		for {
			t := []rune(texts[r.IntN(len(texts))])
			if len(t) < n {
				continue
			}
			i := r.IntN(len(t) - n + 1)
			ok := true
			for _, c := range t[i : i+n] {
				if !japanese(c) {
					ok = false
					break
				}
			}
			if ok {
				return string(t[i : i+n])
			}
		}
	}
	if len(texts) == 0 {
		return out
	}
	for _, n := range []int{1, 2} {
		c := userClass{name: fmt.Sprintf("%d Japanese character%s", n, map[bool]string{true: "s"}[n > 1]), page: 1}
		for range perClass {
			c.queries = append(c.queries, search.Query{Text: term(n)})
		}
		out = append(out, c)
	}
	c := userClass{name: "3–5 characters, first time", page: 1}
	for tries := 0; len(c.queries) < perClass && tries < 100*perClass; tries++ {
		t := term(3 + r.IntN(3))
		if asked[t] {
			continue
		}
		asked[t] = true
		c.queries = append(c.queries, search.Query{Text: t})
	}
	return append(out, c)
}

// japanese reports whether c is a kanji, hiragana or katakana letter.
func japanese(c rune) bool {
	return unicode.In(c, unicode.Han, unicode.Hiragana, unicode.Katakana) && c != 'ー' && c != '・'
}

// values is q as GET /v1/listings takes it.
func values(q search.Query) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Text)
	for _, s := range q.Skills {
		v.Add("skill", s)
	}
	for _, x := range q.Roles {
		v.Add("role", string(x))
	}
	for _, x := range q.Remotes {
		v.Add("remote", string(x))
	}
	for _, x := range q.Prefectures {
		v.Add("prefecture", x)
	}
	for _, x := range q.Contracts {
		v.Add("contract", string(x))
	}
	if q.RateMin > 0 {
		set("rate_min", strconv.FormatInt(q.RateMin, 10))
	}
	if q.RateMax > 0 {
		set("rate_max", strconv.FormatInt(q.RateMax, 10))
	}
	if q.DaysMax > 0 {
		set("days_max", strconv.Itoa(q.DaysMax))
	}
	if q.SideJob != nil {
		set("side_job", strconv.FormatBool(*q.SideJob))
	}
	set("sort", string(q.Sort))
	for _, f := range q.Facets {
		v.Add("facets", string(f))
	}
	set("cursor", q.Cursor)
	v.Set("limit", strconv.Itoa(search.DefaultLimit))
	return v
}

// timeClass sends a class's requests one at a time over a connection pool
// of its own, timing each from the request to the last byte of the answer.
// For a class paged deeper than the first page, the pages before are
// fetched untimed.
func timeClass(ctx context.Context, base string, c userClass) (UserClass, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	type answer struct {
		Total      int    `json:"total"`
		NextCursor string `json:"next_cursor"`
	}
	get := func(q search.Query) (answer, time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/listings?"+values(q).Encode(), nil)
		if err != nil {
			return answer{}, 0, err
		}
		t := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return answer{}, 0, fmt.Errorf("bench: %s: %w", c.name, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(t)
		if err != nil {
			return answer{}, 0, fmt.Errorf("bench: %s: %w", c.name, err)
		}
		if resp.StatusCode != http.StatusOK {
			return answer{}, 0, fmt.Errorf("bench: %s: %s: %d %s", c.name, req.URL, resp.StatusCode, body)
		}
		var a answer
		if err := json.Unmarshal(body, &a); err != nil {
			return answer{}, 0, fmt.Errorf("bench: %s: %w", c.name, err)
		}
		return a, d, nil
	}
	var ds []time.Duration
	hits := 0
	for _, q := range c.queries {
		for range c.page - 1 {
			a, _, err := get(q)
			if err != nil {
				return UserClass{}, err
			}
			if a.NextCursor == "" {
				break
			}
			q.Cursor = a.NextCursor
		}
		a, d, err := get(q)
		if err != nil {
			return UserClass{}, err
		}
		ds = append(ds, d)
		hits += a.Total
	}
	return UserClass{Name: c.name, HTTP: summarize(ds), AvgHits: hits / max(1, len(c.queries))}, nil
}

// freeAddr returns a loopback address with a port free now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// process is a started server: done is closed once it has exited.
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func startProcess(cmd *exec.Cmd) (*process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// waitReady polls /readyz until it answers 200, the server exits, or ctx
// ends.
func (p *process) waitReady(ctx context.Context, base string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("bench: serve exited before it was ready: %v (see serve.log)", p.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitFile waits until the file at path exists and returns its size.
func (p *process) waitFile(ctx context.Context, path string) (int64, error) {
	for {
		if st, err := os.Stat(path); err == nil {
			return st.Size(), nil
		}
		select {
		case <-p.done:
			return 0, fmt.Errorf("bench: serve exited before writing %s: %v", path, p.err)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// terminate sends SIGTERM and waits for the server to exit, at most
// limit (then it is killed); it returns how long it took.
func (p *process) terminate(limit time.Duration) (time.Duration, error) {
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, fmt.Errorf("bench: SIGTERM: %w", err)
	}
	select {
	case <-p.done:
	case <-time.After(limit):
		p.cmd.Process.Kill()
		<-p.done
		return 0, fmt.Errorf("bench: serve still running %s after SIGTERM", limit)
	}
	if p.err != nil {
		return 0, fmt.Errorf("bench: serve after SIGTERM: %w", p.err)
	}
	return time.Since(start), nil
}

// stop ends the server: an interrupt, then a kill after ten seconds.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// rssOf reads a process's resident set size from /proc (0 where there is
// none).
func rssOf(pid int) uint64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	return vmRSS(b)
}

func vmRSS(status []byte) uint64 {
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Markdown writes the report for docs/BENCHMARKS.md.
func (r *UserReport) Markdown(w io.Writer) {
	agencies := "the demo's agencies, one import each"
	if r.OneAgency {
		agencies = "one agency"
	}
	fmt.Fprintf(w, "%d listings, posted_at %s, %s", r.Listings, r.Posted, agencies)
	if r.Reposts != 0 {
		fmt.Fprintf(w, ", reposts %g", r.Reposts)
	}
	fmt.Fprintln(w, ".")
	if r.Reused {
		fmt.Fprintln(w, "Import: the store of an earlier run (not timed again).")
	} else {
		fmt.Fprintf(w, "Import: %d rows (%d created) in %s, %.0f rows/s.\n", r.Rows, r.Created,
			r.Import.Round(100*time.Millisecond), float64(r.Rows)/r.Import.Seconds())
	}
	fmt.Fprintf(w, "Serve: /readyz 200 after %s (the index built from the store); RSS %d MB once ready, %d MB after the queries.\n",
		r.Ready.Round(10*time.Millisecond), r.RSSReady>>20, r.RSSAfter>>20)
	fmt.Fprintf(w, "Index snapshot: %.1f MB, in place %s after ready (written in the background after the build).\n",
		float64(r.SnapshotBytes)/(1<<20), r.SnapshotWrite.Round(10*time.Millisecond))
	fmt.Fprintf(w, "Restart: SIGTERM to exit in %s; started again, /readyz 200 after %s from the snapshot "+
		"(read in %s, %d changes applied after it in %s); RSS %d MB once ready.\n",
		r.Stop.Round(10*time.Millisecond), r.Restart.Round(10*time.Millisecond), r.RestartRead.Round(10*time.Millisecond),
		r.RestartChanges, r.RestartCatchUp.Round(time.Millisecond), r.RSSRestart>>20)
	markdownLoads(w, r.Baselines)
	for _, b := range r.Baselines {
		if b.Shared {
			continue
		}
		if !r.Reused && r.Import > 0 {
			importRate, loadRate := float64(r.Rows)/r.Import.Seconds(), float64(b.Rows)/b.Load.Seconds()
			fmt.Fprintf(w, "anken's import %.0f rows/s against %s's load and index build %.0f rows/s: %.2f×.\n",
				importRate, b.Name, loadRate, importRate/loadRate)
		}
		if b.Copy <= 0 {
			continue
		}
		copyRate := float64(b.Rows) / b.Copy.Seconds()
		fmt.Fprintf(w, "%s's bare COPY of the same rows (no index): %.0f rows/s", b.Name, copyRate)
		if !r.Reused && r.Import > 0 {
			importRate := float64(r.Rows) / r.Import.Seconds()
			fmt.Fprintf(w, "; anken's import %.0f rows/s, %.2f× COPY", importRate, importRate/copyRate)
		}
		fmt.Fprintln(w, ".")
	}
	fmt.Fprintln(w)
	head, rule := "| query class | requests | avg hits | p50 | p95 | p99 |", "|---|---:|---:|---:|---:|---:|"
	if len(r.Baselines) == 0 {
		head, rule = head+" max |", rule+"---:|"
	}
	for _, b := range r.Baselines {
		head += " " + b.Name + " p50 | p99 | p50 ratio |"
		rule += "---:|---:|---:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, c := range r.Classes {
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s |", c.Name, c.HTTP.N, c.AvgHits, ms(c.HTTP.P50), ms(c.HTTP.P95), ms(c.HTTP.P99))
		if len(r.Baselines) == 0 {
			fmt.Fprintf(w, " %s |", ms(c.HTTP.Max))
		}
		for i := range r.Baselines {
			if i >= len(c.Baselines) || c.Baselines[i].N == 0 {
				fmt.Fprint(w, " – | – | – |")
				continue
			}
			b := c.Baselines[i]
			fmt.Fprintf(w, " %s | %s | %s |", ms(b.P50), ms(b.P99), ratio(b.P50, c.HTTP.P50))
		}
		fmt.Fprintln(w)
	}
}
