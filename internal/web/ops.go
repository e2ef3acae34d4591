package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"anken/internal/listing"
	"anken/internal/operate"
	"anken/internal/problem"
	"anken/internal/store"
)

// The operator pages under /ops: an operator logs in with the key of
// `anken operator create`, which starts a session kept in the store (the
// cookie holds its token, HttpOnly, SameSite=Strict, for /ops only), and
// manages agencies and keys, hides and restores listings, replays parked
// inbox items and reads rejections and the audit log. Every write leaves
// an audit row in its own transaction, as the operator API's do. Forms
// work without JavaScript; cross-site posts are refused by Secure's
// CrossOriginProtection.

// opsCookie holds the token of an operator's session.
const opsCookie = "anken_ops"

// opsSessionTTL is how long an operator's session lasts.
const opsSessionTTL = 12 * time.Hour

// opsPage is how many rows a list page shows.
const opsPage = 100

type opsSite struct {
	*Site
	st *operate.Service
}

// registerOps adds the operator pages, carried out by the operator
// service the API shares (Deps.Operate).
func (s *Site) registerOps(mux *http.ServeMux) {
	o := &opsSite{Site: s, st: s.Operate}
	mux.HandleFunc("GET /ops", o.home)
	mux.HandleFunc("POST /ops/login", o.login)
	mux.HandleFunc("POST /ops/logout", o.logout)
	mux.HandleFunc("GET /ops/agencies", o.authed(o.agencies))
	mux.HandleFunc("POST /ops/agencies", o.authed(o.createAgency))
	mux.HandleFunc("GET /ops/agencies/{slug}", o.authed(o.agencyPage))
	mux.HandleFunc("POST /ops/agencies/{slug}/profile", o.authed(o.setProfile))
	mux.HandleFunc("POST /ops/agencies/{slug}/{action}", o.authed(o.agencyAction))
	mux.HandleFunc("GET /ops/listings", o.authed(o.findListing))
	mux.HandleFunc("GET /ops/listings/{id}", o.authed(o.listing))
	mux.HandleFunc("POST /ops/listings/{id}/{action}", o.authed(o.listingAction))
	mux.HandleFunc("GET /ops/inbox", o.authed(o.inbox))
	mux.HandleFunc("POST /ops/inbox/replay", o.authed(o.replay))
	mux.HandleFunc("GET /ops/rejections", o.authed(o.rejections))
	mux.HandleFunc("GET /ops/audit", o.authed(o.audit))
}

// opsView is what every operator page has.
type opsView struct {
	base
	Op     string // the operator's name; empty on the login page
	Alert  string // what went wrong, above the page's forms
	Notice string // what was done
}

func (o *opsSite) view(w http.ResponseWriter, r *http.Request, title string, op store.Operator) opsView {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
	b := o.base(r, title)
	b.NoIndex = true
	b.Crumbs = []crumb{{"運用", "/ops"}}
	if title != "運用" {
		b.Crumbs = append(b.Crumbs, crumb{title, ""})
	} else {
		b.Crumbs[0].URL = ""
	}
	return opsView{base: b, Op: op.Name}
}

type opsHandler func(w http.ResponseWriter, r *http.Request, op store.Operator)

// operator returns the operator of the request's session cookie, or
// ErrNotFound.
func (o *opsSite) operator(r *http.Request) (store.Operator, error) {
	c, err := r.Cookie(opsCookie)
	if err != nil || c.Value == "" {
		return store.Operator{}, store.ErrNotFound
	}
	return o.st.BySession(r.Context(), c.Value)
}

// authed runs h for a logged-in operator. Anyone else goes to the login
// page (/ops), and after logging in to the page asked for (a GET) or to
// /ops (a form's POST, which is not repeated).
func (o *opsSite) authed(h opsHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex")
		op, err := o.operator(r)
		if errors.Is(err, store.ErrNotFound) {
			o.clearCookie(w, r)
			next := "/ops"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/ops?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if err != nil {
			o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
			return
		}
		h(w, r, op)
	}
}

func (o *opsSite) setCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: opsCookie, Value: token, Path: "/ops", MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: o.secureCookies(r), SameSite: http.SameSiteStrictMode})
}

func (o *opsSite) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: opsCookie, Value: "", Path: "/ops", MaxAge: -1,
		HttpOnly: true, Secure: o.secureCookies(r), SameSite: http.SameSiteStrictMode})
}

// audited returns the request's context for a write of the operator:
// the store writes its audit row, action and the client's address, in the
// write's own transaction (the write names its target: the agency, the
// listing; the page's path stands otherwise).
func audited(r *http.Request, op store.Operator, action string) context.Context {
	return store.WithAudit(r.Context(), store.AuditEntry{ActorKind: store.AuditOperator, Actor: op.Name, Action: action,
		Target: r.URL.Path, IP: clientIP(r)})
}

// homeView is /ops: the login form, or the operator's menu.
type homeView struct {
	opsView
	Next string
}

func (o *opsSite) home(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), "/ops")
	if !strings.HasPrefix(next, "/ops") {
		next = "/ops"
	}
	op, err := o.operator(r)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	v := homeView{opsView: o.view(w, r, "運用", op), Next: next}
	if op.Name == "" && r.URL.Query().Has("next") {
		v.Alert = "運用ページを使うにはオペレーターキーでログインしてください。"
	}
	o.render(w, r, http.StatusOK, "ops", v)
}

func (o *opsSite) login(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.PostFormValue("next"), "/ops")
	if !strings.HasPrefix(next, "/ops") {
		next = "/ops"
	}
	key := strings.TrimSpace(r.PostFormValue("key"))
	op, err := o.st.ByKey(r.Context(), key)
	if errors.Is(err, store.ErrNotFound) || !strings.HasPrefix(key, store.OperatorKeyPrefix) {
		v := homeView{opsView: o.view(w, r, "運用", store.Operator{}), Next: next}
		v.Alert = "オペレーターキーが正しくないか、失効しています。"
		o.render(w, r, http.StatusUnauthorized, "ops", v)
		return
	}
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	token, expires, err := o.st.StartSession(audited(r, op, "ops-login"), op.ID, opsSessionTTL)
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	o.setCookie(w, r, token, expires)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (o *opsSite) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(opsCookie); err == nil && c.Value != "" {
		ctx := r.Context()
		op, err := o.st.BySession(ctx, c.Value)
		switch {
		case err == nil: // a live session: its end is the operator's
			ctx = audited(r, op, "ops-logout")
		case !errors.Is(err, store.ErrNotFound):
			o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
			return
		}
		if err := o.st.EndSession(ctx, c.Value); err != nil {
			o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
			return
		}
	}
	o.clearCookie(w, r)
	http.Redirect(w, r, "/ops", http.StatusSeeOther)
}

// agenciesView is /ops/agencies. NewKey and NewSecret are shown once,
// on the answer to the form that made them.
type agenciesView struct {
	opsView
	Agencies  []store.AgencySummary
	Slug      string // the create form's values, when it failed
	Name      string
	NewKey    string
	NewSecret string
	For       string // the agency of NewKey or NewSecret
}

func (o *opsSite) agencies(w http.ResponseWriter, r *http.Request, op store.Operator) {
	o.renderAgencies(w, r, http.StatusOK, agenciesView{opsView: o.view(w, r, "エージェント", op)})
}

func (o *opsSite) renderAgencies(w http.ResponseWriter, r *http.Request, status int, v agenciesView) {
	all, err := o.st.Agencies(r.Context())
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	v.Agencies = all
	o.render(w, r, status, "ops_agencies", v)
}

func (o *opsSite) createAgency(w http.ResponseWriter, r *http.Request, op store.Operator) {
	v := agenciesView{opsView: o.view(w, r, "エージェント", op), Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	if !store.ValidSlug(v.Slug) {
		v.Alert = "スラッグは英小文字・数字・ハイフン（先頭と末尾は英数字）で 1〜40 文字にしてください。"
		o.renderAgencies(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if len(v.Name) > 200 {
		v.Alert = "表示名は 200 バイト以内にしてください。"
		o.renderAgencies(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	a, err := o.st.CreateAgency(audited(r, op, "create-agency"), v.Slug, v.Name)
	if errors.Is(err, store.ErrConflict) {
		v.Alert = "スラッグ「" + v.Slug + "」のエージェントはすでにあります。"
		o.renderAgencies(w, r, http.StatusConflict, v)
		return
	}
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	v.Slug, v.Name = "", ""
	v.Notice = "エージェント「" + a.Name + "」（" + a.Slug + "）を作成しました。API キーを発行してください。"
	o.renderAgencies(w, r, http.StatusOK, v)
}

// agencyAction issues a key (key), rotates the keys (rotate), revokes
// them all (revoke) or issues a webhook secret (webhook-secret).
func (o *opsSite) agencyAction(w http.ResponseWriter, r *http.Request, op store.Operator) {
	ctx := r.Context()
	v := agenciesView{opsView: o.view(w, r, "エージェント", op)}
	a, err := o.st.Agency(ctx, r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		o.Error(w, r, problem.Errorf(problem.NotFound, "no agency %q", r.PathValue("slug")))
		return
	}
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	v.For = a.Slug
	switch r.PathValue("action") {
	case "key":
		if v.NewKey, err = o.st.IssueKey(audited(r, op, "issue-agency-key"), a); err == nil {
			v.Notice = "API キーを発行しました。ほかのキーは引き続き使えます。"
		}
	case "rotate":
		var n int64
		if v.NewKey, n, err = o.st.RotateKeys(audited(r, op, "rotate-agency-keys"), a); err == nil {
			v.Notice = fmt.Sprintf("新しい API キーを発行し、それまでのキー %d 件を失効させました。", n)
		}
	case "revoke":
		var n int64
		if n, err = o.st.RevokeKeys(audited(r, op, "revoke-agency-keys"), a); err == nil {
			v.Notice = fmt.Sprintf("%s の API キー %d 件を失効させました。", a.Slug, n)
		}
	case "webhook-secret":
		if v.NewSecret, err = o.st.NewWebhookSecret(audited(r, op, "issue-webhook-secret"), a); err == nil {
			v.Notice = "Webhook の署名シークレットを発行しました。以前のシークレットは使えなくなりました。"
		}
	default:
		o.NotFound(w, r)
		return
	}
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	o.renderAgencies(w, r, http.StatusOK, v)
}

// listingOpsView is /ops/listings/{id}.
type listingOpsView struct {
	opsView
	L      listing.Listing
	Hidden bool
}

// findListing answers the look-up form of /ops: /ops/listings?id=N.
func (o *opsSite) findListing(w http.ResponseWriter, r *http.Request, op store.Operator) {
	id, err := strconv.ParseInt(strings.TrimSpace(r.URL.Query().Get("id")), 10, 64)
	if err != nil || id <= 0 {
		o.Error(w, r, problem.Field(problem.Invalid, "query.id", r.URL.Query().Get("id"), "案件 ID は数字で指定してください"))
		return
	}
	http.Redirect(w, r, "/ops/listings/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (o *opsSite) listing(w http.ResponseWriter, r *http.Request, op store.Operator) {
	l, ok := o.readListing(w, r)
	if !ok {
		return
	}
	v := listingOpsView{opsView: o.view(w, r, "案件 "+strconv.FormatInt(l.ID, 10), op), L: l, Hidden: l.Status == listing.StatusHidden}
	switch r.URL.Query().Get("done") {
	case "hide":
		v.Notice = "案件を非公開にしました。検索と案件ページから外れます（各ノードの索引に数秒以内に反映）。"
	case "restore":
		v.Notice = "案件を再公開しました。"
	}
	o.render(w, r, http.StatusOK, "ops_listing", v)
}

func (o *opsSite) readListing(w http.ResponseWriter, r *http.Request) (listing.Listing, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		o.Error(w, r, problem.Errorf(problem.NotFound, "no listing %q", r.PathValue("id")))
		return listing.Listing{}, false
	}
	l, err := o.st.Listing(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		o.Error(w, r, problem.Errorf(problem.NotFound, "no listing %d", id))
		return listing.Listing{}, false
	}
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return listing.Listing{}, false
	}
	return l, true
}

// listingAction hides or restores a listing and goes back to its page.
func (o *opsSite) listingAction(w http.ResponseWriter, r *http.Request, op store.Operator) {
	l, ok := o.readListing(w, r)
	if !ok {
		return
	}
	do, action := o.st.Hide, "hide-listing"
	switch r.PathValue("action") {
	case "hide":
	case "restore":
		do, action = o.st.Restore, "restore-listing"
	default:
		o.NotFound(w, r)
		return
	}
	if _, err := do(audited(r, op, action), l.ID); err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/ops/listings/%d?done=%s", l.ID, r.PathValue("action")), http.StatusSeeOther)
}

// inboxView is /ops/inbox.
type inboxView struct {
	opsView
	Agency string
	Items  []store.InboxItem
}

func (o *opsSite) inbox(w http.ResponseWriter, r *http.Request, op store.Operator) {
	v := inboxView{opsView: o.view(w, r, "保留中の受信", op), Agency: strings.TrimSpace(r.URL.Query().Get("agency"))}
	if n := r.URL.Query().Get("replayed"); n != "" {
		v.Notice = n + " 件を再実行の待ち行列に戻しました。"
	}
	items, err := o.st.Parked(r.Context(), v.Agency, opsPage)
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	v.Items = items
	o.render(w, r, http.StatusOK, "ops_inbox", v)
}

// replay makes the checked items (id), or every parked item of the
// agency (all with agency), pending again.
func (o *opsSite) replay(w http.ResponseWriter, r *http.Request, op store.Operator) {
	if err := r.ParseForm(); err != nil {
		o.Error(w, r, problem.Wrap(problem.Invalid, err, "the form cannot be read"))
		return
	}
	agency := strings.TrimSpace(r.PostForm.Get("agency"))
	var ids []int64
	for _, s := range r.PostForm["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			o.Error(w, r, problem.Field(problem.Invalid, "id", s, "not an inbox item id"))
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 && r.PostForm.Get("all") == "" {
		http.Redirect(w, r, "/ops/inbox?agency="+url.QueryEscape(agency), http.StatusSeeOther)
		return
	}
	n, err := o.st.Replay(audited(r, op, "replay-inbox"), agency, ids)
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/ops/inbox?agency=%s&replayed=%d", url.QueryEscape(agency), n), http.StatusSeeOther)
}

// rejectionsView is /ops/rejections?agency=.
type rejectionsView struct {
	opsView
	Agency     string
	Agencies   []store.AgencySummary
	Rejections []store.Rejection
	Next       string // the next page's address; empty on the last
}

func (o *opsSite) rejections(w http.ResponseWriter, r *http.Request, op store.Operator) {
	ctx := r.Context()
	q := r.URL.Query()
	v := rejectionsView{opsView: o.view(w, r, "不採用の記録", op), Agency: strings.TrimSpace(q.Get("agency"))}
	var err error
	if v.Agencies, err = o.st.Agencies(ctx); err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	if v.Agency != "" {
		a, err := o.st.Agency(ctx, v.Agency)
		if errors.Is(err, store.ErrNotFound) {
			o.Error(w, r, problem.Errorf(problem.NotFound, "no agency %q", v.Agency))
			return
		}
		if err != nil {
			o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
			return
		}
		after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
		if v.Rejections, err = o.st.Rejections(ctx, a, store.RejectionFilter{After: max(after, 0), Limit: opsPage}); err != nil {
			o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
			return
		}
		if len(v.Rejections) == opsPage {
			v.Next = fmt.Sprintf("/ops/rejections?agency=%s&after=%d", url.QueryEscape(a.Slug), v.Rejections[len(v.Rejections)-1].ID)
		}
	}
	o.render(w, r, http.StatusOK, "ops_rejections", v)
}

// auditView is /ops/audit.
type auditView struct {
	opsView
	Actor, Action string
	Entries       []store.AuditEntry
	Next          string
}

func (o *opsSite) audit(w http.ResponseWriter, r *http.Request, op store.Operator) {
	q := r.URL.Query()
	v := auditView{opsView: o.view(w, r, "監査ログ", op), Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action"))}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	es, err := o.st.AuditLog(r.Context(), store.AuditFilter{Actor: v.Actor, Action: v.Action, Before: max(before, 0), Limit: opsPage})
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	v.Entries = es
	if len(es) == opsPage {
		v.Next = fmt.Sprintf("/ops/audit?actor=%s&action=%s&before=%d", url.QueryEscape(v.Actor), url.QueryEscape(v.Action), es[len(es)-1].ID)
	}
	o.render(w, r, http.StatusOK, "ops_audit", v)
}
