-- +goose Up
-- Operators: the people who run anken (edit guides, manage agencies).
-- Each has one key, kept as its SHA-256 like agencies' api_keys; prefix
-- is the key's first characters, to tell keys apart in a listing.
CREATE TABLE operators (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    hash        TEXT NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);

-- Editorial content: side-job guides (kind guide, by category slug) and
-- job-type articles (kind role, by role). body is the whole file text,
-- front matter included. operator_id is who wrote the current version;
-- NULL when the content file in the binary did (seeded at start), which
-- lets a later release's file replace it until an operator edits it.
CREATE TABLE articles (
    kind        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    body        TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    operator_id BIGINT REFERENCES operators (id),
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, slug)
);

-- Every version of every article, the seeded ones included: who (the
-- operator, or NULL for the content file), when, and the full text.
CREATE TABLE article_revisions (
    kind        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    body        TEXT NOT NULL,
    operator_id BIGINT REFERENCES operators (id),
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, slug, revision)
);

-- +goose Down
DROP TABLE article_revisions;
DROP TABLE articles;
DROP TABLE operators;
