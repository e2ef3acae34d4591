package config

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(Config) bool
		wantErr string
	}{
		{"defaults", nil, func(c Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.DataDir == "data" && c.DatabaseURL == "" &&
				c.DemoListings == 20_000 && c.LogLevel == slog.LevelInfo && c.IndexPoll == 250*time.Millisecond &&
				c.IngestWorkers == 2 && c.FeedAllowHosts == nil && c.FeedMaxBytes == 512<<20 && c.FeedTimeout == 10*time.Minute
		}, ""},
		{"feed fetching", map[string]string{"ANKEN_FEED_ALLOW_HOSTS": " feeds.intra.example, 10.0.0.5:8080,[::1]:9000 ",
			"ANKEN_FEED_MAX_BYTES": "64MiB", "ANKEN_FEED_TIMEOUT": "2m"}, func(c Config) bool {
			return strings.Join(c.FeedAllowHosts, " ") == "feeds.intra.example 10.0.0.5:8080 [::1]:9000" &&
				c.FeedMaxBytes == 64<<20 && c.FeedTimeout == 2*time.Minute
		}, ""},
		{"feed max bytes in bytes", map[string]string{"ANKEN_FEED_MAX_BYTES": "1000"}, func(c Config) bool { return c.FeedMaxBytes == 1000 }, ""},
		{"bad feed max bytes", map[string]string{"ANKEN_FEED_MAX_BYTES": "lots"}, nil, "ANKEN_FEED_MAX_BYTES"},
		{"bad allowed host", map[string]string{"ANKEN_FEED_ALLOW_HOSTS": "http://intra.example/feed"}, nil, "ANKEN_FEED_ALLOW_HOSTS"},
		{"bad allowed port", map[string]string{"ANKEN_FEED_ALLOW_HOSTS": "intra.example:http"}, nil, "ANKEN_FEED_ALLOW_HOSTS"},
		{"ingest workers", map[string]string{"ANKEN_INGEST_WORKERS": "0"}, func(c Config) bool { return c.IngestWorkers == 0 }, ""},
		{"ingest lease", map[string]string{"ANKEN_INGEST_LEASE": "15s"}, func(c Config) bool { return c.IngestLease == 15*time.Second }, ""},
		{"bad lease", map[string]string{"ANKEN_INGEST_LEASE": "soon"}, nil, "ANKEN_INGEST_LEASE"},
		{"bad ingest workers", map[string]string{"ANKEN_INGEST_WORKERS": "100"}, nil, "ANKEN_INGEST_WORKERS"},
		{"index snapshot by default", map[string]string{"ANKEN_DATA_DIR": "/var/lib/anken"}, func(c Config) bool {
			return c.IndexSnapshotPath() == "/var/lib/anken/index.snapshot" && c.IndexSnapshotEvery == 10*time.Minute
		}, ""},
		{"index snapshot elsewhere", map[string]string{"ANKEN_INDEX_SNAPSHOT": "/fast/anken.idx", "ANKEN_INDEX_SNAPSHOT_EVERY": "30m"},
			func(c Config) bool {
				return c.IndexSnapshotPath() == "/fast/anken.idx" && c.IndexSnapshotEvery == 30*time.Minute
			}, ""},
		{"index snapshot off", map[string]string{"ANKEN_INDEX_SNAPSHOT": "off"}, func(c Config) bool { return c.IndexSnapshotPath() == "" }, ""},
		{"bad snapshot interval", map[string]string{"ANKEN_INDEX_SNAPSHOT_EVERY": "0s"}, nil, "ANKEN_INDEX_SNAPSHOT_EVERY"},
		{"overrides", map[string]string{
			"ANKEN_ADDR": ":9000", "ANKEN_DATABASE_URL": "postgres://u@h/db", "ANKEN_LOG_LEVEL": "debug",
			"ANKEN_DEMO_LISTINGS": "500", "ANKEN_SHUTDOWN_TIMEOUT": "5s",
		}, func(c Config) bool {
			return c.Addr == ":9000" && c.DatabaseURL == "postgres://u@h/db" && c.LogLevel == slog.LevelDebug &&
				c.DemoListings == 500 && c.ShutdownTimeout == 5*time.Second
		}, ""},
		{"base url", map[string]string{"ANKEN_BASE_URL": "https://anken.example/"}, func(c Config) bool { return c.BaseURL == "https://anken.example" }, ""},
		{"metrics", map[string]string{"ANKEN_METRICS_ADDR": "127.0.0.1:9090", "ANKEN_METRICS_TOKEN": "0123456789abcdef"},
			func(c Config) bool { return c.MetricsAddr == "127.0.0.1:9090" && c.MetricsToken == "0123456789abcdef" }, ""},
		{"short metrics token", map[string]string{"ANKEN_METRICS_TOKEN": "secret"}, nil, "ANKEN_METRICS_TOKEN"},
		{"bad base url", map[string]string{"ANKEN_BASE_URL": "anken.example"}, nil, "ANKEN_BASE_URL"},
		{"bad number", map[string]string{"ANKEN_DEMO_LISTINGS": "many"}, nil, "ANKEN_DEMO_LISTINGS"},
		{"bad duration", map[string]string{"ANKEN_INDEX_POLL": "-1s"}, nil, "ANKEN_INDEX_POLL"},
		{"bad url", map[string]string{"ANKEN_DATABASE_URL": "mysql://x"}, nil, "ANKEN_DATABASE_URL"},
		{"bad level", map[string]string{"ANKEN_LOG_LEVEL": "loud"}, nil, "ANKEN_LOG_LEVEL"},
		{"bad format", map[string]string{"ANKEN_LOG_FORMAT": "xml"}, nil, "ANKEN_LOG_FORMAT"},
		{"rate limit defaults", nil, func(c Config) bool {
			return c.RateAgency == Rate{Every: 50 * time.Millisecond, Burst: 100} && c.RateRead == Rate{Every: 50 * time.Millisecond, Burst: 60} &&
				c.TrustedProxies == nil
		}, ""},
		{"rate limits", map[string]string{"ANKEN_RATE_AGENCY": "5/s,10", "ANKEN_RATE_WRITE": "off", "ANKEN_RATE_READ": "30/m,5",
			"ANKEN_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,fd00::/8"}, func(c Config) bool {
			return c.RateAgency == Rate{Every: 200 * time.Millisecond, Burst: 10} && c.RateWrite == Rate{} &&
				c.RateRead == Rate{Every: 2 * time.Second, Burst: 5} &&
				fmt.Sprint(c.TrustedProxies) == "[10.0.0.0/8 192.0.2.7/32 fd00::/8]"
		}, ""},
		{"bad rate", map[string]string{"ANKEN_RATE_READ": "20 per second"}, nil, "ANKEN_RATE_READ"},
		{"bad burst", map[string]string{"ANKEN_RATE_AGENCY": "20/s,0"}, nil, "ANKEN_RATE_AGENCY"},
		{"bad proxy", map[string]string{"ANKEN_TRUSTED_PROXIES": "proxy.internal"}, nil, "ANKEN_TRUSTED_PROXIES"},
		{"memory limit by default", nil, func(c Config) bool { return c.MemoryLimit == DefaultMemoryLimit }, ""},
		{"memory limit size", map[string]string{"ANKEN_MEMORY_LIMIT": "3GiB"}, func(c Config) bool { return c.MemoryLimit == MemoryLimit{Bytes: 3 << 30} }, ""},
		{"memory limit share", map[string]string{"ANKEN_MEMORY_LIMIT": "70%"}, func(c Config) bool { return c.MemoryLimit == MemoryLimit{Percent: 70} }, ""},
		{"memory limit off", map[string]string{"ANKEN_MEMORY_LIMIT": "off"}, func(c Config) bool { return c.MemoryLimit.Off }, ""},
		{"memory limit too small", map[string]string{"ANKEN_MEMORY_LIMIT": "1MiB"}, nil, "ANKEN_MEMORY_LIMIT"},
		{"memory limit bad share", map[string]string{"ANKEN_MEMORY_LIMIT": "150%"}, nil, "ANKEN_MEMORY_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load error = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("Load = %+v", c)
			}
		})
	}
}

func TestMemoryLimitOf(t *testing.T) {
	const gib = 1 << 30
	tests := []struct {
		name  string
		m     MemoryLimit
		avail int64
		want  int64
		ok    bool
	}{
		{"default on a large machine: the cap", DefaultMemoryLimit, 24 * gib, 5 * gib, true},
		{"default in a small container: its share", DefaultMemoryLimit, 4 * gib, 4 * gib / 100 * 85, true},
		{"default, memory unknown: the cap", DefaultMemoryLimit, 0, 5 * gib, true},
		{"a size ignores the memory", MemoryLimit{Bytes: 3 * gib}, 2 * gib, 3 * gib, true},
		{"a share without a cap", MemoryLimit{Percent: 50}, 24 * gib, 24 * gib / 100 * 50, true},
		{"a share, memory unknown: none", MemoryLimit{Percent: 50}, 0, 0, false},
		{"off", MemoryLimit{Off: true}, 24 * gib, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.m.Of(tt.avail)
			if got != tt.want || ok != tt.ok {
				t.Errorf("%+v.Of(%d) = %d, %v; want %d, %v", tt.m, tt.avail, got, ok, tt.want, tt.ok)
			}
		})
	}
}
