package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/account"
	"anken/internal/problem"
	"anken/internal/ratelimit"
)

// engineerScheme is the security scheme of engineers' session tokens.
const engineerScheme = "engineerToken"

type clientIPKey struct{}
type accountKey struct{}

type signUpInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" doc:"Your email address; a link to confirm it is mailed there." example:"taro@example.jp"`
		Password string `json:"password" maxLength:"1024" doc:"At least 10 characters; the most common passwords, repeated patterns, keyboard walks and ones holding your address are refused."`
	}
}

type acceptedBody struct {
	Message string `json:"message" doc:"What happens next."`
}

type acceptedOutput struct{ Body acceptedBody }

type verifyInput struct {
	Device string `cookie:"anken_device" maxLength:"200" doc:"The device token an earlier login or reset set, as for a login."`
	Body   struct {
		Token string `json:"token" maxLength:"200" doc:"The token=… of the link in the mail."`
	}
}

// verifiedBody is a confirmed address and the login it comes with.
type verifiedBody struct {
	Email      string    `json:"email"`
	VerifiedAt time.Time `json:"verified_at"`
	Token      string    `json:"token" doc:"A session token, as POST /v1/sessions answers: send it as \"Authorization: Bearer …\". Shown once; only its hash is kept."`
	ExpiresAt  time.Time `json:"expires_at" doc:"When the session ends (30 days)."`
}

type verifiedOutput struct {
	SetCookie string `header:"Set-Cookie" doc:"anken_device, a device token, when the client came without one of this account: send it back with later logins."`
	Body      verifiedBody
}

type loginInput struct {
	Device string `cookie:"anken_device" maxLength:"200" doc:"The device token an earlier login or reset set: with it this client's logins to the account are limited on their own, not with the address's."`
	Body   struct {
		Email    string `json:"email" maxLength:"254" example:"taro@example.jp"`
		Password string `json:"password" maxLength:"1024"`
	}
}

// SessionBody is a login: the token to send as "Authorization: Bearer …".
type SessionBody struct {
	Token     string    `json:"token" doc:"Shown once; only its hash is kept."`
	ExpiresAt time.Time `json:"expires_at"`
}

type sessionOutput struct {
	SetCookie string `header:"Set-Cookie" doc:"anken_device, a device token, when the client came without one of this account: send it back with later logins."`
	Body      SessionBody
}

type resetConfirmOutput struct {
	SetCookie string `header:"Set-Cookie" doc:"anken_device, a device token of the account: send it back with later logins."`
}

// deviceCookie is the Set-Cookie value of a device token, "" for none.
func (h *handlers) deviceCookie(d account.Device) string {
	if d.Token == "" {
		return ""
	}
	c := &http.Cookie{Name: account.DeviceCookie, Value: d.Token, Path: "/", MaxAge: max(int(time.Until(d.ExpiresAt).Seconds()), 1),
		HttpOnly: true, Secure: strings.HasPrefix(h.Server, "https://"), SameSite: http.SameSiteLaxMode}
	return c.String()
}

type resetInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" example:"taro@example.jp"`
	}
}

type resetConfirmInput struct {
	Body struct {
		Token    string `json:"token" maxLength:"200" doc:"The token=… of the link in the reset mail."`
		Password string `json:"password" maxLength:"1024" doc:"The new password, by the rules of sign-up."`
	}
}

func (h *handlers) registerAccounts() {
	ip := huma.Middlewares{h.withClientIP}
	tags := []string{"accounts"}
	public := []map[string][]string{} // no credentials needed
	huma.Register(h.api, huma.Operation{
		OperationID:   "sign-up",
		Method:        http.MethodPost,
		Path:          "/v1/accounts",
		Summary:       "Sign up",
		Description:   "Mails a link ({base}/verify?token=…, valid 24 hours) that confirms the address; confirming it logs in (POST /v1/accounts/verify). The answer is the same whether or not the address has an account: one that has gets a mail saying so. Limited per IP and per address (429 with Retry-After).",
		Tags:          tags,
		Security:      public,
		Middlewares:   ip,
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
		MaxBodyBytes:  16 << 10,
	}, h.signUp)
	huma.Register(h.api, huma.Operation{
		OperationID:  "verify-account",
		Method:       http.MethodPost,
		Path:         "/v1/accounts/verify",
		Summary:      "Confirm an email address",
		Description:  "Takes the token of the sign-up mail's link. A token is used once and expires after 24 hours. The address's owner is logged in: the answer carries a session token, as POST /v1/sessions answers, and sets an `anken_device` cookie as a first login does.",
		Tags:         tags,
		Security:     public,
		Errors:       []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
		MaxBodyBytes: 16 << 10,
	}, h.verify)
	huma.Register(h.api, huma.Operation{
		OperationID:   "log-in",
		Method:        http.MethodPost,
		Path:          "/v1/sessions",
		Summary:       "Log in",
		Description:   "Answers a session token for `Authorization: Bearer …`, valid 30 days. A wrong address and a wrong password answer alike (401); an address not yet confirmed is told so (403) only with the right password. Limited per IP and per account (429 with Retry-After): a client that has logged in to the account before, or set its password through the reset mail, sends back its `anken_device` cookie and has a limit of its own, so guesses by others at the address do not lock it out.",
		Tags:          tags,
		Security:      public,
		Middlewares:   ip,
		DefaultStatus: http.StatusCreated,
		Errors:        []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
		MaxBodyBytes:  16 << 10,
	}, h.login)
	huma.Register(h.api, huma.Operation{
		OperationID:   "log-out",
		Method:        http.MethodDelete,
		Path:          "/v1/sessions/current",
		Summary:       "Log out",
		Description:   "Ends the session whose token the request carries.",
		Tags:          tags,
		Security:      []map[string][]string{{engineerScheme: {}}},
		Middlewares:   huma.Middlewares{h.authenticateEngineer},
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized},
	}, h.logout)
	huma.Register(h.api, huma.Operation{
		OperationID:   "log-out-everywhere",
		Method:        http.MethodDelete,
		Path:          "/v1/sessions",
		Summary:       "Log out everywhere",
		Description:   "Ends every session of the account, the one the request carries included, and every password reset link mailed and not yet used.",
		Tags:          tags,
		Security:      []map[string][]string{{engineerScheme: {}}},
		Middlewares:   huma.Middlewares{h.authenticateEngineer},
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusUnauthorized},
	}, h.logoutEverywhere)
	huma.Register(h.api, huma.Operation{
		OperationID:   "request-password-reset",
		Method:        http.MethodPost,
		Path:          "/v1/accounts/password-reset",
		Summary:       "Ask for a password reset mail",
		Description:   "Mails a link ({base}/reset?token=…, valid one hour) if the address has an account; the answer is 202 whether or not it has, and comes before the address is looked up, so neither it nor its timing tells. Limited per IP and per address (429 with Retry-After).",
		Tags:          tags,
		Security:      public,
		Middlewares:   ip,
		DefaultStatus: http.StatusAccepted,
		Errors:        []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable},
		MaxBodyBytes:  16 << 10,
	}, h.requestReset)
	huma.Register(h.api, huma.Operation{
		OperationID:   "confirm-password-reset",
		Method:        http.MethodPost,
		Path:          "/v1/accounts/password-reset/confirm",
		Summary:       "Set a new password with a reset token",
		Description:   "Every session of the account ends, and so does every other reset link; log in again with the new password. The answer sets an `anken_device` cookie: logins that send it back are not locked out by others' guesses at the address.",
		Tags:          tags,
		Security:      public,
		DefaultStatus: http.StatusNoContent,
		Errors:        []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
		MaxBodyBytes:  16 << 10,
	}, h.confirmReset)
}

// withClientIP keeps the client's IP address for the rate limits.
func (h *handlers) withClientIP(ctx huma.Context, next func(huma.Context)) {
	host, _, err := net.SplitHostPort(ctx.RemoteAddr())
	if err != nil {
		host = ctx.RemoteAddr()
	}
	next(huma.WithValue(ctx, clientIPKey{}, host))
}

func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// authenticateEngineer finds the account of the Bearer session token and
// refuses the request without one (401).
func (h *handlers) authenticateEngineer(ctx huma.Context, next func(huma.Context)) {
	token, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	token = strings.TrimSpace(token)
	if !ok || token == "" {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="anken"`)
		h.refuse(ctx, problem.Errorf(problem.Unauthorized,
			"not logged in: send the token of POST /v1/sessions as \"Authorization: Bearer …\""))
		return
	}
	a, err := h.Accounts.Authenticate(ctx.Context(), token)
	if err != nil {
		if problem.StatusOf(err) == http.StatusUnauthorized {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="anken", error="invalid_token"`)
		}
		h.refuse(ctx, err)
		return
	}
	next(huma.WithValue(ctx, accountKey{}, a))
}

func accountFrom(ctx context.Context) account.Account {
	return ctx.Value(accountKey{}).(account.Account)
}

// accountFail is fail for the accounts service's errors: the fields it
// names are in the body, and a rate limit answers 429 with Retry-After.
func (h *handlers) accountFail(ctx context.Context, err error) error {
	var ex *ratelimit.Exceeded
	if errors.As(err, &ex) {
		return huma.ErrorWithHeaders(huma.NewError(http.StatusTooManyRequests, ex.Error()),
			http.Header{"Retry-After": {strconv.Itoa(ex.Seconds())}})
	}
	var pe *problem.Error
	if errors.As(err, &pe) && len(pe.Details) > 0 {
		moved := *pe
		moved.Details = make([]problem.Detail, len(pe.Details))
		for i, d := range pe.Details {
			if !strings.Contains(d.Location, ".") {
				d.Location = "body." + d.Location
			}
			moved.Details[i] = d
		}
		err = &moved
	}
	return h.fail(ctx, err)
}

func (h *handlers) signUp(ctx context.Context, in *signUpInput) (*acceptedOutput, error) {
	if err := h.Accounts.SignUp(ctx, clientIP(ctx), in.Body.Email, in.Body.Password); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &acceptedOutput{Body: acceptedBody{Message: "a mail is on its way to the address: open its link to confirm it and log in"}}, nil
}

func (h *handlers) verify(ctx context.Context, in *verifyInput) (*verifiedOutput, error) {
	e, ses, err := h.Accounts.Verify(ctx, in.Device, in.Body.Token)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &verifiedOutput{SetCookie: h.deviceCookie(ses.Device), Body: verifiedBody{Email: e.Email, VerifiedAt: e.VerifiedAt,
		Token: ses.Token, ExpiresAt: ses.ExpiresAt}}, nil
}

func (h *handlers) login(ctx context.Context, in *loginInput) (*sessionOutput, error) {
	ses, err := h.Accounts.LoginDevice(ctx, clientIP(ctx), in.Device, in.Body.Email, in.Body.Password)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &sessionOutput{SetCookie: h.deviceCookie(ses.Device), Body: SessionBody{Token: ses.Token, ExpiresAt: ses.ExpiresAt}}, nil
}

func (h *handlers) logout(ctx context.Context, _ *struct{}) (*struct{}, error) {
	if err := h.Accounts.Logout(ctx, accountFrom(ctx)); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

func (h *handlers) logoutEverywhere(ctx context.Context, _ *struct{}) (*struct{}, error) {
	if err := h.Accounts.LogoutEverywhere(ctx, accountFrom(ctx)); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

func (h *handlers) requestReset(ctx context.Context, in *resetInput) (*acceptedOutput, error) {
	if err := h.Accounts.RequestReset(ctx, clientIP(ctx), in.Body.Email); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &acceptedOutput{Body: acceptedBody{Message: "if the address has an account, a mail with a link to set a new password is on its way"}}, nil
}

func (h *handlers) confirmReset(ctx context.Context, in *resetConfirmInput) (*resetConfirmOutput, error) {
	d, err := h.Accounts.ConfirmReset(ctx, in.Body.Token, in.Body.Password)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &resetConfirmOutput{SetCookie: h.deviceCookie(d)}, nil
}
