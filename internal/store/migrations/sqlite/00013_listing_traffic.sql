-- +goose Up
-- How often each listing was shown on a page (impressions), had its page
-- opened (views) and was clicked through to apply (clicks, /go), per day
-- (YYYY-MM-DD in Asia/Tokyo). Nothing else is kept: no address, cookie,
-- account or time of day. Every node adds its own counts to a row
-- (ON CONFLICT … DO UPDATE SET views = views + excluded.views, …).
-- listing_id names listings.id; no foreign key, so that a flush of many
-- rows never fails for one of them.
CREATE TABLE listing_traffic (
    listing_id  INTEGER NOT NULL,
    day         TEXT NOT NULL,
    impressions INTEGER NOT NULL DEFAULT 0,
    views       INTEGER NOT NULL DEFAULT 0,
    clicks      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (listing_id, day)
);

-- +goose Down
DROP TABLE listing_traffic;
