// Package api is anken's JSON API under /v1: listing search for engineers and
// listing writes for agencies. Operations are declared with huma, so the
// OpenAPI 3.1 document at /openapi.json is generated from this code and
// cannot drift from it. Errors are RFC 9457 problem+json.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"anken/internal/account"
	"anken/internal/catalog"
	"anken/internal/guide"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/operate"
	"anken/internal/safefetch"
	"anken/internal/store"
	"anken/internal/traffic"
)

// Store is what the API needs of the system of record.
type Store interface {
	catalog.Store
	ingest.FeedStore
	guide.Store
	AgencyByKey(ctx context.Context, key string) (store.Agency, error)
	AgencyListing(ctx context.Context, agency store.Agency, externalID string) (listing.Listing, error)
	WebhookSecret(ctx context.Context, slug string) (store.Agency, string, error)
	EnqueueDelivery(ctx context.Context, agency store.Agency, signature string, it store.NewItem, replayWindow time.Duration) (int64, bool, error)
	Rejections(ctx context.Context, agency store.Agency, f store.RejectionFilter) ([]store.Rejection, error)
	PutFeedSource(ctx context.Context, src store.FeedSource) (store.FeedSource, error)
	FeedSources(ctx context.Context, agency store.Agency) ([]store.FeedSource, error)
	DeleteFeedSource(ctx context.Context, agency store.Agency, id int64) error
	ConfirmRun(ctx context.Context, runID int64) (store.FeedRun, error)
	AgencyTraffic(ctx context.Context, agency store.Agency, from, to string, listingID int64) (store.AgencyTraffic, error)
}

// Deps are the API's collaborators. Store, Index, Accounts, Guides,
// Operate and Ingest are required (server.New refuses to start without
// one); the others may be left zero.
type Deps struct {
	Store   Store
	Index   catalog.Searcher
	Catalog *catalog.Catalog // the read layer; one over Store and Index when nil
	Log     *slog.Logger
	Wrote   func() // called after a write so the local index catches up at once
	Server  string // base URL named in the OpenAPI servers list
	// FeedFetch is the poller's fetch policy: a feed source whose URL it
	// would refuse outright is refused when it is registered.
	FeedFetch safefetch.Policy
	// Accounts are engineers' accounts (/v1/accounts, /v1/sessions,
	// /v1/me/…).
	Accounts *account.Service
	// Guides are the side-job guides and job-type articles.
	Guides *guide.Library
	// Ingest is the one write path of agencies' listings, once per
	// Idempotency-Key.
	Ingest *ingest.Writer
	// Operate carries out operators' actions (/v1/operator) and checks
	// their keys; the operator pages share it.
	Operate *operate.Service
	// Traffic reads agencies' counts of impressions, views and clicks
	// (/v1/agency/stats); one over Store when nil.
	Traffic *traffic.Reports
}

type handlers struct {
	Deps
	api huma.API
}

// Version is the API version in the OpenAPI document.
const Version = "1.0.0"

// Register adds the API's operations, /openapi.json and /docs to mux.
func Register(mux *http.ServeMux, d Deps) huma.API {
	if d.Wrote == nil {
		d.Wrote = func() {}
	}
	if d.Catalog == nil {
		d.Catalog = &catalog.Catalog{Store: d.Store, Index: d.Index}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Traffic == nil {
		d.Traffic = &traffic.Reports{Store: d.Store}
	}
	api := humago.New(mux, config(d.Server))
	api.UseMiddleware(noStore) // first: it covers every operation registered after it
	h := &handlers{Deps: d, api: api}
	h.registerSearch()
	h.registerStats()
	h.registerOperator() // first: its audit log wraps the writes registered after it
	h.registerAgency()
	h.registerAccounts()
	h.registerMe()
	h.registerRecommendations()
	h.registerGuides()
	documentLimits(api.OpenAPI())
	groupTags(api.OpenAPI())
	return api
}

func config(server string) huma.Config {
	c := huma.DefaultConfig("anken API", Version)
	c.CreateHooks = nil // no $schema links in bodies
	c.Transformers = append(c.Transformers, clipEchoed)
	c.Formats = map[string]huma.Format{"application/json": jsonFormat, "json": jsonFormat}
	registerAliases(c.OpenAPI.Components.Schemas)
	c.DocsPath = "" // served by docs.go without third-party scripts
	c.OpenAPI.Info.Description = "日本のIT フリーランス・副業案件を横断検索する API。" +
		"Search listings (案件) from many agencies with filters and facet counts; " +
		"agencies publish and close their listings with an API key. " +
		"Money is integer yen (monthly yen is canonical), times are RFC 3339, " +
		"errors are RFC 9457 application/problem+json."
	c.OpenAPI.Info.License = &huma.License{Name: "Proprietary", URL: "https://anken.example/terms"}
	c.OpenAPI.Info.Contact = &huma.Contact{Name: "anken operators", Email: "ops@anken.example"}
	if server == "" {
		server = "http://127.0.0.1:8080"
	}
	c.OpenAPI.Servers = []*huma.Server{{URL: server, Description: "this anken node"}}
	c.OpenAPI.Tags = []*huma.Tag{
		{Name: "listings", Description: "Search and read open listings (案件). No key needed."},
		{Name: "agency", Description: "Publish, replace and close your agency's listings. Needs your agency's API key as a Bearer token."},
		{Name: "accounts", Description: "Engineers' accounts: sign up with a confirmed address, log in for a session token, reset a forgotten password."},
		{Name: "me", Description: "What you keep here: profile (経験・希望条件), saved searches with new-listing mail, favourites, your data. Needs your session token as a Bearer token; another engineer's things answer 404."},
	}
	c.OpenAPI.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		agencyKeyScheme: {
			Type:         "http",
			Scheme:       "bearer",
			BearerFormat: "ak_…",
			Description:  "The key `anken agency create SLUG` printed once for your agency.",
		},
		engineerScheme: {
			Type:        "http",
			Scheme:      "bearer",
			Description: "The token of POST /v1/sessions, valid 30 days; DELETE /v1/sessions/current ends it.",
		},
	}
	return c
}

// jsonFormat is huma's JSON with one rule first: a request body that is not
// valid UTF-8 is refused (400, naming the body and the first bad byte), as
// webhook deliveries and feed rows are. encoding/json would read each bad
// byte as U+FFFD and store that instead, so two external ids differing
// only in bad bytes would become one listing.
var jsonFormat = huma.Format{
	Marshal: huma.DefaultJSONFormat.Marshal,
	Unmarshal: func(data []byte, v any) error {
		if !utf8.Valid(data) {
			return fmt.Errorf("body is not valid UTF-8: the first bad byte is at offset %d", badUTF8(data))
		}
		return huma.DefaultJSONFormat.Unmarshal(data, v)
	},
}

// badUTF8 returns the offset of the first byte of b that is not part of a
// valid UTF-8 encoding, or len(b).
func badUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
