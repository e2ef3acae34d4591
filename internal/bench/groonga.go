package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
)

// Groonga answers listing searches with Groonga, the Japanese full-text
// engine, as a team deploys it: a local `groonga` binary run as its own
// HTTP server on loopback, over a database in a temporary directory that
// Close removes. One table, Listings (keyed by listing id), holds title,
// skills (each skill's slug and name, as anken's searchable text has them)
// and description under one lexicon with TokenBigram, NormalizerNFKC130
// and positions; role, remote, prefecture, contract, agency, days,
// side_job and the rate band are drilldown columns; posted_at is a Time;
// the filters have their indexes. Queries go to /d/select.
//
// Groonga's result cache is on (its default, 100 answers): Uncached
// returns the same server with its cache off, the engine alone. Off is
// cache_limit 0, which also empties it: select's cache=no is not enough,
// as in Groonga 13 it still answers from the cache (it only keeps nothing
// new there).
type Groonga struct {
	s     *groongaServer
	cache bool
}

// groongaServer is one running groonga process and its database.
type groongaServer struct {
	dir     string
	base    string // http://127.0.0.1:port
	version string
	proc    *process
	client  *http.Client
	loaded  time.Time // when Load finished
	// cacheLimit is the server's own cache_limit, restored when a Groonga
	// with its cache on asks after one with it off; cacheOff is set while
	// the limit is 0.
	cacheLimit int
	cacheOff   bool
}

// ErrNoGroonga is returned by StartGroonga when no groonga binary is
// found.
var ErrNoGroonga = errors.New("bench: groonga is not installed (apt-get install groonga-bin)")

// GroongaBinary returns the path of bin, or of groonga on PATH when bin is
// empty; ErrNoGroonga when there is none.
func GroongaBinary(bin string) (string, error) {
	if bin == "" {
		bin = "groonga"
	}
	p, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoGroonga, err)
	}
	return p, nil
}

// StartGroonga starts bin (a groonga binary) as an HTTP server on a free
// loopback port over a new database in a temporary directory, waits for it
// to answer, and creates the table. The server's log is groonga.log in
// that directory.
func StartGroonga(ctx context.Context, bin string) (*Groonga, error) {
	dir, err := os.MkdirTemp("", "anken-bench-groonga-")
	if err != nil {
		return nil, fmt.Errorf("bench: groonga: %w", err)
	}
	s := &groongaServer{dir: dir}
	g := &Groonga{s: s, cache: true}
	if err := s.start(ctx, bin); err != nil {
		g.Close()
		return nil, err
	}
	if err := s.createTable(ctx); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

func (s *groongaServer) start(ctx context.Context, bin string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	host, port, _ := strings.Cut(addr, ":")
	logFile, err := os.Create(filepath.Join(s.dir, "groonga.out"))
	if err != nil {
		return fmt.Errorf("bench: groonga: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "-n", "-s", "--protocol", "http", "--bind-address", host, "-p", port,
		"--log-path", filepath.Join(s.dir, "groonga.log"), filepath.Join(s.dir, "db", "listings"))
	if err := os.Mkdir(filepath.Join(s.dir, "db"), 0o755); err != nil {
		return fmt.Errorf("bench: groonga: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if s.proc, err = startProcess(cmd); err != nil {
		return fmt.Errorf("bench: groonga: %w", err)
	}
	s.base = "http://" + addr
	// One client for the whole run. Groonga's own HTTP server answers
	// "Connection: close", so each request opens a loopback connection.
	s.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Minute}
	// Wait for it: a bounded poll of /d/status.
	deadline := time.After(30 * time.Second)
	for {
		var st struct {
			Version string `json:"version"`
		}
		if err := s.command(ctx, "status", nil, nil, &st); err == nil {
			s.version = st.Version
			return s.command(ctx, "cache_limit", nil, nil, &s.cacheLimit)
		}
		select {
		case <-s.proc.done:
			b, _ := os.ReadFile(filepath.Join(s.dir, "groonga.out"))
			return fmt.Errorf("bench: groonga exited before answering: %v: %s", s.proc.err, bytes.TrimSpace(b))
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("bench: groonga did not answer on %s within 30 s", s.base)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// command runs a Groonga command over HTTP (command_version 1) with
// params, the body (for load) as JSON, and decodes the answer's body into
// out.
func (s *groongaServer) command(ctx context.Context, name string, params url.Values, body []byte, out any) error {
	u := s.base + "/d/" + name
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	method, r := http.MethodGet, io.Reader(nil)
	if body != nil {
		method, r = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("bench: groonga %s: %w", name, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("bench: groonga %s: %w", name, err)
	}
	if bytes.HasPrefix(b, []byte("{")) {
		// command_version 3: {"header": {"return_code": …}, "body": …}
		var answer struct {
			Header struct {
				ReturnCode int `json:"return_code"`
				Error      struct {
					Message string `json:"message"`
				} `json:"error"`
			} `json:"header"`
			Body json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(b, &answer); err != nil {
			return fmt.Errorf("bench: groonga %s: %d %.200s", name, resp.StatusCode, b)
		}
		if answer.Header.ReturnCode != 0 {
			return fmt.Errorf("bench: groonga %s %s: %s", name, params.Encode(), answer.Header.Error.Message)
		}
		if out == nil {
			return nil
		}
		return json.Unmarshal(answer.Body, out)
	}
	// [[return code, start, elapsed, message?], body]
	var answer []json.RawMessage
	if err := json.Unmarshal(b, &answer); err != nil || len(answer) == 0 {
		return fmt.Errorf("bench: groonga %s: %d %.200s", name, resp.StatusCode, b)
	}
	var header []any
	if err := json.Unmarshal(answer[0], &header); err != nil || len(header) == 0 {
		return fmt.Errorf("bench: groonga %s: header %s", name, answer[0])
	}
	if rc, _ := header[0].(float64); rc != 0 || len(answer) < 2 {
		return fmt.Errorf("bench: groonga %s %s: %v", name, params.Encode(), header[min(3, len(header)-1)])
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer[1], out)
}

// commands runs each command, "name key value key value …".
func (s *groongaServer) commands(ctx context.Context, cmds ...[]string) error {
	for _, c := range cmds {
		v := url.Values{}
		for i := 1; i+1 < len(c); i += 2 {
			v.Set(c[i], c[i+1])
		}
		if err := s.command(ctx, c[0], v, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// groongaColumns are Listings' columns and their types.
var groongaColumns = [][2]string{
	{"title", "ShortText"}, {"skills", "Text"}, {"description", "Text"},
	{"skill_slugs", "ShortText"}, // a vector
	{"words", "ShortText"},       // a vector
	{"role", "ShortText"}, {"remote", "ShortText"}, {"prefecture", "ShortText"},
	{"contract", "ShortText"}, {"agency", "ShortText"},
	{"rate_lo", "Int32"}, {"rate_hi", "Int32"}, {"rate_band", "Int32"},
	{"hour_lo", "Int32"}, {"hour_hi", "Int32"},
	{"days", "UInt8"}, {"side_job", "Bool"}, {"posted_at", "Time"},
}

func (s *groongaServer) createTable(ctx context.Context) error {
	cmds := [][]string{{"table_create", "name", "Listings", "flags", "TABLE_HASH_KEY", "key_type", "UInt64"}}
	for _, c := range groongaColumns {
		flags := "COLUMN_SCALAR"
		if c[0] == "skill_slugs" || c[0] == "words" {
			flags = "COLUMN_VECTOR"
		}
		cmds = append(cmds, []string{"column_create", "table", "Listings", "name", c[0], "flags", flags, "type", c[1]})
	}
	return s.commands(ctx, cmds...)
}

// createIndexes builds the indexes after the load, as Groonga builds them
// fastest (static index construction).
func (s *groongaServer) createIndexes(ctx context.Context) error {
	index := func(table, name, flags, source string) []string {
		return []string{"column_create", "table", table, "name", name, "flags", "COLUMN_INDEX" + flags,
			"type", "Listings", "source", source}
	}
	return s.commands(ctx,
		[]string{"table_create", "name", "Terms", "flags", "TABLE_PAT_KEY", "key_type", "ShortText",
			"default_tokenizer", "TokenBigram", "normalizer", "NormalizerNFKC130"},
		index("Terms", "listings_text", "|WITH_POSITION|WITH_SECTION", "title,skills,description"),
		[]string{"table_create", "name", "Skills", "flags", "TABLE_PAT_KEY", "key_type", "ShortText"},
		index("Skills", "listings", "", "skill_slugs"),
		[]string{"table_create", "name", "Words", "flags", "TABLE_PAT_KEY", "key_type", "ShortText"},
		index("Words", "listings", "", "words"),
		[]string{"table_create", "name", "Codes", "flags", "TABLE_HASH_KEY", "key_type", "ShortText"},
		index("Codes", "role", "", "role"),
		index("Codes", "remote", "", "remote"),
		index("Codes", "prefecture", "", "prefecture"),
		index("Codes", "contract", "", "contract"),
		index("Codes", "agency", "", "agency"),
		[]string{"table_create", "name", "Amounts", "flags", "TABLE_PAT_KEY", "key_type", "Int32"},
		index("Amounts", "rate_lo", "", "rate_lo"),
		index("Amounts", "rate_hi", "", "rate_hi"),
		[]string{"table_create", "name", "Times", "flags", "TABLE_PAT_KEY", "key_type", "Time"},
		index("Times", "posted_at", "", "posted_at"),
	)
}

// Name names the baseline in reports.
func (g *Groonga) Name() string {
	name := "Groonga " + g.s.version
	if !g.cache {
		name += ", cache off"
	}
	return name
}

// Uncached returns the same server with its result cache off. It shares
// the load: run it after g. Its first search after one of g's empties the
// cache and sets the limit to 0, and g's first search after one of its
// sets the limit back, so that each is a run of its own.
func (g *Groonga) Uncached() *Groonga { return &Groonga{s: g.s, cache: false} }

// Shares reports whether g answers from a load made through another
// Groonga (Uncached): its Load is not to be timed.
func (g *Groonga) Shares() bool { return !g.cache }

// CopyTook is 0: Groonga's load builds its indexes as it goes.
func (g *Groonga) CopyTook() time.Duration { return 0 }

// RSS returns the groonga process's resident set size.
func (g *Groonga) RSS() uint64 { return rssOf(g.s.proc.cmd.Process.Pid) }

// Close stops the server and removes its directory.
func (g *Groonga) Close() error {
	if g.s.proc != nil {
		g.s.proc.stop()
	}
	return os.RemoveAll(g.s.dir)
}

// groongaRow is one listing as it is loaded.
type groongaRow struct {
	Key         int64    `json:"_key"`
	Title       string   `json:"title"`
	Skills      string   `json:"skills"`
	Description string   `json:"description"`
	SkillSlugs  []string `json:"skill_slugs"`
	Words       []string `json:"words"`
	Role        string   `json:"role"`
	Remote      string   `json:"remote"`
	Prefecture  string   `json:"prefecture"`
	Contract    string   `json:"contract"`
	Agency      string   `json:"agency"`
	RateLo      int64    `json:"rate_lo"`
	RateHi      int64    `json:"rate_hi"`
	RateBand    int64    `json:"rate_band"` // -1: no rate
	HourLo      int64    `json:"hour_lo"`
	HourHi      int64    `json:"hour_hi"`
	Days        int      `json:"days"`
	SideJob     bool     `json:"side_job"`
	PostedAt    int64    `json:"posted_at"` // Unix seconds
}

func groongaRowOf(l *listing.Listing) groongaRow {
	rateLo, rateHi := cmp.Or(l.Rate.MonthlyMin, l.Rate.MonthlyMax), cmp.Or(l.Rate.MonthlyMax, l.Rate.MonthlyMin)
	band := int64(-1)
	if rateHi > 0 {
		band = search.RateBand(min(rateHi, listing.MaxMonthlyYen))
	}
	// The skills field as anken's searchable text has it: each slug, then
	// the skill's name (lines of FoldedText: title, skills, description).
	folded := search.FoldedText(l)
	_, rest, _ := strings.Cut(folded, "\n")
	skills, _, _ := strings.Cut(rest, "\n")
	slugs := l.Skills
	if slugs == nil {
		slugs = []string{}
	}
	words := search.Words(folded)
	if words == nil {
		words = []string{}
	}
	return groongaRow{Key: l.ID, Title: l.Title, Skills: skills, Description: l.Description, SkillSlugs: slugs, Words: words,
		Role: string(l.Role), Remote: string(l.Remote), Prefecture: l.Prefecture, Contract: string(l.Contract),
		Agency: l.Agency, RateLo: rateLo, RateHi: rateHi, RateBand: band,
		HourLo: min(cmp.Or(l.Rate.HourlyMin, l.Rate.HourlyMax), listing.MaxHourlyYen),
		HourHi: min(cmp.Or(l.Rate.HourlyMax, l.Rate.HourlyMin), listing.MaxHourlyYen),
		Days:   min(cmp.Or(l.DaysPerWeek.Min, l.DaysPerWeek.Max), 255), SideJob: l.SideJobOK, PostedAt: l.PostedAt.Unix()}
}

// groongaBatch is how many listings one load request carries.
const groongaBatch = 10_000

// Load sends the listings to Listings with load, groongaBatch a request
// (the next batch is encoded on another core while Groonga loads one),
// then builds the indexes. A Groonga from Uncached loads nothing.
func (g *Groonga) Load(ctx context.Context, ls []*listing.Listing) error {
	if g.Shares() {
		return nil
	}
	if !g.s.loaded.IsZero() {
		return errors.New("bench: groonga: loaded already")
	}
	batches := make(chan []byte, 1)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(batches)
		for i := 0; i < len(ls); i += groongaBatch {
			rows := make([]groongaRow, 0, groongaBatch)
			for _, l := range ls[i:min(i+groongaBatch, len(ls))] {
				rows = append(rows, groongaRowOf(l))
			}
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(rows); err != nil {
				errc <- err
				return
			}
			select {
			case batches <- b.Bytes():
			case <-ctx.Done():
				return
			}
		}
	})
	n := 0
	var loadErr error
	for b := range batches {
		if loadErr != nil {
			continue // drain
		}
		var loaded int
		if err := g.s.command(ctx, "load", url.Values{"table": {"Listings"}}, b, &loaded); err != nil {
			loadErr = err
			continue
		}
		n += loaded
	}
	wg.Wait()
	select {
	case err := <-errc:
		return fmt.Errorf("bench: groonga: %w", err)
	default:
	}
	if loadErr != nil {
		return loadErr
	}
	if n != len(ls) {
		return fmt.Errorf("bench: groonga loaded %d of %d listings", n, len(ls))
	}
	if err := g.s.createIndexes(ctx); err != nil {
		return err
	}
	g.s.loaded = time.Now()
	return nil
}

// Settle waits until the wall clock is two seconds past the second the
// load ended in. Groonga serves no answer from its cache that is not newer
// than the database's last change, which it keeps in whole seconds: in
// the second after a write every query misses.
func (g *Groonga) Settle(ctx context.Context) error {
	if g.Shares() || g.s.loaded.IsZero() {
		return nil
	}
	select {
	case <-time.After(time.Until(g.s.loaded.Truncate(time.Second).Add(2 * time.Second))):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Search answers q with one select: the text terms as a query over
// title, skills and description, the filters as a filter script, facets
// as labelled drilldowns, and the page's listings with every column.
func (g *Groonga) Search(ctx context.Context, q search.Query) (search.Result, error) {
	v, err := groongaSelect(q)
	if err != nil {
		return search.Result{}, err
	}
	if g.s.cacheOff == g.cache {
		limit := g.s.cacheLimit
		if !g.cache {
			limit = 0
		}
		if err := g.s.commands(ctx, []string{"cache_limit", "max", strconv.Itoa(limit)}); err != nil {
			return search.Result{}, err
		}
		g.s.cacheOff = !g.cache
	}
	var body struct {
		NHits   int `json:"n_hits"`
		Records [][]json.RawMessage
		Drill   map[string]struct {
			Records [][]json.RawMessage `json:"records"`
		} `json:"drilldowns"`
	}
	if err := g.s.command(ctx, "select", v, nil, &body); err != nil {
		return search.Result{}, err
	}
	res := search.Result{Total: body.NHits}
	for _, r := range body.Records {
		var id int64
		if len(r) == 0 || json.Unmarshal(r[0], &id) != nil {
			return res, fmt.Errorf("bench: groonga: a record without its key: %s", r)
		}
		res.Hits = append(res.Hits, search.Hit{ID: id})
	}
	if len(body.Drill) > 0 {
		res.Facets = map[search.Facet]map[string]int{}
		for f, d := range body.Drill {
			m := map[string]int{}
			for _, r := range d.Records {
				var n int
				if len(r) < 2 || json.Unmarshal(r[1], &n) != nil {
					return res, fmt.Errorf("bench: groonga: drilldown %s: %s", f, r)
				}
				if k, ok := facetKey(search.Facet(f), r[0]); ok {
					m[k] = n
				}
			}
			res.Facets[search.Facet(f)] = m
		}
	}
	return res, nil
}

// facetKey reads a drilldown key as anken names the facet value; ok is
// false for the values anken does not count (empty, no days, no rate).
func facetKey(f search.Facet, raw json.RawMessage) (string, bool) {
	var k any
	if json.Unmarshal(raw, &k) != nil {
		return "", false
	}
	switch k := k.(type) {
	case string:
		return k, k != ""
	case bool:
		return strconv.FormatBool(k), true
	case float64:
		return strconv.FormatInt(int64(k), 10), k > 0 || k == 0 && f == search.FacetRate
	}
	return "", false
}

// groongaFacets are the drilldown keys of anken's facets.
var groongaFacets = map[search.Facet]string{
	search.FacetRole: "role", search.FacetRemote: "remote", search.FacetPrefecture: "prefecture",
	search.FacetContract: "contract", search.FacetDays: "days", search.FacetSideJob: "side_job",
	search.FacetRate: "rate_band", search.FacetAgency: "agency", search.FacetSkills: "skill_slugs",
}

// groongaSelect translates q into select's parameters (command_version 3,
// whose answer is an object). Text terms are what search.Terms reads, as
// for the PostgreSQL baseline (exclusions and phrases of several words
// are not translated), ANDed:
//
//   - a term matched as a substring is a quoted term of the query over
//     title, skills and description, which the bigram index matches
//     exactly: anken's substring terms have no white space, and the
//     tokenizer's grams over the same folded text hold each of them in
//     order;
//   - an ASCII word is looked up, with its synonyms, in the words vector
//     (anken's words of the listing). The text index would not do:
//     TokenBigram splits ASCII at every symbol, so "js" would be found in
//     "node.js" and "vue.js", where anken's word is the whole "node.js"
//     (javascript, with its synonym js: 4,490 hits against anken's 668 in
//     20,000 listings).
func groongaSelect(q search.Query) (url.Values, error) {
	if q.Workload != "" || q.SeenSince > 0 || q.Collapse || q.Cursor != "" {
		return nil, fmt.Errorf("bench: groonga: %+v: workload, seen since, collapse and cursors are not translated", q)
	}
	v := url.Values{"table": {"Listings"}, "command_version": {"3"}, "output_columns": {"_key,*"}}
	v.Set("limit", strconv.Itoa(max(q.Limit, search.DefaultLimit)))
	subs, words := search.Terms(q.Text)
	if len(subs) > 0 {
		quoted := make([]string, len(subs))
		for i, s := range subs {
			quoted[i] = groongaQuote(s)
		}
		v.Set("match_columns", "title || skills || description")
		v.Set("query", strings.Join(quoted, " "))
	}
	if f := groongaFilter(q, words); f != "" {
		v.Set("filter", f)
	}
	sort := "-posted_at,-_key"
	switch {
	case q.Sort == search.SortRate:
		sort = "-rate_hi,-_key"
	case q.Sort != search.SortNewest && v.Has("query"):
		sort = "-_score,-posted_at,-_key"
	}
	v.Set("sort_keys", sort)
	for _, f := range q.Facets {
		key, ok := groongaFacets[f]
		if !ok {
			return nil, fmt.Errorf("bench: groonga: facet %s is not translated", f)
		}
		p := "drilldowns[" + string(f) + "]."
		v.Set(p+"keys", key)
		v.Set(p+"output_columns", "_key,_nsubrecs")
		v.Set(p+"limit", "-1")
		if f == search.FacetSkills {
			v.Set(p+"sort_keys", "-_nsubrecs,_key")
			v.Set(p+"limit", "30")
		}
	}
	return v, nil
}

// groongaQuote quotes s for the query and script syntaxes.
func groongaQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// groongaFilter writes q's words (for each, one of its synonyms) and its
// filters as a script, as anken defines them (matcher.ok in
// internal/search).
func groongaFilter(q search.Query, words [][]string) string {
	var and []string
	for _, syns := range words {
		alt := make([]string, len(syns))
		for i, w := range syns {
			alt[i] = "words @ " + groongaQuote(w)
		}
		if len(alt) == 1 {
			and = append(and, alt[0])
		} else {
			and = append(and, "("+strings.Join(alt, " || ")+")")
		}
	}
	anyOf := func(col string, vs []string) {
		switch len(vs) {
		case 0:
		case 1:
			and = append(and, col+" == "+groongaQuote(vs[0]))
		default:
			args := make([]string, len(vs))
			for i, s := range vs {
				args[i] = groongaQuote(s)
			}
			and = append(and, "in_values("+col+", "+strings.Join(args, ", ")+")")
		}
	}
	strs := func(n int, at func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	for _, s := range q.Skills {
		and = append(and, "skill_slugs @ "+groongaQuote(s))
	}
	anyOf("role", strs(len(q.Roles), func(i int) string { return string(q.Roles[i]) }))
	anyOf("remote", strs(len(q.Remotes), func(i int) string { return string(q.Remotes[i]) }))
	anyOf("prefecture", q.Prefectures)
	anyOf("contract", strs(len(q.Contracts), func(i int) string { return string(q.Contracts[i]) }))
	anyOf("agency", q.Agencies)
	bound := func(col string, lo, hi, most int64) {
		if lo > 0 {
			and = append(and, fmt.Sprintf("%s_hi >= %d", col, min(lo, most)))
		}
		if hi > 0 {
			and = append(and, fmt.Sprintf("%s_lo > 0 && %s_lo <= %d", col, col, min(hi, most)))
		}
	}
	bound("rate", q.RateMin, q.RateMax, listing.MaxMonthlyYen)
	bound("hour", q.HourlyMin, q.HourlyMax, listing.MaxHourlyYen)
	if q.DaysMax > 0 {
		if q.DaysMax >= 7 {
			and = append(and, "days > 0") // anken reads days above 7 as 7
		} else {
			and = append(and, fmt.Sprintf("days > 0 && days <= %d", q.DaysMax))
		}
	}
	if q.SideJob != nil {
		and = append(and, "side_job == "+strconv.FormatBool(*q.SideJob))
	}
	return strings.Join(and, " && ")
}
