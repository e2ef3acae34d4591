package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/feed"
	"anken/internal/ingest"
	"anken/internal/problem"
	"anken/internal/store"
)

// maxFeedBytes bounds one feed upload.
const maxFeedBytes = 4 << 30

type feedUploadInput struct {
	Format         string   `query:"format" required:"true" enum:"jsonl,csv,jobposting,indeed-xml" doc:"The feed's format."`
	Full           bool     `query:"full" doc:"The feed is your whole catalogue: your open listings it does not contain are closed once it is processed."`
	Charset        string   `query:"charset" enum:"utf-8,shift_jis," doc:"CSV/XML encoding; detected when absent (Shift_JIS is read as CP932)."`
	Column         []string `query:"column" doc:"CSV header mapping HEADER=FIELD, e.g. 案件コード=external_id; repeat for more."`
	IdempotencyKey string   `header:"Idempotency-Key" maxLength:"200" doc:"The same key returns the same feed run instead of reading the upload again."`
	body           io.Reader
}

// Resolve keeps the request body to stream it: huma does not read a body
// the input does not declare.
func (in *feedUploadInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	return nil
}

type feedRunOutput struct {
	Status int
	Body   FeedRun
}

type feedRunInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type feedSourceInput struct {
	Body struct {
		URL     string            `json:"url" format:"uri" maxLength:"2000" doc:"http(s) URL of the feed."`
		Format  string            `json:"format" enum:"jsonl,csv,jobposting,indeed-xml"`
		Full    bool              `json:"full,omitempty" doc:"Each poll is your whole catalogue (see POST /v1/agency/feeds)."`
		Every   string            `json:"every,omitempty" default:"1h" doc:"How often to fetch it: a duration from 5m to 168h."`
		Charset string            `json:"charset,omitempty" enum:"utf-8,shift_jis,"`
		Columns map[string]string `json:"columns,omitempty" doc:"CSV header mapping {HEADER: FIELD}."`
	}
}

type feedSourceOutput struct{ Body FeedSource }

type feedSourcesOutput struct {
	Body struct {
		Sources []FeedSource `json:"sources"`
	}
}

func (h *handlers) registerFeeds(sec []map[string][]string, auth huma.Middlewares) {
	types := []string{"application/x-ndjson", "text/csv", "application/ld+json", "application/xml"}
	content := map[string]*huma.MediaType{}
	for _, t := range types {
		content[t] = &huma.MediaType{Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}
	}
	huma.Register(h.api, huma.Operation{
		OperationID: "upload-agency-feed",
		Method:      http.MethodPost,
		Path:        "/v1/agency/feeds",
		Summary:     "Upload a feed",
		Description: "Send the feed file as the body (any of the content types; `format` says how to read it). " +
			"It is read as a stream and every row is stored before the 202 answer, which is the feed run: " +
			"rows that could not be read are counted as rejected at once (see `GET /v1/agency/rejections?run=`), " +
			"the others are processed by workers within moments — poll `GET /v1/agency/feeds/{id}` for created, " +
			"updated, unchanged, rejected and closed counts. A feed that breaks off keeps the rows read before the break " +
			"(its run is `aborted` and closes nothing) and answers 400 with the line. " +
			"A full feed (`full=true`) closes nothing when it cannot be read to its end, has no row that can be stored " +
			"or has more than half of its rows rejected (its run is `failed`, with the reason in `error`), and waits " +
			"for your confirmation (`held`, see `POST /v1/agency/feeds/{id}/confirm`) when it would close more than " +
			"half of your open listings.",
		Tags:          []string{"agency"},
		Security:      sec,
		Middlewares:   auth,
		DefaultStatus: http.StatusAccepted,
		RequestBody:   &huma.RequestBody{Required: true, Content: content},
		Errors:        []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *feedUploadInput) (*feedRunOutput, error) {
		st := h.Store
		agency := agencyFrom(ctx)
		columns, err := parseColumns(in.Column)
		if err != nil {
			return nil, h.fail(ctx, err)
		}
		body := in.body
		if body == nil {
			body = strings.NewReader("")
		}
		req := ingest.FeedRequest{Agency: agency, Format: in.Format, Full: in.Full, Source: ingest.SourceUpload, Key: in.IdempotencyKey,
			Options: feed.Options{Charset: in.Charset, Columns: columns}}
		run, existing, err := ingest.Receive(ctx, st, req, io.LimitReader(body, maxFeedBytes))
		var fe *ingest.FeedError
		if errors.As(err, &fe) {
			msg := "feed could not be read: " + fe.Error()
			switch {
			case fe.Run != 0 && fe.Rows == 0:
				msg += fmt.Sprintf(" (recorded as feed run %d)", fe.Run)
			case fe.Run != 0:
				msg += fmt.Sprintf(" (the %d rows before the break are kept as feed run %d)", fe.Rows, fe.Run)
			}
			return nil, h.fail(ctx, fault(problem.Invalid, msg, problem.Detail{Location: "body", Message: fe.Error()}))
		}
		if err != nil {
			return nil, h.fail(ctx, problem.Wrap(problem.Unavailable, fmt.Errorf("feed upload of %s: %w", agency.Slug, err),
				"could not store the feed; retry shortly (send an Idempotency-Key to make retries safe)"))
		}
		h.Wrote()
		out := &feedRunOutput{Status: http.StatusAccepted, Body: feedRunOf(run)}
		if existing {
			out.Status = http.StatusOK
		}
		return out, nil
	})
	huma.Register(h.api, huma.Operation{
		OperationID: "get-agency-feed-run",
		Method:      http.MethodGet,
		Path:        "/v1/agency/feeds/{id}",
		Summary:     "Read a feed run",
		Description: "Per-row counts of an upload, poll or import; `state` is `done` once every row is processed, " +
			"`failed` or `held` for a full feed that closed nothing (`error` says why).",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *feedRunInput) (*feedRunOutput, error) {
		st := h.Store
		run, err := st.FeedRun(ctx, agencyFrom(ctx), in.ID)
		if err != nil {
			return nil, h.storeError(ctx, err, fmt.Sprintf("feed run %d", in.ID))
		}
		return &feedRunOutput{Status: http.StatusOK, Body: feedRunOf(run)}, nil
	})
	huma.Register(h.api, huma.Operation{
		OperationID: "confirm-agency-feed-run",
		Method:      http.MethodPost,
		Path:        "/v1/agency/feeds/{id}/confirm",
		Summary:     "Confirm a held full feed",
		Description: "A full feed that would close more than half of your open listings is `held`: it closes nothing " +
			"until you confirm it here. Confirming closes your open listings the feed did not contain (except those " +
			"written since the feed began) and makes the run `done`; the answer is the run. A run that is not held " +
			"answers 409.",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *feedRunInput) (*feedRunOutput, error) {
		st := h.Store
		run, err := st.FeedRun(ctx, agencyFrom(ctx), in.ID) // another agency's run is not found
		if err != nil {
			return nil, h.storeError(ctx, err, fmt.Sprintf("feed run %d", in.ID))
		}
		if run.State != store.RunHeld {
			return nil, h.fail(ctx, problem.Errorf(problem.Conflict, "feed run %d is %s, not held: there is nothing to confirm", run.ID, run.State))
		}
		run, err = st.ConfirmRun(ctx, run.ID)
		if errors.Is(err, store.ErrNotHeld) { // confirmed meanwhile
			return nil, h.fail(ctx, problem.Errorf(problem.Conflict, "feed run %d is no longer held: there is nothing to confirm", in.ID))
		}
		if err != nil {
			return nil, h.storeError(ctx, err, fmt.Sprintf("feed run %d", in.ID))
		}
		h.Wrote()
		return &feedRunOutput{Status: http.StatusOK, Body: feedRunOf(run)}, nil
	})
	huma.Register(h.api, huma.Operation{
		OperationID: "put-agency-feed-source",
		Method:      http.MethodPost,
		Path:        "/v1/agency/feed-sources",
		Summary:     "Have a feed URL fetched on a schedule",
		Description: "anken fetches the URL every `every` (first at once) and takes it like an upload. " +
			"Posting the same URL again changes its settings. The URL must be http or https and its host must " +
			"have a public address: one naming a loopback, private or link-local address is refused (422), and " +
			"a host that resolves to one, or redirects to one, is not fetched. The source's `last_error` says " +
			"why a poll failed without repeating what the server answered.",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *feedSourceInput) (*feedSourceOutput, error) {
		st := h.Store
		b := in.Body
		u, err := url.Parse(b.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, h.fail(ctx, fault(problem.Unprocessable, "url must be an http(s) URL",
				problem.Detail{Location: "body.url", Value: b.URL, Message: "want http(s)://host/path"}))
		}
		if err := h.FeedFetch.CheckURL(u); err != nil {
			return nil, h.fail(ctx, problem.Field(problem.Unprocessable, "body.url", b.URL, "url cannot be fetched: "+err.Error()))
		}
		every := time.Hour
		if b.Every != "" {
			every, err = time.ParseDuration(b.Every)
			if err != nil || every < 5*time.Minute || every > 168*time.Hour {
				return nil, h.fail(ctx, fault(problem.Unprocessable, "every must be a duration from 5m to 168h",
					problem.Detail{Location: "body.every", Value: b.Every, Message: "e.g. 30m, 6h"}))
			}
		}
		if !slices.Contains(feed.Formats, b.Format) {
			return nil, h.fail(ctx, fault(problem.Unprocessable, "format must be one of "+strings.Join(feed.Formats, ", "),
				problem.Detail{Location: "body.format", Value: b.Format, Message: "not a feed format"}))
		}
		opts, _ := json.Marshal(feed.Options{Charset: b.Charset, Columns: b.Columns})
		src, err := st.PutFeedSource(ctx, store.FeedSource{Agency: agencyFrom(ctx), URL: b.URL, Format: b.Format, Full: b.Full,
			Options: string(opts), Every: every})
		if err != nil {
			return nil, h.storeError(ctx, err, "feed source")
		}
		return &feedSourceOutput{Body: feedSourceOf(src)}, nil
	})
	huma.Register(h.api, huma.Operation{
		OperationID: "list-agency-feed-sources",
		Method:      http.MethodGet,
		Path:        "/v1/agency/feed-sources",
		Summary:     "List your scheduled feeds",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*feedSourcesOutput, error) {
		st := h.Store
		all, err := st.FeedSources(ctx, agencyFrom(ctx))
		if err != nil {
			return nil, h.storeError(ctx, err, "feed sources")
		}
		out := &feedSourcesOutput{}
		out.Body.Sources = make([]FeedSource, len(all))
		for i, src := range all {
			out.Body.Sources[i] = feedSourceOf(src)
		}
		return out, nil
	})
	huma.Register(h.api, huma.Operation{
		OperationID: "delete-agency-feed-source",
		Method:      http.MethodDelete,
		Path:        "/v1/agency/feed-sources/{id}",
		Summary:     "Stop fetching a feed",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound},
	}, func(ctx context.Context, in *feedRunInput) (*struct{}, error) {
		st := h.Store
		if err := st.DeleteFeedSource(ctx, agencyFrom(ctx), in.ID); err != nil {
			return nil, h.storeError(ctx, err, fmt.Sprintf("feed source %d", in.ID))
		}
		return nil, nil
	})
}

// parseColumns reads HEADER=FIELD pairs.
func parseColumns(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" || v == "" {
			return nil, fault(problem.Unprocessable, "column must be HEADER=FIELD",
				problem.Detail{Location: "query.column", Value: p, Message: "e.g. 案件コード=external_id"})
		}
		m[k] = v
	}
	return m, nil
}
