-- +goose Up
-- What an agency says of itself on its public page (/agencies/{slug}),
-- beside its display name (name): a description (up to 2,000 characters,
-- line breaks as "\n") and its site's address (http or https), both
-- empty until set, and when either was last set (by the agency or an
-- operator; NULL until then).
ALTER TABLE agencies ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN site_url TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN profile_updated_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE agencies DROP COLUMN profile_updated_at;
ALTER TABLE agencies DROP COLUMN site_url;
ALTER TABLE agencies DROP COLUMN description;
