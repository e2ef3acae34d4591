package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"anken/internal/feed"
	"anken/internal/ingest"
	"anken/internal/safefetch"
	"anken/internal/safefetch/safefetchtest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// canary stands for what an internal server answers: it must never reach
// what the agency reads.
const canary = "INTERNAL-SECRET-7f3a"

type pollFixture struct {
	st     *store.Store
	agency store.Agency
}

func newPollFixture(t *testing.T) *pollFixture {
	t.Helper()
	st := storetest.Open(t, "sqlite")
	ag, err := st.CreateAgency(context.Background(), "polled", "")
	if err != nil {
		t.Fatal(err)
	}
	return &pollFixture{st: st, agency: ag}
}

// poll registers url as the agency's only feed source, polls it once with
// p and returns the source as recorded after the poll.
func (fx *pollFixture) poll(t *testing.T, p *ingest.Poller, url, format string, full bool) store.FeedSource {
	t.Helper()
	ctx := context.Background()
	src, err := fx.st.PutFeedSource(ctx, store.FeedSource{Agency: fx.agency, URL: url, Format: format, Full: full, Every: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer fx.st.DeleteFeedSource(ctx, fx.agency, src.ID)
	p.Store = fx.st
	if polled, err := p.PollOnce(ctx); !polled || err != nil {
		t.Fatalf("PollOnce = %v, %v", polled, err)
	}
	all, err := fx.st.FeedSources(ctx, fx.agency)
	if err != nil || len(all) != 1 {
		t.Fatalf("sources = %+v, %v", all, err)
	}
	return all[0]
}

// drain runs a worker until the inbox is empty.
func (fx *pollFixture) drain(t *testing.T) {
	t.Helper()
	w := &ingest.Worker{Store: fx.st}
	for range 100 {
		n, err := w.Once(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("inbox never drained")
}

// counted serves body and counts the requests it gets.
func counted(t *testing.T, body string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

const goodJSONL = `{"external_id": "P-1", "title": "Goバックエンド開発", "rate": "月額60万円"}` + "\n" +
	`{"external_id": "P-2", "title": "AWS基盤構築", "rate": "月額70万円"}` + "\n"

func TestPollRefusesInternalAddresses(t *testing.T) {
	fx := newPollFixture(t)
	srv, hits := counted(t, `{"external_id": "X", "title": "`+canary+`"}`+"\n")
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	// A public-looking name whose DNS answer is 127.0.0.1: refused when
	// connecting, since no literal address shows in the URL.
	rebound := &ingest.Poller{Fetch: safefetch.Policy{Resolver: safefetchtest.Resolver(netip.MustParseAddr("127.0.0.1"))}}
	for _, tc := range []struct {
		url string
		p   *ingest.Poller
	}{
		{srv.URL + "/feed.jsonl", &ingest.Poller{}},                    // 127.0.0.1
		{"http://[::ffff:127.0.0.1]:" + port + "/", &ingest.Poller{}},  // IPv4-mapped loopback
		{"http://169.254.169.254/latest/meta-data/", &ingest.Poller{}}, // cloud metadata
		{"http://localhost:" + port + "/feed.jsonl", &ingest.Poller{}},
		{"http://feeds.example.com:" + port + "/feed.jsonl", rebound},
	} {
		got := fx.poll(t, tc.p, tc.url, feed.JSONL, true)
		t.Logf("last_error: %s", got.LastError)
		if got.LastRun != 0 || !strings.Contains(got.LastError, "refused") || !strings.Contains(got.LastError, "loopback") &&
			!strings.Contains(got.LastError, "link-local") || strings.Contains(got.LastError, canary) {
			t.Errorf("%s: last_run %d, last_error %q; want refused as not public", tc.url, got.LastRun, got.LastError)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server was asked %d times", n)
	}
}

func TestPollAllowedHost(t *testing.T) {
	fx := newPollFixture(t)
	srv, _ := counted(t, goodJSONL)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, allow := range []string{"127.0.0.1", "localhost:" + port} {
		p := &ingest.Poller{Fetch: safefetch.Policy{AllowHosts: []string{allow}}}
		url := strings.Replace(srv.URL, "127.0.0.1", strings.TrimSuffix(allow, ":"+port), 1) + "/feed.jsonl"
		got := fx.poll(t, p, url, feed.JSONL, false)
		if got.LastRun == 0 || got.LastError != "" {
			t.Fatalf("allowed %s: last_run %d, last_error %q", allow, got.LastRun, got.LastError)
		}
	}
	fx.drain(t)
	for _, id := range []string{"P-1", "P-2"} {
		if _, err := fx.st.AgencyListing(context.Background(), fx.agency, id); err != nil {
			t.Errorf("%s not stored: %v", id, err)
		}
	}
}

func TestPollRedirectToInternalAddress(t *testing.T) {
	fx := newPollFixture(t)
	internal, hits := counted(t, canary)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/secret", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	p := &ingest.Poller{Fetch: safefetch.Policy{AllowHosts: []string{redirector.Listener.Addr().String()}}}
	got := fx.poll(t, p, redirector.URL+"/feed.jsonl", feed.JSONL, true)
	if got.LastRun != 0 || !strings.Contains(got.LastError, "non-public address (loopback)") || strings.Contains(got.LastError, "/secret") {
		t.Errorf("redirect to loopback: last_run %d, last_error %q", got.LastRun, got.LastError)
	}
	if hits.Load() != 0 {
		t.Error("the redirect reached the internal server")
	}
}

// TestPollErrorsHoldNoContent polls an allowed server whose answers are
// broken in ways whose errors would quote them: the status line's reason,
// a JSON syntax error, a CSV header, XML tokens, invalid values.
func TestPollErrorsHoldNoContent(t *testing.T) {
	fx := newPollFixture(t)
	ctx := context.Background()
	allow := &ingest.Poller{Fetch: safefetch.Policy{AllowHosts: []string{"127.0.0.1"}}}

	// A status line with a reason phrase of the server's own.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			bufio.NewReader(c).ReadString('\n')
			fmt.Fprintf(c, "HTTP/1.1 418 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", canary)
			c.Close()
		}
	}()
	got := fx.poll(t, allow, "http://"+ln.Addr().String()+"/feed", feed.JSONL, false)
	if !strings.HasSuffix(got.LastError, "418 I'm a teapot") || strings.Contains(got.LastError, canary) {
		t.Errorf("status: last_error %q", got.LastError)
	}

	tests := []struct {
		name, format, body string
		wantError          string // the source's last_error, "" for none
	}{
		{"broken JSON-LD", feed.JobPosting, `[{"identifier": "A", "title": "x"}, {"identifier": ` + canary, "feed could not be read as jobposting after row 1"},
		{"CSV header", feed.CSV, "id," + canary + "\nA,B\n", "feed could not be read as csv after row 0"},
		{"HTML page", feed.IndeedXML, "<!DOCTYPE html><html><title>" + canary + "</title></html>", "feed could not be read as indeed-xml after row 0"},
		{"JSON syntax", feed.JSONL, `{"external_id": "J-1", "title": ` + canary + `}` + "\n", ""},
		{"XML tokens", feed.IndeedXML, "<source><job><referencenumber>X-1</referencenumber><title>" + canary + "</job></source>", ""},
		{"invalid values", feed.JSONL, `{"external_id": "J-2", "title": "Go", "apply_url": "` + canary + `", "role": "` + canary + `"}` + "\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := counted(t, tc.body)
			got := fx.poll(t, allow, srv.URL+"/"+tc.name, tc.format, false)
			t.Logf("last_error: %q", got.LastError)
			if got.LastError != tc.wantError && !strings.HasSuffix(got.LastError, tc.wantError) || tc.wantError == "" && got.LastError != "" {
				t.Errorf("last_error %q, want %q", got.LastError, tc.wantError)
			}
			if got.LastRun == 0 {
				if tc.wantError == "" {
					t.Fatal("no run")
				}
				return
			}
			fx.drain(t)
			run, err := fx.st.FeedRun(ctx, fx.agency, got.LastRun)
			if err != nil || strings.Contains(run.Error, canary) {
				t.Errorf("run %+v, %v", run, err)
			}
			rs, err := fx.st.Rejections(ctx, fx.agency, store.RejectionFilter{RunID: run.ID})
			if err != nil || tc.wantError == "" && len(rs) == 0 {
				t.Fatalf("rejections %+v, %v", rs, err)
			}
			for _, r := range rs {
				t.Logf("rejection: line %d %q %s: %s", r.Line, r.ExternalID, r.Field, r.Reason)
				if strings.Contains(r.Reason+r.Field+r.ExternalID, canary) || strings.Contains(r.Reason, "invalid character") ||
					strings.Contains(r.Reason, "closed by") {
					t.Errorf("rejection quotes the feed: %+v", r)
				}
			}
		})
	}
}

func TestPollSizeLimit(t *testing.T) {
	fx := newPollFixture(t)
	ctx := context.Background()
	big := strings.Repeat(goodJSONL, 100) // about 9 KB
	p := &ingest.Poller{Fetch: safefetch.Policy{AllowHosts: []string{"127.0.0.1"}}, MaxBytes: 4096}

	// Announced by Content-Length: refused before reading.
	sized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		io.WriteString(w, big)
	}))
	t.Cleanup(sized.Close)
	got := fx.poll(t, p, sized.URL, feed.JSONL, false)
	if got.LastRun != 0 || !strings.Contains(got.LastError, "larger than 4096 bytes") {
		t.Errorf("sized: last_run %d, last_error %q", got.LastRun, got.LastError)
	}
	// Streamed without a length: the run breaks off at the limit.
	streamed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for line := range strings.Lines(big) {
			io.WriteString(w, line)
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(streamed.Close)
	got = fx.poll(t, p, streamed.URL, feed.JSONL, false)
	if got.LastRun == 0 || !strings.Contains(got.LastError, "larger than 4096 bytes") {
		t.Fatalf("streamed: last_run %d, last_error %q", got.LastRun, got.LastError)
	}
	fx.drain(t)
	run, err := fx.st.FeedRun(ctx, fx.agency, got.LastRun)
	if err != nil || run.State != store.RunAborted || run.Rows == 0 || !strings.Contains(run.Error, "larger than 4096 bytes") {
		t.Errorf("run = %+v, %v", run, err)
	}
}
