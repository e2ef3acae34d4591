-- +goose Up
-- The store's identity: one random id, made once when the database is
-- created (or first migrated to this version). Every node that opens the
-- database reads the same id, and a copy made by a backup carries it; a
-- different database has another. A node's snapshot of its search index
-- records it, so that the snapshot is never loaded onto another store.
-- one keeps the table to a single row.
CREATE TABLE store_identity (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    id         TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO store_identity (one, id, created_at) VALUES (1, lower(hex(randomblob(16))), CURRENT_TIMESTAMP);

-- +goose Down
DROP TABLE store_identity;
