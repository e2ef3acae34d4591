package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"anken/internal/store"
)

// TestOperatorEditsGuide: `anken operator create` prints a key once; with
// it the guide is edited through the API, and the page shows the edit.
// The guides were seeded from the content files when serve started.
func TestOperatorEditsGuide(t *testing.T) {
	dir := t.TempDir()
	key := createdKey(t, dir, "operator", "create", "編集部")
	if out, err := command(t, dir, "operator", "list").CombinedOutput(); err != nil || !strings.Contains(string(out), "編集部") ||
		strings.Contains(string(out), key) {
		t.Errorf("operator list: %v: %s (want the name, never the key)", err, out)
	}
	s := startServe(t, dir)

	var g struct {
		Source   string `json:"source"`
		Total    int    `json:"total"`
		Revision int    `json:"revision"`
	}
	if code := getJSON(t, s.base+"/v1/guides/backend", &g); code != 200 || g.Total != 355 || g.Revision != 1 {
		t.Fatalf("GET /v1/guides/backend = %d, total %d, revision %d; want the seeded file", code, g.Total, g.Revision)
	}
	body, _ := json.Marshal(map[string]string{"source": strings.Replace(g.Source, "title: バックエンド開発", "title: バックエンド開発（API・サーバー）", 1), "note": "題を具体的に"})
	put := func(key string) (int, string) {
		req, _ := http.NewRequest(http.MethodPut, s.base+"/v1/guides/backend", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := put(""); code != 401 {
		t.Errorf("PUT without a key = %d, want 401", code)
	}
	if code, b := put(key); code != 200 {
		t.Fatalf("PUT = %d %s", code, b)
	}
	// The edit's audit row, written with it: who, what, from where.
	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	es, err := st.AuditLog(context.Background(), store.AuditFilter{Actor: "編集部"})
	st.Close()
	if err != nil || len(es) != 1 || es[0].ActorKind != store.AuditOperator || es[0].Action != "put-guide" ||
		es[0].Target != "/v1/guides/backend" || !strings.HasPrefix(es[0].Detail, "revision ") || es[0].IP != "127.0.0.1" {
		t.Errorf("audit rows of 編集部 = %+v, %v; want the one edit", es, err)
	}
	resp, err := http.Get(s.base + "/guides/backend")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "<h1>バックエンド開発（API・サーバー）の副業</h1>") {
		t.Errorf("GET /guides/backend = %d without the edited title", resp.StatusCode)
	}
}
