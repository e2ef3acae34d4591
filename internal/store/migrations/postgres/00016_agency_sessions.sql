-- +goose Up
-- Sessions of agencies logged in to their console (/agency) with an API
-- key: the token's SHA-256, as keys are kept, and the key it was opened
-- with. A session ends with its key: revoking or rotating the key (from
-- /ops, the API or the console) ends the sessions opened with it.
CREATE TABLE agency_sessions (
    hash        TEXT PRIMARY KEY,
    agency_id   BIGINT NOT NULL REFERENCES agencies (id),
    key_id      BIGINT NOT NULL REFERENCES api_keys (id),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX agency_sessions_expires ON agency_sessions (expires_at);

-- +goose Down
DROP TABLE agency_sessions;
