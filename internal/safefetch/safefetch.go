// Package safefetch fetches URLs that outsiders name, such as an agency's
// feed URL, without letting them reach anken's own network. A connection to
// a loopback, private, link-local, cloud-metadata or otherwise non-public
// address is refused when it is made, after DNS resolution and on every
// redirect, so neither a redirect nor a DNS answer that changes between
// lookups (rebinding) gets around the check. An operator may name hosts
// that are fetched whatever their address.
package safefetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy says what a client may fetch. The zero value fetches public
// addresses only, with the defaults below.
type Policy struct {
	// AllowHosts are host names or host:port pairs fetched whatever
	// address they resolve to: an operator's intranet feed, or a test
	// server. Names compare case-insensitively; a name without a port
	// allows every port.
	AllowHosts []string
	// Timeout bounds a whole fetch, body included; 10 minutes when 0.
	Timeout time.Duration
	// MaxRedirects is how many redirects a fetch follows; 5 when 0.
	MaxRedirects int
	// Resolver looks host names up; net.DefaultResolver when nil.
	Resolver *net.Resolver
}

// ErrRedirect is a redirect the client refused to follow: one too many,
// or to a URL that is not http or https.
var ErrRedirect = errors.New("redirect refused")

// BlockedError is a connection refused because its address is not public.
type BlockedError struct {
	Addr  netip.Addr
	Class string // what kind of address it is, e.g. "loopback"
}

func (e *BlockedError) Error() string {
	return fmt.Sprintf("safefetch: %s is not a public address (%s): only public addresses are fetched", e.Addr, e.Class)
}

// NewClient returns an HTTP client that fetches under p: http and https
// only, never through a proxy named by the environment, at most
// p.MaxRedirects redirects, and no connection to a non-public address
// unless its host is allowed.
func NewClient(p Policy) *http.Client {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	maxRedirects := p.MaxRedirects
	if maxRedirects <= 0 {
		maxRedirects = 5
	}
	d := &dialer{
		allow:   allowSet(p.AllowHosts),
		open:    &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: p.Resolver},
		checked: &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Resolver: p.Resolver, Control: control},
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would connect on our behalf, past the address check
		DialContext:           d.dialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: stopped after %d redirects", ErrRedirect, maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: the target is not an http or https URL", ErrRedirect)
			}
			return nil
		},
	}
}

// CheckURL reports why u cannot be fetched, as far as that shows without
// resolving its host: its scheme is not http or https, it has no host, its
// host cannot be read (ParseHost), or it is a non-public IP address or a
// localhost name and not allowed. The host is read by ParseHost, as the
// client's dialer reads it, so an address spelled oddly (2130706433,
// 0x7f.1, 127.1, 127。0。0。1, ①②⑦.0.0.1) is judged as the address it is.
// A host name that resolves to a non-public address passes here; the
// client refuses it when it connects.
func (p Policy) CheckURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("only http and https URLs are fetched")
	}
	if u.Hostname() == "" {
		return errors.New("the URL has no host")
	}
	host, err := ParseHost(u.Hostname())
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if allowSet(p.AllowHosts).allows(host, port) {
		return nil
	}
	if host.Addr.IsValid() {
		if class := Classify(host.Addr); class != "" {
			return fmt.Errorf("%s (%s) is not a public address (%s): only public addresses are fetched", u.Hostname(), host, class)
		}
		return nil
	}
	if host.Name == "localhost" || strings.HasSuffix(host.Name, ".localhost") {
		return fmt.Errorf("%s is not a public address (loopback): only public addresses are fetched", u.Hostname())
	}
	return nil
}

// allowList holds allowed hosts ("example.com") and host:port pairs
// ("example.com:8080"), each host as ParseHost reads it (Host.String).
type allowList map[string]bool

func allowSet(hosts []string) allowList {
	set := allowList{}
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		port := ""
		if host, p, err := net.SplitHostPort(h); err == nil {
			h, port = host, p
		}
		name := strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
		if ph, err := ParseHost(strings.Trim(h, "[]")); err == nil {
			name = ph.String()
		}
		if port != "" {
			name = net.JoinHostPort(name, port)
		}
		set[name] = true
	}
	return set
}

func (s allowList) allows(host Host, port string) bool {
	return s[host.String()] || s[net.JoinHostPort(host.String(), port)]
}

// dialer connects allowed hosts as asked and every other host only at
// public addresses.
type dialer struct {
	allow         allowList
	open, checked *net.Dialer
}

// dialContext reads the host as CheckURL does (ParseHost): an address in
// any spelling is dialled as that address, so what was checked is what is
// connected to, whatever the system's resolver makes of the spelling.
func (d *dialer) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	hostport, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("safefetch: address %q: %w", addr, err)
	}
	host, err := ParseHost(hostport)
	if err != nil {
		return nil, fmt.Errorf("safefetch: %w", err)
	}
	if host.Addr.IsValid() {
		addr = net.JoinHostPort(host.Addr.String(), port)
	}
	if d.allow.allows(host, port) {
		return d.open.DialContext(ctx, network, addr)
	}
	return d.checked.DialContext(ctx, network, addr)
}

// control refuses a connection to a non-public address. The dialer calls
// it for each address a host name resolved to, just before connecting.
func control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("safefetch: address %q: %w", address, err)
	}
	if class := Classify(ap.Addr()); class != "" {
		return &BlockedError{Addr: ap.Addr().WithZone(""), Class: class}
	}
	return nil
}

// special4 lists IPv4 ranges that are not public (IANA's special-purpose
// registry, less its globally reachable entries).
var special4 = []struct {
	prefix netip.Prefix
	class  string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this-network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "protocol-assignment"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4-relay"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast"},
}

// special6 lists ranges inside global unicast (2000::/3) that are not
// public; everything outside 2000::/3 is refused too, except the IPv4
// forms handled in Classify.
var special6 = []struct {
	prefix netip.Prefix
	class  string
}{
	{netip.MustParsePrefix("2001::/23"), "protocol-assignment"}, // Teredo, ORCHID, benchmarking…
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2002::/16"), "6to4"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
}

var (
	global6 = netip.MustParsePrefix("2000::/3")
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
)

// Classify returns what kind of non-public address a is ("loopback",
// "private", "link-local", …), or "" when a is public. IPv4-mapped and
// NAT64 (64:ff9b::/96) addresses are judged by the IPv4 address they carry.
func Classify(a netip.Addr) string {
	a = a.WithZone("")
	switch {
	case !a.IsValid():
		return "invalid"
	case a.Is4In6():
		if class := Classify(a.Unmap()); class != "" {
			return "IPv4-mapped " + class
		}
		return ""
	case a.Is6() && nat64.Contains(a):
		b := a.As16()
		if class := Classify(netip.AddrFrom4([4]byte(b[12:]))); class != "" {
			return "NAT64 " + class
		}
		return ""
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "loopback"
	case a.IsMulticast():
		return "multicast"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsPrivate():
		return "private"
	}
	if a.Is4() {
		for _, s := range special4 {
			if s.prefix.Contains(a) {
				return s.class
			}
		}
		return ""
	}
	if !global6.Contains(a) {
		return "non-global IPv6"
	}
	for _, s := range special6 {
		if s.prefix.Contains(a) {
			return s.class
		}
	}
	return ""
}
