package ingest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"anken/internal/feed"
	"anken/internal/ingest"
	"anken/internal/safefetch"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestPollAudit: a scheduled poll that makes a feed run leaves one audit
// row, the agency's, from "poll", written as the run's receiving ends
// with its rows and state; a poll that makes no run (nothing new, an
// error, a refused address) leaves none.
func TestPollAudit(t *testing.T) {
	allow := &ingest.Poller{Fetch: safefetch.Policy{AllowHosts: []string{"127.0.0.1"}}}
	tests := []struct {
		name   string
		p      *ingest.Poller
		status int // the server's answer
		body   string
		format string
		full   bool
		detail string // the row's detail, "" for no row
	}{
		{"a feed", allow, 200, goodJSONL, feed.JSONL, false,
			`2 rows: 0 created, 0 updated, 0 unchanged, 0 rejected, 0 closed; received`},
		{"rows rejected as read", allow, 200, `{"external_id": "P-1"` + "\n", feed.JSONL, false,
			`1 rows: 0 created, 0 updated, 0 unchanged, 1 rejected, 0 closed; done`},
		{"an empty full feed", allow, 200, "", feed.JSONL, true,
			`0 rows: 0 created, 0 updated, 0 unchanged, 0 rejected, 0 closed; failed: the feed has no rows; nothing was closed: .*`},
		{"broken off", allow, 200, `[{"identifier": "A", "title": "Goの開発"}, {"identifier": `, feed.JobPosting, false,
			`1 rows: 0 created, 0 updated, 0 unchanged, 0 rejected, 0 closed; aborted: feed could not be read as jobposting after row 1`},
		{"not modified", allow, 304, "", feed.JSONL, false, ""},
		{"server error", allow, 500, "", feed.JSONL, false, ""},
		{"refused address", &ingest.Poller{}, 200, goodJSONL, feed.JSONL, false, ""},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, backend)
			ag, err := st.CreateAgency(ctx, "polled", "")
			if err != nil {
				t.Fatal(err)
			}
			fx := &pollFixture{st: st, agency: ag}
			var last int64
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						w.WriteHeader(tc.status)
						w.Write([]byte(tc.body))
					}))
					defer srv.Close()
					src := fx.poll(t, tc.p, srv.URL+"/feed", tc.format, tc.full)
					rows := storetest.AuditSince(t, st, &last)
					if tc.detail == "" {
						if len(rows) != 0 || src.LastRun != 0 {
							t.Errorf("run %d, rows %+v; want no run, no row", src.LastRun, rows)
						}
						return
					}
					if len(rows) != 1 {
						t.Fatalf("rows %+v; want 1", rows)
					}
					e := rows[0]
					if e.ActorKind != store.AuditAgency || e.Actor != "polled" || e.Action != "poll-agency-feed" || e.IP != "poll" ||
						e.Target != "feed run "+strconv.FormatInt(src.LastRun, 10)+" of polled" {
						t.Errorf("row %+v; want the agency's poll of run %d from poll", e, src.LastRun)
					}
					if !regexp.MustCompile(`^` + tc.detail + `$`).MatchString(e.Detail) {
						t.Errorf("detail %q; want %s", e.Detail, tc.detail)
					}
				})
			}
		})
	}
}

// TestImportAudit: an import run leaves one audit row, written in the
// transaction that ends its run, with its counts and final state; one
// interrupted ends its run aborted with the rows it stored, audited too.
// Without an entry in its context, nothing is audited.
func TestImportAudit(t *testing.T) {
	const rows = `{"external_id": "I-1", "title": "Goの開発"}
{"external_id": "I-2", "title": ""}
{"external_id": "I-3", "title": "AWS構築"}
`
	tests := []struct {
		name      string
		full      bool
		interrupt bool   // Ctrl-C after the first batch
		entry     bool   // the context carries an audit entry
		detail    string // "" for no row
		err       bool
	}{
		{"a feed", false, false, true, `3 rows: 2 created, 0 updated, 0 unchanged, 1 rejected, 0 closed; done`, false},
		{"the feed again, full", true, false, true, `3 rows: 0 created, 0 updated, 2 unchanged, 1 rejected, 0 closed; done`, false},
		{"interrupted", false, true, true,
			`1 rows: 0 created, 0 updated, 1 unchanged, 0 rejected, 0 closed; aborted: the import was interrupted after 1 rows were stored`, true},
		{"without an entry", false, false, false, "", false},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			st := storetest.Open(t, backend)
			ag, err := st.CreateAgency(context.Background(), "a", "")
			if err != nil {
				t.Fatal(err)
			}
			var last int64
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					if tc.entry {
						ctx = store.WithAudit(ctx, store.AuditEntry{ActorKind: store.AuditCLI, Actor: "cli", Action: "import-agency-feed", IP: "cli"})
					}
					opts := ingest.ImportOptions{Batch: 1, Workers: 1}
					if tc.interrupt {
						opts.Progress = func(ingest.Progress) { cancel() }
					}
					run, err := ingest.Import(ctx, st, ingest.FeedRequest{Agency: ag, Format: feed.JSONL, Full: tc.full}, strings.NewReader(rows), opts)
					if (err != nil) != tc.err {
						t.Fatalf("Import = %+v, %v", run, err)
					}
					got := storetest.AuditSince(t, st, &last)
					if tc.detail == "" {
						if len(got) != 0 {
							t.Errorf("rows %+v; want none", got)
						}
						return
					}
					if len(got) != 1 {
						t.Fatalf("rows %+v; want 1", got)
					}
					e := got[0]
					if e.ActorKind != store.AuditCLI || e.Actor != "cli" || e.Action != "import-agency-feed" || e.IP != "cli" ||
						e.Target != "feed run "+strconv.FormatInt(run.ID, 10)+" of a" {
						t.Errorf("row %+v; want the command line's import of run %d", e, run.ID)
					}
					if !regexp.MustCompile(`^` + tc.detail + `$`).MatchString(e.Detail) {
						t.Errorf("detail %q; want %s", e.Detail, tc.detail)
					}
				})
			}
		})
	}
}
