// Package config reads anken's settings from ANKEN_* environment variables.
// Command-line flags override them; see .env.example for every variable.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting. The zero value is not valid: use Load.
type Config struct {
	Addr            string        // ANKEN_ADDR: where serve listens
	BaseURL         string        // ANKEN_BASE_URL: absolute address of the site in links, feeds and mail; "http://" + Addr when empty
	MetricsAddr     string        // ANKEN_METRICS_ADDR: a separate listen address serving /metrics alone; none when empty
	MetricsToken    string        // ANKEN_METRICS_TOKEN: with it, /metrics on the main address answers a Bearer of this token
	DataDir         string        // ANKEN_DATA_DIR: SQLite file and local outbox
	DatabaseURL     string        // ANKEN_DATABASE_URL: postgres://… selects PostgreSQL
	LogLevel        slog.Level    // ANKEN_LOG_LEVEL: debug, info, warn, error
	LogFormat       string        // ANKEN_LOG_FORMAT: json or text
	DemoListings    int           // ANKEN_DEMO_LISTINGS: listings serve --demo generates
	ShutdownTimeout time.Duration // ANKEN_SHUTDOWN_TIMEOUT: grace for in-flight requests
	IndexPoll       time.Duration // ANKEN_INDEX_POLL: how often the index reads the change log
	IngestWorkers   int           // ANKEN_INGEST_WORKERS: inbox workers per serve process (0: none on this node)
	IngestLease     time.Duration // ANKEN_INGEST_LEASE: how long a worker's claim on inbox items holds
	// ANKEN_FEED_ALLOW_HOSTS: hosts (name or name:port) feed URLs may name
	// whatever address they resolve to; every other feed host must have a
	// public address.
	FeedAllowHosts []string
	FeedMaxBytes   int64         // ANKEN_FEED_MAX_BYTES: the most bytes one fetched feed may have
	FeedTimeout    time.Duration // ANKEN_FEED_TIMEOUT: how long one feed fetch may take, body included
	// ANKEN_SMTP_URL: smtp://[user:pass@]host:port (STARTTLS when offered;
	// ?tls=required insists) or smtps://… (implicit TLS). Empty: mail stays
	// in the store's outbox (anken mail outbox, /dev/mail under --demo).
	SMTPURL     string
	MailFrom    string        // ANKEN_MAIL_FROM: the From address of every mail
	AlertBundle time.Duration // ANKEN_ALERT_BUNDLE: at most one instant alert mail per saved search per this
	// Rate limits, "RATE/UNIT,BURST" (20/s,100) or off: per agency on its
	// writes (a batch is one), per client address on other writes and on
	// expensive reads.
	RateAgency, RateWrite, RateRead Rate // ANKEN_RATE_AGENCY, ANKEN_RATE_WRITE, ANKEN_RATE_READ
	// ANKEN_TRUSTED_PROXIES: addresses (CIDRs) whose X-Forwarded-For
	// names the client; empty: the connection's address is the client's.
	TrustedProxies []netip.Prefix
	// ANKEN_INDEX_SNAPSHOT: the file where serve keeps its search index's
	// snapshot and starts from; empty: index.snapshot in DataDir; off:
	// none (the index is built from the store at every start). See
	// IndexSnapshotPath.
	IndexSnapshot string
	// ANKEN_INDEX_SNAPSHOT_EVERY: how often the snapshot is written again
	// while the index changes (besides after a build and on SIGTERM).
	IndexSnapshotEvery time.Duration
	// ANKEN_MEMORY_LIMIT: the Go runtime's soft memory limit, a size
	// (5GiB) or a share of the memory the process may use (85%), or off.
	// Empty: the default, the smaller of 5 GiB and 85% of that memory. A
	// GOMEMLIMIT set in the environment wins over it.
	MemoryLimit MemoryLimit
}

// MemoryLimit is the soft memory limit the process sets for itself: Bytes
// when it is positive, else Percent of the memory the process may use
// (the cgroup's limit, or the machine's memory), at most Cap when Cap is
// positive. Off sets none.
type MemoryLimit struct {
	Bytes   int64
	Percent int
	Cap     int64
	Off     bool
}

// DefaultMemoryLimit is the limit when ANKEN_MEMORY_LIMIT is empty: 85% of
// the process's memory, at most 5 GiB, which holds a node with 2,000,000
// listings under 6 GB (docs/BENCHMARKS.md, Memory).
var DefaultMemoryLimit = MemoryLimit{Percent: 85, Cap: 5 << 30}

// Of returns the limit in bytes for a process that may use avail bytes
// (0: unknown), and false when there is none to set.
func (m MemoryLimit) Of(avail int64) (int64, bool) {
	switch {
	case m.Off:
		return 0, false
	case m.Bytes > 0:
		return m.Bytes, true
	}
	n := m.Cap
	if avail > 0 && m.Percent > 0 {
		if share := avail / 100 * int64(m.Percent); n <= 0 || share < n {
			n = share
		}
	}
	return n, n > 0
}

// String writes the limit as ANKEN_MEMORY_LIMIT takes it.
func (m MemoryLimit) String() string {
	switch {
	case m.Off:
		return "off"
	case m.Bytes > 0:
		return strconv.FormatInt(m.Bytes, 10)
	}
	return strconv.Itoa(m.Percent) + "%"
}

// IndexSnapshotPath returns the file of the search index's snapshot:
// ANKEN_INDEX_SNAPSHOT, by default index.snapshot in the data directory;
// "" when it is off.
func (c Config) IndexSnapshotPath() string {
	switch c.IndexSnapshot {
	case "off":
		return ""
	case "":
		return filepath.Join(c.DataDir, "index.snapshot")
	}
	return c.IndexSnapshot
}

// Rate is a rate limit: Burst requests at once, then one every Every. The
// zero Rate is no limit.
type Rate struct {
	Every time.Duration
	Burst int
}

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "data",
		LogLevel:        slog.LevelInfo,
		LogFormat:       "json",
		DemoListings:    20_000,
		ShutdownTimeout: 30 * time.Second,
		IndexPoll:       250 * time.Millisecond,
		IngestWorkers:   2,
		IngestLease:     2 * time.Minute,
		FeedMaxBytes:    512 << 20,
		FeedTimeout:     10 * time.Minute,
		MailFrom:        "anken <no-reply@anken.localhost>",
		AlertBundle:     15 * time.Minute,
		RateAgency:      Rate{Every: time.Second / 20, Burst: 100},
		RateWrite:       Rate{Every: time.Second / 20, Burst: 100},
		RateRead:        Rate{Every: time.Second / 20, Burst: 60},

		IndexSnapshotEvery: 10 * time.Minute,
		MemoryLimit:        DefaultMemoryLimit,
	}
	var errs []string
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	integer := func(name string, dst *int, lo, hi int) {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				errs = append(errs, fmt.Sprintf("%s=%q: want a whole number from %d to %d", name, v, lo, hi))
				return
			}
			*dst = n
		}
	}
	duration := func(name string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				errs = append(errs, fmt.Sprintf("%s=%q: want a positive duration such as 30s", name, v))
				return
			}
			*dst = d
		}
	}
	str("ANKEN_ADDR", &c.Addr)
	str("ANKEN_BASE_URL", &c.BaseURL)
	str("ANKEN_METRICS_ADDR", &c.MetricsAddr)
	str("ANKEN_METRICS_TOKEN", &c.MetricsToken)
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		errs = append(errs, "ANKEN_METRICS_TOKEN: want at least 16 characters")
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		errs = append(errs, fmt.Sprintf("ANKEN_BASE_URL=%q: want an absolute http(s) URL such as https://anken.example", c.BaseURL))
	}
	str("ANKEN_DATA_DIR", &c.DataDir)
	str("ANKEN_DATABASE_URL", &c.DatabaseURL)
	if v := getenv("ANKEN_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Sprintf("ANKEN_LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	str("ANKEN_LOG_FORMAT", &c.LogFormat)
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Sprintf("ANKEN_LOG_FORMAT=%q: want json or text", c.LogFormat))
	}
	integer("ANKEN_DEMO_LISTINGS", &c.DemoListings, 0, 5_000_000)
	duration("ANKEN_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	duration("ANKEN_INDEX_POLL", &c.IndexPoll)
	str("ANKEN_INDEX_SNAPSHOT", &c.IndexSnapshot)
	duration("ANKEN_INDEX_SNAPSHOT_EVERY", &c.IndexSnapshotEvery)
	integer("ANKEN_INGEST_WORKERS", &c.IngestWorkers, 0, 64)
	duration("ANKEN_INGEST_LEASE", &c.IngestLease)
	if v := getenv("ANKEN_FEED_ALLOW_HOSTS"); strings.TrimSpace(v) != "" {
		hosts, err := hostList(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("ANKEN_FEED_ALLOW_HOSTS=%q: %v", v, err))
		}
		c.FeedAllowHosts = hosts
	}
	if v := getenv("ANKEN_FEED_MAX_BYTES"); v != "" {
		n, err := byteSize(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("ANKEN_FEED_MAX_BYTES=%q: %v", v, err))
		}
		c.FeedMaxBytes = n
	}
	duration("ANKEN_FEED_TIMEOUT", &c.FeedTimeout)
	if v := strings.TrimSpace(getenv("ANKEN_MEMORY_LIMIT")); v != "" {
		m, err := parseMemoryLimit(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("ANKEN_MEMORY_LIMIT=%q: %v", v, err))
		}
		c.MemoryLimit = m
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, "ANKEN_DATABASE_URL: want postgres://user@host:5432/db, or leave it empty for SQLite")
	}
	str("ANKEN_SMTP_URL", &c.SMTPURL)
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			errs = append(errs, "ANKEN_SMTP_URL: want smtp://[user:pass@]host:port or smtps://[user:pass@]host:port")
		}
	}
	str("ANKEN_MAIL_FROM", &c.MailFrom)
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		errs = append(errs, fmt.Sprintf("ANKEN_MAIL_FROM=%q: want an address such as \"anken <no-reply@anken.example>\"", c.MailFrom))
	}
	duration("ANKEN_ALERT_BUNDLE", &c.AlertBundle)
	for _, r := range []struct {
		name string
		dst  *Rate
	}{{"ANKEN_RATE_AGENCY", &c.RateAgency}, {"ANKEN_RATE_WRITE", &c.RateWrite}, {"ANKEN_RATE_READ", &c.RateRead}} {
		name, dst := r.name, r.dst
		if v := strings.TrimSpace(getenv(name)); v != "" {
			r, err := parseRate(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", name, v, err))
			}
			*dst = r
		}
	}
	if v := getenv("ANKEN_TRUSTED_PROXIES"); strings.TrimSpace(v) != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				a, aerr := netip.ParseAddr(p)
				if aerr != nil {
					errs = append(errs, fmt.Sprintf("ANKEN_TRUSTED_PROXIES: %q: want an address or CIDR such as 10.0.0.0/8", p))
					continue
				}
				pfx = netip.PrefixFrom(a, a.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, pfx.Masked())
		}
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// parseRate reads a rate limit: "RATE/UNIT,BURST" (20/s,100: a burst of
// 100, then 20 a second; UNIT is s, m or h), or off.
func parseRate(v string) (Rate, error) {
	if v == "off" {
		return Rate{}, nil
	}
	bad := fmt.Errorf("want RATE/UNIT,BURST such as 20/s,100 (UNIT s, m or h), or off")
	rate, burst, ok := strings.Cut(v, ",")
	n, unit, ok2 := strings.Cut(rate, "/")
	per := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}[strings.TrimSpace(unit)]
	count, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
	b, berr := strconv.Atoi(strings.TrimSpace(burst))
	if !ok || !ok2 || per == 0 || err != nil || count <= 0 || count > 1e6 || berr != nil || b < 1 || b > 1e6 {
		return Rate{}, bad
	}
	return Rate{Every: time.Duration(float64(per) / count), Burst: b}, nil
}

// hostList reads comma-separated host names or host:port pairs.
func hostList(v string) ([]string, error) {
	var hosts []string
	for _, h := range strings.Split(v, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if strings.ContainsAny(h, "/ \t@?#") {
			return nil, fmt.Errorf("%q: want a host name or host:port, without scheme or path", h)
		}
		if host, port, err := net.SplitHostPort(h); err == nil {
			if n, err := strconv.Atoi(port); host == "" || err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("%q: want host:port with a port from 1 to 65535", h)
			}
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// byteSize reads a size in bytes: a whole number, optionally followed by
// KiB, MiB or GiB.
// parseMemoryLimit reads ANKEN_MEMORY_LIMIT: off, a share such as 85%, or
// a size such as 5GiB.
func parseMemoryLimit(v string) (MemoryLimit, error) {
	if v == "off" {
		return MemoryLimit{Off: true}, nil
	}
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 10 || n > 100 {
			return MemoryLimit{}, fmt.Errorf("want a share from 10%% to 100%%, a size such as 5GiB, or off")
		}
		return MemoryLimit{Percent: n}, nil
	}
	n, err := byteSize(v)
	if err != nil || n < 64<<20 {
		return MemoryLimit{}, fmt.Errorf("want a size of at least 64MiB such as 5GiB, a share such as 85%%, or off")
	}
	return MemoryLimit{Bytes: n}, nil
}

func byteSize(v string) (int64, error) {
	s := strings.TrimSpace(v)
	unit := int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			s, unit = strings.TrimSpace(rest), u
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || n > (1<<50)/unit {
		return 0, fmt.Errorf("want a positive size such as 536870912 or 512MiB")
	}
	return n * unit, nil
}
