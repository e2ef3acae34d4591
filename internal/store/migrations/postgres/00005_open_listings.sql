-- +goose Up
-- The sitemap walks the open listings in id order with their updated_at,
-- a page at a time (OpenListingStamps): this index answers it alone,
-- without reading a listing's row and its document.
CREATE INDEX listings_status_id ON listings (status, id, updated_at);

-- +goose Down
DROP INDEX listings_status_id;
