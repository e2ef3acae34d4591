package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
)

// WriterStore is what the Writer needs of the store; *store.Store is it.
type WriterStore interface {
	Store
	IdempotentAnswer(ctx context.Context, agency store.Agency, key string) (store.Idempotent, error)
	CloseListing(ctx context.Context, agency store.Agency, externalID string) (store.PutResult, error)
}

// Writer is the one write path of agencies' listings sent by the API:
// normalize, validate and store them (Put), once per Idempotency-Key, and
// wake the local index. Safe for concurrent use.
type Writer struct {
	st    WriterStore
	wrote func()
}

// NewWriter returns the writer over st; wrote is called after a write
// that stored something, so the local index takes it in at once (nil for
// none).
func NewWriter(st WriterStore, wrote func()) *Writer {
	if wrote == nil {
		wrote = func() {}
	}
	return &Writer{st: st, wrote: wrote}
}

// Request is one write of an agency's listings.
type Request struct {
	Agency store.Agency
	Raws   []listing.Raw
	// Key is the request's Idempotency-Key, "" for none. Op and Body name
	// the request (its method and target, and what it sent), so that a
	// key used again for another request is refused.
	Key, Op string
	Body    any
}

// ErrKeyReused is the error for an Idempotency-Key used before for a
// different request.
var ErrKeyReused = errors.New("Idempotency-Key was used for a different request")

// Write stores req's listings. answer turns the results into the answer
// the request gets, and says whether it is kept for repeats of the key (a
// rejected PUT keeps none: it changed nothing, and may be sent again
// corrected); the write and its kept answer are stored in one
// transaction, so a crash cannot leave one without the other.
//
// A request repeating a key writes nothing: Write returns no results and
// the answer kept for the key (its JSON), which the caller gives again;
// answer is not called. A key used for another request is ErrKeyReused
// (Unprocessable). A store that fails is Unavailable: nothing was stored.
func (w *Writer) Write(ctx context.Context, req Request, answer func([]Result) (any, bool)) ([]Result, json.RawMessage, error) {
	if req.Key == "" {
		res, err := w.put(ctx, req, nil)
		if err == nil {
			answer(res)
		}
		return res, nil, err
	}
	b, err := json.Marshal(req.Body)
	if err != nil {
		return nil, nil, problem.Wrap(problem.Invalid, err, "the request cannot be encoded")
	}
	sum := sha256.Sum256(append([]byte(req.Op+"\n"), b...))
	hash := hex.EncodeToString(sum[:])
	kept := func() ([]Result, json.RawMessage, error) {
		a, err := w.st.IdempotentAnswer(ctx, req.Agency, req.Key)
		if err != nil {
			return nil, nil, problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly")
		}
		if a.RequestHash != hash {
			return nil, nil, &problem.Error{Kind: problem.Unprocessable, Message: ErrKeyReused.Error(), Err: ErrKeyReused,
				Details: []problem.Detail{{Location: "header.Idempotency-Key", Value: req.Key, Message: "use a new key for each distinct request"}}}
		}
		return nil, a.Response, nil
	}
	switch _, err := w.st.IdempotentAnswer(ctx, req.Agency, req.Key); {
	case err == nil:
		return kept() // a repeat: no write transaction
	case !errors.Is(err, store.ErrNotFound):
		return nil, nil, problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly")
	}
	once := &Once{Key: req.Key, RequestHash: hash, Answer: func(res []Result) (store.Idempotent, bool, error) {
		a, keep := answer(res)
		if !keep {
			return store.Idempotent{}, false, nil
		}
		resp, err := json.Marshal(a)
		return store.Idempotent{RequestHash: hash, Status: 200, Response: resp}, true, err
	}}
	res, err := w.put(ctx, req, once)
	if errors.Is(err, store.ErrRepeated) { // a concurrent request with the key wrote first
		return kept()
	}
	return res, nil, err
}

// put stores the request's listings, once per once's key when once is
// set (store.ErrRepeated when the key was answered).
func (w *Writer) put(ctx context.Context, req Request, once *Once) ([]Result, error) {
	res, err := PutOnce(ctx, w.st, req.Agency, req.Raws, once)
	if errors.Is(err, store.ErrRepeated) {
		return nil, store.ErrRepeated
	}
	if err != nil {
		return nil, problem.Wrap(problem.Unavailable, fmt.Errorf("ingest: write for %s: %w", req.Agency.Slug, err),
			"could not store the listings; nothing was stored, retry shortly")
	}
	w.wrote()
	return res, nil
}

// Close closes the agency's listing with the external id and wakes the
// local index; store.ErrNotFound when the agency has none.
func (w *Writer) Close(ctx context.Context, agency store.Agency, externalID string) (store.PutResult, error) {
	r, err := w.st.CloseListing(ctx, agency, externalID)
	if err == nil && r.Outcome != store.Unchanged {
		w.wrote()
	}
	return r, err
}
