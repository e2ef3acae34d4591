package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// AgencyProfile is what an agency says of itself on its public page
// (/agencies/{slug}): its display name, a description and its site. The
// agency sets it with its key, an operator for any agency; what a valid
// profile is, is the caller's rule (operate.CheckAgencyProfile).
type AgencyProfile struct {
	Slug        string
	Name        string    // display name (表示名)
	Description string    // line breaks as "\n"; empty until set
	SiteURL     string    // http or https; empty until set
	UpdatedAt   time.Time // when the profile was last set; zero until then
}

// AgencyProfile returns the profile of the agency with the slug, or
// ErrNotFound.
func (s *Store) AgencyProfile(ctx context.Context, slug string) (AgencyProfile, error) {
	p, err := scanProfile(s.db.QueryRowContext(ctx, `
		SELECT slug, name, description, site_url, profile_updated_at FROM agencies WHERE slug = $1`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return AgencyProfile{}, fmt.Errorf("store: agency %q: %w", slug, ErrNotFound)
	}
	if err != nil {
		return AgencyProfile{}, fmt.Errorf("store: profile of agency %q: %w", slug, err)
	}
	return p, nil
}

// SetAgencyProfile replaces the name, description and site of the agency
// with the id and returns the profile as stored; ErrNotFound when there
// is no such agency. Audited (WithAudit): target the agency, detail what
// changed ("name, description", or "unchanged").
func (s *Store) SetAgencyProfile(ctx context.Context, agencyID int64, p AgencyProfile) (AgencyProfile, error) {
	var out AgencyProfile
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		before, err := scanProfile(tx.QueryRowContext(ctx, `
			SELECT slug, name, description, site_url, profile_updated_at FROM agencies WHERE id = $1`, agencyID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: agency %d: %w", agencyID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: profile of agency %d: %w", agencyID, err)
		}
		out = AgencyProfile{Slug: before.Slug, Name: p.Name, Description: p.Description, SiteURL: p.SiteURL, UpdatedAt: s.now()}
		if _, err := tx.ExecContext(ctx, `
			UPDATE agencies SET name = $1, description = $2, site_url = $3, profile_updated_at = $4 WHERE id = $5`,
			out.Name, out.Description, out.SiteURL, out.UpdatedAt, agencyID); err != nil {
			return fmt.Errorf("store: set profile of agency %d: %w", agencyID, err)
		}
		return audit(ctx, tx, "agency "+before.Slug, profileChanges(before, out))
	})
	if err != nil {
		return AgencyProfile{}, err
	}
	return out, nil
}

// profileChanges says which fields of a profile a write changed, for its
// audit row: "profile: name, site_url (https://…)" or "profile unchanged".
func profileChanges(before, after AgencyProfile) string {
	var changed string
	add := func(field string, differ bool, shown string) {
		if !differ {
			return
		}
		if changed != "" {
			changed += ", "
		}
		changed += field
		if shown != "" {
			changed += " (" + shown + ")"
		}
	}
	add("name", before.Name != after.Name, after.Name)
	add("description", before.Description != after.Description, fmt.Sprintf("%d characters", utf8.RuneCountInString(after.Description)))
	add("site_url", before.SiteURL != after.SiteURL, after.SiteURL)
	if changed == "" {
		return "profile unchanged"
	}
	return "profile: " + changed
}

// scanProfile reads slug, name, description, site_url and
// profile_updated_at.
func scanProfile(row *sql.Row) (AgencyProfile, error) {
	var (
		p       AgencyProfile
		updated sql.NullTime
	)
	if err := row.Scan(&p.Slug, &p.Name, &p.Description, &p.SiteURL, &updated); err != nil {
		return AgencyProfile{}, err
	}
	if updated.Valid {
		p.UpdatedAt = updated.Time.UTC()
	}
	return p, nil
}
