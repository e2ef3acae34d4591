package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"anken/internal/account"
	"anken/internal/problem"
)

// sessionCookie holds the session token of a logged-in engineer's pages.
const sessionCookie = "anken_session"

// deviceCookie holds the device token of a browser that has logged in to
// an account or reset its password through the mail (account.Device):
// with it that browser's logins are not locked out with the address. The
// API's login reads and sets the same cookie.
const deviceCookie = account.DeviceCookie

// viewer is the engineer a page is shown to, for the header and the
// favourite buttons; nil when logged out.
type viewer struct {
	account.Account
	favs map[int64]bool // listing ids among the favourites, once loaded
}

type viewerKey struct{}

// withViewer returns ctx carrying the request's engineer.
func withViewer(ctx context.Context, v *viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// currentViewer returns the engineer of the request: the one a /me
// handler put in its context, else the one of the session cookie. A
// missing, unknown or expired cookie, or a store that does not answer,
// is logged out: public pages do not fail for want of a session.
func (s *Site) currentViewer(r *http.Request) *viewer {
	if v, ok := r.Context().Value(viewerKey{}).(*viewer); ok {
		return v
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	a, err := s.Accounts.Authenticate(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	return &viewer{Account: a}
}

// loadFavorites fills in the viewer's favourites, for the cards' buttons.
func (s *Site) loadFavorites(ctx context.Context, v *viewer) {
	if v.favs != nil {
		return
	}
	v.favs = map[int64]bool{}
	favs, err := s.Accounts.Favorites(ctx, v.ID)
	if err != nil && !canceled(ctx) {
		s.Log.WarnContext(ctx, "favourites for the cards", slog.Int64("engineer", v.ID), slog.Any("err", err))
	}
	for _, f := range favs {
		v.favs[f.ListingID] = true
	}
}

// secureCookies reports whether cookies must carry Secure: the site is
// served over https, or this request came over TLS.
func (s *Site) secureCookies(r *http.Request) bool {
	return strings.HasPrefix(s.BaseURL, "https://") || r.TLS != nil
}

// setSession gives the browser the session cookie: HttpOnly, so scripts
// cannot read it; SameSite=Lax, so other sites' posts do not carry it;
// Secure behind TLS; kept as long as the session lasts.
func (s *Site) setSession(w http.ResponseWriter, r *http.Request, ses account.Session) {
	age := int(time.Until(ses.ExpiresAt).Seconds())
	if age <= 0 {
		age = -1
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: ses.Token, Path: "/", MaxAge: age,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// setDevice gives the browser its device token (when there is a new
// one): HttpOnly, SameSite=Lax, Secure behind TLS, kept as long as the
// token lives. Logging out keeps it: it is no session.
func (s *Site) setDevice(w http.ResponseWriter, r *http.Request, d account.Device) {
	if d.Token == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: d.Token, Path: "/", MaxAge: max(int(time.Until(d.ExpiresAt).Seconds()), 1),
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// device is the request's device token, or "".
func device(r *http.Request) string {
	if c, err := r.Cookie(deviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// clearSession removes the session cookie.
func (s *Site) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// meHandler is a page of a logged-in engineer.
type meHandler func(s *Site, w http.ResponseWriter, r *http.Request, a account.Account)

// authed resolves the session cookie and runs h with the account. Logged
// out (no cookie, or one whose session has ended, which is cleared), a
// GET goes to the login page and comes back after; a POST goes to the
// login page and then back to the page the form was on.
func (s *Site) authed(h meHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex")
		var a account.Account
		err := problem.Errorf(problem.Unauthorized, "not logged in")
		if c, cerr := r.Cookie(sessionCookie); cerr == nil && c.Value != "" {
			a, err = s.Accounts.Authenticate(r.Context(), c.Value)
			if problem.KindOf(err) == problem.Unauthorized {
				s.clearSession(w, r)
			}
		}
		if err != nil {
			if problem.KindOf(err) != problem.Unauthorized {
				s.Error(w, r, err)
				return
			}
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				next = localPath(r.PostFormValue("back"), "/me")
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		ctx := withViewer(r.Context(), &viewer{Account: a})
		h(s, w, r.WithContext(ctx), a)
	}
}

// localPath returns p when it is a path on this site (/me/searches,
// /search?q=Go), else def: never another site's address (//evil.example,
// https://evil.example, /\evil.example), so a crafted link cannot send an
// engineer elsewhere after logging in.
func localPath(p, def string) string {
	if p == "" || len(p) > 2000 || p[0] != '/' || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsFunc(p, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }) {
		return def
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return def
	}
	return p
}

// clientIP is the request's address, for the rate limits of sign-up,
// login and reset, as the API counts it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// favButton is what the favourite button of a listing's page needs, in
// the shape of a card's.
func favButton(v *viewer, id int64, back, title string) cardView {
	c := cardView{ID: id, Title: title, Back: back}
	if v != nil {
		c.Fav = v.favs[id]
	}
	return c
}
