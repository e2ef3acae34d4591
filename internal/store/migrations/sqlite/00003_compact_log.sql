-- +goose NO TRANSACTION
-- +goose Up
-- Three changes for write speed, in one rebuild of the listings table:
--
-- 1. The change log is kept compacted on the listings themselves: a
--    listing's seq is the sequence number of its latest change, and a
--    follower reads the listings whose seq is above the last one it applied.
--    One indexed column replaces a table that grew with every change.
-- 2. doc becomes the last column. SQLite reads a row's columns in order, and
--    a doc of a few kilobytes spills onto overflow pages: columns after it
--    (group_id, minhash, feed_run, added by 00002) cost a walk of that chain
--    on every read and a rewrite of it on every update.
-- 3. A bucket row carries its listing's agency, so candidates of other
--    agencies are found in the index alone: a bucket full of one agency's
--    boilerplate costs no listing reads. The bucket table, derived from the
--    listings' minhash, loses its foreign key: a batch of bucket rows is
--    then one INSERT OR IGNORE that cannot abort halfway, and SQLite keeps
--    no statement journal for it (which cost more than the insert itself).
--
-- Dropping a table that others reference needs foreign keys off, which
-- SQLite allows only outside a transaction: hence NO TRANSACTION, and the
-- explicit one below (goose runs this file on one connection).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE listings_new (
    id           INTEGER PRIMARY KEY,
    agency_id    INTEGER NOT NULL REFERENCES agencies (id),
    external_id  TEXT NOT NULL,
    status       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    posted_at    TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    group_id     INTEGER NOT NULL DEFAULT 0,
    feed_run     INTEGER NOT NULL DEFAULT 0,
    minhash      BLOB,
    doc          TEXT NOT NULL,
    UNIQUE (agency_id, external_id)
);
INSERT INTO listings_new (id, agency_id, external_id, status, content_hash, seq, posted_at, updated_at, group_id, feed_run, minhash, doc)
    SELECT id, agency_id, external_id, status, content_hash, seq, posted_at, updated_at, group_id, feed_run, minhash, doc FROM listings;
DROP TABLE listing_changes;
DROP TABLE listings;
ALTER TABLE listings_new RENAME TO listings;
CREATE INDEX listings_group ON listings (group_id);
CREATE INDEX listings_seq ON listings (seq);
CREATE TABLE listing_bands_new (
    hash       INTEGER NOT NULL,
    listing_id INTEGER NOT NULL,
    agency_id  INTEGER NOT NULL,
    PRIMARY KEY (hash, listing_id)
) WITHOUT ROWID;
INSERT INTO listing_bands_new (hash, listing_id, agency_id)
    SELECT b.hash, b.listing_id, l.agency_id FROM listing_bands b JOIN listings l ON l.id = b.listing_id;
DROP TABLE listing_bands;
ALTER TABLE listing_bands_new RENAME TO listing_bands;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE listing_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_id INTEGER NOT NULL REFERENCES listings (id),
    op         TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
);
INSERT INTO listing_changes (seq, listing_id, op, at)
    SELECT seq, id, CASE status WHEN 'closed' THEN 'close' ELSE 'put' END, updated_at FROM listings ORDER BY seq;
DROP INDEX listings_seq;
CREATE TABLE listing_bands_old (
    hash       INTEGER NOT NULL,
    listing_id INTEGER NOT NULL REFERENCES listings (id),
    PRIMARY KEY (hash, listing_id)
) WITHOUT ROWID;
INSERT INTO listing_bands_old (hash, listing_id) SELECT hash, listing_id FROM listing_bands;
DROP TABLE listing_bands;
ALTER TABLE listing_bands_old RENAME TO listing_bands;
COMMIT;
PRAGMA foreign_keys = ON;
