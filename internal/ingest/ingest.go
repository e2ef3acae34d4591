// Package ingest takes listings as agencies send them, normalizes and
// validates each one, and stores those that pass, reporting per item.
package ingest

import (
	"context"
	"errors"
	"fmt"

	"anken/internal/listing"
	"anken/internal/normalize"
	"anken/internal/store"
)

// Store is what ingest needs of the system of record.
type Store interface {
	PutListings(ctx context.Context, agency store.Agency, ls []*listing.Listing) ([]store.PutResult, error)
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
// from being stored. The error is for the store failing as a whole.
func Put(ctx context.Context, s Store, agency store.Agency, raws []listing.Raw) ([]Result, error) {
	results := make([]Result, len(raws))
	var (
		valid []*listing.Listing
		at    []int // index in raws of each valid listing
	)
	for i, raw := range raws {
		n := normalize.Normalize(raw)
		results[i] = Result{ExternalID: raw.ExternalID, Warnings: n.Warnings}
		l := n.Listing
		if err := l.Validate(); err != nil {
			results[i].Outcome = Rejected
			results[i].Errors = fieldErrors(err)
			continue
		}
		valid = append(valid, &l)
		at = append(at, i)
	}
	if len(valid) == 0 {
		return results, nil
	}
	stored, err := s.PutListings(ctx, agency, valid)
	if err != nil {
		return nil, fmt.Errorf("ingest: %d listings of agency %q: %w", len(valid), agency.Slug, err)
	}
	for j, r := range stored {
		results[at[j]].ID = r.ID
		results[at[j]].Outcome = string(r.Outcome)
	}
	return results, nil
}

func fieldErrors(err error) []*listing.FieldError {
	var inv listing.Invalid
	if errors.As(err, &inv) {
		return inv
	}
	return []*listing.FieldError{{Field: "listing", Reason: err.Error()}}
}
