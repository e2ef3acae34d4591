-- +goose Up
-- 閲覧履歴: the listings an engineer opened, the latest view of each; the
-- store keeps the last 100 of an engineer (older rows are dropped as new
-- ones come). Personal data: exported with the account, deleted with it.
CREATE TABLE viewed_listings (
    engineer_id BIGINT NOT NULL REFERENCES engineers (id) ON DELETE CASCADE,
    listing_id  BIGINT NOT NULL REFERENCES listings (id),
    viewed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (engineer_id, listing_id)
);
CREATE INDEX viewed_listings_recent ON viewed_listings (engineer_id, viewed_at);

-- +goose Down
DROP TABLE viewed_listings;
