package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"anken/internal/operate"
	"anken/internal/problem"
	"anken/internal/store"
	"anken/internal/traffic"
)

// The agency console under /agency: an agency logs in with its API key,
// which starts a session kept in the store (the cookie holds its token,
// HttpOnly, SameSite=Strict, for /agency only; the session ends with the
// key), and reads its listings, rejections, feed runs and counts,
// confirms or discards a held full feed, edits its profile and rotates
// its key. An operator logged in to /ops opens any agency's console at
// /ops/agencies/{slug}/console/…, the same pages under the operator's
// cookie, marked as such; the operator's writes are audited as the
// operator's. Everything goes through the operator service (operate),
// which the API shares. Forms work without JavaScript; cross-site posts
// are refused by Secure's CrossOriginProtection.

// agencyCookie holds the token of an agency's console session.
const agencyCookie = "anken_agency"

// agencySessionTTL is how long a console session lasts.
const agencySessionTTL = 12 * time.Hour

// consolePage is how many rows a list of the console shows.
const consolePage = 50

// consoleWho is whom a console page is for: the agency, and the
// operator looking at it (empty when the agency itself).
type consoleWho struct {
	Agency store.Agency
	Op     string
	Base   string // the console's root: /agency, or /ops/agencies/{slug}/console
}

// audited returns the request's context for a write: the agency's own,
// or the operator's with action+"-operator".
func (who consoleWho) audited(r *http.Request, action string) context.Context {
	e := store.AuditEntry{ActorKind: store.AuditAgency, Actor: who.Agency.Slug, Action: action, Target: r.URL.Path, IP: clientIP(r)}
	if who.Op != "" {
		e.ActorKind, e.Actor, e.Action = store.AuditOperator, who.Op, action+"-operator"
	}
	return store.WithAudit(r.Context(), e)
}

type consoleSite struct {
	*Site
	st      *operate.Service
	reports *traffic.Reports
}

type consoleHandler func(c *consoleSite, w http.ResponseWriter, r *http.Request, who consoleWho)

// consoleRoute is one page or form of the console: Pattern under
// /agency; the same path under /ops/agencies/{slug}/console for
// operators.
type consoleRoute struct {
	Pattern string
	h       consoleHandler
}

// consoleRoutes are every console path that needs a session. The
// authorization test walks them all.
var consoleRoutes = []consoleRoute{
	{"GET /agency", (*consoleSite).overview},
	{"GET /agency/listings", (*consoleSite).listings},
	{"GET /agency/rejections", (*consoleSite).rejections},
	{"GET /agency/feeds", (*consoleSite).feeds},
	{"POST /agency/feeds/{id}/confirm", (*consoleSite).confirmRun},
	{"POST /agency/feeds/{id}/discard", (*consoleSite).discardRun},
	{"GET /agency/stats", (*consoleSite).stats},
	{"GET /agency/profile", (*consoleSite).profile},
	{"POST /agency/profile", (*consoleSite).saveProfile},
	{"GET /agency/keys", (*consoleSite).keys},
	{"POST /agency/keys/rotate", (*consoleSite).rotateKey},
}

// registerConsole adds the agency console, carried out by the operator
// service (Deps.Operate).
func (s *Site) registerConsole(mux *http.ServeMux) {
	c := &consoleSite{Site: s, st: s.Operate, reports: &traffic.Reports{Store: s.Operate, Now: s.Now}}
	mux.HandleFunc("GET /agency/login", c.loginPage)
	mux.HandleFunc("POST /agency/login", c.login)
	mux.HandleFunc("POST /agency/logout", c.logout)
	o := &opsSite{Site: s, st: s.Operate}
	for _, rt := range consoleRoutes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		mux.HandleFunc(rt.Pattern, c.agencyAuthed(rt.h))
		mux.HandleFunc(method+" /ops/agencies/{slug}/console"+strings.TrimPrefix(path, "/agency"), o.authed(c.operatorAs(rt.h)))
	}
}

// agency returns the agency of the request's console cookie, or
// ErrNotFound.
func (c *consoleSite) agency(r *http.Request) (store.Agency, error) {
	ck, err := r.Cookie(agencyCookie)
	if err != nil || ck.Value == "" {
		return store.Agency{}, store.ErrNotFound
	}
	return c.st.AgencyBySession(r.Context(), ck.Value)
}

func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
}

// agencyAuthed runs h for a logged-in agency. Anyone else goes to the
// login page, and after logging in to the page asked for (a GET) or to
// /agency (a form's POST, which is not repeated).
func (c *consoleSite) agencyAuthed(h consoleHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		a, err := c.agency(r)
		if errors.Is(err, store.ErrNotFound) {
			c.clearCookie(w, r)
			next := "/agency"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/agency/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if err != nil {
			c.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
			return
		}
		h(c, w, r, consoleWho{Agency: a, Base: "/agency"})
	}
}

// operatorAs runs h for the agency of the path's slug, for an operator.
func (c *consoleSite) operatorAs(h consoleHandler) opsHandler {
	return func(w http.ResponseWriter, r *http.Request, op store.Operator) {
		noStore(w)
		a, err := c.st.Agency(r.Context(), r.PathValue("slug"))
		if errors.Is(err, store.ErrNotFound) {
			c.Error(w, r, problem.Errorf(problem.NotFound, "no agency %q", r.PathValue("slug")))
			return
		}
		if err != nil {
			c.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
			return
		}
		h(c, w, r, consoleWho{Agency: a, Op: op.Name, Base: "/ops/agencies/" + url.PathEscape(a.Slug) + "/console"})
	}
}

func (c *consoleSite) setCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: agencyCookie, Value: token, Path: "/agency", MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: c.secureCookies(r), SameSite: http.SameSiteStrictMode})
}

func (c *consoleSite) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: agencyCookie, Value: "", Path: "/agency", MaxAge: -1,
		HttpOnly: true, Secure: c.secureCookies(r), SameSite: http.SameSiteStrictMode})
}

// consoleView is what every console page has.
type consoleView struct {
	base
	Agency store.Agency
	Op     string // the operator looking at the agency's console; empty for the agency
	Base   string // the console's root, for links and forms
	Alert  string
	Notice string
}

func (c *consoleSite) view(w http.ResponseWriter, r *http.Request, title string, who consoleWho) consoleView {
	noStore(w)
	b := c.base(r, title)
	b.NoIndex = true
	b.shown = nil // the console's rows are not impressions
	b.Crumbs = []crumb{{"エージェント管理", who.Base}}
	if who.Op != "" {
		b.Crumbs = []crumb{{"運用", "/ops"}, {"エージェント", "/ops/agencies"}, {who.Agency.Slug, "/ops/agencies/" + url.PathEscape(who.Agency.Slug)},
			{"管理画面", who.Base}}
	}
	if title != "エージェント管理" {
		b.Crumbs = append(b.Crumbs, crumb{title, ""})
	} else {
		b.Crumbs[len(b.Crumbs)-1].URL = ""
	}
	return consoleView{base: b, Agency: who.Agency, Op: who.Op, Base: who.Base}
}

// unavailable answers a failure of the store.
func (c *consoleSite) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	if problem.KindOf(err) != problem.Internal {
		c.Error(w, r, err)
		return
	}
	c.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
}

// loginView is /agency/login.
type loginConsoleView struct {
	consoleView
	Next string
}

func consoleNext(p string) string {
	next := localPath(p, "/agency")
	if next != "/agency" && !strings.HasPrefix(next, "/agency/") && !strings.HasPrefix(next, "/agency?") {
		return "/agency"
	}
	return next
}

func (c *consoleSite) loginPage(w http.ResponseWriter, r *http.Request) {
	next := consoleNext(r.URL.Query().Get("next"))
	if _, err := c.agency(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	v := loginConsoleView{consoleView: c.view(w, r, "ログイン", consoleWho{Base: "/agency"}), Next: next}
	if r.URL.Query().Has("next") {
		v.Alert = "エージェント管理画面を使うには API キーでログインしてください。"
	}
	c.render(w, r, http.StatusOK, "console_login", v)
}

func (c *consoleSite) login(w http.ResponseWriter, r *http.Request) {
	next := consoleNext(r.PostFormValue("next"))
	key := strings.TrimSpace(r.PostFormValue("key"))
	var (
		token   string
		expires time.Time
		err     error = store.ErrNotFound
	)
	if strings.HasPrefix(key, "ak_") {
		var a store.Agency
		if a, err = c.st.AgencyByKey(r.Context(), key); err == nil {
			_, token, expires, err = c.st.AgencyLogin(consoleWho{Agency: a}.audited(r, "agency-login"), key, agencySessionTTL)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		v := loginConsoleView{consoleView: c.view(w, r, "ログイン", consoleWho{Base: "/agency"}), Next: next}
		v.Alert = "API キーが正しくないか、失効しています。"
		c.render(w, r, http.StatusUnauthorized, "console_login", v)
		return
	}
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	c.setCookie(w, r, token, expires)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *consoleSite) logout(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	if ck, err := r.Cookie(agencyCookie); err == nil && ck.Value != "" {
		ctx := r.Context()
		a, err := c.st.AgencyBySession(ctx, ck.Value)
		switch {
		case err == nil:
			ctx = consoleWho{Agency: a}.audited(r, "agency-logout")
		case !errors.Is(err, store.ErrNotFound):
			c.unavailable(w, r, err)
			return
		}
		if err := c.st.AgencyLogout(ctx, ck.Value); err != nil {
			c.unavailable(w, r, err)
			return
		}
	}
	c.clearCookie(w, r)
	http.Redirect(w, r, "/agency/login", http.StatusSeeOther)
}
