// Package account is engineers' accounts: sign-up with a verified
// address, login sessions, password reset by mail and password change,
// and what an engineer keeps here (profile, saved searches, favourites),
// with its checks. The JSON API and the pages both call Service; they
// only translate requests and answers.
//
// Passwords are hashed with argon2id at OWASP's parameters. Session and
// one-time tokens are 32 random bytes; the store keeps only their
// SHA-256. Sign-up, login and reset are rate-limited per IP and per
// address, and their answers never tell whether an address has an
// account.
//
// Failures carry a problem kind: bad input is Unprocessable naming the
// field, a wrong password or session Unauthorized, a limit TooMany
// (*ratelimit.Exceeded), another engineer's data NotFound.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"anken/internal/mail"
	"anken/internal/problem"
	"anken/internal/ratelimit"
	"anken/internal/store"
)

// Lifetimes of tokens and sessions.
const (
	VerifyTTL  = 24 * time.Hour
	ResetTTL   = time.Hour
	SessionTTL = 30 * 24 * time.Hour
	DeviceTTL  = 180 * 24 * time.Hour
)

// Store is what accounts need of the system of record; *store.Store is
// the implementation.
type Store interface {
	CreateEngineer(ctx context.Context, email, passwordHash string, tok store.Token, m store.Mail) (store.Engineer, error)
	RenewUnverified(ctx context.Context, id int64, passwordHash string, tok store.Token, m store.Mail) error
	IssueToken(ctx context.Context, engineerID int64, tok store.Token, m store.Mail) error
	AddToken(ctx context.Context, engineerID int64, tok store.Token) error
	EnqueueMail(ctx context.Context, m store.Mail) (int64, error)
	VerifyEngineer(ctx context.Context, tokenHash string) (store.Engineer, error)
	TokenEngineer(ctx context.Context, tokenHash, purpose string) (store.Engineer, error)
	ResetPassword(ctx context.Context, tokenHash, passwordHash string) (store.Engineer, error)
	Engineer(ctx context.Context, id int64) (store.Engineer, error)
	EngineerByEmail(ctx context.Context, email string) (store.Engineer, error)
	SetPasswordHash(ctx context.Context, id int64, passwordHash, keep string) error
	RehashPassword(ctx context.Context, id int64, old, passwordHash string) error
	CreateSession(ctx context.Context, engineerID int64, hash string, expires time.Time) (store.Session, error)
	SessionEngineer(ctx context.Context, hash string) (store.Session, store.Engineer, error)
	DeleteSession(ctx context.Context, hash string) error
	DeleteSessions(ctx context.Context, engineerID int64, keep string) (int64, error)

	Profile(ctx context.Context, engineerID int64) (store.Profile, error)
	PutProfile(ctx context.Context, engineerID int64, p store.Profile) error
	SavedSearches(ctx context.Context, engineerID int64) ([]store.SavedSearch, error)
	SavedSearch(ctx context.Context, engineerID, id int64) (store.SavedSearch, error)
	CreateSavedSearch(ctx context.Context, ss store.SavedSearch, max int) (store.SavedSearch, error)
	UpdateSavedSearch(ctx context.Context, engineerID, id int64, p store.SavedSearchPatch) (store.SavedSearch, error)
	DeleteSavedSearch(ctx context.Context, engineerID, id int64) error
	Unsubscribe(ctx context.Context, token string) (store.SavedSearch, error)
	SavedSearchByUnsubscribe(ctx context.Context, token string) (store.SavedSearch, error)
	PutFavorite(ctx context.Context, engineerID, listingID int64) error
	DeleteFavorite(ctx context.Context, engineerID, listingID int64) error
	Favorites(ctx context.Context, engineerID int64) ([]store.Favorite, error)
	PutViewed(ctx context.Context, engineerID, listingID int64) error
	History(ctx context.Context, engineerID int64) ([]store.Viewed, error)
	ClearHistory(ctx context.Context, engineerID int64) error
	Export(ctx context.Context, engineerID int64) (store.Export, error)
	DeleteEngineer(ctx context.Context, id int64) error
}

// Limits are the rate limits of the actions that take a password or send
// mail. A nil limiter is the default of Defaults.
//
// A login is limited per IP, and per account in one of two ways: a
// browser that has logged in to the account before (its device token,
// see Device) has a bucket of its own, LoginDevice; every other login to
// the account shares the bucket of its address, LoginAddress. Guessing
// from anywhere empties the address's bucket and so locks out only
// browsers the account has never used: its owner's own browser still
// logs in, and so does the browser that set a new password through the
// reset mail (which also fills the address's bucket again).
type Limits struct {
	SignUpIP, SignUpAddress *ratelimit.Limiter
	LoginIP, LoginAddress   *ratelimit.Limiter
	LoginDevice             *ratelimit.Limiter
	ResetIP, ResetAddress   *ratelimit.Limiter
}

// Defaults returns the default limits: per IP generous enough for an
// office behind one address, per account address tight enough that
// guessing a password or flooding a mailbox gets nowhere.
func Defaults() Limits {
	return Limits{
		SignUpIP:      ratelimit.New(10, 6*time.Minute), // 10 at once, then 10 an hour
		SignUpAddress: ratelimit.New(3, 20*time.Minute),
		LoginIP:       ratelimit.New(30, 10*time.Second),
		LoginAddress:  ratelimit.New(10, 3*time.Minute), // at most 480 guesses a day
		LoginDevice:   ratelimit.New(10, 3*time.Minute), // per device token, as per address
		ResetIP:       ratelimit.New(10, 6*time.Minute),
		ResetAddress:  ratelimit.New(3, 20*time.Minute),
	}
}

// Options configure a Service. The zero value works but for BaseURL.
type Options struct {
	// BaseURL starts the links in mail (ANKEN_BASE_URL): {BaseURL}/verify?token=…
	BaseURL string
	Params  Params // argon2id cost; OWASP when zero
	Limits  Limits
	Log     *slog.Logger
}

// Service is engineers' accounts. It is safe for concurrent use.
type Service struct {
	store   Store
	baseURL string
	params  Params
	limits  Limits
	log     *slog.Logger
	dummy   string // a hash to check against when there is no account, so both take as long

	// Work done after the answer (see later): running counts what is
	// queued or running, slots bounds what runs at once, done is waited
	// for by Wait.
	later   func(func()) // runs a job after the answer; tests hold jobs back
	running atomic.Int64
	slots   chan struct{}
	done    sync.WaitGroup
}

// Bounds of the work done after the answer.
const (
	laterRunning = 4    // jobs at once
	laterQueued  = 1000 // jobs queued or running; beyond, requests answer 503
	laterTimeout = time.Minute
)

// New returns the accounts service over st.
func New(st Store, o Options) *Service {
	s := &Service{store: st, baseURL: strings.TrimRight(o.BaseURL, "/"), params: o.Params, limits: o.Limits, log: o.Log}
	if s.params == (Params{}) {
		s.params = OWASP
	}
	def := Defaults()
	for _, l := range []struct{ set, def **ratelimit.Limiter }{
		{&s.limits.SignUpIP, &def.SignUpIP}, {&s.limits.SignUpAddress, &def.SignUpAddress},
		{&s.limits.LoginIP, &def.LoginIP}, {&s.limits.LoginAddress, &def.LoginAddress}, {&s.limits.LoginDevice, &def.LoginDevice},
		{&s.limits.ResetIP, &def.ResetIP}, {&s.limits.ResetAddress, &def.ResetAddress},
	} {
		if *l.set == nil {
			*l.set = *l.def
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.dummy, _ = Hash("no account has this password", s.params)
	s.slots = make(chan struct{}, laterRunning)
	s.later = s.background
	return s
}

// background runs job in a goroutine that Wait waits for, at most
// laterRunning at once.
func (s *Service) background(job func()) {
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		s.slots <- struct{}{}
		defer func() { <-s.slots }()
		job()
	}()
}

// errBusy answers a request whose work cannot be queued.
var errBusy = problem.Errorf(problem.Unavailable, "too many requests are waiting; retry shortly")

// queue has fn done after the answer, under a context of its own that
// keeps ctx's values (the request id for the logs) but not its end; a
// failure is logged as what. It refuses (errBusy) when laterQueued jobs
// are queued or running already.
func (s *Service) queue(ctx context.Context, what string, fn func(context.Context) error) error {
	if s.running.Add(1) > laterQueued {
		s.running.Add(-1)
		return errBusy
	}
	ctx = context.WithoutCancel(ctx)
	s.later(func() {
		defer s.running.Add(-1)
		ctx, cancel := context.WithTimeout(ctx, laterTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			s.log.ErrorContext(ctx, what, slog.Any("err", err))
		}
	})
	return nil
}

// Wait returns once the work queued by answers already given is done:
// serve calls it after the HTTP server has drained, before the store
// closes.
func (s *Service) Wait() { s.done.Wait() }

// Account is an engineer as a request sees them: the account and the
// session the request came with.
type Account struct {
	store.Engineer
	Session store.Session
}

// Session is a login: the token goes to the client once and is kept only
// as its hash.
type Session struct {
	Token      string    `json:"token"`
	ExpiresAt  time.Time `json:"expires_at"`
	EngineerID int64     `json:"-"`
	// Device is a new device token for the browser that logged in, when
	// it came without a live one of this account; zero otherwise.
	Device Device `json:"-"`
}

// DeviceCookie is the name of the cookie that holds a device token, on the
// pages and in the API alike.
const DeviceCookie = "anken_device"

// Device is a device token: 32 random bytes a browser keeps as a cookie
// once it has logged in to an account or reset its password through the
// mail, kept in the store only as its SHA-256. It gets that browser past
// the account's login limit (see Limits), nothing more: it is no login.
type Device struct {
	Token     string
	ExpiresAt time.Time
}

// newToken returns a random token (32 bytes, URL-safe base64) and the
// hash the store keeps of it.
func newToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("account: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken is the SHA-256, in hex, under which a token is stored: tokens
// are 256 random bits, so a slow hash adds nothing.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

func (s *Service) link(path, token string) string {
	return s.baseURL + path + "?token=" + url.QueryEscape(token)
}

// unavailable marks a store failure the client cannot help.
func unavailable(err error) error {
	return problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly")
}

// SignUp registers an unverified account for email and writes the mail
// that verifies it ({BaseURL}/verify?token=…, valid 24 hours), in one
// transaction. For an address that already has an account the answer is
// the same, nil, and the mail says so instead; an account not yet
// verified gets the new password and a new verification mail. ip is the
// client's address, for the rate limits.
func (s *Service) SignUp(ctx context.Context, ip, email, password string) error {
	addr, err := CheckEmail(email, "email")
	if err != nil {
		return err
	}
	if err := ratelimit.Check(
		ratelimit.Rule{Limiter: s.limits.SignUpIP, Key: ip, What: "sign-ups from this IP address"},
		ratelimit.Rule{Limiter: s.limits.SignUpAddress, Key: addr, What: "sign-ups for this email address"},
	); err != nil {
		return err
	}
	if err := CheckPassword(password, addr, "password"); err != nil {
		return err
	}
	// Hashed before the address is looked up, so an answer takes as long
	// whether or not the address has an account.
	hash, err := Hash(password, s.params)
	if err != nil {
		return err
	}
	token, tokenHash, err := newToken()
	if err != nil {
		return err
	}
	tok := store.Token{Hash: tokenHash, Purpose: store.TokenVerify, ExpiresAt: time.Now().Add(VerifyTTL)}
	verify, err := s.mail("verify", addr, map[string]any{"Link": s.link("/verify", token), "Hours": int(VerifyTTL.Hours())})
	if err != nil {
		return err
	}
	_, err = s.store.CreateEngineer(ctx, addr, hash, tok, verify)
	if !errors.Is(err, store.ErrConflict) {
		return unavailable(err)
	}
	e, err := s.store.EngineerByEmail(ctx, addr)
	if err != nil {
		return unavailable(err)
	}
	if !e.Verified() {
		err := s.store.RenewUnverified(ctx, e.ID, hash, tok, verify)
		if !errors.Is(err, store.ErrNotFound) { // verified meanwhile: say it exists
			return unavailable(err)
		}
	}
	exists, err := s.mail("account-exists", addr, map[string]any{
		"LoginLink": s.baseURL + "/login", "ResetLink": s.baseURL + "/reset"})
	if err != nil {
		return err
	}
	exists.EngineerID = e.ID
	_, err = s.store.EnqueueMail(ctx, exists)
	return unavailable(err)
}

func (s *Service) mail(kind, to string, data any) (store.Mail, error) {
	c, err := mail.Render(kind, data)
	if err != nil {
		return store.Mail{}, fmt.Errorf("account: %s mail: %w", kind, err)
	}
	return store.Mail{Kind: kind, To: to, Subject: c.Subject, Text: c.Text, HTML: c.HTML}, nil
}

// errBadToken is the answer to a one-time token that is unknown, used or
// expired: the three are not told apart.
var errBadToken = problem.Field(problem.Unprocessable, "token", nil,
	"the link is not valid: it has expired or was used already; ask for a new one")

// Verify confirms an address with the token of its verification mail and
// logs the engineer in, as Login does: a new session of 30 days, and a
// new device token (Session.Device) unless device, the client's, is a
// live one of the account. Whoever has the link has the mailbox, which
// is what a password reset trusts too.
func (s *Service) Verify(ctx context.Context, device, token string) (store.Engineer, Session, error) {
	if token == "" {
		return store.Engineer{}, Session{}, errBadToken
	}
	e, err := s.store.VerifyEngineer(ctx, HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.Engineer{}, Session{}, errBadToken
	}
	if err != nil {
		return store.Engineer{}, Session{}, unavailable(err)
	}
	deviceHash, err := s.device(ctx, device, e.Email)
	if err != nil {
		return e, Session{}, err
	}
	ses, err := s.startSession(ctx, e.ID)
	if err != nil || deviceHash != "" {
		return e, ses, err
	}
	ses.Device = s.newDevice(ctx, e.ID)
	return e, ses, nil
}

// errLogin is the answer to an unknown address and a wrong password alike.
var errLogin = problem.Errorf(problem.Unauthorized, "the email address or the password is wrong")

// Login checks the address and password and starts a session of 30 days.
// An unknown address and a wrong password answer the same; an account
// whose address is not verified is told so only when the password was
// right. It is LoginDevice without a device token.
func (s *Service) Login(ctx context.Context, ip, email, password string) (Session, error) {
	return s.LoginDevice(ctx, ip, "", email, password)
}

// LoginDevice is Login from a browser holding device, the device token
// of an earlier login or reset ("" for none). A live device token of the
// account counts the attempt against that browser's own limit instead of
// the address's, so nobody locks its owner out by guessing; any other
// counts against the address's. A login without a live device token of
// the account answers a new one in Session.Device.
func (s *Service) LoginDevice(ctx context.Context, ip, device, email, password string) (Session, error) {
	addr := strings.ToLower(strings.TrimSpace(email))
	deviceHash, err := s.device(ctx, device, addr)
	if err != nil {
		return Session{}, err
	}
	account := ratelimit.Rule{Limiter: s.limits.LoginAddress, Key: addr, What: "login attempts for this email address"}
	if deviceHash != "" {
		account = ratelimit.Rule{Limiter: s.limits.LoginDevice, Key: deviceHash, What: "login attempts from this browser"}
	}
	if err := ratelimit.Check(
		ratelimit.Rule{Limiter: s.limits.LoginIP, Key: ip, What: "login attempts from this IP address"},
		account,
	); err != nil {
		return Session{}, err
	}
	if addr == "" || len(password) > 4*MaxPassword {
		return Session{}, errLogin
	}
	e, err := s.store.EngineerByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		Check(s.dummy, password, s.params) // as long as a real check
		return Session{}, errLogin
	}
	if err != nil {
		return Session{}, unavailable(err)
	}
	ok, stale, err := Check(e.PasswordHash, password, s.params)
	if err != nil {
		return Session{}, fmt.Errorf("account: engineer %d: %w", e.ID, err)
	}
	if !ok {
		return Session{}, errLogin
	}
	if !e.Verified() {
		return Session{}, problem.Errorf(problem.Forbidden,
			"confirm your email address first: open the link in the mail we sent (sign up again to get a new one)")
	}
	if stale {
		if h, err := Hash(password, s.params); err == nil {
			if err := s.store.RehashPassword(ctx, e.ID, e.PasswordHash, h); err != nil {
				s.log.WarnContext(ctx, "rehash password", slog.Int64("engineer", e.ID), slog.Any("err", err))
			}
		}
	}
	ses, err := s.startSession(ctx, e.ID)
	if err != nil || deviceHash != "" {
		return ses, err
	}
	ses.Device = s.newDevice(ctx, e.ID)
	return ses, nil
}

// device returns the hash of device when it is a live device token of
// the account of addr, else "".
func (s *Service) device(ctx context.Context, device, addr string) (string, error) {
	if device == "" || len(device) > 200 || addr == "" {
		return "", nil
	}
	hash := HashToken(device)
	e, err := s.store.TokenEngineer(ctx, hash, store.TokenDevice)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil
	case err != nil:
		return "", unavailable(err)
	case e.Email != addr:
		return "", nil // another account's browser: it is new to this one
	}
	return hash, nil
}

// newDevice stores a new device token of the engineer and returns it; a
// failure is logged and answers none: the login itself has succeeded.
func (s *Service) newDevice(ctx context.Context, engineerID int64) Device {
	token, hash, err := newToken()
	if err == nil {
		d := Device{Token: token, ExpiresAt: time.Now().Add(DeviceTTL)}
		if err = s.store.AddToken(ctx, engineerID, store.Token{Hash: hash, Purpose: store.TokenDevice, ExpiresAt: d.ExpiresAt}); err == nil {
			return d
		}
	}
	s.log.WarnContext(ctx, "device token", slog.Int64("engineer", engineerID), slog.Any("err", err))
	return Device{}
}

func (s *Service) startSession(ctx context.Context, engineerID int64) (Session, error) {
	token, hash, err := newToken()
	if err != nil {
		return Session{}, err
	}
	ses, err := s.store.CreateSession(ctx, engineerID, hash, time.Now().Add(SessionTTL))
	if err != nil {
		return Session{}, unavailable(err)
	}
	return Session{Token: token, ExpiresAt: ses.ExpiresAt, EngineerID: engineerID}, nil
}

// errSession is the answer to a missing, unknown or expired session token.
var errSession = problem.Errorf(problem.Unauthorized, "not logged in, or the session has ended: log in again")

// Authenticate returns the account of a session token, or Unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (Account, error) {
	if token == "" || len(token) > 200 {
		return Account{}, errSession
	}
	ses, e, err := s.store.SessionEngineer(ctx, HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return Account{}, errSession
	}
	if err != nil {
		return Account{}, unavailable(err)
	}
	return Account{Engineer: e, Session: ses}, nil
}

// Logout ends the session the account came with; ending one that has
// ended already is not an error.
func (s *Service) Logout(ctx context.Context, a Account) error {
	return unavailable(s.store.DeleteSession(ctx, a.Session.Hash))
}

// LogoutEverywhere ends every session of the account, the one it came
// with included, and every reset link not yet used: what to do when a
// device or a mailbox may be in other hands.
func (s *Service) LogoutEverywhere(ctx context.Context, a Account) error {
	_, err := s.store.DeleteSessions(ctx, a.ID, "")
	return unavailable(err)
}

// RequestReset has a password reset mail ({BaseURL}/reset?token=…,
// valid one hour) written if the address has an account, and answers nil
// whether or not it has one. The answer comes before the address is
// looked up: what is done before it (the checks and the limits) is the
// same for every address, so how long it takes tells nothing, and the
// lookup and the mail are written right after, in the background.
func (s *Service) RequestReset(ctx context.Context, ip, email string) error {
	addr, err := CheckEmail(email, "email")
	if err != nil {
		return err
	}
	if err := ratelimit.Check(
		ratelimit.Rule{Limiter: s.limits.ResetIP, Key: ip, What: "password reset requests from this IP address"},
		ratelimit.Rule{Limiter: s.limits.ResetAddress, Key: addr, What: "password reset requests for this email address"},
	); err != nil {
		return err
	}
	return s.queue(ctx, "password reset mail", func(ctx context.Context) error { return s.mailReset(ctx, addr) })
}

// mailReset writes the reset token and its mail for the account of addr,
// in one transaction; an address without an account gets nothing.
func (s *Service) mailReset(ctx context.Context, addr string) error {
	e, err := s.store.EngineerByEmail(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token, hash, err := newToken()
	if err != nil {
		return err
	}
	m, err := s.mail("reset", addr, map[string]any{"Link": s.link("/reset", token), "Hours": int(ResetTTL.Hours())})
	if err != nil {
		return err
	}
	tok := store.Token{Hash: hash, Purpose: store.TokenReset, ExpiresAt: time.Now().Add(ResetTTL)}
	return s.store.IssueToken(ctx, e.ID, tok, m)
}

// ConfirmReset sets a new password with the token of a reset mail. Every
// session of the account ends, and so does every other reset link; the
// address counts as verified, since the mail reached it. Having proved
// that the mail reaches them, the engineer gets through the login limit:
// the address's bucket is full again, and the browser that reset gets a
// device token (see Limits).
func (s *Service) ConfirmReset(ctx context.Context, token, password string) (Device, error) {
	if token == "" {
		return Device{}, errBadToken
	}
	e, err := s.store.TokenEngineer(ctx, HashToken(token), store.TokenReset)
	if errors.Is(err, store.ErrNotFound) {
		return Device{}, errBadToken
	}
	if err != nil {
		return Device{}, unavailable(err)
	}
	if err := CheckPassword(password, e.Email, "password"); err != nil {
		return Device{}, err
	}
	hash, err := Hash(password, s.params)
	if err != nil {
		return Device{}, err
	}
	_, err = s.store.ResetPassword(ctx, HashToken(token), hash)
	if errors.Is(err, store.ErrNotFound) { // used or expired meanwhile
		return Device{}, errBadToken
	}
	if err != nil {
		return Device{}, unavailable(err)
	}
	s.limits.LoginAddress.Forget(e.Email)
	return s.newDevice(ctx, e.ID), nil
}

// ChangePassword sets a new password for a logged-in account that knows
// its current one, and ends every other session and every reset link not
// yet used. Wrong current passwords count against a login limit of the
// session's own, as a device's: guesses by others at the address do not
// stop its owner changing the password.
func (s *Service) ChangePassword(ctx context.Context, a Account, current, password string) error {
	if err := ratelimit.Check(ratelimit.Rule{Limiter: s.limits.LoginDevice, Key: "session " + a.Session.Hash,
		What: "password attempts in this session"}); err != nil {
		return err
	}
	ok, _, err := Check(a.PasswordHash, current, s.params)
	if err != nil {
		return fmt.Errorf("account: engineer %d: %w", a.ID, err)
	}
	if !ok {
		return problem.Field(problem.Unprocessable, "current", nil, "is not your current password")
	}
	if err := CheckPassword(password, a.Email, "password"); err != nil {
		return err
	}
	hash, err := Hash(password, s.params)
	if err != nil {
		return err
	}
	return unavailable(s.store.SetPasswordHash(ctx, a.ID, hash, a.Session.Hash))
}

// Export returns everything held about the engineer.
func (s *Service) Export(ctx context.Context, engineerID int64) (store.Export, error) {
	x, err := s.store.Export(ctx, engineerID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Export{}, errSession // deleted while the session was checked
	}
	return x, unavailable(err)
}

// Delete removes the account and everything personal at once: sessions,
// profile, saved searches, favourites and mail not yet sent.
func (s *Service) Delete(ctx context.Context, engineerID int64) error {
	err := s.store.DeleteEngineer(ctx, engineerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted already: the wish is met
	}
	return unavailable(err)
}
