package api

import (
	"context"

	"time"

	"anken/internal/ingest"
	"anken/internal/problem"
	"anken/internal/store"
)

// IngestStore is what webhooks, feed uploads, rejections and idempotent
// writes need of the store, beyond Store. Those operations answer 503 when
// Deps.Store lacks these methods (store.Store has them).
type IngestStore interface {
	ingest.FeedStore
	WebhookSecret(ctx context.Context, slug string) (store.Agency, string, error)
	EnqueueDelivery(ctx context.Context, agency store.Agency, signature string, it store.NewItem, replayWindow time.Duration) (int64, bool, error)
	Rejections(ctx context.Context, agency store.Agency, f store.RejectionFilter) ([]store.Rejection, error)
	IdempotentAnswer(ctx context.Context, agency store.Agency, key string) (store.Idempotent, error)
	PutFeedSource(ctx context.Context, src store.FeedSource) (store.FeedSource, error)
	FeedSources(ctx context.Context, agency store.Agency) ([]store.FeedSource, error)
	DeleteFeedSource(ctx context.Context, agency store.Agency, id int64) error
	ConfirmRun(ctx context.Context, runID int64) (store.FeedRun, error)
}

// ingestStore returns the store's ingest side, or nil.
func (h *handlers) ingestStore() IngestStore {
	s, _ := h.Store.(IngestStore)
	return s
}

// needIngest returns the store's ingest side, or the problem to answer when
// this server's store has none.
func (h *handlers) needIngest() (IngestStore, error) {
	if s := h.ingestStore(); s != nil {
		return s, nil
	}
	return nil, h.fail(context.Background(), fault(problem.Unavailable, "ingestion is not available on this server"))
}
