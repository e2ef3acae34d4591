package web

import (
	"context"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"anken/internal/problem"
	"anken/internal/store"
)

// DevMailStore is what /dev/mail reads: the mail outbox. store.Store is
// the implementation.
type DevMailStore interface {
	// Mails lists the outbox newest first, only state when it is set.
	Mails(ctx context.Context, state store.MailState, limit int) ([]store.Mail, error)
	MailByID(ctx context.Context, id int64) (store.Mail, error)
}

// devMailLimit is how many mails /dev/mail lists.
const devMailLimit = 200

// devMailView is /dev/mail: the outbox, or one mail of it.
type devMailView struct {
	base
	State  string
	States []devMailState
	Mails  []devMailRow
	Mail   *devMailRow // one mail, with its text part
}

type devMailState struct {
	Value, Name string
	Current     bool
}

type devMailRow struct {
	store.Mail
	StateName string
	Created   string
	Sent      string
	Headers   []devMailHeader
}

type devMailHeader struct{ Name, Value string }

// tokyo is the time zone of the page's dates.
var tokyo = time.FixedZone("JST", 9*60*60)

var mailStateNames = map[store.MailState]string{
	store.MailPending: "送信待ち",
	store.MailSending: "送信中",
	store.MailSent:    "送信済み",
	store.MailParked:  "送信停止",
}

func newDevMailRow(m store.Mail) devMailRow {
	r := devMailRow{Mail: m, StateName: mailStateNames[m.State], Created: m.CreatedAt.In(tokyo).Format("2006-01-02 15:04:05")}
	if r.StateName == "" {
		r.StateName = string(m.State)
	}
	if !m.SentAt.IsZero() {
		r.Sent = m.SentAt.In(tokyo).Format("2006-01-02 15:04:05")
	}
	return r
}

// registerDevMail adds /dev/mail, the outbox as a page, for a demo or a
// development server that has no SMTP server. It shows reset links, so it
// answers only clients on this machine (loopbackOnly).
func (s *Site) registerDevMail(mux *http.ServeMux) {
	mux.HandleFunc("GET /dev/mail", s.loopbackOnly(s.devMailList))
	mux.HandleFunc("GET /dev/mail/{id}", s.loopbackOnly(s.devMailOne))
	mux.HandleFunc("GET /dev/mail/{id}/html", s.loopbackOnly(s.devMailHTML))
}

// forwardingHeaders are what a proxy adds to say whom it forwards.
var forwardingHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"}

// loopbackOnly serves h to a client whose connection comes from a
// loopback address and that no proxy forwarded (a proxy on the same
// machine connects from loopback for anyone); everyone else is answered
// 404, as if there were no such page. The address is the connection's,
// never one a header names.
func (s *Site) loopbackOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		a, err := netip.ParseAddr(host)
		local := err == nil && a.Unmap().IsLoopback()
		for _, name := range forwardingHeaders {
			if r.Header.Get(name) != "" {
				local = false
			}
		}
		if !local {
			s.Error(w, r, problem.Errorf(problem.NotFound, "no such page"))
			return
		}
		h(w, r)
	}
}

func (s *Site) devMailList(w http.ResponseWriter, r *http.Request) {
	state := store.MailState(r.URL.Query().Get("state"))
	if _, ok := mailStateNames[state]; !ok && state != "" {
		s.Error(w, r, problem.Errorf(problem.Invalid, "state %q: want pending, sending, sent or parked", state))
		return
	}
	mails, err := s.DevMail.Mails(r.Context(), state, devMailLimit)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := devMailView{base: s.base(r, "送信メール（開発用）"), State: string(state)}
	v.NoIndex = true
	v.States = append(v.States, devMailState{"", "すべて", state == ""})
	for _, st := range []store.MailState{store.MailPending, store.MailSending, store.MailSent, store.MailParked} {
		v.States = append(v.States, devMailState{string(st), mailStateNames[st], st == state})
	}
	for _, m := range mails {
		v.Mails = append(v.Mails, newDevMailRow(m))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "devmail", v)
}

func (s *Site) devMail(w http.ResponseWriter, r *http.Request) (store.Mail, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.Error(w, r, problem.Errorf(problem.NotFound, "no mail %q", r.PathValue("id")))
		return store.Mail{}, false
	}
	m, err := s.DevMail.MailByID(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return store.Mail{}, false
	}
	return m, true
}

func (s *Site) devMailOne(w http.ResponseWriter, r *http.Request) {
	m, ok := s.devMail(w, r)
	if !ok {
		return
	}
	row := newDevMailRow(m)
	for _, name := range slices.Sorted(maps.Keys(m.Headers)) {
		row.Headers = append(row.Headers, devMailHeader{name, m.Headers[name]})
	}
	v := devMailView{base: s.base(r, m.Subject+"（開発用）"), Mail: &row}
	v.NoIndex = true
	v.Crumbs = []crumb{{"送信メール", "/dev/mail"}, {excerpt(m.Subject, 24), ""}}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "devmail", v)
}

// devMailHTML serves a mail's HTML part as the mail client would show it:
// its own inline styles and images allowed, no script, no form, sandboxed.
func (s *Site) devMailHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := s.devMail(w, r)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox allow-popups")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.Write([]byte(m.HTML))
}
