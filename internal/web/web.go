// Package web serves anken's pages: server-rendered Japanese HTML for
// engineers (the top page, search, listings), the Atom feed of a search,
// the sitemap and robots.txt. Pages read through the catalog, the same
// read layer as the JSON API; handlers only translate a request into a
// catalog call and its answer into a view.
//
// Templates and static files are embedded and parsed once at start. Each
// page has its own typed view, composed with one layout. Everything works
// without JavaScript; app.js only makes filters answer without a full
// reload. Errors render through the one table of problem kinds as a
// Japanese page with the kind's status.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"anken/internal/account"
	"anken/internal/catalog"
	"anken/internal/guide"
	"anken/internal/listing"
	"anken/internal/operate"
	"anken/internal/problem"
	"anken/internal/traffic"
	"anken/internal/wording"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are the site's collaborators. Catalog, Accounts, Operate, Guides,
// Sitemap and Traffic are required (server.New refuses to start without
// one); the others may be left zero. A Site made without the required
// ones, as the page benchmark makes one, serves the public pages only:
// the guides from the embedded files, nothing counted.
type Deps struct {
	Catalog *catalog.Catalog
	Log     *slog.Logger
	// BaseURL is the absolute address of the site, without a trailing
	// slash, for canonical links, feeds and sitemaps.
	BaseURL string
	Now     func() time.Time // time.Now when nil
	Sitemap SitemapStore     // the open listings /sitemap.xml lists
	// DevMail, when set, is the outbox /dev/mail shows (serve --demo);
	// without it there is no /dev/mail.
	DevMail DevMailStore
	// Guides are the side-job guides and job-type articles (the embedded
	// files alone when nil).
	Guides *guide.Library
	// Accounts serve engineers' pages: sign-up, login and マイページ
	// under /me.
	Accounts *account.Service
	// Operate carries out the operator pages under /ops and the agency
	// console under /agency (the service the operator API shares).
	Operate *operate.Service
	// Traffic counts the listings' impressions (cards on a page), views
	// (their page) and clicks (/go).
	Traffic *traffic.Counter
}

// Site is the set of pages. Safe for concurrent use.
type Site struct {
	Deps
	pages  map[string]*template.Template
	static map[string]string // file name → content hash, for cache-busting URLs
	// parts renders the fragments kept for every visitor (fragments.go).
	parts     *template.Template
	fragments fragments
}

// New parses the templates and fingerprints the static files.
func New(d Deps) (*Site, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	d.BaseURL = strings.TrimSuffix(d.BaseURL, "/")
	s := &Site{Deps: d, pages: map[string]*template.Template{}, static: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.static[strings.TrimPrefix(path, "static/")] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	funcs := s.funcs()
	if s.parts, err = template.New("parts").Funcs(funcs).ParseFS(templateFS, "templates/parts.html"); err != nil {
		return nil, fmt.Errorf("web: template parts: %w", err)
	}
	// Each page is templates/<name>.html composed with the layout and the
	// shared parts.
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(file, "templates/"), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		s.pages[name] = t
	}
	return s, nil
}

func (s *Site) funcs() template.FuncMap {
	return template.FuncMap{
		"roleName":       roleName,
		"remoteName":     remoteName,
		"contractName":   contractName,
		"prefectureName": prefectureName,
		"skillName":      skillName,
		"cardBody":       s.cardBody,
		"filterGroups":   s.filterGroupsHTML,
		"comma":          func(n int) string { return comma(int64(n)) },
		"payText":        payText,
		"daysText":       daysText,
		"hoursText":      hoursText,
		"startText":      startText,
		"dateText":       dateText,
		"shortDate":      shortDate,
		"asOf":           wording.AsOf,
		"ago":            ago,
		"excerpt":        excerpt,
		"static":         s.staticURL,
		"agency":         agencyName,
		"placeText":      placeText,
		"isoDate":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"favButton":      favButton,
		"applyPath":      applyPath,
	}
}

// staticURL is the address of a static file with its content hash, so
// browsers may keep it for a year and still see a new version at once.
func (s *Site) staticURL(name string) string {
	return "/static/" + name + "?v=" + s.static[name]
}

// Register adds the site's paths to mux.
func (s *Site) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.top)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /listings/{id}", s.listing)
	mux.HandleFunc("GET /go/{id}/{agency}", s.apply)
	mux.HandleFunc("GET /search.atom", s.searchFeed)
	s.registerSitemap(mux) // GET /sitemap.xml and /sitemaps/{n}.xml
	s.registerGuides(mux)  // GET /guides and /guides/{slug}
	s.registerTopics(mux)  // GET /roles/{role}, /skills/{skill} and /market
	s.registerLanding(mux) // GET /areas/{prefecture} and /features/{feature}
	mux.HandleFunc("GET /agencies", s.agencies)
	mux.HandleFunc("GET /agencies/{slug}", s.agency)
	mux.HandleFunc("GET /robots.txt", s.robots)
	mux.Handle("GET /static/", s.staticHandler())
	if s.DevMail != nil {
		s.registerDevMail(mux)
	}
	s.registerAccounts(mux) // /signup, /login, /me/… (account.go, me.go)
	s.registerOps(mux)      // /ops/… for operators (ops.go)
	s.registerConsole(mux)  // /agency/… for agencies, and for operators under /ops/agencies/{slug}/console (console.go)
}

func (s *Site) staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}

// base is what every page's view has: what the layout needs.
type base struct {
	Title       string // page title, before " | anken"
	Description string // meta description
	Canonical   string // absolute URL; empty for none
	NoIndex     bool   // keep the page out of search engines
	Q           string // the header search box
	Crumbs      []crumb
	Nonce       string
	Now         time.Time
	Names       map[string]string // agency display names by slug
	Viewer      *viewer           // the logged-in engineer; nil when logged out
	Path        string            // this page's path and query, for forms to come back to
	// shown counts the listings of the cards built for the page as
	// impressions (cards does); nil counts nothing.
	shown func(ids []int64)
}

type crumb struct{ Name, URL string }

func (s *Site) base(r *http.Request, title string) base {
	// Without names (the store is down), pages show agencies' slugs.
	names, _ := s.Catalog.AgencyNames(r.Context())
	b := base{Title: title, Nonce: Nonce(r.Context()), Now: s.Now(), Names: names,
		Path:  localPath(r.URL.RequestURI(), "/"),
		shown: func(ids []int64) { s.Traffic.Count(r, traffic.Impression, ids...) }}
	if b.Viewer = s.currentViewer(r); b.Viewer != nil {
		s.loadFavorites(r.Context(), b.Viewer)
	}
	return b
}

// render writes the page with status; a template that fails renders
// nothing half-written: the page is built in memory first.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", view); err != nil {
		s.Log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.Any("err", err))
		if name != "error" {
			s.Error(w, r, fmt.Errorf("web: render %s: %w", name, err))
			return
		}
		http.Error(w, "エラーが発生しました。しばらくしてからもう一度お試しください。", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorView is the page of a failure.
type errorView struct {
	base
	Status  int
	Heading string
	Message string
	Detail  string // what was wrong with the request, when the client can fix it
}

// errorTexts are the Japanese heading and advice per kind of failure.
var errorTexts = map[problem.Kind][2]string{
	problem.Invalid:       {"リクエストを読み取れませんでした", "URL の形式が正しくありません。検索条件を指定し直してください。"},
	problem.Unprocessable: {"検索条件に誤りがあります", "指定された条件では検索できません。条件を見直してください。"},
	problem.Unauthorized:  {"ログインが必要です", "このページを見るにはログインしてください。"},
	problem.Forbidden:     {"このページは表示できません", "この操作は許可されていません。別のサイトから送信されたフォームは受け付けていません。"},
	problem.NotFound:      {"ページが見つかりません", "お探しのページは削除されたか、URL が変わった可能性があります。"},
	problem.NotAllowed:    {"この方法ではアクセスできません", "このページはこの操作に対応していません。"},
	problem.Conflict:      {"処理を完了できませんでした", "ほかの操作と重なりました。ページを読み込み直してからもう一度お試しください。"},
	problem.TooMany:       {"アクセスが集中しています", "短時間にたくさんのリクエストがありました。少し待ってからもう一度お試しください。"},
	problem.Canceled:      {"リクエストが中断されました", "もう一度お試しください。"},
	problem.Unavailable:   {"ただいま混み合っています", "一時的にデータを読み込めません。少し時間をおいてからもう一度お試しください。"},
	problem.Internal:      {"エラーが発生しました", "ご不便をおかけしています。問題は記録されました。時間をおいてもう一度お試しください。"},
}

// Error answers a failure with a Japanese page whose status comes from the
// one table of problem kinds. Failures of the server's own are logged.
func (s *Site) Error(w http.ResponseWriter, r *http.Request, err error) {
	k := problem.KindOf(err)
	status := k.Status()
	if status >= 500 && k != problem.Canceled {
		s.Log.ErrorContext(r.Context(), "page failed", slog.String("path", r.URL.Path), slog.Int("status", status), slog.Any("err", err))
	}
	texts, ok := errorTexts[k]
	if !ok {
		texts = errorTexts[problem.Internal]
	}
	v := errorView{base: s.base(r, texts[0]), Status: status, Heading: texts[0], Message: texts[1]}
	v.NoIndex = true
	if status < 500 {
		var pe *problem.Error
		if errors.As(err, &pe) && len(pe.Details) > 0 {
			v.Detail = pe.Details[0].Location + ": " + pe.Details[0].Message
		}
	}
	if s := problem.RetryAfter(err); s > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(s))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "error", v)
}

// NotFound answers with the 404 page.
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) {
	s.Error(w, r, problem.Errorf(problem.NotFound, "no page at %s", r.URL.Path))
}

// absolute returns the absolute URL of a path on this site.
func (s *Site) absolute(path string) string { return s.BaseURL + path }

// canceled reports whether the client went away, so nothing is to be
// written.
func canceled(ctx context.Context) bool { return ctx.Err() != nil }

// cardView is a search hit as the card partial shows it: every text
// worked out in Go, so the template only places strings (a page has
// twenty cards, and each template action costs reflection).
type cardView struct {
	ID     int64
	Title  string
	Closed bool
	Rate   string // the quote: 時給4,500円
	// RateNote is what the quote comes to at the stated workload, or
	// スキル見合い (wording.PayParts): 週1〜2日で月14.4万〜28.8万円.
	RateNote string
	Facts    []fact
	Skills   []string
	Source   string // the agency, or "3社が掲載" for a grouped job
	Grouped  bool
	Posted   string // RFC 3339
	Ago      string // 2日前
	Fav      bool   // among the viewer's favourites
	Back     string // the page the card is on, for the favourite button
}

// fact is one of a card's badges.
type fact struct{ Text, Class string }

// maxCardSkills is how many skills a card shows.
const maxCardSkills = 6

func newCard(h catalog.Hit, now time.Time, names map[string]string) cardView {
	c := cardView{ID: h.ID, Title: h.Title, Closed: h.Status == listing.StatusClosed,
		Source: agencyName(names, h.Agency), Posted: h.PostedAt.UTC().Format(time.RFC3339), Ago: ago(h.PostedAt, now)}
	c.Rate, c.RateNote = wording.PayParts(&h.Listing)
	if o := h.Offers; o != nil {
		c.Source, c.Grouped = strconv.Itoa(o.Count)+"社が掲載", true
		if m := groupMonthly(h.Listing, o); m != "" {
			c.Source += "（月額" + m + "）"
		}
	}
	if isNew(h.FirstSeenAt, now) {
		c.Facts = append(c.Facts, fact{"新着", "new"})
	}
	if h.Remote != "" {
		c.Facts = append(c.Facts, fact{remoteName(h.Remote), "remote-" + string(h.Remote)})
	}
	if d := daysText(h.DaysPerWeek); d != "" {
		c.Facts = append(c.Facts, fact{Text: d})
	}
	if h.Prefecture != "" {
		c.Facts = append(c.Facts, fact{Text: prefectureName(h.Prefecture)})
	} else if h.Location != "" {
		c.Facts = append(c.Facts, fact{Text: excerpt(h.Location, 12)})
	}
	if h.SideJobOK {
		c.Facts = append(c.Facts, fact{"副業OK", "side"})
	}
	if h.Contract != "" {
		c.Facts = append(c.Facts, fact{Text: contractName(h.Contract)})
	}
	for _, sk := range h.Skills[:min(len(h.Skills), maxCardSkills)] {
		c.Skills = append(c.Skills, skillName(sk))
	}
	return c
}

// isNew reports whether a listing anken first saw at seen is 新着 at
// now: within the 24 hours before it, as 今日の新着 counts.
func isNew(seen, now time.Time) bool {
	return !seen.IsZero() && !seen.After(now) && now.Sub(seen) < 24*time.Hour
}

// groupMonthly is the monthly pay across a job's offers, for its card
// beside the representative listing's own quote: only for full-time work
// (a part-time job's offers may each be paid at a different workload,
// and its card states its own month), and only when the offers widen
// the representative's own monthly pay.
func groupMonthly(l listing.Listing, o *catalog.Offers) string {
	if listing.WorkloadOf(l.DaysPerWeek, l.HoursPerMonth) != listing.WorkloadFull {
		return ""
	}
	own := listing.PayOf(l.Rate, l.DaysPerWeek, l.HoursPerMonth)
	if l.Rate.Min == 0 && l.Rate.Max == 0 {
		own.MonthlyMin, own.MonthlyMax = l.Rate.MonthlyMin, l.Rate.MonthlyMax
	}
	if o.MonthlyMin == own.MonthlyMin && o.MonthlyMax == own.MonthlyMax {
		return ""
	}
	return monthlyText(o.MonthlyMin, o.MonthlyMax)
}

// cards makes the card views of a page of hits, and counts each hit as
// shown (an impression): every page that lists listings makes its cards
// here.
func cards(hits []catalog.Hit, b base) []cardView {
	out := make([]cardView, len(hits))
	for i, h := range hits {
		out[i] = newCard(h, b.Now, b.Names)
		out[i].Back = b.Path
		if b.Viewer != nil {
			out[i].Fav = b.Viewer.favs[h.ID]
		}
	}
	if b.shown != nil {
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.ID
		}
		b.shown(ids)
	}
	return out
}

// agencyNames returns the agencies' display names by slug, or none when
// they cannot be read: pages then name agencies by their slugs.
func (s *Site) agencyNames(ctx context.Context) map[string]string {
	names, err := s.Catalog.AgencyNames(ctx)
	if err != nil {
		return nil
	}
	return names
}

// agencyName is the display name of the agency slug.
func agencyName(names map[string]string, slug string) string {
	if n, ok := names[slug]; ok {
		return n
	}
	return slug
}
