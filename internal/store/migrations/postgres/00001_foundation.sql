-- +goose Up
CREATE TABLE agencies (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- API keys are stored as the SHA-256 of the key; the key itself is shown once.
CREATE TABLE api_keys (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id  BIGINT NOT NULL REFERENCES agencies (id),
    hash       TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

-- doc holds the listing as JSON without id and agency, which come from columns.
CREATE TABLE listings (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id    BIGINT NOT NULL REFERENCES agencies (id),
    external_id  TEXT NOT NULL,
    status       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    doc          JSONB NOT NULL,
    seq          BIGINT NOT NULL,
    posted_at    TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (agency_id, external_id)
);

-- The change log the search index follows: one row per stored change. Writers
-- take an advisory lock before appending, so sequence numbers commit in order
-- and a follower never skips one that commits late.
CREATE TABLE listing_changes (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    listing_id BIGINT NOT NULL REFERENCES listings (id),
    op         TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE listing_changes;
DROP TABLE listings;
DROP TABLE api_keys;
DROP TABLE agencies;
