package mail

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	netmail "net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"anken/internal/store"
)

// SMTP is where and how mail is sent: ANKEN_SMTP_URL and ANKEN_MAIL_FROM.
type SMTP struct {
	// URL is smtp://[user:pass@]host[:port][?tls=required] or
	// smtps://[user:pass@]host[:port].
	//
	//   - smtp:// (port 25 when absent) uses STARTTLS when the server
	//     offers it and sends in the clear when it does not; tls=required
	//     refuses to send without STARTTLS. smtps:// (port 465) speaks TLS
	//     from the start. The server's certificate is always verified.
	//   - With user:pass, AUTH is required. The password never crosses an
	//     unencrypted connection: PLAIN and LOGIN are used only under TLS;
	//     without TLS only a challenge-response mechanism (CRAM-MD5, SCRAM)
	//     will do, and a server offering none is an error that says so.
	URL string
	// From is the From of every mail, e.g. "anken <no-reply@anken.example>";
	// its domain is the right-hand side of each Message-ID.
	From string
	// Timeout bounds connecting and each message's exchange; 30s when 0.
	Timeout time.Duration
	// TLS, when set, is the TLS configuration (tests trust their own
	// certificate with it); the server name is filled in from URL.
	TLS *tls.Config
}

// Sender sends outbox mail to one SMTP server. It keeps its connection
// open from one Send to the next, so a batch shares one connection; Close
// ends it. A Sender is not safe for concurrent use.
type Sender struct {
	client *gomail.Client
	from   *netmail.Address
	domain string // of From, for Message-IDs
	auth   bool
	conn   *gosmtp.Client // open connection, or nil
}

// NewSender checks c and returns a Sender for it. It does not connect.
func NewSender(c SMTP) (*Sender, error) {
	u, err := url.Parse(c.URL)
	if err != nil || u.Host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("mail: ANKEN_SMTP_URL: want smtp://[user:pass@]host:port or smtps://…")
	}
	from, err := netmail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("mail: ANKEN_MAIL_FROM %q: %w", c.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	host := u.Hostname()
	port := 25
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: ANKEN_SMTP_URL: port %q", p)
		}
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLS != nil {
		tlsCfg = c.TLS.Clone()
	}
	tlsCfg.ServerName = host
	opts := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(cmp.Or(c.Timeout, 30*time.Second)),
		gomail.WithTLSConfig(tlsCfg),
		// One transaction after another on the connection: the server
		// ends each with its answer to the data, so no RSET, and a
		// connection that died shows at the next command (no NOOP).
		gomail.WithoutNoop(), gomail.WithoutRset(),
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return nil, fmt.Errorf("mail: ANKEN_SMTP_URL: unknown parameter %q (only tls=required)", k)
		}
	}
	switch tlsMode := q.Get("tls"); {
	case u.Scheme == "smtps":
		if tlsMode != "" {
			return nil, fmt.Errorf("mail: ANKEN_SMTP_URL: smtps:// is always TLS; tls=%s does not apply", tlsMode)
		}
		opts = append(opts, gomail.WithSSL())
	case tlsMode == "required":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsMode == "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		return nil, fmt.Errorf("mail: ANKEN_SMTP_URL: tls=%s: want tls=required or nothing", tlsMode)
	}
	s := &Sender{from: from, domain: domain}
	if u.User != nil {
		pass, _ := u.User.Password()
		// Auto-discovery picks the strongest mechanism the server offers,
		// and PLAIN or LOGIN only on an encrypted connection.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
		s.auth = true
	}
	if s.client, err = gomail.NewClient(host, opts...); err != nil {
		return nil, fmt.Errorf("mail: SMTP client for %s: %w", host, err)
	}
	return s, nil
}

// ReplyError is the SMTP server's refusal of one message: its reply code
// and text. The connection stays usable. A 5xx (Permanent) means sending
// the message again will not help; a 4xx means later might.
type ReplyError struct {
	Code int
	Text string
}

func (e *ReplyError) Error() string { return e.Text }

// Permanent reports a 5xx refusal.
func (e *ReplyError) Permanent() bool { return e.Code >= 500 }

// Send sends m, connecting first if no connection is open. The server has
// taken responsibility for m exactly when Send returns nil (its 250 to the
// data). A *ReplyError is the server's refusal of m alone, to its
// recipient or its content. Any other error means the connection or the
// server as a whole failed (refused, dropped, timed out, TLS or AUTH
// failed, the sender address refused): the connection is closed and the
// next Send connects again.
func (s *Sender) Send(ctx context.Context, m store.Mail) error {
	msg, err := s.Message(m)
	if err != nil {
		return err
	}
	if err := s.connect(ctx); err != nil {
		return err
	}
	err = s.client.SendWithSMTPClient(s.conn, msg)
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		switch se.Reason {
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			return &ReplyError{Code: se.ErrorCode(), Text: se.Error()}
		case gomail.ErrSMTPMailFrom:
			if se.IsTemp() {
				return &ReplyError{Code: se.ErrorCode(), Text: se.Error()}
			}
			// A 5xx to MAIL FROM refuses our sender, not this mail: every
			// mail would meet it, so it is the server's failure, not one
			// to park the mail for.
		}
	}
	s.Close()
	return fmt.Errorf("mail: send to %s: %w", s.client.ServerAddr(), err)
}

// connect opens a connection unless one is open.
func (s *Sender) connect(ctx context.Context) error {
	if s.conn != nil {
		return nil
	}
	conn, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if s.auth && errors.Is(err, gomail.ErrNoSupportedAuthDiscovered) {
			return fmt.Errorf("mail: %s offers no AUTH mechanism that keeps the password safe on this connection "+
				"(PLAIN and LOGIN are sent only over TLS: use smtps:// or a server with STARTTLS): %w", s.client.ServerAddr(), err)
		}
		return fmt.Errorf("mail: connect to %s: %w", s.client.ServerAddr(), err)
	}
	s.conn = conn
	return nil
}

// Close ends the connection, if one is open: QUIT, then close.
func (s *Sender) Close() error {
	if s.conn == nil {
		return nil
	}
	c := s.conn
	s.conn = nil
	err := c.Quit()
	c.Close()
	return err
}

// Message builds the message for m: From, To, Subject (encoded for its
// Japanese), Date (when the mail was written, in Japan time: +0900),
// Message-ID <message_id@domain of From>, m's own header fields
// (List-Id, List-Unsubscribe, …), and a multipart/alternative body of
// the text and HTML parts, each UTF-8 in base64. The same mail always
// makes the same header, so a mail sent again after a crash carries the
// same Message-ID and Date.
func (s *Sender) Message(m store.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingB64), gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(s.from)
	if err := msg.To(m.To); err != nil {
		return nil, &ReplyError{Code: 553, Text: fmt.Sprintf("mail %d: recipient %q: %v", m.ID, m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(cmp.Or(m.CreatedAt, time.Now()).In(jst))
	msg.SetMessageIDWithValue(m.MessageID + "@" + s.domain)
	names := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if reserved[strings.ToLower(k)] {
			continue
		}
		msg.SetGenHeaderPreformatted(gomail.Header(k), headerValue(m.Headers[k]))
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// jst is Asia/Tokyo (no daylight saving time since 1951), the zone of
// the Date a reader in Japan sees.
var jst = time.FixedZone("Asia/Tokyo", 9*60*60)

// headerValue encodes the non-ASCII of a header field's value (RFC 2047)
// and leaves a trailing <…> as it is: List-Id: 新着案件 <alerts.example>
// keeps its list id readable.
func headerValue(v string) string {
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf || v[i] < ' ' {
			ascii = false
			break
		}
	}
	if ascii {
		return v
	}
	v = strings.Map(func(r rune) rune {
		if r < ' ' {
			return ' ' // no line breaks into the header
		}
		return r
	}, v)
	if i := strings.LastIndex(v, " <"); i > 0 && strings.HasSuffix(v, ">") && !strings.ContainsFunc(v[i:], func(r rune) bool { return r >= utf8.RuneSelf }) {
		return mime.BEncoding.Encode("UTF-8", v[:i]) + v[i:]
	}
	return mime.BEncoding.Encode("UTF-8", v)
}

// reserved are the header fields Message sets itself; a mail's own
// Headers cannot replace them.
var reserved = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "subject": true, "date": true, "message-id": true,
	"mime-version": true, "content-type": true, "content-transfer-encoding": true,
}
