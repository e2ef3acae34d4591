-- +goose Up
-- The webhook signing secret of an agency, kept as issued: verifying an
-- HMAC needs the secret itself (see README, "Webhooks"). Empty means the
-- agency has no webhook.
ALTER TABLE agencies ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';

-- group_id: the duplicate group (id of its first listing); minhash: the
-- listing's MinHash signature over its normalized text; feed_run: the last
-- feed run that carried it, so a full feed can close what it no longer has.
ALTER TABLE listings ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE listings ADD COLUMN minhash BYTEA;
ALTER TABLE listings ADD COLUMN feed_run BIGINT NOT NULL DEFAULT 0;
CREATE INDEX listings_group ON listings (group_id);

-- LSH buckets of listings: one row per (band hash, listing). A listing
-- sharing any bucket with another is a candidate duplicate. A listing's rows
-- are found again from its minhash when its text changes.
CREATE TABLE listing_bands (
    hash       BIGINT NOT NULL,
    listing_id BIGINT NOT NULL REFERENCES listings (id),
    PRIMARY KEY (hash, listing_id)
);

-- A feed run: one upload, poll or import of an agency's feed, with its
-- per-row counts. A full run closes the agency's listings it did not carry.
CREATE TABLE feed_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id   BIGINT NOT NULL REFERENCES agencies (id),
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    full_feed   BOOLEAN NOT NULL,
    state       TEXT NOT NULL,
    idempotency_key TEXT,
    rows_read   BIGINT NOT NULL DEFAULT 0,
    created     BIGINT NOT NULL DEFAULT 0,
    updated     BIGINT NOT NULL DEFAULT 0,
    unchanged   BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0,
    closed      BIGINT NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX feed_runs_idempotency ON feed_runs (agency_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The durable inbox: every accepted webhook delivery and feed row, stored
-- before the answer. Workers claim pending items whose run_after has come
-- (a claim pushes run_after out by a lease), retry with backoff and park
-- what keeps failing.
CREATE TABLE inbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id       BIGINT NOT NULL REFERENCES agencies (id),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    idempotency_key TEXT,
    run_id          BIGINT REFERENCES feed_runs (id),
    line            BIGINT NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    run_after       TIMESTAMPTZ NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    received_at     TIMESTAMPTZ NOT NULL,
    done_at         TIMESTAMPTZ
);
CREATE UNIQUE INDEX inbox_idempotency ON inbox (agency_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX inbox_pending ON inbox (run_after) WHERE state = 'pending';
CREATE INDEX inbox_run ON inbox (run_id, state) WHERE run_id IS NOT NULL;

-- Rows and items that were not stored, and why, for the agency to read.
CREATE TABLE rejections (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id   BIGINT NOT NULL REFERENCES agencies (id),
    source      TEXT NOT NULL,
    run_id      BIGINT,
    inbox_id    BIGINT,
    line        BIGINT NOT NULL DEFAULT 0,
    external_id TEXT NOT NULL DEFAULT '',
    field       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX rejections_agency ON rejections (agency_id, id);

-- Signed webhook deliveries seen in the last minutes: a delivery whose
-- signature is here is a replay.
CREATE TABLE webhook_deliveries (
    agency_id   BIGINT NOT NULL REFERENCES agencies (id),
    signature   TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, signature)
);
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (received_at);

-- Answers to API writes sent with an Idempotency-Key.
CREATE TABLE idempotency (
    agency_id    BIGINT NOT NULL REFERENCES agencies (id),
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    response     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agency_id, idem_key)
);

-- Feeds anken fetches on a schedule.
CREATE TABLE feed_sources (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id     BIGINT NOT NULL REFERENCES agencies (id),
    url           TEXT NOT NULL,
    format        TEXT NOT NULL,
    full_feed     BOOLEAN NOT NULL,
    options       TEXT NOT NULL DEFAULT '{}',
    every_seconds BIGINT NOT NULL,
    next_at       TIMESTAMPTZ NOT NULL,
    etag          TEXT NOT NULL DEFAULT '',
    last_run      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    UNIQUE (agency_id, url)
);

-- +goose Down
DROP TABLE feed_sources;
DROP TABLE idempotency;
DROP TABLE webhook_deliveries;
DROP TABLE rejections;
DROP TABLE inbox;
DROP TABLE feed_runs;
DROP TABLE listing_bands;
DROP INDEX listings_group;
ALTER TABLE listings DROP COLUMN feed_run;
ALTER TABLE listings DROP COLUMN minhash;
ALTER TABLE listings DROP COLUMN group_id;
ALTER TABLE agencies DROP COLUMN webhook_secret;
