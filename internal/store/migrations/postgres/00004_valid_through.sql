-- +goose Up
-- valid_through: when the listing closes by itself (it is also in doc), in a
-- column so that the open listings past it are found through an index.
ALTER TABLE listings ADD COLUMN valid_through TIMESTAMPTZ;
UPDATE listings SET valid_through = (doc->>'valid_through')::timestamptz
WHERE doc->>'valid_through' IS NOT NULL;
CREATE INDEX listings_valid_through ON listings (valid_through) WHERE status = 'open' AND valid_through IS NOT NULL;

-- +goose Down
DROP INDEX listings_valid_through;
ALTER TABLE listings DROP COLUMN valid_through;
