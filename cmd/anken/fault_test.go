package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"anken/internal/server/servertest"
)

// tcpProxy stands between anken and PostgreSQL. Stop is PostgreSQL going
// away: every connection through it is cut and new ones are refused (its
// port is closed); Start is PostgreSQL back, on the same port.
type tcpProxy struct {
	t        *testing.T
	addr     string
	upstream string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func startProxy(t *testing.T, upstream string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, upstream: upstream, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.listen(ln)
	t.Cleanup(p.Stop)
	return p
}

func (p *tcpProxy) listen(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // stopped meanwhile
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// Stop cuts every connection and closes the port.
func (p *tcpProxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// Start opens the port again.
func (p *tcpProxy) Start() {
	p.t.Helper()
	var ln net.Listener
	var err error
	// The port was just closed; it is ours to take again once the system
	// lets it go.
	if !servertest.Poll(5*time.Second, 20*time.Millisecond, func() bool {
		ln, err = net.Listen("tcp", p.addr)
		return err == nil
	}) {
		p.t.Fatalf("proxy: listen on %s again: %v", p.addr, err)
	}
	p.listen(ln)
}

// faultClient gives up on a request that hangs: an outage must be
// answered, not waited out.
var faultClient = &http.Client{Timeout: 15 * time.Second}

// putListing PUTs a listing through node with key and returns the
// answer's status, its Retry-After and body.
func putListing(t *testing.T, node *process, key, externalID, title string) (int, string, string) {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"description":"決済APIをGoで開発します。","rate":"月額60万〜70万円","remote":"フルリモート"}`, title)
	req, _ := http.NewRequest(http.MethodPut, node.base+"/v1/agency/listings/"+externalID, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := faultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", externalID, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// status GETs path and returns the status and body.
func status(t *testing.T, base, path string) (int, string) {
	t.Helper()
	resp, err := faultClient.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// searchIDs answers the ids of a search's hits, in order, and its total.
func searchIDs(t *testing.T, base, q string) (string, int) {
	t.Helper()
	var body searchBody
	if code := getJSON(t, base+"/v1/listings?"+url.Values{"q": {q}, "limit": {"100"}, "collapse": {"false"}}.Encode(), &body); code != 200 {
		t.Fatalf("search %q: %d", q, code)
	}
	ids := make([]string, len(body.Hits))
	for i, h := range body.Hits {
		ids[i] = fmt.Sprint(h.ID)
	}
	return strings.Join(ids, ","), body.Total
}

// waitHits waits up to 5 s for a search to have want hits and returns
// them.
func waitHits(t *testing.T, node *process, q string, want int) (string, int) {
	t.Helper()
	var ids string
	var n int
	if !servertest.Poll(5*time.Second, 20*time.Millisecond, func() bool {
		ids, n = searchIDs(t, node.base, q)
		return n == want
	}) {
		t.Fatalf("search %q: %d hits, want %d; logs:\n%s", q, n, want, node.logs)
	}
	return ids, n
}

// TestPostgresStopStart runs anken on PostgreSQL through a proxy and
// takes PostgreSQL away: /readyz says 503, agency writes answer 503 with
// Retry-After, searches answer from the index as before and the pages
// render; when PostgreSQL is back, the same process is ready again within
// seconds and takes writes, and everything written before the outage is
// there.
func TestPostgresStopStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	ctx := context.Background()
	dbURL, st, agency, key := postgresAgency(t)

	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	node := startAnken(t, t.TempDir(), []string{"ANKEN_DATABASE_URL=" + u.String()})
	waitReady(t, node)

	const before = 5
	for i := range before {
		if code, _, body := putListing(t, node, key, fmt.Sprintf("pay-%d", i), fmt.Sprintf("【Go】決済基盤の開発 %d", i)); code != 200 {
			t.Fatalf("PUT before the outage: %d %s", code, body)
		}
	}
	ids, total := waitHits(t, node, "決済基盤", before)

	proxy.Stop()
	start := time.Now()
	code := 0
	if !servertest.Poll(10*time.Second, 100*time.Millisecond, func() bool {
		code, _ = status(t, node.base, "/readyz")
		return code == http.StatusServiceUnavailable
	}) {
		t.Fatalf("/readyz still %d 10 s after PostgreSQL went away", code)
	}
	t.Logf("/readyz failing %v after the outage began", time.Since(start).Round(time.Millisecond))

	for i := range 3 {
		t0 := time.Now()
		code, retry, body := putListing(t, node, key, fmt.Sprintf("down-%d", i), "【Go】停止中の書き込み")
		if code != http.StatusServiceUnavailable || retry == "" || !strings.Contains(body, "retry") {
			t.Fatalf("PUT while PostgreSQL is away: %d, Retry-After %q: %s; want 503 with Retry-After", code, retry, body)
		}
		if took := time.Since(t0); took > 5*time.Second {
			t.Errorf("PUT while PostgreSQL is away took %v; want a quick 503", took)
		}
	}
	if got, n := searchIDs(t, node.base, "決済基盤"); got != ids || n != total {
		t.Errorf("search while PostgreSQL is away: %s (%d); want %s (%d) from the index", got, n, ids, total)
	}
	for _, page := range []string{"/", "/search?q=" + url.QueryEscape("決済基盤")} {
		code, body := status(t, node.base, page)
		if code != 200 || !strings.Contains(body, "</html>") {
			t.Errorf("page %s while PostgreSQL is away: %d", page, code)
		}
		if strings.HasPrefix(page, "/search") && !strings.Contains(body, "決済基盤の開発 0") {
			t.Errorf("search page while PostgreSQL is away does not list the listings")
		}
	}

	proxy.Start()
	start = time.Now()
	if !servertest.Poll(10*time.Second, 100*time.Millisecond, func() bool {
		code, _ = status(t, node.base, "/readyz")
		return code == http.StatusOK
	}) {
		t.Fatalf("/readyz still %d 10 s after PostgreSQL came back; logs:\n%s", code, node.logs)
	}
	t.Logf("/readyz 200 %v after PostgreSQL came back", time.Since(start).Round(time.Millisecond))
	if code, _, body := putListing(t, node, key, "after", "【Go】決済基盤の開発 復旧後"); code != 200 {
		t.Fatalf("PUT after PostgreSQL came back: %d %s", code, body)
	}
	waitHits(t, node, "決済基盤", before+1)
	for i := range before {
		if _, err := st.AgencyListing(ctx, agency, fmt.Sprintf("pay-%d", i)); err != nil {
			t.Errorf("pay-%d, written before the outage: %v", i, err)
		}
	}
	for i := range 3 {
		if _, err := st.AgencyListing(ctx, agency, fmt.Sprintf("down-%d", i)); err == nil {
			t.Errorf("down-%d, answered 503, was stored", i)
		}
	}
	if node.cmd.ProcessState != nil {
		t.Fatalf("anken exited: %v", node.cmd.ProcessState)
	}
}

// mountTmpfs mounts a tmpfs of size on dir and unmounts it when the test
// ends. Outside CI a machine where that is not possible (not root, no
// mount privilege) skips the test; CI runs as root, where it must work.
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("cannot mount a %s tmpfs for a full disk (needs root or CAP_SYS_ADMIN): %v: %s", size, err, bytes.TrimSpace(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// fill writes a file in dir until the filesystem is full and returns
// its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill %s: %v", dir, err)
			}
			break
		}
	}
	// The last bytes, up to the block.
	for {
		if _, err := f.Write(chunk[:512]); err != nil {
			break
		}
	}
	return path
}

// batchBody is a batch of n listings, ids prefix-0…, with descriptions
// long enough to need new pages.
func batchBody(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(`{"listings": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"external_id": "%s-%d", "title": "【Go】決済基盤の開発 %s %d", "description": %q, "rate": "月額60万円"}`,
			prefix, i, prefix, i, strings.Repeat(fmt.Sprintf("決済APIの設計と開発 %s-%d。", prefix, i), 40))
	}
	b.WriteString(`]}`)
	return b.String()
}

func postBatch(t *testing.T, node *process, key, body string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, node.base+"/v1/agency/listings:batch", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := faultClient.Do(req)
	if err != nil {
		t.Fatalf("POST batch: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// TestSQLiteDiskFull runs anken with its SQLite database on a small
// tmpfs and fills it: writes answer a problem (503 with Retry-After, not
// a panic or a dropped connection), the database stays sound
// (integrity_check ok, every listing accepted before still there), and
// once space is freed writes succeed again, without a restart.
func TestSQLiteDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	mountTmpfs(t, dir, "16m")
	key := createAgency(t, dir, "techlink")
	node := startServe(t, dir)

	if code, _, body := postBatch(t, node, key, batchBody("before", 50)); code != 200 {
		t.Fatalf("batch before the disk is full: %d %s", code, body)
	}
	filler := fill(t, dir)
	failed := 0
	for i := range 5 {
		code, ctype, body := postBatch(t, node, key, batchBody(fmt.Sprintf("full%d", i), 50))
		if code == 200 {
			continue // the write-ahead log had room left
		}
		failed++
		if code != http.StatusServiceUnavailable && code != http.StatusInsufficientStorage || !strings.HasPrefix(ctype, "application/problem+json") {
			t.Fatalf("batch on a full disk: %d %s: %s; want a 503 or 507 problem", code, ctype, body)
		}
		if strings.Contains(body, "panic") {
			t.Errorf("batch on a full disk: %s", body)
		}
		if i == 0 {
			t.Logf("on a full disk: %d %s", code, strings.TrimSpace(body))
		}
	}
	if failed == 0 {
		t.Fatalf("5 batches written on a full disk; logs:\n%s", node.logs)
	}
	// The operator's log says why: the disk is full.
	if logs := node.logs.String(); !strings.Contains(logs, "disk is full") && !strings.Contains(logs, "SQLITE_FULL") {
		t.Errorf("the log does not say the disk is full:\n%s", logs)
	}
	if node.cmd.ProcessState != nil {
		t.Fatalf("anken exited on a full disk: %v; logs:\n%s", node.cmd.ProcessState, node.logs)
	}
	if code, _ := status(t, node.base, "/healthz"); code != 200 {
		t.Errorf("/healthz on a full disk: %d", code)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if code, _, body := postBatch(t, node, key, batchBody("after", 50)); code != 200 {
		t.Fatalf("batch once space is back: %d %s; logs:\n%s", code, body, node.logs)
	}
	db := openDB(t, dir)
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q, %v", check, err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM listings WHERE external_id LIKE 'before-%' OR external_id LIKE 'after-%'`).Scan(&n); err != nil || n != 100 {
		t.Errorf("listings written before the disk filled and after it was freed: %d, %v; want 100", n, err)
	}
}
