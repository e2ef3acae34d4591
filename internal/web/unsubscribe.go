package web

import (
	"net/http"

	"anken/internal/store"
)

// unsubscribeView is the page of an alert mail's unsubscribe link.
type unsubscribeView struct {
	base
	Search    store.SavedSearch
	SearchURL string
	Token     string
	Done      bool
}

// unsubscribePage names the saved search whose mail will stop and asks
// for the click: opening the link alone (a mail scanner does) stops
// nothing.
func (s *Site) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ss, err := s.Accounts.Unsubscribing(r.Context(), token)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := unsubscribeView{base: s.accountBase(w, r, "新着メールの停止"), Search: ss, SearchURL: "/search?" + ss.Query, Token: token, Done: ss.Alert == "off"}
	s.render(w, r, http.StatusOK, "unsubscribe", v)
}

// unsubscribe stops the saved search's alert mail. It needs no login:
// the token is the authority. It also answers the RFC 8058 one-click
// POST a mail provider sends, whose body is List-Unsubscribe=One-Click
// and which carries no cookie.
func (s *Site) unsubscribe(w http.ResponseWriter, r *http.Request) {
	ss, err := s.Accounts.Unsubscribe(r.Context(), r.PathValue("token"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := unsubscribeView{base: s.accountBase(w, r, "新着メールを停止しました"), Search: ss, SearchURL: "/search?" + ss.Query, Done: true}
	s.render(w, r, http.StatusOK, "unsubscribe", v)
}
