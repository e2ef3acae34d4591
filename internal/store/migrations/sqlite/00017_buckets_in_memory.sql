-- +goose Up
-- The LSH buckets of duplicate grouping are held in memory by each node,
-- built from listings.minhash and caught up from the change log in the
-- write transaction (internal/store/buckets.go): the table, 17 rows a
-- listing keyed by a random hash, was most of what a bulk import wrote.
-- Nothing to convert: minhash holds every listing's buckets.
DROP TABLE listing_bands;

-- +goose Down
-- The table comes back empty: its rows are hashes SQL cannot compute.
-- A binary from before this migration then finds duplicates only among
-- listings written after the downgrade.
CREATE TABLE listing_bands (
    hash       INTEGER NOT NULL,
    listing_id INTEGER NOT NULL,
    agency_id  INTEGER NOT NULL,
    PRIMARY KEY (hash, listing_id)
) WITHOUT ROWID;
