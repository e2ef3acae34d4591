package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
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
	var res []ingest.Result
	err := h.writeOnce(ctx, in.IdempotencyKey, "PUT "+in.ExternalID, raw, []listing.Raw{raw}, &out.Body, func(r []ingest.Result) bool {
		res, out.Body = r, r[0]
		return r[0].Outcome != ingest.Rejected
	})
	if err != nil {
		return nil, err
	}
	if len(res) > 0 && res[0].Outcome == ingest.Rejected { // res is nil for a repeat's kept answer
		return nil, h.fail(ctx, fault(problem.Unprocessable, "listing rejected: "+listing.Invalid(res[0].Errors).Error(), fieldDetails("body", res[0].Errors)...))
	}
	return out, nil
}

func (h *handlers) batch(ctx context.Context, in *batchInput) (*batchOutput, error) {
	out := &batchOutput{}
	err := h.writeOnce(ctx, in.IdempotencyKey, "POST batch", in.Body.Listings, in.Body.Listings, &out.Body, func(res []ingest.Result) bool {
		out.Body = BatchBody{Results: res}
		for _, r := range res {
			if r.Outcome == ingest.Rejected {
				out.Body.Rejected++
			} else {
				out.Body.Accepted++
			}
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// writeOnce writes raws once per Idempotency-Key. answer is given the
// write's results: it sets the answer in dst and says whether to keep it
// for repeats (a rejected PUT keeps none: it changed no listing, and the
// agency may send it again corrected). The write and its kept answer are
// stored in one transaction, so a crash cannot leave one without the
// other. A request repeating a key gets the kept answer in dst instead,
// and answer is not called; one reusing a key for a different request is
// refused. Without a key it just writes.
func (h *handlers) writeOnce(ctx context.Context, key, op string, req any, raws []listing.Raw, dst any, answer func([]ingest.Result) bool) error {
	st := h.Store
	if key == "" {
		res, err := h.write(ctx, raws, nil)
		if err != nil {
			return err
		}
		answer(res)
		return nil
	}
	agency := agencyFrom(ctx)
	b, err := json.Marshal(req)
	if err != nil {
		return h.fail(ctx, fault(problem.Invalid, "request cannot be encoded: "+err.Error()))
	}
	sum := sha256.Sum256(append([]byte(op+"\n"), b...))
	hash := hex.EncodeToString(sum[:])
	reuse := func(a store.Idempotent) error {
		if a.RequestHash != hash {
			return h.fail(ctx, fault(problem.Unprocessable, "Idempotency-Key was used for a different request",
				problem.Detail{Location: "header.Idempotency-Key", Value: key, Message: "use a new key for each distinct request"}))
		}
		if err := json.Unmarshal(a.Response, dst); err != nil {
			return h.storeError(ctx, err, "stored answer")
		}
		return nil
	}
	if a, err := st.IdempotentAnswer(ctx, agency, key); err == nil {
		return reuse(a) // a repeat: no write transaction
	} else if !errors.Is(err, store.ErrNotFound) {
		return h.storeError(ctx, err, "idempotency key")
	}
	once := &ingest.Once{Key: key, RequestHash: hash, Answer: func(res []ingest.Result) (store.Idempotent, bool, error) {
		if !answer(res) {
			return store.Idempotent{}, false, nil
		}
		resp, err := json.Marshal(dst)
		return store.Idempotent{RequestHash: hash, Status: http.StatusOK, Response: resp}, true, err
	}}
	_, err = h.write(ctx, raws, once)
	if errors.Is(err, store.ErrRepeated) { // a concurrent request with the key wrote first
		a, err := st.IdempotentAnswer(ctx, agency, key)
		if err != nil {
			return h.storeError(ctx, err, "idempotency key")
		}
		return reuse(a)
	}
	return err
}

// write stores raws for the request's agency, once per once's key when
// once is set (ErrRepeated, unwrapped, when the key was answered).
func (h *handlers) write(ctx context.Context, raws []listing.Raw, once *ingest.Once) ([]ingest.Result, error) {
	agency := agencyFrom(ctx)
	res, err := ingest.PutOnce(ctx, h.Store, agency, raws, once)
	if errors.Is(err, store.ErrRepeated) {
		return nil, store.ErrRepeated
	}
	if err != nil {
		h.Log.ErrorContext(ctx, "write listings", slog.String("agency", agency.Slug), slog.Any("err", err))
		return nil, h.fail(ctx, problem.Wrap(problem.Unavailable, err, "could not store the listings; nothing was stored, retry shortly"))
	}
	h.Wrote()
	return res, nil
}

func (h *handlers) getOwn(ctx context.Context, in *externalIDInput) (*listingOutput, error) {
	l, err := h.Store.AgencyListing(ctx, agencyFrom(ctx), in.ExternalID)
	if err != nil {
		return nil, h.storeError(ctx, err, "listing "+in.ExternalID)
	}
	return &listingOutput{Body: &l}, nil
}

func (h *handlers) close(ctx context.Context, in *externalIDInput) (*resultOutput, error) {
	r, err := h.Store.CloseListing(ctx, agencyFrom(ctx), in.ExternalID)
	if err != nil {
		return nil, h.storeError(ctx, err, "listing "+in.ExternalID)
	}
	h.Wrote()
	return &resultOutput{Body: ingest.Result{ExternalID: in.ExternalID, ID: r.ID, Outcome: string(r.Outcome)}}, nil
}

func fieldDetails(prefix string, errs []*listing.FieldError) []problem.Detail {
	out := make([]problem.Detail, len(errs))
	for i, e := range errs {
		out[i] = problem.Detail{Location: prefix + "." + e.Field, Value: e.Value, Message: e.Reason}
	}
	return out
}
