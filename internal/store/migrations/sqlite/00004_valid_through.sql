-- +goose Up
-- valid_through: when the listing closes by itself (it is also in doc), in a
-- column so that the open listings past it are found through an index.
-- SQLite compares these times as text, so every value is written in the
-- driver's form of a UTC time, "2027-01-31 00:00:00 +0000 UTC" (fractions
-- of a second after a dot, trailing zeros cut); the backfill writes the
-- same, to the millisecond. The column comes after doc: it is read only
-- through its index, which holds it, so no read walks doc's overflow pages
-- for it.
ALTER TABLE listings ADD COLUMN valid_through TIMESTAMP;
UPDATE listings SET valid_through =
    strftime('%Y-%m-%d %H:%M:%S', json_extract(doc, '$.valid_through'))
    || CASE substr(strftime('%f', json_extract(doc, '$.valid_through')), 4)
        WHEN '000' THEN ''
        ELSE '.' || rtrim(substr(strftime('%f', json_extract(doc, '$.valid_through')), 4), '0')
       END
    || ' +0000 UTC'
WHERE json_extract(doc, '$.valid_through') IS NOT NULL;
CREATE INDEX listings_valid_through ON listings (valid_through) WHERE status = 'open' AND valid_through IS NOT NULL;

-- +goose Down
DROP INDEX listings_valid_through;
ALTER TABLE listings DROP COLUMN valid_through;
