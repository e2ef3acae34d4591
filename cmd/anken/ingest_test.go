package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"anken/internal/ingest"
	"anken/internal/server/servertest"
)

// createAgency runs `anken agency create` and returns the API key.
func createAgency(t *testing.T, dir, slug string) string {
	t.Helper()
	return createdKey(t, dir, "agency", "create", slug)
}

func openListings(t *testing.T, dir string) int {
	t.Helper()
	out, err := command(t, dir, "reindex").CombinedOutput()
	if err != nil {
		t.Fatalf("reindex: %v: %s", err, out)
	}
	m := regexp.MustCompile(`(\d+) open listings`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("reindex said %s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestImportSIGKILL kills `anken import` midway, runs it again, and finds
// every row of the file stored once: the second run reports the rows the
// first one committed as unchanged.
func TestImportSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("imports thousands of listings twice")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "feed.jsonl")
	const n = 6000
	if out, err := command(t, dir, "demo", "--listings", strconv.Itoa(n), "--seed", "5", "--out", file).CombinedOutput(); err != nil {
		t.Fatalf("demo: %v: %s", err, out)
	}
	// Demo agencies number their listings on their own: as one agency's
	// feed, a few external ids repeat. Count the distinct ones.
	ids := map[string]bool{}
	f, _ := os.Open(file)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r struct {
			ExternalID string `json:"external_id"`
		}
		json.Unmarshal(sc.Bytes(), &r)
		ids[r.ExternalID] = true
	}
	f.Close()
	createAgency(t, dir, "bulk")

	// Small transactions, so that there is a midway to be killed in.
	imp := command(t, dir, "import", "--agency", "bulk", "--batch", "500", file)
	var stderr bytes.Buffer
	imp.Stderr = &stderr
	if err := imp.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has committed something, well before the end. When
	// that is is the machine's speed: the test skips below if the kill
	// did not land midway, rather than fail.
	servertest.Poll(30*time.Second, 100*time.Millisecond, func() bool { return openListingsQuiet(dir) > 0 })
	imp.Process.Signal(syscall.SIGKILL)
	err := imp.Wait()
	first := openListingsQuiet(dir)
	if err == nil || first == 0 || first >= len(ids) {
		t.Skipf("the import was not cut midway (exit %v, %d of %d stored); machine too fast or slow for this test", err, first, len(ids))
	}
	t.Logf("killed after %d of %d listings were stored", first, len(ids))

	again := command(t, dir, "import", "--agency", "bulk", "--quiet", "--cache-mib", "16", file)
	var errOut bytes.Buffer
	again.Stderr = &errOut
	out, err := again.Output()
	if err != nil {
		t.Fatalf("second import: %v: %s %s", err, out, errOut.String())
	}
	m := regexp.MustCompile(`rows (\d+): created (\d+), updated (\d+), unchanged (\d+), rejected (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("summary: %s", out)
	}
	created, _ := strconv.Atoi(string(m[2]))
	unchanged, _ := strconv.Atoi(string(m[4]))
	if got := openListings(t, dir); got != len(ids) {
		t.Errorf("%d listings stored, want %d (one per external id)", got, len(ids))
	}
	if created != len(ids)-first || unchanged < first {
		t.Errorf("second run: created %d unchanged %d; first run stored %d of %d", created, unchanged, first, len(ids))
	}
}

// openListingsQuiet counts stored listings without failing the test (the
// database may be busy or not yet created).
func openListingsQuiet(dir string) int {
	cmd := command(nil, dir, "reindex")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`(\d+) open listings`).FindSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestWebhookBurstSIGKILL kills `anken serve` with SIGKILL in the middle of
// a burst of signed webhook deliveries, starts it again, and finds every
// delivery that was answered 2xx stored as a listing once.
func TestWebhookBurstSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server")
	}
	dir := t.TempDir()
	key := createAgency(t, dir, "hooked")
	out, err := command(t, dir, "agency", "webhook-secret", "hooked").CombinedOutput()
	m := regexp.MustCompile(`webhook secret: (whsec_\w+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("webhook-secret: %v: %s", err, out)
	}
	secret := string(m[1])
	s := startServe(t, dir)

	const total = 400
	var (
		mu       sync.Mutex
		accepted = map[string]bool{}
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 5 * time.Second}
	deliver := func(base string, i int) (int, error) {
		body := fmt.Sprintf(`{"id": "evt-%d", "type": "listing.upsert", "listing": {"external_id": "H-%d",
			"title": "【Go】決済APIの開発 %d", "description": "Goでの決済API開発。", "rate": "月額%d万円"}}`, i, i, i, 50+i%30)
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/webhooks/hooked", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(ingest.SignatureHeader, ingest.Sign(secret, time.Now(), []byte(body)))
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > total {
					return
				}
				code, err := deliver(s.base, i)
				if err == nil && code/100 == 2 {
					mu.Lock()
					accepted[fmt.Sprintf("H-%d", i)] = true
					mu.Unlock()
				}
			}
		}()
	}
	// Kill it once a third are accepted (or all were sent); the check
	// after it fails only when the kill missed the burst altogether.
	if !servertest.Poll(time.Minute, 5*time.Millisecond, func() bool {
		mu.Lock()
		n := len(accepted)
		mu.Unlock()
		return n >= total/3 || next.Load() > total
	}) {
		t.Fatalf("a third of %d deliveries not accepted in a minute; logs:\n%s", total, s.logs)
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	wg.Wait()
	t.Logf("%d of %d deliveries answered 2xx before SIGKILL", len(accepted), total)
	if len(accepted) == 0 || len(accepted) == total {
		t.Fatalf("the kill did not land mid-burst (%d accepted)", len(accepted))
	}

	s = startServe(t, dir)
	// Every accepted delivery becomes its listing, once.
	missing := []string{}
	if !servertest.Poll(30*time.Second, 200*time.Millisecond, func() bool {
		missing = missing[:0]
		for id := range accepted {
			req, _ := http.NewRequest(http.MethodGet, s.base+"/v1/agency/listings/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				missing = append(missing, id)
			}
		}
		return len(missing) == 0
	}) {
		t.Fatalf("%d accepted deliveries not stored after restart, e.g. %v; logs:\n%s", len(missing), missing[:min(5, len(missing))], s.logs)
	}
	// Once: a listing per event, however many times it was delivered or
	// retried by a worker; the count can only exceed the accepted ones by
	// deliveries stored just before the kill whose answer was lost.
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
	if got := openListings(t, dir); got < len(accepted) || got > total {
		t.Errorf("%d listings stored; %d deliveries accepted of %d sent", got, len(accepted), total)
	}
}
