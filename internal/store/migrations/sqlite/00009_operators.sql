-- +goose Up
-- The audit log: one row per write of an operator, an agency or the
-- command line, appended after the write and never changed: the store
-- offers no way to update or delete a row. actor_kind is operator,
-- agency or cli; actor the operator's name, the agency's slug or "cli";
-- action what was done (the API operation, e.g. batch-agency-listings,
-- or the command's name for it); target what it was done to (a path, an
-- agency, a listing); detail a short summary (1,000 listings: 998
-- accepted, 2 rejected); ip where it came from ("cli" for the command
-- line). An agency's batch of listings is one row, not one per listing.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- The database refuses to change or remove a row of the audit log, so
-- no code path (nor a mistaken one) can.
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd

-- Sessions of operators logged in to the operator pages (/ops): the
-- token's SHA-256, as keys are kept. A revoked operator's sessions end
-- with the key (the join checks revoked_at).
CREATE TABLE operator_sessions (
    hash        TEXT PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators (id),
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX operator_sessions_expires ON operator_sessions (expires_at);

-- A hidden listing (an operator took it out of public view) keeps its
-- stored doc as the agency wrote it and has status 'hidden' in its
-- column: every query of open listings passes it over, the index drops
-- it through the change log, and a put or close by the agency leaves it
-- hidden until an operator restores it. No column is added for it.

-- +goose Down
DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE operator_sessions;
DROP TABLE audit_log;
