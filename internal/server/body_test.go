package server_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"anken/internal/server/servertest"
)

// TestBrokenBodies: a request body that cannot be read is the client's
// fault, on every JSON endpoint: a broken chunked encoding answers 400, a
// client that declares 70 MiB and goes away 499, both logged at info and
// none as a server error. A real server, a raw TCP client.
func TestBrokenBodies(t *testing.T) {
	logs := &servertest.Buffer{}
	srv := servertest.Start(t, servertest.Options{Health: fakeHealth{ready: true},
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	_, key := srv.Agency(t, "agency-a", "A")

	// send writes head and body on a fresh connection, half-closes it (the
	// client has no more to say) and reads the answer.
	send := func(head, body string) (*http.Response, string) {
		t.Helper()
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, head+"\r\n"+body); err != nil {
			t.Fatal(err)
		}
		conn.(*net.TCPConn).CloseWrite()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	broken := "zz\r\n{}\r\n0\r\n\r\n" // "zz" is no chunk length
	for _, c := range []struct {
		method, path, auth string
	}{
		{"POST", "/v1/accounts", ""},
		{"POST", "/v1/sessions", ""},
		{"POST", "/v1/accounts/password-reset", ""},
		{"POST", "/v1/webhooks/agency-a", ""},
		{"PUT", "/v1/agency/listings/GO-1", key},
		{"POST", "/v1/agency/listings:batch", key},
	} {
		head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: anken.test\r\nContent-Type: application/json\r\n", c.method, c.path)
		if c.auth != "" {
			head += "Authorization: Bearer " + c.auth + "\r\n"
		}
		resp, body := send(head+"Transfer-Encoding: chunked\r\n", broken)
		if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(body, "request body could not be read") {
			t.Errorf("%s %s with a broken chunked body: %d %s; want a 400 problem", c.method, c.path, resp.StatusCode, body)
		}
		resp, body = send(head+fmt.Sprintf("Content-Length: %d\r\n", 70<<20), `{"listings":[{"external_id":"A-1",`)
		if resp.StatusCode != 499 || !strings.Contains(body, "went away") {
			t.Errorf("%s %s declaring 70 MiB and going away: %d %s; want 499", c.method, c.path, resp.StatusCode, body)
		}
	}
	var requests int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("logged as an error: %s", line)
		}
		if strings.Contains(line, `"msg":"request"`) {
			requests++
			if !strings.Contains(line, `"level":"INFO"`) || !(strings.Contains(line, `"status":400`) || strings.Contains(line, `"status":499`)) {
				t.Errorf("access log: %s; want info with 400 or 499", line)
			}
		}
	}
	if requests != 12 {
		t.Errorf("%d requests logged, want 12:\n%s", requests, logs)
	}
}
