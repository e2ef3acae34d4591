-- +goose Up
-- What a Store reads to build its duplicate buckets (buckets.go), kept
-- apart from the listings' documents: the build reads this index, about
-- 300 bytes a listing, rather than every page of the table. Each
-- `anken import` builds them once, so a catalogue imported agency by
-- agency read the whole table once an agency.
CREATE INDEX listings_buckets ON listings (id, agency_id, seq, minhash);

-- +goose Down
DROP INDEX listings_buckets;
