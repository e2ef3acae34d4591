// Package mailtest runs a real SMTP server in a test (emersion/go-smtp),
// records the messages it accepts, and misbehaves on request: it answers
// 4xx for a while, drops connections, refuses an address with 5xx, stops
// listening, or holds its answer to DATA.
//
//	srv := mailtest.Start(t)
//	// … send to srv.URL() …
//	msgs := srv.Wait(t, 3, 5*time.Second)
//	msgs[0].Subject, msgs[0].Text, msgs[0].Header.Get("List-Id")
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options choose what the server offers. The zero value is a plain SMTP
// server without TLS or AUTH.
type Options struct {
	// StartTLS offers STARTTLS with a self-signed certificate for
	// 127.0.0.1 and localhost; clients trust it through RootCAs.
	StartTLS bool
	// ImplicitTLS speaks TLS from the first byte (smtps://).
	ImplicitTLS bool
	// User and Password, when set, make AUTH PLAIN (and only it) required
	// before MAIL. AUTH is offered only over TLS unless InsecureAuth.
	User, Password string
	InsecureAuth   bool
}

// Server is an SMTP server running for one test. Its methods are safe for
// concurrent use.
type Server struct {
	t    testing.TB
	opts Options
	srv  *smtp.Server
	addr string
	pool *x509.CertPool

	mu       sync.Mutex
	ln       net.Listener
	msgs     []Message
	fail4xx  int
	drop     int
	reject   map[string]string
	hold     time.Duration
	holding  chan struct{}
	holds    int // holds begun
	held     int // holds ended, the message accepted or not
	sessions int
}

// Message is a message the server accepted, with its parts decoded.
type Message struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	Raw  []byte   // the message as received
	// Header is the parsed header; Subject is its Subject decoded.
	Header  mail.Header
	Subject string
	// MessageID is the Message-ID without its angle brackets.
	MessageID string
	// Text and HTML are the decoded text/plain and text/html parts.
	Text, HTML string
	// TLS says whether the message came over an encrypted connection.
	TLS bool
	// ParseErr says what could not be read of Raw, if anything.
	ParseErr error
}

// Start starts a plain server on 127.0.0.1 and stops it when the test ends.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith starts a server offering what o says.
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	s := &Server{t: t, opts: o, reject: map[string]string{}}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailtest.localhost"
	s.srv.AllowInsecureAuth = o.InsecureAuth
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.ErrorLog = discard{}
	if o.StartTLS || o.ImplicitTLS {
		cfg, pool, err := selfSigned()
		if err != nil {
			t.Fatal(err)
		}
		s.srv.TLSConfig, s.pool = cfg, pool
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *Server) serve(ln net.Listener) {
	if s.opts.ImplicitTLS {
		ln = tls.NewListener(ln, s.srv.TLSConfig)
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	go s.srv.Serve(ln)
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL is the server's address as ANKEN_SMTP_URL takes it: smtp:// or,
// with ImplicitTLS, smtps://; with the user and password when set.
func (s *Server) URL() string {
	scheme := "smtp"
	if s.opts.ImplicitTLS {
		scheme = "smtps"
	}
	user := ""
	if s.opts.User != "" {
		user = s.opts.User + ":" + s.opts.Password + "@"
	}
	return scheme + "://" + user + s.addr
}

// RootCAs holds the certificate of a TLS server; nil for a plain one.
func (s *Server) RootCAs() *x509.CertPool { return s.pool }

// Messages returns the messages accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Sessions is how many connections the server has taken.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Wait waits until the server has accepted at least n messages and
// returns them; the test fails if that takes longer than timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := s.Messages()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: %d messages after %s, want %d", len(msgs), timeout, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Fail4xx makes the next n transactions fail with "451 4.3.0" at RCPT:
// the message is not accepted and the client may try again.
func (s *Server) Fail4xx(n int) {
	s.mu.Lock()
	s.fail4xx = n
	s.mu.Unlock()
}

// Drop makes the next n transactions end with the connection closed after
// the message data was read and before any answer: the message is not
// accepted.
func (s *Server) Drop(n int) {
	s.mu.Lock()
	s.drop = n
	s.mu.Unlock()
}

// Reject makes RCPT TO addr answer "550 5.1.1" for good.
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	s.reject[strings.ToLower(addr)] = "5.1.1 mailbox " + addr + " does not exist"
	s.mu.Unlock()
}

// Hold makes the server wait d after reading each message's data before it
// answers. A message whose client hangs up while it waits is not
// accepted: the server never told the client it took the message. Each
// time the server starts to wait it signals on Holding.
func (s *Server) Hold(d time.Duration) {
	s.mu.Lock()
	s.hold = d
	if s.holding == nil {
		s.holding = make(chan struct{}, 1)
	}
	s.mu.Unlock()
}

// Holding signals each time the server starts to hold a message (see
// Hold); signals nobody takes are dropped.
func (s *Server) Holding() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holding == nil {
		s.holding = make(chan struct{}, 1)
	}
	return s.holding
}

// Held says how many holds (see Hold) have begun and how many have ended,
// each with its message accepted or, its client gone, not: a test that
// kills a client while the server holds waits for every hold to end
// rather than for the hold's length.
func (s *Server) Held() (begun, ended int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.holds, s.held
}

// Stop stops listening and closes every connection: clients get
// "connection refused" until Resume.
func (s *Server) Stop() {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	ln.Close()
	old := s.srv
	// A stopped go-smtp server cannot serve again: Resume makes a new one
	// with the same settings.
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain, s.srv.AllowInsecureAuth = old.Domain, old.AllowInsecureAuth
	s.srv.ReadTimeout, s.srv.WriteTimeout = old.ReadTimeout, old.WriteTimeout
	s.srv.ErrorLog, s.srv.TLSConfig = old.ErrorLog, old.TLSConfig
	old.Close()
}

// Resume listens again on the same address after Stop.
func (s *Server) Resume() {
	s.t.Helper()
	var (
		ln  net.Listener
		err error
	)
	for range 50 { // the port may linger a moment
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("mailtest: listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.sessions++
	b.s.mu.Unlock()
	return &session{s: b.s, conn: c}, nil
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.opts.User || pass != ss.s.opts.Password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.User != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if why, ok := s.reject[strings.ToLower(to)]; ok {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: why}
	}
	if s.fail4xx > 0 {
		s.fail4xx--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailtest: try again later"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	drop := s.drop > 0
	if drop {
		s.drop--
	}
	hold, holding := s.hold, s.holding
	if hold > 0 && !drop {
		s.holds++
	}
	s.mu.Unlock()
	if drop {
		ss.conn.Conn().Close()
		return errors.New("mailtest: dropped")
	}
	if hold > 0 {
		select {
		case holding <- struct{}{}:
		default:
		}
		time.Sleep(hold)
		if gone(ss.conn.Conn()) {
			s.mu.Lock()
			s.held++
			s.mu.Unlock()
			return errors.New("mailtest: client left before the answer")
		}
	}
	m := parse(raw)
	m.From, m.To = ss.from, append([]string(nil), ss.to...)
	_, m.TLS = ss.conn.TLSConnectionState()
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	if hold > 0 {
		s.held++
	}
	s.mu.Unlock()
	return nil
}

// gone reports whether the client closed the connection: a client waiting
// for the answer to DATA sends nothing, so a read that ends in EOF rather
// than a timeout means it hung up.
func gone(c net.Conn) bool {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	defer c.SetReadDeadline(time.Time{})
	var b [1]byte
	_, err := c.Read(b[:])
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

// parse reads the header and the text and HTML parts of raw.
func parse(raw []byte) Message {
	m := Message{Raw: raw}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.ParseErr = err
		return m
	}
	m.Header = msg.Header
	var dec mime.WordDecoder
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.ParseErr = fmt.Errorf("subject: %w", err)
	}
	m.MessageID = strings.Trim(msg.Header.Get("Message-Id"), "<>")
	if err := m.readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		m.ParseErr = err
	}
	return m
}

func (m *Message) readPart(contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s part: %w", mt, err)
	}
	switch mt {
	case "text/plain":
		m.Text = string(b)
	case "text/html":
		m.HTML = string(b)
	}
	return nil
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned() (*tls.Config, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, pool, nil
}

type discard struct{}

func (discard) Printf(string, ...any) {}
func (discard) Println(...any)        {}
