package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/skill"
	"anken/internal/store"
)

// This file serves what machines read of the site: the Atom feed of a
// search (/search.atom), the sitemap (/sitemap.xml, split into
// /sitemaps/{n}.xml past the protocol's limit) and robots.txt.

// SitemapStore is what the sitemap reads of the system of record;
// store.Store is the implementation.
type SitemapStore interface {
	// OpenListingStamps returns up to limit open listings with an id
	// above afterID, in id order.
	OpenListingStamps(ctx context.Context, afterID int64, limit int) ([]store.Stamp, error)
}

// feedSize is how many listings the Atom feed of a search carries.
const feedSize = 50

// atomFeed is an Atom 1.0 feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Link       atomLink       `xml:"link"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Author     atomPerson     `xml:"author"`
	Summary    atomText       `xml:"summary"`
	Categories []atomCategory `xml:"category"`
}

// atomTime writes a time as Atom's date-time: RFC 3339 in UTC.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// searchFeed answers /search.atom?<the search's parameters> with the
// search's newest listings as an Atom feed. The feed has its own order,
// size and no pages: sort, cursor, limit and facets in the URL are
// ignored.
func (s *Site) searchFeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := catalog.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p.Sort, p.Cursor, p.Limit, p.Facets = string(search.SortNewest), "", feedSize, nil
	q, err := p.Query()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p.Skill = q.Skills // slugs, whatever spelling was asked
	page, err := s.Catalog.Search(ctx, q)
	if err != nil {
		s.Error(w, r, err)
		return
	}

	// The feed's canonical URL names the search alone; its HTML
	// alternate is the same search in the feed's order.
	v := p.Values()
	alternate := s.absolute("/search?" + v.Encode())
	v.Del("sort")
	self := s.absolute("/search.atom")
	if enc := v.Encode(); enc != "" {
		self += "?" + enc
	}
	f := atomFeed{
		Lang:   "ja",
		ID:     self,
		Title:  feedTitle(p, s.agencyNames(ctx)),
		Author: atomPerson{Name: "anken"},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: alternate},
		},
	}
	var updated time.Time
	for _, h := range page.Hits {
		e := s.feedEntry(h)
		f.Entries = append(f.Entries, e)
		if u := entryUpdated(h.Listing); u.After(updated) {
			updated = u
		}
	}
	if updated.IsZero() {
		// No entries: the feed changed when the catalogue last did.
		if s.Catalog.Store != nil {
			if updated, err = s.Catalog.Store.LastChange(ctx); err != nil {
				s.Error(w, r, storeFailed(fmt.Errorf("web: feed of %q: %w", r.URL.RawQuery, err)))
				return
			}
		}
		if updated.IsZero() {
			updated = s.Now()
		}
	}
	f.Updated = atomTime(updated)

	var buf strings.Builder
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		s.Error(w, r, fmt.Errorf("web: encode feed: %w", err))
		return
	}
	buf.WriteByte('\n')
	h := w.Header()
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(buf.String())); err != nil && !canceled(ctx) {
		s.Log.WarnContext(ctx, "write feed", slog.Any("err", err))
	}
}

// entryUpdated is when a listing last changed: its stored update, or its
// posting when none is known.
func entryUpdated(l listing.Listing) time.Time {
	if l.UpdatedAt.IsZero() {
		return l.PostedAt
	}
	return l.UpdatedAt
}

func (s *Site) feedEntry(h catalog.Hit) atomEntry {
	l := h.Listing
	u := s.absolute("/listings/" + strconv.FormatInt(l.ID, 10))
	e := atomEntry{
		ID:      u,
		Title:   l.Title,
		Link:    atomLink{Rel: "alternate", Type: "text/html", Href: u},
		Updated: atomTime(entryUpdated(l)),
		Author:  atomPerson{Name: l.Agency},
		Summary: atomText{Type: "text", Text: feedSummary(h)},
	}
	if !l.PostedAt.IsZero() {
		e.Published = atomTime(l.PostedAt)
	}
	for _, sk := range l.Skills {
		e.Categories = append(e.Categories, atomCategory{Term: sk, Label: skillName(sk)})
	}
	return e
}

// feedSummary is an entry's text: pay, style, days, place and skills, as
// a listing card shows them.
func feedSummary(h catalog.Hit) string {
	l := h.Listing
	parts := []string{payText(l)}
	if l.Remote != "" {
		parts = append(parts, remoteName(l.Remote))
	}
	if d := daysText(l.DaysPerWeek); d != "" {
		parts = append(parts, d)
	}
	switch {
	case l.Prefecture != "":
		parts = append(parts, prefectureName(l.Prefecture))
	case l.Location != "":
		parts = append(parts, l.Location)
	}
	out := strings.Join(parts, "・")
	if len(l.Skills) > 0 {
		names := make([]string, len(l.Skills))
		for i, sk := range l.Skills {
			names[i] = skillName(sk)
		}
		out += "。スキル：" + strings.Join(names, "、")
	}
	if h.Offers != nil && h.Offers.Count > 1 {
		out += "。" + strconv.Itoa(h.Offers.Count) + "社が掲載"
	}
	return out
}

// feedTitle names the search: 「Go・フルリモートの新着案件 | anken」.
func feedTitle(p catalog.Params, agencies map[string]string) string {
	if c := conditionText(p, agencies); c != "" {
		return c + "の新着案件 | anken"
	}
	return "新着案件 | anken"
}

// sitemapPageSize is the most URLs one sitemap file lists: the protocol's
// limit. Past it /sitemap.xml is an index of /sitemaps/{n}.xml pages. A
// variable so that tests can split a handful of listings.
var sitemapPageSize = 50_000

// sitemapMaxPages is how many /sitemaps/{n}.xml pages the index lists:
// 1,000 pages of 50,000 are 50 million URLs (the protocol allows 50,000
// sitemaps in an index); listings past that are left out (and logged).
const sitemapMaxPages = 1000

// sitemapPlanTTL is how long a plan of the sitemap's pages is reused.
const sitemapPlanTTL = 10 * time.Minute

// sitemapBatch is how many listings one store read takes.
const sitemapBatch = 5000

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

// sitePaths are the site's own pages the sitemap lists before the
// listings: the top, search and market pages, every role's page, the
// features, the agencies' list, the guides, the page of every agency with
// open listings, and the page of every skill and every prefecture with
// enough open listings to be indexed (skillPageMin, areaPageMin, counted
// as their pages count them: one Count per skill and per prefecture, once
// a plan).
func (s *Site) sitePaths(ctx context.Context) ([]string, error) {
	paths := []string{"/", "/search", "/market"}
	for _, r := range listing.Roles {
		paths = append(paths, "/roles/"+string(r))
	}
	for _, f := range features {
		paths = append(paths, "/features/"+f.Slug)
	}
	paths = append(paths, "/agencies")
	if s.Guides != nil {
		gs, err := s.Guides.Guides(ctx)
		if err != nil {
			return nil, err
		}
		paths = append(paths, "/guides")
		for _, g := range gs {
			paths = append(paths, "/guides/"+g.Slug)
		}
	}
	if s.Catalog == nil || s.Catalog.Index == nil {
		return paths, nil
	}
	for _, sk := range skill.All() {
		q, err := catalog.Params{Skill: []string{sk.Slug}, Collapse: true}.Query()
		if err != nil {
			return nil, problem.Wrap(problem.Internal, err, "a skill page's search is not valid")
		}
		c, err := s.Catalog.Count(ctx, q)
		if err != nil {
			return nil, err
		}
		if c.Total >= skillPageMin {
			paths = append(paths, "/skills/"+url.PathEscape(sk.Slug))
		}
	}
	for _, pr := range listing.Prefectures {
		q, err := areaParams(pr.Code).Query()
		if err != nil {
			return nil, problem.Wrap(problem.Internal, err, "an area page's search is not valid")
		}
		c, err := s.Catalog.Count(ctx, q)
		if err != nil {
			return nil, err
		}
		if c.Total >= areaPageMin {
			paths = append(paths, "/areas/"+pr.Slug)
		}
	}
	agencies, err := s.Catalog.AgencyList(ctx, s.Now())
	if err != nil {
		return nil, err
	}
	for _, a := range agencies {
		paths = append(paths, "/agencies/"+url.PathEscape(a.Slug))
	}
	return paths, nil
}

// sitemapPlan is how the sitemap splits into pages, from one walk over
// the open listings in id order: URL k (the site's pages, then the
// listings) is on page k / size. Reused for sitemapPlanTTL, so a crawler
// that reads every page costs one walk, not one per page.
type sitemapPlan struct {
	built   time.Time
	size    int
	changed time.Time // the catalogue's latest change: the site pages' lastmod
	pages   []sitemapPage
}

// sitemapPage is one page of a split sitemap: its site paths, and the
// open listings with ids in (after, last]. The last page is open-ended,
// so listings added since the plan appear at once.
type sitemapPage struct {
	paths    []string
	after    int64
	last     int64 // 0 when the page has no listings
	listings bool
	lastmod  time.Time
}

// sitemapPlanner keeps the current plan of one registered sitemap.
type sitemapPlanner struct {
	mu   sync.Mutex
	plan *sitemapPlan
}

// registerSitemap adds GET /sitemap.xml and /sitemaps/{n}.xml to mux,
// sharing one plan.
func (s *Site) registerSitemap(mux *http.ServeMux) {
	sp := &sitemapPlanner{}
	mux.HandleFunc("GET /sitemap.xml", func(w http.ResponseWriter, r *http.Request) { s.sitemap(w, r, sp, 0) })
	// One pattern for every page, so the access log and metrics see one
	// route: a ServeMux wildcard is a whole segment, hence /sitemaps/N.xml.
	mux.HandleFunc("GET /sitemaps/{file}", func(w http.ResponseWriter, r *http.Request) {
		num, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 1 || strconv.Itoa(n) != num {
			s.NotFound(w, r)
			return
		}
		s.sitemap(w, r, sp, n)
	})
}

// sitemap answers /sitemap.xml (n = 0) and /sitemaps/{n}.xml. A sitemap
// that fits one page is a urlset at /sitemap.xml; a larger one is an
// index there, pointing at its pages.
func (s *Site) sitemap(w http.ResponseWriter, r *http.Request, sp *sitemapPlanner, n int) {
	ctx := r.Context()
	plan, err := sp.current(ctx, s)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	switch {
	case n == 0 && len(plan.pages) > 1:
		s.sitemapIndex(w, r, plan)
	case n == 0:
		s.sitemapURLs(w, r, plan, 0)
	case n <= len(plan.pages):
		s.sitemapURLs(w, r, plan, n-1)
	default:
		s.NotFound(w, r)
	}
}

// current returns the plan, walking the open listings again when it is
// older than sitemapPlanTTL or was made for another page size. One walk
// at a time: others wait for its plan.
func (sp *sitemapPlanner) current(ctx context.Context, s *Site) (*sitemapPlan, error) {
	size := max(sitemapPageSize, 1)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if p := sp.plan; p != nil && p.size == size && s.Now().Sub(p.built) < sitemapPlanTTL {
		return p, nil
	}
	p, err := s.planSitemap(ctx, size)
	if err != nil {
		return nil, err
	}
	sp.plan = p
	return p, nil
}

// planSitemap walks the open listings and splits the sitemap into pages
// of size URLs.
func (s *Site) planSitemap(ctx context.Context, size int) (*sitemapPlan, error) {
	var changed time.Time
	if s.Catalog != nil && s.Catalog.Store != nil {
		var err error
		if changed, err = s.Catalog.Store.LastChange(ctx); err != nil {
			return nil, storeFailed(fmt.Errorf("web: plan sitemap: %w", err))
		}
	}
	plan := &sitemapPlan{built: s.Now(), size: size, changed: changed}
	urls := 0
	var prev int64 // the last listing placed
	// place returns the page of the next URL, starting a page when full.
	place := func() *sitemapPage {
		if urls/size == len(plan.pages) {
			plan.pages = append(plan.pages, sitemapPage{after: prev})
		}
		urls++
		return &plan.pages[len(plan.pages)-1]
	}
	paths, err := s.sitePaths(ctx)
	if err != nil {
		return nil, fmt.Errorf("web: plan sitemap: %w", err)
	}
	for _, path := range paths {
		pg := place()
		pg.paths = append(pg.paths, path)
		pg.lastmod = later(pg.lastmod, changed)
	}
	for after := int64(0); ; {
		batch, err := s.stamps(ctx, after, sitemapBatch)
		if err != nil {
			return nil, storeFailed(fmt.Errorf("web: plan sitemap: %w", err))
		}
		for _, st := range batch {
			if urls/size == sitemapMaxPages {
				s.Log.WarnContext(ctx, "sitemap full: listings left out", slog.Int("pages", sitemapMaxPages),
					slog.Int("page_size", size), slog.Int64("from_id", st.ID))
				return plan, nil
			}
			pg := place()
			pg.last, pg.listings = st.ID, true
			pg.lastmod = later(pg.lastmod, st.UpdatedAt)
			prev = st.ID
		}
		if len(batch) < sitemapBatch {
			return plan, nil
		}
		after = batch[len(batch)-1].ID
	}
}

// storeFailed gives a store's failure its kind, as the catalog does: the
// store is not answering (a cancelled request stays cancelled).
func storeFailed(err error) error {
	return problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly")
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// stamps reads a keyset page of open listings.
func (s *Site) stamps(ctx context.Context, after int64, limit int) ([]store.Stamp, error) {
	if limit <= 0 {
		return nil, nil
	}
	return s.Sitemap.OpenListingStamps(ctx, after, limit)
}

type sitemapURL struct {
	XMLName xml.Name `xml:"url"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

type sitemapRef struct {
	XMLName xml.Name `xml:"sitemap"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

func lastmod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return atomTime(t)
}

// sitemapIndex writes the index of the plan's pages.
func (s *Site) sitemapIndex(w http.ResponseWriter, r *http.Request, plan *sitemapPlan) {
	enc, end := s.startSitemap(w, "sitemapindex")
	for i, pg := range plan.pages {
		ref := sitemapRef{Loc: s.absolute("/sitemaps/" + strconv.Itoa(i+1) + ".xml"), LastMod: lastmod(pg.lastmod)}
		if err := enc.Encode(ref); err != nil {
			s.sitemapBroken(r, err)
			return
		}
	}
	if err := end(); err != nil {
		s.sitemapBroken(r, err)
	}
}

// sitemapURLs streams page k of the plan as a urlset, reading its
// listings from the store as it writes.
func (s *Site) sitemapURLs(w http.ResponseWriter, r *http.Request, plan *sitemapPlan, k int) {
	ctx := r.Context()
	pg := plan.pages[k]
	openEnded := k == len(plan.pages)-1
	room := plan.size - len(pg.paths)
	after := pg.after
	done := room <= 0 || (!openEnded && !pg.listings)
	// next reads the page's next listings: none once the page is full,
	// past its last id or past the last open listing.
	next := func() ([]store.Stamp, error) {
		if done {
			return nil, nil
		}
		n := min(room, sitemapBatch)
		batch, err := s.stamps(ctx, after, n)
		if err != nil {
			return nil, storeFailed(err)
		}
		done = len(batch) < n || len(batch) == room
		if !openEnded {
			for i, st := range batch {
				if st.ID >= pg.last {
					done = true
				}
				if st.ID > pg.last {
					batch = batch[:i]
					break
				}
			}
		}
		return batch, nil
	}
	// The first read comes before the answer, so a store that fails
	// answers with an error page, not half a sitemap.
	batch, err := next()
	if err != nil {
		s.Error(w, r, fmt.Errorf("web: sitemap page %d: %w", k+1, err))
		return
	}
	enc, end := s.startSitemap(w, "urlset")
	for _, path := range pg.paths {
		if err := enc.Encode(sitemapURL{Loc: s.absolute(path), LastMod: lastmod(plan.changed)}); err != nil {
			s.sitemapBroken(r, err)
			return
		}
	}
	for len(batch) > 0 {
		for _, st := range batch {
			u := sitemapURL{Loc: s.absolute("/listings/" + strconv.FormatInt(st.ID, 10)), LastMod: lastmod(st.UpdatedAt)}
			if err := enc.Encode(u); err != nil {
				s.sitemapBroken(r, err)
				return
			}
		}
		room -= len(batch)
		after = batch[len(batch)-1].ID
		if batch, err = next(); err != nil {
			s.sitemapBroken(r, fmt.Errorf("web: sitemap page %d: %w", k+1, err))
			return
		}
	}
	if err := end(); err != nil {
		s.sitemapBroken(r, err)
	}
}

// startSitemap answers 200 and opens the root element; end closes it
// and flushes.
func (s *Site) startSitemap(w http.ResponseWriter, root string) (enc *xml.Encoder, end func() error) {
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=600")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, xml.Header)
	enc = xml.NewEncoder(w)
	enc.Indent("", "  ")
	start := xml.StartElement{Name: xml.Name{Local: root}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: sitemapNS}}}
	enc.EncodeToken(start)
	return enc, func() error {
		if err := enc.EncodeToken(start.End()); err != nil {
			return err
		}
		if err := enc.Flush(); err != nil {
			return err
		}
		_, err := w.Write([]byte("\n"))
		return err
	}
}

// sitemapBroken logs a sitemap that failed halfway: its status is sent,
// so the client gets a cut-off document, which crawlers reject.
func (s *Site) sitemapBroken(r *http.Request, err error) {
	if canceled(r.Context()) {
		return
	}
	s.Log.ErrorContext(r.Context(), "sitemap cut off", slog.String("path", r.URL.Path), slog.Any("err", err))
}

// robots answers /robots.txt: crawl the pages, not the API, feeds,
// later pages of a search or personal pages; the sitemap lists the rest.
func (s *Site) robots(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	fmt.Fprintf(w, "User-agent: *\nAllow: /\nDisallow: /v1/\nDisallow: /search.atom\nDisallow: /search?*cursor=\nDisallow: /me/\nDisallow: /go/\n\nSitemap: %s\n",
		s.absolute("/sitemap.xml"))
}
