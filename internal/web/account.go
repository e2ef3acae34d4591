package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"anken/internal/account"
	"anken/internal/problem"
	"anken/internal/ratelimit"
)

// accountView is the view of the sign-up, login, verification and reset
// pages: a form with the errors next to its fields, or what happened.
type accountView struct {
	base
	Errors map[string]string // field → what is wrong, in Japanese
	Alert  string            // a message above the form
	Email  string
	Next   string // where to go after logging in
	Token  string // the mail's one-time token (verify, reset)
	Sent   bool   // the mail is on its way
	Done   bool   // the action succeeded
	Failed bool   // the mail's link did not work
}

// noticeView is a page that says what happened, with where to go next.
type noticeView struct {
	base
	Heading string
	Message string
	Links   []crumb
}

func (s *Site) registerAccounts(mux *http.ServeMux) {
	mux.HandleFunc("GET /signup", s.signupPage)
	mux.HandleFunc("POST /signup", s.signup)
	mux.HandleFunc("GET /verify", s.verifyPage)
	mux.HandleFunc("POST /verify", s.verify)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /reset", s.resetPage)
	mux.HandleFunc("POST /reset", s.reset)
	mux.HandleFunc("GET /unsubscribe/{token}", s.unsubscribePage)
	mux.HandleFunc("POST /unsubscribe/{token}", s.unsubscribe)
	for _, rt := range meRoutes {
		mux.HandleFunc(rt.Pattern, s.authed(rt.Handler))
	}
}

// accountBase is the base of an account page: never indexed, never kept
// in a cache, and with a one-time token in its address, never sent as a
// referrer.
func (s *Site) accountBase(w http.ResponseWriter, r *http.Request, title string) base {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	b := s.base(r, title)
	b.NoIndex = true
	return b
}

// formFailed renders the form page again with what was wrong: the
// fields' errors next to them (422), a limit (429) or a login refused
// (401, 403) above it; a failure of the server's own is the error page.
func (s *Site) formFailed(w http.ResponseWriter, r *http.Request, page string, v accountView, err error) {
	status, errs, alert, ok := formError(err)
	if !ok {
		s.Error(w, r, err)
		return
	}
	v.Errors, v.Alert = errs, alert
	if status == http.StatusTooManyRequests {
		var ex *ratelimit.Exceeded
		if errors.As(err, &ex) {
			w.Header().Set("Retry-After", fmt.Sprint(ex.Seconds()))
		}
	}
	s.render(w, r, status, page, v)
}

// formError says in Japanese what was wrong with a form: per field for
// bad values, above the form for the rest. ok is false for failures a
// form cannot help.
func formError(err error) (status int, fields map[string]string, alert string, ok bool) {
	k := problem.KindOf(err)
	switch k {
	case problem.Unprocessable:
		fields = map[string]string{}
		var pe *problem.Error
		if errors.As(err, &pe) {
			for _, d := range pe.Details {
				if _, seen := fields[d.Location]; !seen {
					fields[d.Location] = fieldText(d)
				}
			}
		}
		if len(fields) == 0 {
			alert = "入力内容を確認してください。"
		} else {
			alert = "入力内容に誤りがあります。各項目のメッセージを確認してください。"
		}
	case problem.Unauthorized:
		alert = "メールアドレスまたはパスワードが正しくありません。"
	case problem.Forbidden:
		alert = "メールアドレスの確認が済んでいません。登録時にお送りしたメールのリンクを開いてください（メールが見つからないときは、もう一度新規登録すると確認メールを送り直します）。"
	case problem.TooMany:
		alert = "短時間に何度も試されたため、一時的に受け付けを止めています。"
		var ex *ratelimit.Exceeded
		if errors.As(err, &ex) {
			alert += fmt.Sprintf("%s後にもう一度お試しください。", waitText(ex.Seconds()))
		}
	case problem.Conflict:
		alert = problem.Message(err)
		if strings.Contains(alert, "saved searches") {
			alert = fmt.Sprintf("保存できる検索条件は%d件までです。不要なものを削除してから保存してください。", account.MaxSavedSearches)
		}
	default:
		return 0, nil, "", false
	}
	return k.Status(), fields, alert, true
}

// waitText says how long to wait: 30秒, 5分.
func waitText(sec int) string {
	if sec < 60 {
		return fmt.Sprintf("%d秒", sec)
	}
	return fmt.Sprintf("%d分", (sec+59)/60)
}

// fieldText is the Japanese for what the account service said of a field.
func fieldText(d problem.Detail) string {
	m := d.Message
	has := func(s string) bool { return strings.Contains(m, s) }
	switch d.Location {
	case "email":
		if has("required") {
			return "メールアドレスを入力してください。"
		}
		if has("254") {
			return "メールアドレスが長すぎます。"
		}
		return "メールアドレスの形式が正しくありません（例: taro@example.jp）。"
	case "password", "current":
		switch {
		case d.Location == "current" && has("current"):
			return "現在のパスワードが正しくありません。"
		case has("at least"):
			return fmt.Sprintf("%d文字以上で入力してください。", account.MinPassword)
		case has("at most"):
			return fmt.Sprintf("%d文字以内で入力してください。", account.MaxPassword)
		case has("most common"):
			return "よく使われているパスワードのため使えません。推測されにくいものにしてください。"
		case has("common word"):
			return "よくある単語に数字や記号を付けただけのパスワードは使えません。"
		case has("repeats"):
			return "同じ文字や短い並びの繰り返しは使えません。"
		case has("sequence"):
			return "キーボードの並びや連続した文字（qwerty、abcdef など）は使えません。"
		case has("email"):
			return "メールアドレスを含むパスワードは使えません。"
		case has("control"):
			return "改行やタブなどの制御文字は使えません。"
		}
		return "このパスワードは使えません。別のものを入力してください。"
	case "token":
		return "リンクの有効期限が切れているか、すでに使われています。"
	case "skills":
		if v, ok := d.Value.(string); ok && v != "" {
			return "「" + v + "」は登録されていないスキルです。一覧から選ぶか、別の書き方（例: Go、TypeScript、AWS）で入力してください。"
		}
		return "スキルは50件まで登録できます。"
	case "role", "remote", "recommend", "alert", "hour", "days_per_week", "prefectures":
		return "選択肢から選んでください。"
	case "desired_rate":
		return "希望単価は0〜500万円の整数（万円単位）で入力してください。"
	case "desired_hourly":
		return "希望時給は0〜100,000円の整数（円単位）で入力してください。"
	case "experience":
		return fmt.Sprintf("経験年数は0〜%d年の整数で入力してください（空欄は未入力として扱います）。", account.MaxYears)
	case "name":
		return fmt.Sprintf("名前は改行を含めず%d文字以内で入力してください。", account.MaxName)
	case "query":
		if has("at least one condition") {
			return "条件を1つ以上指定した検索だけを保存できます。"
		}
		return "この検索条件は保存できません。条件を見直してください。"
	}
	return "入力内容を確認してください。"
}

func (s *Site) signupPage(w http.ResponseWriter, r *http.Request) {
	v := accountView{base: s.accountBase(w, r, "新規登録（無料）"), Sent: r.URL.Query().Get("sent") == "1"}
	if v.Sent {
		v.Title = "確認メールを送りました"
	}
	s.render(w, r, http.StatusOK, "signup", v)
}

func (s *Site) signup(w http.ResponseWriter, r *http.Request) {
	email := r.PostFormValue("email")
	err := s.Accounts.SignUp(r.Context(), clientIP(r), email, r.PostFormValue("password"))
	if err != nil {
		s.formFailed(w, r, "signup", accountView{base: s.accountBase(w, r, "新規登録（無料）"), Email: email}, err)
		return
	}
	// The same answer whether or not the address had an account: its
	// mail says which.
	http.Redirect(w, r, "/signup?sent=1", http.StatusSeeOther)
}

// verifyPage is where the verification mail's link lands. It asks for a
// click that posts the token, so a mail scanner that opens the link does
// not use it up.
func (s *Site) verifyPage(w http.ResponseWriter, r *http.Request) {
	v := accountView{base: s.accountBase(w, r, "メールアドレスの確認"), Token: r.URL.Query().Get("token")}
	status := http.StatusOK
	if v.Token == "" {
		v.Failed, status = true, http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "verify", v)
}

// verify confirms the address and logs its owner in, as a login does:
// the session cookie, and a device cookie for a browser without one.
func (s *Site) verify(w http.ResponseWriter, r *http.Request) {
	v := accountView{base: s.accountBase(w, r, "メールアドレスの確認")}
	e, ses, err := s.Accounts.Verify(r.Context(), device(r), r.PostFormValue("token"))
	switch {
	case err == nil:
		s.setSession(w, r, ses)
		s.setDevice(w, r, ses.Device)
		v.Done, v.Title = true, "メールアドレスを確認しました"
		v.Viewer = &viewer{Account: account.Account{Engineer: e}}
		s.render(w, r, http.StatusOK, "verify", v)
	case problem.KindOf(err) == problem.Unprocessable:
		v.Failed, v.Title = true, "確認できませんでした"
		s.render(w, r, http.StatusUnprocessableEntity, "verify", v)
	default:
		s.Error(w, r, err)
	}
}

func (s *Site) loginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), "/me")
	if s.currentViewer(r) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	v := accountView{base: s.accountBase(w, r, "ログイン"), Next: next}
	if r.URL.Query().Has("next") && strings.HasPrefix(next, "/me") {
		v.Alert = "このページを見るにはログインしてください。"
	} else if r.URL.Query().Has("next") && next != "/me" {
		v.Alert = "ログインすると続きの操作ができます。"
	}
	s.render(w, r, http.StatusOK, "login", v)
}

func (s *Site) login(w http.ResponseWriter, r *http.Request) {
	email, next := r.PostFormValue("email"), localPath(r.PostFormValue("next"), "/me")
	ses, err := s.Accounts.LoginDevice(r.Context(), clientIP(r), device(r), email, r.PostFormValue("password"))
	if err != nil {
		s.formFailed(w, r, "login", accountView{base: s.accountBase(w, r, "ログイン"), Email: email, Next: next}, err)
		return
	}
	s.setSession(w, r, ses)
	s.setDevice(w, r, ses.Device)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session of the cookie, if any, and clears the cookie.
func (s *Site) logout(w http.ResponseWriter, r *http.Request) {
	if v := s.currentViewer(r); v != nil {
		if err := s.Accounts.Logout(r.Context(), v.Account); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	s.clearSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// resetPage asks for the address to send a reset link to, or, opened
// from that mail's link (?token=…), for the new password.
func (s *Site) resetPage(w http.ResponseWriter, r *http.Request) {
	v := accountView{base: s.accountBase(w, r, "パスワードの再設定"), Token: r.URL.Query().Get("token")}
	s.render(w, r, http.StatusOK, "reset", v)
}

func (s *Site) reset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := accountView{base: s.accountBase(w, r, "パスワードの再設定"), Token: r.PostFormValue("token")}
	if v.Token != "" {
		d, err := s.Accounts.ConfirmReset(ctx, v.Token, r.PostFormValue("password"))
		if err != nil {
			s.formFailed(w, r, "reset", v, err)
			return
		}
		// Every session ended, the cookie's too; this browser logs in
		// past the address's login limit.
		s.clearSession(w, r)
		s.setDevice(w, r, d)
		v.Done, v.Viewer, v.Title = true, nil, "パスワードを再設定しました"
		s.render(w, r, http.StatusOK, "reset", v)
		return
	}
	v.Email = r.PostFormValue("email")
	if err := s.Accounts.RequestReset(ctx, clientIP(r), v.Email); err != nil {
		s.formFailed(w, r, "reset", v, err)
		return
	}
	v.Sent, v.Title = true, "再設定のメールを送りました"
	s.render(w, r, http.StatusOK, "reset", v)
}
