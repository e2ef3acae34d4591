package web

import (
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/traffic"
	"anken/internal/wording"
)

// listingView is one listing's page.
type listingView struct {
	base
	L      listing.Listing
	Closed bool
	// PayQuote and PayNote are the pay as the agency quoted it and what
	// it comes to at the stated workload (wording.PayParts).
	PayQuote, PayNote string
	Offers            []listing.Listing // every agency's offer of the job; empty when one
	Similar           []cardView
	JSONLD            template.JS // schema.org JobPosting; empty for a closed listing
	RoleURL           string
}

// similarCount is how many similar listings a listing page shows.
const similarCount = 6

func (s *Site) listing(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.Error(w, r, problem.Errorf(problem.NotFound, "no listing %q", r.PathValue("id")))
		return
	}
	d, err := s.Catalog.Listing(ctx, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	l := d.Listing
	v := listingView{base: s.base(r, l.Title), L: l, Closed: l.Status == listing.StatusClosed, Offers: d.Offers}
	v.PayQuote, v.PayNote = wording.PayParts(&l)
	v.Description = listingDescription(l)
	v.Canonical = s.absolute("/listings/" + strconv.FormatInt(l.ID, 10))
	v.Crumbs = []crumb{{"トップ", "/"}, {"案件検索", "/search"}}
	if l.Role != "" {
		v.RoleURL = "/search?role=" + string(l.Role)
		v.Crumbs = append(v.Crumbs, crumb{roleName(l.Role) + "の案件", "/roles/" + string(l.Role)})
	}
	v.Crumbs = append(v.Crumbs, crumb{excerpt(l.Title, 24), ""})
	if !v.Closed {
		b, err := jobPosting(l, agencyName(v.Names, l.Agency), s.BaseURL)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		v.JSONLD = template.JS(b)
	}
	similar, err := s.Catalog.Similar(ctx, l, similarCount)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Similar = cards(similar, v.base)
	s.Traffic.Count(r, traffic.View, l.ID)
	if vw := s.currentViewer(r); vw != nil {
		// 閲覧履歴: the page does not fail for want of it.
		if err := s.Accounts.Viewed(ctx, vw.ID, l.ID); err != nil && !canceled(ctx) {
			s.Log.WarnContext(ctx, "history", slog.Int64("listing", l.ID), slog.Any("err", err))
		}
	}
	s.render(w, r, http.StatusOK, "listing", v)
}

// listingDescription is the meta description of a listing's page: its
// pay, style and place, then the start of its text.
func listingDescription(l listing.Listing) string {
	parts := []string{payText(l)}
	if l.Remote != "" {
		parts = append(parts, remoteName(l.Remote))
	}
	if d := daysText(l.DaysPerWeek); d != "" {
		parts = append(parts, d)
	}
	if l.Prefecture != "" {
		parts = append(parts, prefectureName(l.Prefecture))
	}
	return strings.Join(parts, "・") + "。" + excerpt(l.Description, 90)
}

// jobPosting is the listing as schema.org JobPosting JSON-LD, with the
// properties Google for Jobs reads. encoding/json escapes <, > and &, so
// the text cannot close the script element it sits in.
func jobPosting(l listing.Listing, agency, baseURL string) ([]byte, error) {
	type value struct {
		Type     string `json:"@type"`
		MinValue int64  `json:"minValue,omitempty"`
		MaxValue int64  `json:"maxValue,omitempty"`
		Value    int64  `json:"value,omitempty"`
		UnitText string `json:"unitText"`
	}
	type amount struct {
		Type     string `json:"@type"`
		Currency string `json:"currency"`
		Value    value  `json:"value"`
	}
	type address struct {
		Type     string `json:"@type"`
		Region   string `json:"addressRegion,omitempty"`
		Locality string `json:"addressLocality,omitempty"`
		Country  string `json:"addressCountry"`
	}
	type place struct {
		Type    string  `json:"@type"`
		Address address `json:"address"`
	}
	type named struct {
		Type string `json:"@type"`
		Name string `json:"name"`
		URL  string `json:"sameAs,omitempty"`
	}
	type identifier struct {
		Type  string `json:"@type"`
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	jp := struct {
		Context         string     `json:"@context"`
		Type            string     `json:"@type"`
		Title           string     `json:"title"`
		Description     string     `json:"description"`
		DatePosted      string     `json:"datePosted"`
		ValidThrough    string     `json:"validThrough,omitempty"`
		EmploymentType  []string   `json:"employmentType"`
		Hiring          named      `json:"hiringOrganization"`
		Identifier      identifier `json:"identifier"`
		URL             string     `json:"url"`
		JobLocation     *place     `json:"jobLocation,omitempty"`
		LocationType    string     `json:"jobLocationType,omitempty"`
		Applicant       *named     `json:"applicantLocationRequirements,omitempty"`
		BaseSalary      *amount    `json:"baseSalary,omitempty"`
		Skills          string     `json:"skills,omitempty"`
		DirectApply     bool       `json:"directApply"`
		OccupationalCat string     `json:"occupationalCategory,omitempty"`
		WorkHours       string     `json:"workHours,omitempty"`
		JobStartDate    string     `json:"jobStartDate,omitempty"`
	}{
		Context:        "https://schema.org/",
		Type:           "JobPosting",
		Title:          l.Title,
		Description:    strings.ReplaceAll(template.HTMLEscapeString(l.Description), "\n", "<br>"),
		DatePosted:     l.PostedAt.UTC().Format(time.RFC3339),
		EmploymentType: []string{"CONTRACTOR"},
		Hiring:         named{Type: "Organization", Name: agency},
		Identifier:     identifier{Type: "PropertyValue", Name: agency, Value: l.ExternalID},
		URL:            baseURL + "/listings/" + strconv.FormatInt(l.ID, 10),
	}
	if l.SideJobOK {
		jp.EmploymentType = append(jp.EmploymentType, "PART_TIME")
	}
	if l.ValidThrough != nil {
		jp.ValidThrough = l.ValidThrough.UTC().Format(time.RFC3339)
	}
	if l.Remote == listing.RemoteFull {
		jp.LocationType = "TELECOMMUTE"
		jp.Applicant = &named{Type: "Country", Name: "JP"}
	}
	if l.Prefecture != "" || l.Location != "" || l.Remote != listing.RemoteFull {
		a := address{Type: "PostalAddress", Country: "JP", Locality: l.Location}
		if l.Prefecture != "" {
			a.Region = prefectureName(l.Prefecture)
		}
		if a.Region != "" || a.Locality != "" {
			jp.JobLocation = &place{Type: "Place", Address: a}
		}
	}
	if sal := salary(l.Rate); sal != nil {
		jp.BaseSalary = &amount{Type: "MonetaryAmount", Currency: "JPY", Value: value{Type: "QuantitativeValue",
			MinValue: sal.min, MaxValue: sal.max, Value: sal.value, UnitText: sal.unit}}
	}
	var names []string
	for _, sk := range l.Skills {
		names = append(names, skillName(sk))
	}
	jp.Skills = strings.Join(names, ", ")
	if l.Role != "" {
		jp.OccupationalCat = roleName(l.Role)
	}
	if d := daysText(l.DaysPerWeek); d != "" {
		jp.WorkHours = d
	}
	if l.Start != "" && l.Start != listing.StartImmediate {
		jp.JobStartDate = l.Start
	}
	return json.Marshal(jp)
}

type pay struct {
	min, max, value int64
	unit            string
}

// salary is the pay as the agency quoted it: its amounts in its unit,
// HOUR, DAY, MONTH or YEAR (never a conversion to a month); nil when no
// amount is stated.
func salary(r listing.Rate) *pay {
	unit := map[listing.RateUnit]string{listing.PerHour: "HOUR", listing.PerDay: "DAY", listing.PerYear: "YEAR"}[r.Unit]
	lo, hi := r.Min, r.Max
	if unit == "" {
		unit = "MONTH"
		if lo == 0 && hi == 0 { // a row stored with only the monthly figures
			lo, hi = r.MonthlyMin, r.MonthlyMax
		}
	}
	switch {
	case lo > 0 && hi > 0 && lo != hi:
		return &pay{min: lo, max: hi, unit: unit}
	case lo > 0 || hi > 0:
		return &pay{value: max(lo, hi), unit: unit}
	}
	return nil
}
