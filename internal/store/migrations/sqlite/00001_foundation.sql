-- +goose Up
CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- API keys are stored as the SHA-256 of the key; the key itself is shown once.
CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    hash       TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- doc holds the listing as JSON without id and agency, which come from columns.
CREATE TABLE listings (
    id           INTEGER PRIMARY KEY,
    agency_id    INTEGER NOT NULL REFERENCES agencies (id),
    external_id  TEXT NOT NULL,
    status       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    doc          TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    posted_at    TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (agency_id, external_id)
);

-- The change log the search index follows: one row per stored change, in
-- commit order.
CREATE TABLE listing_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id INTEGER NOT NULL REFERENCES listings (id),
    op         TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE listing_changes;
DROP TABLE listings;
DROP TABLE api_keys;
DROP TABLE agencies;
