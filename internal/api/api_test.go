package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/account"
	"anken/internal/api"
	"anken/internal/ratelimit"
	"anken/internal/server/servertest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// fixture is the whole server (servertest) over a store of the backend
// on a clock the test may move, with agency-a's key (keyA) and, as the
// constructor says, agency-b's (keyB), agency-a's webhook secret and an
// operator's key; engineers' sign-ups and logins are limited loosely
// unless the limits are given. Every write catches the index up, as a
// node's own writes do.
type fixture struct {
	*servertest.Server
	st          *store.Store
	clock       *storetest.Clock // the store's
	doc         *huma.OpenAPI    // the operations, as /openapi.json lists them
	keyA, keyB  string
	secret      string // agency-a's webhook secret
	operatorKey string
}

// newFixture serves agency-a and agency-b.
func newFixture(t *testing.T) *fixture {
	fx := start(t, "sqlite", account.Limits{})
	_, fx.keyB = fx.Agency(t, "agency-b", "B")
	return fx
}

// newMeFixture serves agency-a, with the given accounts' limits (loose
// when zero).
func newMeFixture(t *testing.T, limits account.Limits) *fixture { return start(t, "sqlite", limits) }

// newOpsFixture serves agency-a, with its webhook secret, and an
// operator, over a store of the backend.
func newOpsFixture(t *testing.T, backend string) *fixture {
	fx := start(t, backend, account.Limits{})
	a, err := fx.st.AgencyBySlug(context.Background(), "agency-a")
	if err != nil {
		t.Fatal(err)
	}
	if fx.secret, err = fx.st.NewWebhookSecret(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	fx.operatorKey = fx.Operator(t, "山田")
	return fx
}

func start(t *testing.T, backend string, limits account.Limits) *fixture {
	t.Helper()
	if limits == (account.Limits{}) {
		l := func() *ratelimit.Limiter { return ratelimit.New(1000, time.Millisecond) }
		limits = account.Limits{SignUpIP: l(), SignUpAddress: l(), LoginIP: l(), LoginAddress: l(), ResetIP: l(), ResetAddress: l()}
	}
	clock := storetest.NewClock(time.Now())
	s := servertest.Start(t, servertest.Options{Backend: backend, Now: clock.Now, AccountLimits: limits})
	fx := &fixture{Server: s, st: s.Store, clock: clock, doc: api.Register(http.NewServeMux(), api.Deps{}).OpenAPI()}
	_, fx.keyA = s.Agency(t, "agency-a", "A")
	return fx
}

// operation is one operation of the OpenAPI document.
type operation struct {
	method, path string
	*huma.Operation
}

// operations lists the operations of doc, by path and then method.
func operations(doc *huma.OpenAPI) []operation {
	var out []operation
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "PUT": item.Put, "POST": item.Post,
			"PATCH": item.Patch, "DELETE": item.Delete} {
			if op != nil {
				out = append(out, operation{method, path, op})
			}
		}
	}
	slices.SortFunc(out, func(a, b operation) int { return cmp.Or(cmp.Compare(a.path, b.path), cmp.Compare(a.method, b.method)) })
	return out
}

// securedBy reports whether the operation takes the credential scheme.
func (o operation) securedBy(scheme string) bool {
	return slices.ContainsFunc(o.Security, func(s map[string][]string) bool { _, ok := s[scheme]; return ok })
}

// eachOperation runs try in a subtest for each of ops ("METHOD /path",
// the operations a test must try, in order) with its row of table; an
// operation without a row, or a row without an operation, fails the
// test: how says what a row must show.
func eachOperation[R any](t *testing.T, ops []string, table map[string]R, how string, try func(t *testing.T, key, method string, row R)) {
	t.Helper()
	for key := range table {
		if !slices.Contains(ops, key) {
			t.Errorf("the table has %s, which is not registered so", key)
		}
	}
	for _, key := range ops {
		row, ok := table[key]
		if !ok {
			t.Errorf("%s is not in the authorization table: add how %s", key, how)
			continue
		}
		method, _, _ := strings.Cut(key, " ")
		t.Run(key, func(t *testing.T) { try(t, key, method, row) })
	}
}

const goodListing = `{
	"title": "【Go/フルリモート】決済基盤のバックエンド開発",
	"description": "決済APIの設計・開発。Go と PostgreSQL。",
	"rate": {"unit": "month", "min": 600000, "max": 700000},
	"remote": "full",
	"days": {"min": 3, "max": 5},
	"skills": ["go", "postgresql"],
	"role": "backend",
	"contract": "quasi_mandate"
}`

func TestProblems(t *testing.T) {
	fx := newFixture(t)
	big := `{"listings": [` + strings.TrimSuffix(strings.Repeat(`{"external_id":"x","title":"t"},`, api.MaxBatch+1), ",") + `]}`
	tests := []struct {
		name, method, path, key, body string
		status                        int
		mentions                      string // the detail or an error must name this
	}{
		{"unknown role", "GET", "/v1/listings?role=wizard", "", "", 422, "role"},
		{"unknown remote", "GET", "/v1/listings?remote=moon", "", "", 422, "remote"},
		{"unknown skill", "GET", "/v1/listings?skill=klingon", "", "", 422, "skill"},
		{"bad prefecture", "GET", "/v1/listings?prefecture=JP-99", "", "", 422, "prefecture"},
		{"limit too big", "GET", "/v1/listings?limit=1000", "", "", 422, "limit"},
		{"rate not a number", "GET", "/v1/listings?rate_min=lots", "", "", 422, "rate_min"},
		{"rate range upside down", "GET", "/v1/listings?rate_min=900000&rate_max=100000", "", "", 422, "rate_min"},
		{"bad cursor", "GET", "/v1/listings?cursor=garbage", "", "", 400, "cursor"},
		{"bad facet", "GET", "/v1/listings?facets=color", "", "", 422, "facets"},
		{"listing id not a number", "GET", "/v1/listings/abc", "", "", 422, "id"},
		{"missing listing", "GET", "/v1/listings/999999", "", "", 404, "not found"},
		{"no key", "PUT", "/v1/agency/listings/X-1", "", goodListing, 401, "API key"},
		{"wrong key", "PUT", "/v1/agency/listings/X-1", "ak_0000", goodListing, 401, "not valid"},
		{"malformed JSON", "PUT", "/v1/agency/listings/X-1", "A", `{"title": "unterminated`, 400, ""},
		{"body id differs from path", "PUT", "/v1/agency/listings/X-1", "A", `{"external_id":"X-2","title":"t"}`, 422, "external_id"},
		{"missing title", "PUT", "/v1/agency/listings/X-1", "A", `{"description":"no title"}`, 422, "title"},
		{"unknown field", "PUT", "/v1/agency/listings/X-1", "A", `{"title":"t","salary":"lots"}`, 422, "salary"},
		{"oversized batch", "POST", "/v1/agency/listings:batch", "A", big, 422, "1000"},
		{"empty batch", "POST", "/v1/agency/listings:batch", "A", `{"listings": []}`, 422, "listings"},
		{"batch malformed JSON", "POST", "/v1/agency/listings:batch", "A", `{"listings": [`, 400, ""},
		{"close missing", "DELETE", "/v1/agency/listings/NOPE", "A", "", 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == "A" {
				key = fx.keyA
			}
			r := fx.Do(t, tt.method, tt.path, key, tt.body)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Raw)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("Content-Type %q, want application/problem+json", r.Header.Get("Content-Type"))
			}
			if r.Body["status"] != float64(tt.status) || r.Body["title"] == "" {
				t.Errorf("problem body lacks status/title: %s", r.Raw)
			}
			if !strings.Contains(strings.ToLower(r.Raw), strings.ToLower(tt.mentions)) {
				t.Errorf("problem does not mention %q: %s", tt.mentions, r.Raw)
			}
		})
	}
}

func TestAgencyWritesAndSearch(t *testing.T) {
	fx := newFixture(t)
	r := fx.Do(t, "PUT", "/v1/agency/listings/GO-1", fx.keyA, goodListing)
	if r.Status != 200 || r.Body["outcome"] != "created" {
		t.Fatalf("put: %d %s", r.Status, r.Raw)
	}
	id := int64(r.Body["id"].(float64))
	if r = fx.Do(t, "PUT", "/v1/agency/listings/GO-1", fx.keyA, goodListing); r.Body["outcome"] != "unchanged" {
		t.Errorf("same put again: %s", r.Raw)
	}

	r = fx.Do(t, "GET", fmt.Sprintf("/v1/listings/%d", id), "", "")
	if r.Status != 200 || r.Body["agency"] != "agency-a" || r.Body["external_id"] != "GO-1" {
		t.Fatalf("get: %d %s", r.Status, r.Raw)
	}
	rate := r.Body["rate"].(map[string]any)
	if rate["monthly_min"] != 600000.0 || rate["monthly_max"] != 700000.0 {
		t.Errorf("rate = %v", rate)
	}

	r = fx.Do(t, "GET", "/v1/listings?q=決済&skill=Golang&facets=role,remote", "", "")
	if r.Status != 200 || r.Body["total"] != 1.0 {
		t.Fatalf("search: %d %s", r.Status, r.Raw)
	}
	facets := r.Body["facets"].(map[string]any)
	if facets["role"].(map[string]any)["backend"] != 1.0 || facets["remote"].(map[string]any)["full"] != 1.0 {
		t.Errorf("facets = %v", facets)
	}

	// Agency B can neither read nor close A's listing, and its own listing
	// with the same external id is a different one.
	if r = fx.Do(t, "GET", "/v1/agency/listings/GO-1", fx.keyB, ""); r.Status != 404 {
		t.Errorf("b reads a's listing: %d %s", r.Status, r.Raw)
	}
	if r = fx.Do(t, "DELETE", "/v1/agency/listings/GO-1", fx.keyB, ""); r.Status != 404 {
		t.Errorf("b closes a's listing: %d %s", r.Status, r.Raw)
	}
	if r = fx.Do(t, "GET", "/v1/agency/listings/GO-1", fx.keyA, ""); r.Status != 200 || r.Body["status"] != "open" {
		t.Errorf("a's listing after b's attempts: %d %s", r.Status, r.Raw)
	}

	// A batch stores the good items and rejects the bad one alone.
	batch := `{"listings": [
		{"external_id": "B-1", "title": "Reactでの管理画面開発", "description": "フロントエンド", "role": "frontend", "remote": "partial"},
		{"external_id": "B-2", "description": "タイトルがない"},
		{"external_id": "B-3", "title": "インフラ構築 AWS", "description": "Terraform", "role": "infra", "rate": {"unit": "month", "min": 900000000}}
	]}`
	r = fx.Do(t, "POST", "/v1/agency/listings:batch", fx.keyA, batch)
	if r.Status != 200 || r.Body["accepted"] != 1.0 || r.Body["rejected"] != 2.0 {
		t.Fatalf("batch: %d %s", r.Status, r.Raw)
	}
	results := r.Body["results"].([]any)
	if o := results[1].(map[string]any); o["outcome"] != "rejected" || !strings.Contains(fmt.Sprint(o["errors"]), "title") {
		t.Errorf("result for the listing without a title: %v", o)
	}
	if o := results[2].(map[string]any); o["outcome"] != "rejected" || !strings.Contains(fmt.Sprint(o["errors"]), "rate") {
		t.Errorf("result for the billion-yen rate: %v", o)
	}

	// Closing removes it from search but keeps its page.
	if r = fx.Do(t, "DELETE", "/v1/agency/listings/GO-1", fx.keyA, ""); r.Status != 200 || r.Body["outcome"] != "closed" {
		t.Fatalf("close: %d %s", r.Status, r.Raw)
	}
	if r = fx.Do(t, "GET", "/v1/listings?q=決済", "", ""); r.Body["total"] != 0.0 {
		t.Errorf("closed listing still found: %s", r.Raw)
	}
	if r = fx.Do(t, "GET", fmt.Sprintf("/v1/listings/%d", id), "", ""); r.Status != 200 || r.Body["status"] != "closed" {
		t.Errorf("closed listing page: %d %s", r.Status, r.Raw)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	fx := newFixture(t)
	resp, err := http.Get(fx.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	b, _ := io.ReadAll(resp.Body)
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	for path, methods := range map[string][]string{
		"/v1/listings":                      {"get"},
		"/v1/listings/{id}":                 {"get"},
		"/v1/agency/listings/{external_id}": {"put", "get", "delete"},
		"/v1/agency/listings:batch":         {"post"},
	} {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("openapi.json lacks %s %s", m, path)
			}
		}
	}
}

var update = flag.Bool("update", false, "rewrite docs/openapi.json from the code")

// TestOpenAPIGolden keeps docs/openapi.json, the copy that is linted in CI
// and read in reviews, equal to the document the code serves.
func TestOpenAPIGolden(t *testing.T) {
	doc := api.Register(http.NewServeMux(), api.Deps{}).OpenAPI()
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "../../docs/openapi.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/api -run OpenAPIGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go test ./internal/api -run OpenAPIGolden -update", path)
	}
}
