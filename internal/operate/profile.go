package operate

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/store"
)

// An agency's profile (/agencies/{slug}): its display name, description
// and site. The agency sets its own with its key (PUT /v1/agency/profile)
// and an operator any agency's (PUT /v1/operator/agencies/{slug}, the
// /ops agency page); all three go through SetAgencyProfile, so one rule
// decides what a profile may hold.

// Limits of a profile.
const (
	MaxAgencyName        = 200  // characters
	MaxAgencyDescription = 2000 // characters, line breaks included
	MaxAgencySiteURL     = 2000 // bytes
)

// ProfileError is a field of a profile that breaks the rule: Field is
// name, description or site_url; Reason says why, in English (the pages
// word it in Japanese from the field).
type ProfileError struct {
	Field  string
	Value  string
	Reason string
}

func (e *ProfileError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }

// CheckAgencyProfile returns p as it is stored, or the first field that
// breaks the rule as a *ProfileError:
//   - name: 1–200 characters without control characters (listing.HasControl),
//     white space around it trimmed;
//   - description: up to 2,000 characters; line breaks are kept (CR LF and
//     CR become "\n", as a form's textarea sends them) and any other control
//     character (listing.IsControl: tab, NUL, NEL, …) is refused; white
//     space around it trimmed;
//   - site_url: empty, or an absolute http or https URL with a host, up to
//     2,000 bytes, without control characters or spaces.
func CheckAgencyProfile(p store.AgencyProfile) (store.AgencyProfile, error) {
	bad := func(field, value, reason string) (store.AgencyProfile, error) {
		return store.AgencyProfile{}, &ProfileError{Field: field, Value: clip(value), Reason: reason}
	}
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case !utf8.ValidString(p.Name):
		return bad("name", p.Name, "is not valid UTF-8")
	case p.Name == "":
		return bad("name", p.Name, "is required")
	case listing.HasControl(p.Name):
		return bad("name", p.Name, "must not contain control characters (line breaks, tabs, …)")
	case utf8.RuneCountInString(p.Name) > MaxAgencyName:
		return bad("name", p.Name, fmt.Sprintf("must be at most %d characters", MaxAgencyName))
	}
	p.Description = strings.TrimSpace(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(p.Description))
	switch {
	case !utf8.ValidString(p.Description):
		return bad("description", p.Description, "is not valid UTF-8")
	case strings.ContainsFunc(p.Description, func(r rune) bool { return r != '\n' && listing.IsControl(r) }):
		return bad("description", p.Description, "must not contain control characters other than line breaks")
	case utf8.RuneCountInString(p.Description) > MaxAgencyDescription:
		return bad("description", p.Description, fmt.Sprintf("must be at most %d characters", MaxAgencyDescription))
	}
	p.SiteURL = strings.TrimSpace(p.SiteURL)
	if p.SiteURL == "" {
		return p, nil
	}
	if len(p.SiteURL) > MaxAgencySiteURL {
		return bad("site_url", p.SiteURL, fmt.Sprintf("must be at most %d bytes", MaxAgencySiteURL))
	}
	if !utf8.ValidString(p.SiteURL) || strings.ContainsFunc(p.SiteURL, func(r rune) bool { return listing.IsControl(r) || r == ' ' }) {
		return bad("site_url", p.SiteURL, "must not contain spaces or control characters")
	}
	u, err := url.Parse(p.SiteURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return bad("site_url", p.SiteURL, "must be an absolute http or https URL, such as https://agency.example/")
	}
	if u.User != nil {
		return bad("site_url", p.SiteURL, "must not carry a user name or password")
	}
	return p, nil
}

// clip shortens a refused value for its error.
func clip(s string) string {
	const most = 80
	if utf8.RuneCountInString(s) <= most {
		return s
	}
	return string([]rune(s)[:most]) + "…"
}

// AgencyProfile returns the profile of the agency with the slug, or
// store.ErrNotFound.
func (s *Service) AgencyProfile(ctx context.Context, slug string) (store.AgencyProfile, error) {
	return s.st.AgencyProfile(ctx, slug)
}

// SetAgencyProfile checks p (CheckAgencyProfile) and replaces the
// agency's profile with it; it returns the profile as stored. A profile
// that breaks the rule is a *ProfileError and changes nothing. Audited
// (the entry in ctx): target the agency, detail what changed.
func (s *Service) SetAgencyProfile(ctx context.Context, a store.Agency, p store.AgencyProfile) (store.AgencyProfile, error) {
	p, err := CheckAgencyProfile(p)
	if err != nil {
		return store.AgencyProfile{}, err
	}
	return s.st.SetAgencyProfile(ctx, a.ID, p)
}
