-- +goose Up
-- first_seen is when anken first stored the listing (posted_within and
-- 今日の新着 count from it); a listing stored before this column gets its
-- posted_at, the best that is known of it. It is set once, at insert.
ALTER TABLE listings ADD COLUMN first_seen TIMESTAMP;
UPDATE listings SET first_seen = posted_at;
CREATE INDEX listings_first_seen ON listings (first_seen);

-- +goose Down
DROP INDEX listings_first_seen;
ALTER TABLE listings DROP COLUMN first_seen;
