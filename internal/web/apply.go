package web

import (
	"net/http"
	"net/url"
	"strconv"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/traffic"
)

// applyPath is the apply link of a listing as its agency offers it: every
// link to an agency's application page goes through it, so that the
// click is counted and leads only where that agency said.
func applyPath(id int64, agency string) string {
	return "/go/" + strconv.FormatInt(id, 10) + "/" + url.PathEscape(agency)
}

// apply answers /go/{id}/{agency} with a 302 to the apply URL the agency
// stored for the listing, and counts the click. The listing must be that
// agency's: any other pair, or a listing without an apply URL, is the 404
// page; a closed listing sends the reader to its own page (募集終了). No
// part of the destination comes from the request.
func (s *Site) apply(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.Error(w, r, problem.Errorf(problem.NotFound, "no listing %q", r.PathValue("id")))
		return
	}
	l, err := s.Catalog.Offer(r.Context(), id, r.PathValue("agency"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store") // each click reaches the server, to be counted
	h.Set("X-Robots-Tag", "noindex, nofollow")
	if l.Status != listing.StatusOpen {
		http.Redirect(w, r, "/listings/"+strconv.FormatInt(l.ID, 10), http.StatusFound)
		return
	}
	// The store takes only absolute http(s) apply URLs (listing.Validate);
	// checked again here, as this answer sends people there.
	u, err := url.Parse(l.ApplyURL)
	if l.ApplyURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		s.Error(w, r, problem.Errorf(problem.NotFound, "listing %d has no apply URL", id))
		return
	}
	s.Traffic.Count(r, traffic.Click, l.ID)
	http.Redirect(w, r, l.ApplyURL, http.StatusFound)
}
