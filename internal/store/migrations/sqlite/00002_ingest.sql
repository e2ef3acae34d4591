-- +goose Up
-- The webhook signing secret of an agency, kept as issued: verifying an
-- HMAC needs the secret itself (see README, "Webhooks"). Empty means the
-- agency has no webhook.
ALTER TABLE agencies ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';

-- group_id: the duplicate group (id of its first listing); minhash: the
-- listing's MinHash signature over its normalized text; feed_run: the last
-- feed run that carried it, so a full feed can close what it no longer has.
ALTER TABLE listings ADD COLUMN group_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE listings ADD COLUMN minhash BLOB;
ALTER TABLE listings ADD COLUMN feed_run INTEGER NOT NULL DEFAULT 0;
CREATE INDEX listings_group ON listings (group_id);

-- LSH buckets of listings: one row per (band hash, listing). A listing
-- sharing any bucket with another is a candidate duplicate. A listing's rows
-- are found again from its minhash when its text changes.
CREATE TABLE listing_bands (
    hash       INTEGER NOT NULL,
    listing_id INTEGER NOT NULL REFERENCES listings (id),
    PRIMARY KEY (hash, listing_id)
) WITHOUT ROWID;

-- A feed run: one upload, poll or import of an agency's feed, with its
-- per-row counts. A full run closes the agency's listings it did not carry.
CREATE TABLE feed_runs (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    source      TEXT NOT NULL,
    format      TEXT NOT NULL,
    full_feed   BOOLEAN NOT NULL,
    state       TEXT NOT NULL,
    idempotency_key TEXT,
    rows_read   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    closed      INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE UNIQUE INDEX feed_runs_idempotency ON feed_runs (agency_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The durable inbox: every accepted webhook delivery and feed row, stored
-- before the answer. Workers claim pending items whose run_after has come
-- (a claim pushes run_after out by a lease), retry with backoff and park
-- what keeps failing.
CREATE TABLE inbox (
    id              INTEGER PRIMARY KEY,
    agency_id       INTEGER NOT NULL REFERENCES agencies (id),
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    idempotency_key TEXT,
    run_id          INTEGER REFERENCES feed_runs (id),
    line            INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    run_after       TIMESTAMP NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    received_at     TIMESTAMP NOT NULL,
    done_at         TIMESTAMP
);
CREATE UNIQUE INDEX inbox_idempotency ON inbox (agency_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX inbox_pending ON inbox (run_after) WHERE state = 'pending';
CREATE INDEX inbox_run ON inbox (run_id, state) WHERE run_id IS NOT NULL;

-- Rows and items that were not stored, and why, for the agency to read.
CREATE TABLE rejections (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    source      TEXT NOT NULL,
    run_id      INTEGER,
    inbox_id    INTEGER,
    line        INTEGER NOT NULL DEFAULT 0,
    external_id TEXT NOT NULL DEFAULT '',
    field       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX rejections_agency ON rejections (agency_id, id);

-- Signed webhook deliveries seen in the last minutes: a delivery whose
-- signature is here is a replay.
CREATE TABLE webhook_deliveries (
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    signature   TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agency_id, signature)
);
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (received_at);

-- Answers to API writes sent with an Idempotency-Key.
CREATE TABLE idempotency (
    agency_id    INTEGER NOT NULL REFERENCES agencies (id),
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (agency_id, idem_key)
);

-- Feeds anken fetches on a schedule.
CREATE TABLE feed_sources (
    id            INTEGER PRIMARY KEY,
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    url           TEXT NOT NULL,
    format        TEXT NOT NULL,
    full_feed     BOOLEAN NOT NULL,
    options       TEXT NOT NULL DEFAULT '{}',
    every_seconds INTEGER NOT NULL,
    next_at       TIMESTAMP NOT NULL,
    etag          TEXT NOT NULL DEFAULT '',
    last_run      INTEGER NOT NULL DEFAULT 0,
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
