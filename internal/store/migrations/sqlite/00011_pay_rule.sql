-- +goose Up
-- Pay at the stated workload (DESIGN.md "Pay"): a listing's monthly pay is
-- what it pays a month at the days and hours it states, no longer every
-- hourly rate × 160. pay_rule says which rule a day's snapshot was taken
-- under: 1 the old one (every listing, hourly × 160), 2 the new one (role
-- and skill scopes over full-workload listings), so a trend can say where
-- the rule changed; snapshots taken before stay as they were.
ALTER TABLE market_snapshots ADD COLUMN pay_rule INTEGER NOT NULL DEFAULT 1;

-- rederived names each one-time re-derivation of the stored listings'
-- derived fields (Store.Rederive) that has run to its end, so it runs once.
CREATE TABLE rederived (
    rule TEXT PRIMARY KEY,
    at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE rederived;
ALTER TABLE market_snapshots DROP COLUMN pay_rule;
