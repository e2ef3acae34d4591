package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
)

const agencyKeyScheme = "agencyKey"

// MaxBatch is the most listings one batch request may carry.
const MaxBatch = 1000

// MaxBatchBytes is the largest batch body: room for MaxBatch listings of
// the largest size (a 20,000-character description is 60 KB in Japanese).
// A larger body is refused with 413 before it is decoded.
const MaxBatchBytes = 64 << 20

type putInput struct {
	ExternalID     string `path:"external_id" minLength:"1" maxLength:"200" doc:"Your id for the listing."`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Repeating a request with the same key within 24 hours returns the first answer instead of writing again. A listing rejected by validation keeps no answer: send it corrected with the same key."`
	Body           listing.Raw
}

type batchInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Repeating a request with the same key within 24 hours returns the first answer instead of writing again."`
	Body           struct {
		Listings []listing.Raw `json:"listings" nullable:"false" minItems:"1" maxItems:"1000" doc:"Up to 1,000 raw listings; each is stored or rejected on its own."`
	}
}

type externalIDInput struct {
	ExternalID string `path:"external_id" minLength:"1" maxLength:"200" doc:"Your id for the listing."`
}

type resultOutput struct{ Body ingest.Result }

// BatchBody answers a batch: one result per listing, in request order.
type BatchBody struct {
	Results  []ingest.Result `json:"results"`
	Accepted int             `json:"accepted" doc:"Listings created, updated or unchanged."`
	Rejected int             `json:"rejected" doc:"Listings rejected; see each result's errors."`
}

type batchOutput struct{ Body BatchBody }

type agencyKey struct{}

func (h *handlers) registerAgency() {
	sec := []map[string][]string{{agencyKeyScheme: {}}}
	auth := huma.Middlewares{h.authenticate}
	authErrors := []int{http.StatusUnauthorized}
	huma.Register(h.api, huma.Operation{
		OperationID: "put-agency-listing",
		Method:      http.MethodPut,
		Path:        "/v1/agency/listings/{external_id}",
		Summary:     "Create or replace a listing",
		Description: "Stores the listing under your external_id, normalizing free-text fields " +
			"(\"rate\": \"月額60万〜70万円\") or taking structured ones as given. " +
			"A listing identical to the stored one is `unchanged`; a closed one is reopened.",
		Tags:         []string{"agency"},
		Security:     sec,
		Middlewares:  auth,
		Errors:       append(authErrors, http.StatusBadRequest, http.StatusUnprocessableEntity),
		MaxBodyBytes: 1 << 20,
	}, h.put)
	huma.Register(h.api, huma.Operation{
		OperationID: "batch-agency-listings",
		Method:      http.MethodPost,
		Path:        "/v1/agency/listings:batch",
		Summary:     "Create or replace up to 1,000 listings",
		Description: "Each listing is validated and stored on its own: a rejected one never " +
			"keeps the others from being stored. The answer has one result per listing, in order. " +
			"A body over 64 MiB is refused with 413; the body may take up to a minute to arrive.",
		Tags:         []string{"agency"},
		Security:     sec,
		Middlewares:  auth,
		Errors:       append(authErrors, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity),
		MaxBodyBytes: MaxBatchBytes + 1, // huma refuses a body of MaxBodyBytes
		// huma's default of 5 s would need 100 Mbit/s for a full batch: an
		// agency's nightly push is often slower than that.
		BodyReadTimeout: time.Minute,
	}, h.batch)
	huma.Register(h.api, huma.Operation{
		OperationID: "get-agency-listing",
		Method:      http.MethodGet,
		Path:        "/v1/agency/listings/{external_id}",
		Summary:     "Read one of your listings",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      append(authErrors, http.StatusNotFound),
	}, h.getOwn)
	huma.Register(h.api, huma.Operation{
		OperationID: "close-agency-listing",
		Method:      http.MethodDelete,
		Path:        "/v1/agency/listings/{external_id}",
		Summary:     "Close a listing",
		Description: "The listing leaves search at once; its page stays, marked closed. Putting it again reopens it.",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      append(authErrors, http.StatusNotFound),
	}, h.close)
	h.registerWebhook()
	h.registerFeeds(sec, auth)
	h.registerRejections(sec, auth)
	h.registerAgencyStats(sec, auth)
	h.registerAgencyProfile(sec, auth)
}

// authenticate finds the agency of the Bearer key and refuses the request
// without one. The agency is who the request's audit row names.
func (h *handlers) authenticate(ctx huma.Context, next func(huma.Context)) {
	key, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		if err := chargeBadKey(ctx.Context()); err != nil {
			h.refuse(ctx, err)
			return
		}
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="anken"`)
		h.refuse(ctx, problem.Errorf(problem.Unauthorized,
			"missing API key: send your agency's key as \"Authorization: Bearer ak_…\""))
		return
	}
	agency, err := h.Store.AgencyByKey(ctx.Context(), key)
	if errors.Is(err, store.ErrNotFound) {
		if err := chargeBadKey(ctx.Context()); err != nil {
			h.refuse(ctx, err)
			return
		}
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="anken", error="invalid_token"`)
		h.refuse(ctx, problem.Errorf(problem.Unauthorized, "API key is not valid or has been revoked"))
		return
	}
	if err != nil {
		h.refuse(ctx, problem.Wrap(problem.Unavailable, err, "cannot check the API key right now; retry shortly"))
		return
	}
	if err := chargeAgency(ctx.Context(), agency.Slug); err != nil {
		h.refuse(ctx, err)
		return
	}
	ctx = huma.WithValue(ctx, agencyKey{}, agency)
	next(huma.WithContext(ctx, auditAs(ctx.Context(), store.AuditAgency, agency.Slug)))
}

func agencyFrom(ctx context.Context) store.Agency {
	return ctx.Value(agencyKey{}).(store.Agency)
}

func (h *handlers) put(ctx context.Context, in *putInput) (*resultOutput, error) {
	raw := in.Body
	if !utf8.ValidString(in.ExternalID) {
		return nil, h.fail(ctx, fault(problem.Unprocessable, "external_id in the path is not valid UTF-8",
			problem.Detail{Location: "path.external_id", Value: in.ExternalID, Message: "is not valid UTF-8"}))
	}
	if raw.ExternalID != "" && raw.ExternalID != in.ExternalID {
		return nil, h.fail(ctx, fault(problem.Unprocessable, "external_id in the body differs from the path",
			problem.Detail{Location: "body.external_id", Value: raw.ExternalID, Message: "must equal the path's " + in.ExternalID}))
	}
	raw.ExternalID = in.ExternalID
	out := &resultOutput{}
	req := ingest.Request{Agency: agencyFrom(ctx), Raws: []listing.Raw{raw}, Key: in.IdempotencyKey, Op: "PUT " + in.ExternalID, Body: raw}
	res, kept, err := h.Ingest.Write(ctx, req, func(r []ingest.Result) (any, bool) {
		return r[0], r[0].Outcome != ingest.Rejected
	})
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	if kept != nil { // a repeat of the key: the answer it had
		if err := json.Unmarshal(kept, &out.Body); err != nil {
			return nil, h.fail(ctx, problem.Wrap(problem.Internal, err, "the kept answer cannot be read"))
		}
		return out, nil
	}
	if res[0].Outcome == ingest.Rejected {
		return nil, h.fail(ctx, fault(problem.Unprocessable, "listing rejected: "+listing.Invalid(res[0].Errors).Error(), fieldDetails("body", res[0].Errors)...))
	}
	out.Body = res[0]
	return out, nil
}

func (h *handlers) batch(ctx context.Context, in *batchInput) (*batchOutput, error) {
	out := &batchOutput{}
	body := func(res []ingest.Result) BatchBody {
		b := BatchBody{Results: res}
		for _, r := range res {
			if r.Outcome == ingest.Rejected {
				b.Rejected++
			} else {
				b.Accepted++
			}
		}
		return b
	}
	req := ingest.Request{Agency: agencyFrom(ctx), Raws: in.Body.Listings, Key: in.IdempotencyKey, Op: "POST batch", Body: in.Body.Listings}
	res, kept, err := h.Ingest.Write(ctx, req, func(res []ingest.Result) (any, bool) { return body(res), true })
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	if kept != nil {
		if err := json.Unmarshal(kept, &out.Body); err != nil {
			return nil, h.fail(ctx, problem.Wrap(problem.Internal, err, "the kept answer cannot be read"))
		}
		return out, nil
	}
	out.Body = body(res)
	return out, nil
}

func (h *handlers) getOwn(ctx context.Context, in *externalIDInput) (*listingOutput, error) {
	l, err := h.Store.AgencyListing(ctx, agencyFrom(ctx), in.ExternalID)
	if err != nil {
		return nil, h.storeError(ctx, err, "listing "+in.ExternalID)
	}
	return &listingOutput{Body: &l}, nil
}

func (h *handlers) close(ctx context.Context, in *externalIDInput) (*resultOutput, error) {
	r, err := h.Ingest.Close(ctx, agencyFrom(ctx), in.ExternalID)
	if err != nil {
		return nil, h.storeError(ctx, err, "listing "+in.ExternalID)
	}
	return &resultOutput{Body: ingest.Result{ExternalID: in.ExternalID, ID: r.ID, Outcome: string(r.Outcome)}}, nil
}

func fieldDetails(prefix string, errs []*listing.FieldError) []problem.Detail {
	out := make([]problem.Detail, len(errs))
	for i, e := range errs {
		out[i] = problem.Detail{Location: prefix + "." + e.Field, Value: e.Value, Message: e.Reason}
	}
	return out
}
