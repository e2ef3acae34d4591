package safefetch

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Host is a URL's host as the resolver and the dialer will read it: an IP
// address, however it was spelled, or a DNS name.
type Host struct {
	Addr netip.Addr // valid when the host is an address
	Name string     // otherwise: ASCII (IDNA A-labels), lower case, without a trailing dot
}

// String is the host's canonical spelling: the address in its usual form,
// or the name.
func (h Host) String() string {
	if h.Addr.IsValid() {
		return h.Addr.String()
	}
	return h.Name
}

// hostProfile maps a host the way net/http does before it dials (IDNA
// UTS #46 for lookup: NFKC, so full-width digits and circled numbers
// become ASCII ones, and the ideographic and full-width full stops become
// dots), but lets names keep the underscores DNS allows.
var hostProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(false))

// ParseHost reads a URL's host (url.URL.Hostname(): IPv6 without
// brackets) as the resolver will, so a check of the result is a check of
// what will be connected to:
//
//   - Unicode is mapped as for an IDNA lookup: "127。0。0。1", "１２７.0.0.1"
//     and "①②⑦.0.0.1" are 127.0.0.1, "ｌｏｃａｌｈｏｓｔ" is localhost.
//   - One trailing dot is dropped: "127.0.0.1." is 127.0.0.1.
//   - A host whose last label is a number is an IPv4 address in any form
//     inet_aton(3) takes (and the WHATWG URL standard): one to four parts,
//     each decimal, octal with a leading 0 or hex with 0x, the last
//     filling the bytes left: "2130706433", "0x7f.1", "127.1",
//     "0177.0.0.1" and "0" are all addresses; one that does not fit
//     ("256.0.0.1", "1.08", "example.0x7g") is an error, never a name.
//
// Every other host is a name, lower case, in ASCII.
func ParseHost(host string) (Host, error) {
	if host == "" {
		return Host{}, errors.New("empty host")
	}
	if strings.Contains(host, ":") { // only IPv6 literals hold colons
		a, err := netip.ParseAddr(host)
		if err != nil {
			return Host{}, fmt.Errorf("host %q is not an IPv6 address: %w", host, err)
		}
		return Host{Addr: a}, nil
	}
	if !isASCII(host) {
		if !utf8.ValidString(host) {
			return Host{}, fmt.Errorf("host %q is not valid UTF-8", host)
		}
		mapped, err := hostProfile.ToASCII(host)
		if err != nil {
			return Host{}, fmt.Errorf("host %q is not a valid international name: %w", host, err)
		}
		if !isASCII(mapped) {
			return Host{}, fmt.Errorf("host %q maps to %q, not ASCII", host, mapped)
		}
		// The mapped host is read as if it had been given: "︓︓１" is the
		// IPv6 address ::1, and "︓" no host at all.
		h, err := ParseHost(mapped)
		if err != nil {
			return Host{}, fmt.Errorf("host %q (%q once mapped): %w", host, mapped, err)
		}
		return h, nil
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "" {
		return Host{}, fmt.Errorf("host %q has no name", host)
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" {
			return Host{}, fmt.Errorf("host %q has an empty label", host)
		}
	}
	if !numeric(labels[len(labels)-1]) {
		return Host{Name: name}, nil
	}
	a, err := parseIPv4(labels)
	if err != nil {
		return Host{}, fmt.Errorf("host %q ends in a number but is not an IPv4 address: %w", host, err)
	}
	return Host{Addr: a}, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// numeric reports whether a label is a number as an IPv4 part may be:
// decimal digits, or 0x followed by hex digits (or nothing).
func numeric(label string) bool {
	if rest, ok := strings.CutPrefix(label, "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return strings.Trim(label, "0123456789") == ""
}

// parseIPv4 reads the parts of an IPv4 address as inet_aton does.
func parseIPv4(parts []string) (netip.Addr, error) {
	if len(parts) > 4 {
		return netip.Addr{}, fmt.Errorf("%d parts, at most 4", len(parts))
	}
	var n [4]uint64
	for i, p := range parts {
		base := 10
		switch {
		case strings.HasPrefix(p, "0x"):
			base, p = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, p = 8, p[1:]
		}
		if p == "" { // "0x" alone is 0
			continue
		}
		v, err := strconv.ParseUint(p, base, 64)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("part %q: %w", parts[i], err)
		}
		n[i] = v
	}
	last := len(parts) - 1
	for i := range last {
		if n[i] > 255 {
			return netip.Addr{}, fmt.Errorf("part %q is more than 255", parts[i])
		}
	}
	if n[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, fmt.Errorf("part %q is too large", parts[last])
	}
	v := n[last]
	for i := range last {
		v |= n[i] << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), nil
}
