package safefetch

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"anken/internal/safefetch/safefetchtest"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		// IPv4
		{"8.8.8.8", true},
		{"203.0.114.1", true},
		{"1.1.1.1", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.15.255.255", true},
		{"172.32.0.0", true},
		{"198.17.255.255", true},
		{"198.20.0.0", true},
		{"223.255.255.255", true},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"169.254.0.1", false},
		{"100.64.0.1", false},
		{"100.100.100.200", false}, // Alibaba Cloud metadata
		{"100.127.255.255", false},
		{"192.0.0.8", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		// IPv6
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::200e", true},
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"::ffff:8.8.8.8", true},
		{"::", false},
		{"::1", false},
		{"fc00::1", false},
		{"fd12:3456:789a::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fec0::1", false},
		{"ff02::1", false},
		{"ff05::2", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:10.0.0.1", false},
		{"::127.0.0.1", false},        // IPv4-compatible, deprecated
		{"64:ff9b::7f00:1", false},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false}, // NAT64 of 169.254.169.254
		{"64:ff9b:1::1", false},       // local-use NAT64
		{"100::1", false},
		{"2001::1", false}, // Teredo
		{"2001:db8::1", false},
		{"2002:7f00:1::1", false}, // 6to4
		{"3fff::1", false},
	}
	for _, tc := range tests {
		a := netip.MustParseAddr(tc.addr)
		class := Classify(a)
		if (class == "") != tc.public {
			t.Errorf("Classify(%s) = %q; want public %v", tc.addr, class, tc.public)
		}
	}
}

// TestControl checks the function the dialer calls with each resolved
// address before it connects.
func TestControl(t *testing.T) {
	for addr, blocked := range map[string]bool{
		"127.0.0.1:80":              true,
		"[::1]:443":                 true,
		"169.254.169.254:80":        true,
		"[::ffff:127.0.0.1]:80":     true,
		"[fe80::1%lo]:80":           true,
		"10.1.2.3:8080":             true,
		"93.184.215.14:443":         false,
		"[2606:4700:4700::1111]:80": false,
	} {
		err := control("tcp", addr, nil)
		var be *BlockedError
		if got := errors.As(err, &be); got != blocked {
			t.Errorf("control(%s) = %v; want blocked %v", addr, err, blocked)
		}
	}
}

func TestCheckURL(t *testing.T) {
	p := Policy{AllowHosts: []string{"10.0.0.5", "intranet.example:8080"}}
	for raw, ok := range map[string]bool{
		"https://feeds.example.com/jobs.xml":      true,
		"http://93.184.215.14/feed.csv":           true,
		"http://[2606:4700:4700::1111]/feed":      true,
		"ftp://feeds.example.com/jobs.xml":        false,
		"file:///etc/passwd":                      false,
		"gopher://127.0.0.1:6379/_INFO":           false,
		"http:///nohost":                          false,
		"http://127.0.0.1:8080/feed":              false,
		"http://[::1]/feed":                       false,
		"http://169.254.169.254/latest/meta-data": false,
		"http://100.100.100.200/latest":           false,
		"http://[::ffff:10.0.0.1]/":               false,
		"http://0.0.0.0/":                         false,
		"http://localhost:8080/":                  false,
		"http://api.localhost/":                   false,
		"http://10.0.0.5/feed":                    true, // allowed
		"http://intranet.example:8080/feed":       true, // allowed with its port
		"http://10.0.0.6/feed":                    false,
		// Loopback and private addresses spelled as the resolver also reads them.
		"http://2130706433:8080/":    false,
		"http://0x7f.1/":             false,
		"http://0x7F000001/":         false,
		"http://127.1/":              false,
		"http://0177.0.0.1/":         false,
		"http://0/":                  false,
		"http://127.0.0.1./":         false,
		"http://127。0。0。1/":          false,
		"http://127．0．0．1/":          false,
		"http://127｡0｡0｡1/":          false,
		"http://①②⑦.0.0.1/":          false,
		"http://１２７.0.0.1/":          false,
		"http://ｌｏｃａｌｈｏｓｔ/":          false,
		"http://LOCALHOST./":         false,
		"http://012.0.0.1/":          false, // 10.0.0.1
		"http://169.254.43518/":      false, // 169.254.169.254
		"http://0xa9fea9fe/":         false, // 169.254.169.254
		"http://256.0.0.1/":          false, // ends in a number, no address
		"http://feeds.example.0x7g/": true,  // a name: 0x7g is no number
		"http://0x0a.0.0.5/feed":     true,  // 10.0.0.5, allowed
		"http://134744072/feed":      true,  // 8.8.8.8
		"http://ｆｅｅｄｓ.example.com/":  true,
		"http://bücher.example/feed": true,
		"http://feeds.example.com./": true,
		"http://1.example.com/":      true, // a number, but not the last label
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%s) = %v; want ok %v", raw, err, ok)
		}
	}
}

func TestParseHost(t *testing.T) {
	for _, c := range []struct {
		host, want string // want: Host.String(), "" for an error
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0X7F.1", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0177.1", "127.0.0.1"},
		{"0", "0.0.0.0"},
		{"0x", "0.0.0.0"},
		{"00", "0.0.0.0"},
		{"127.0.0.1.", "127.0.0.1"},
		{"127。0。0。1", "127.0.0.1"},
		{"127．0．0．1", "127.0.0.1"},
		{"127｡0｡0｡1", "127.0.0.1"},
		{"１２７.０.０.１", "127.0.0.1"},
		{"①②⑦.0.0.1", "127.0.0.1"},
		{"⑫⑦.0.0.1", "127.0.0.1"},
		{"169.254.43518", "169.254.169.254"},
		{"4294967295", "255.255.255.255"},
		{"::1", "::1"},
		{"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		{"Example.COM", "example.com"},
		{"example.com.", "example.com"},
		{"ｌｏｃａｌｈｏｓｔ", "localhost"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"例え.テスト", "xn--r8jz45g.xn--zckzah"},
		{"under_score.example", "under_score.example"},
		{"1.example.com", "1.example.com"},
		{"0x7f.example", "0x7f.example"},
		{"4294967296", ""},
		{"256.0.0.1", ""},
		{"1.2.3.4.5", ""},
		{"1.256.1", ""},
		{"1.2.65536", ""},
		{"08.0.0.1", ""},
		{"0x1g", "0x1g"}, // not a number: a name, as inet_aton finds too
		{"example.0x7g", "example.0x7g"},
		{"127..1", ""},
		{".", ""},
		{"", ""},
		{"::zz", ""},
		{"\xff.example", ""},
		{"︓︓１", "::1"}, // presentation-form colons map to an IPv6 literal
		{"︓", ""},      // found by FuzzParseHost: a name ":" that read back as no host
	} {
		h, err := ParseHost(c.host)
		got := h.String()
		if err != nil {
			got = ""
		}
		if got != c.want {
			t.Errorf("ParseHost(%q) = %q, %v; want %q", c.host, h, err, c.want)
		}
	}
}

// FuzzParseHost: whatever the host, ParseHost does not panic; what it
// answers reads back as itself; a name it answers is lower-case ASCII
// whose last label is no number (so no resolver reads it as an address);
// and an address netip reads is that address.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "2130706433", "0x7f.1", "127.1", "0177.0.0.1", "0", "127.0.0.1.", "127。0。0。1",
		"①②⑦.0.0.1", "example.com", "bücher.example", "::1", "fe80::1%eth0", "0x", "1.2.3.4.5", "ｌｏｃａｌｈｏｓｔ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		h, err := ParseHost(host)
		if a, perr := netip.ParseAddr(host); perr == nil && (err != nil || h.Addr != a) {
			t.Fatalf("ParseHost(%q) = %v, %v; netip reads %v", host, h, err, a)
		}
		if err != nil {
			return
		}
		if h.Addr.IsValid() == (h.Name != "") {
			t.Fatalf("ParseHost(%q) = %#v: want an address or a name", host, h)
		}
		if h.Name != "" {
			labels := strings.Split(h.Name, ".")
			if h.Name != strings.ToLower(h.Name) || !isASCII(h.Name) || strings.HasSuffix(h.Name, ".") || numeric(labels[len(labels)-1]) {
				t.Fatalf("ParseHost(%q) = name %q", host, h.Name)
			}
		}
		again, err := ParseHost(h.String())
		if err != nil || again != h {
			t.Fatalf("ParseHost(%q) = %v, but ParseHost(%q) = %v, %v", host, h, h.String(), again, err)
		}
	})
}

func feedServer(t *testing.T, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestClientRefusesInternalAddresses(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1") // must not be used
	srv := feedServer(t, "secret internal answer")
	host := srv.Listener.Addr().String() // 127.0.0.1:port
	_, port, _ := net.SplitHostPort(host)

	_, err := get(NewClient(Policy{}), srv.URL)
	var be *BlockedError
	if !errors.As(err, &be) || be.Class != "loopback" {
		t.Fatalf("loopback fetch: %v; want a BlockedError", err)
	}
	// localhost is a name, not an address: it is refused once resolved.
	if _, err := get(NewClient(Policy{}), "http://localhost:"+port+"/"); !errors.As(err, &be) {
		t.Errorf("localhost fetch: %v; want a BlockedError", err)
	}

	for _, allow := range []string{"127.0.0.1", host} {
		body, err := get(NewClient(Policy{AllowHosts: []string{allow}}), srv.URL)
		if err != nil || body != "secret internal answer" {
			t.Errorf("allowed %s: %q, %v", allow, body, err)
		}
	}
	// Another port of an allowed host:port is not allowed.
	if _, err := get(NewClient(Policy{AllowHosts: []string{"127.0.0.1:1"}}), srv.URL); !errors.As(err, &be) {
		t.Errorf("other port: %v; want a BlockedError", err)
	}
}

func TestClientRedirects(t *testing.T) {
	internal := feedServer(t, "secret internal answer")
	var hops int
	var redirector *httptest.Server
	redirector = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-internal":
			http.Redirect(w, r, internal.URL+"/", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/loop":
			hops++
			http.Redirect(w, r, redirector.URL+"/loop", http.StatusFound)
		default:
			io.WriteString(w, "feed")
		}
	}))
	t.Cleanup(redirector.Close)
	c := NewClient(Policy{AllowHosts: []string{redirector.Listener.Addr().String()}, MaxRedirects: 3})

	_, err := get(c, redirector.URL+"/to-internal")
	var be *BlockedError
	if !errors.As(err, &be) {
		t.Errorf("redirect from an allowed host to a loopback address: %v; want a BlockedError", err)
	}
	if _, err := get(c, redirector.URL+"/to-file"); !errors.Is(err, ErrRedirect) {
		t.Errorf("redirect to file: %v", err)
	}
	if _, err := get(c, redirector.URL+"/loop"); !errors.Is(err, ErrRedirect) || !strings.Contains(err.Error(), "after 3 redirects") || hops != 4 {
		t.Errorf("redirect loop: %v after %d hops", err, hops)
	}
	if body, err := get(c, redirector.URL+"/feed"); err != nil || body != "feed" {
		t.Errorf("plain fetch: %q, %v", body, err)
	}
}

// TestClientResolvedName fetches a public-looking name whose DNS answer is
// 127.0.0.1: refused when connecting, fetched when the name is allowed.
func TestClientResolvedName(t *testing.T) {
	srv := feedServer(t, "secret internal answer")
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := safefetchtest.Resolver(netip.MustParseAddr("127.0.0.1"))
	u := "http://feeds.example.com:" + port + "/jobs.jsonl"

	_, err := get(NewClient(Policy{Resolver: res}), u)
	var be *BlockedError
	if !errors.As(err, &be) || be.Addr != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("name resolving to loopback: %v; want a BlockedError", err)
	}
	body, err := get(NewClient(Policy{Resolver: res, AllowHosts: []string{"Feeds.Example.com"}}), u)
	if err != nil || body != "secret internal answer" {
		t.Errorf("allowed name: %q, %v", body, err)
	}
}
