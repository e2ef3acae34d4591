// Package ingest takes listings as agencies send them — API writes, signed
// webhook deliveries, feed rows — through normalize, validate and store,
// reporting what happened to each. The synchronous API path (Put) stores at
// once; webhooks and feed uploads go through the durable inbox first
// (Receive, Worker); `anken import` reads a file straight into the store
// (Import).
package ingest

import (
	"context"
	"errors"
	"fmt"

	"anken/internal/listing"
	"anken/internal/normalize"
	"anken/internal/store"
)

// Store is what Put needs of the system of record.
type Store interface {
	// Apply writes works, each in one transaction with its rejections
	// and audit entry (store.Store.Apply).
	Apply(ctx context.Context, ws []store.Work) ([]store.WorkResult, error)
}

// Result is what happened to one raw listing.
type Result struct {
	ExternalID string                `json:"external_id"`
	ID         int64                 `json:"id,omitempty"`
	Outcome    string                `json:"outcome" enum:"created,updated,unchanged,rejected"`
	Errors     []*listing.FieldError `json:"errors,omitempty"`
	Warnings   []normalize.Warning   `json:"warnings,omitempty"`
}

// Rejected is the Outcome of a raw listing that could not be stored.
const Rejected = "rejected"

// Put normalizes, validates and stores raws for the agency. Invalid items
// are rejected with the fields that are wrong and never keep the valid ones
// from being stored. The error is for the store failing as a whole. The
// audit entry ctx carries (store.WithAudit) is written with the listings,
// counting those sent, accepted and rejected.
func Put(ctx context.Context, s Store, agency store.Agency, raws []listing.Raw) ([]Result, error) {
	return PutOnce(ctx, s, agency, raws, nil)
}

// Once makes PutOnce write once per agency and key (an API request's
// Idempotency-Key): Answer turns the results into the answer kept for
// repeats, in the write's transaction; keep false keeps none.
type Once struct {
	Key         string
	RequestHash string
	Answer      func([]Result) (a store.Idempotent, keep bool, err error)
}

// PutOnce is Put, done once per once's key when once is not nil: a key
// answered already writes nothing and fails with store.ErrRepeated, and
// the answer to read is the store's IdempotentAnswer.
func PutOnce(ctx context.Context, s Store, agency store.Agency, raws []listing.Raw, once *Once) ([]Result, error) {
	results := make([]Result, len(raws))
	var (
		valid    []*listing.Listing
		at       []int // index in raws of each valid listing
		rejected []store.Rejection
	)
	for i, raw := range raws {
		l, warnings, errs := prepare(raw)
		results[i] = Result{ExternalID: raw.ExternalID, Warnings: warnings}
		if errs != nil {
			results[i].Outcome = Rejected
			results[i].Errors = errs
			rejected = append(rejected, rejections(0, raw.ExternalID, errs)...)
			continue
		}
		valid = append(valid, l)
		at = append(at, i)
	}
	fill := func(stored []store.PutResult) {
		for j, r := range stored {
			results[at[j]].ID = r.ID
			results[at[j]].Outcome = string(r.Outcome)
		}
	}
	wk := store.Work{Agency: agency, Source: "api", Puts: valid, Rejected: rejected, Sent: len(raws)}
	if once != nil {
		wk.Once = &store.Once{Key: once.Key, RequestHash: once.RequestHash, Answer: func(r store.WorkResult) (store.Idempotent, bool, error) {
			fill(r.Puts)
			return once.Answer(results)
		}}
	}
	res, err := s.Apply(ctx, []store.Work{wk})
	if err != nil {
		return nil, fmt.Errorf("ingest: %d listings of agency %q: %w", len(valid), agency.Slug, err)
	}
	fill(res[0].Puts)
	return results, nil
}

// prepare normalizes and validates one raw listing: the listing to store,
// or the fields that are wrong.
func prepare(raw listing.Raw) (*listing.Listing, []normalize.Warning, []*listing.FieldError) {
	n := normalize.Normalize(raw)
	l := n.Listing
	if err := l.Validate(); err != nil {
		return nil, n.Warnings, fieldErrors(err)
	}
	return &l, n.Warnings, nil
}

// rejections turns a row's field errors into rejection records.
func rejections(line int, externalID string, errs []*listing.FieldError) []store.Rejection {
	out := make([]store.Rejection, len(errs))
	for i, e := range errs {
		out[i] = store.Rejection{Line: line, ExternalID: externalID, Field: e.Field, Reason: e.Error()}
	}
	return out
}

// withoutValues returns errs without the values they quote: the field
// and the reason say what is wrong.
func withoutValues(errs []*listing.FieldError) []*listing.FieldError {
	out := make([]*listing.FieldError, len(errs))
	for i, e := range errs {
		out[i] = &listing.FieldError{Field: e.Field, Reason: e.Reason}
	}
	return out
}

func fieldErrors(err error) []*listing.FieldError {
	var inv listing.Invalid
	if errors.As(err, &inv) {
		return inv
	}
	return []*listing.FieldError{{Field: "listing", Reason: err.Error()}}
}
