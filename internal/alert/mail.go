package alert

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/mail"
	"anken/internal/store"
	"anken/internal/wording"
)

// maxPerMail is how many listings one alert mail shows; the rest are one
// link to the search, newest first.
const maxPerMail = 30

// alertView is what the alert templates see.
type alertView struct {
	Name        string // the saved search's name
	Digest      bool   // a daily digest rather than an instant alert
	Count       int    // new listings in all
	Listings    []listingView
	More        int    // new listings not shown
	SearchURL   string // the saved search, newest first
	SettingsURL string // the engineer's saved searches
	StopURL     string // one-click unsubscribe from this search
}

type listingView struct {
	Title, URL                        string
	Rate, Remote, Days, Place, Skills string
	SideJob                           bool
	// ApplyURL is the listing's apply link, counted: /go/{id}/{agency}
	// (absolute); empty when its agency stored none.
	ApplyURL string
}

// compose writes the alert mail of a saved search for the listings.
func (w *Worker) compose(s store.AlertSearch, ls []*listing.Listing) (store.Mail, error) {
	base := w.cfg.BaseURL
	v := alertView{
		Name:        s.Name,
		Digest:      s.Alert == "daily",
		Count:       len(ls),
		SearchURL:   base + "/search?" + withNewest(s.Query),
		SettingsURL: base + "/me/searches",
		StopURL:     base + "/unsubscribe/" + s.Unsubscribe,
	}
	for i, l := range ls {
		if i == maxPerMail {
			v.More = len(ls) - maxPerMail
			break
		}
		v.Listings = append(v.Listings, viewOf(base, l))
	}
	name := "alert"
	if v.Digest {
		name = "digest"
	}
	c, err := mail.Render(name, v)
	if err != nil {
		return store.Mail{}, err
	}
	return store.Mail{
		EngineerID: s.EngineerID,
		Kind:       name,
		To:         s.Email,
		Subject:    c.Subject,
		Text:       c.Text,
		HTML:       c.HTML,
		Headers: map[string]string{
			"List-Id":               fmt.Sprintf("anken alerts <alerts.%s>", host(base)),
			"List-Unsubscribe":      "<" + v.StopURL + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	}, nil
}

func viewOf(base string, l *listing.Listing) listingView {
	v := listingView{
		Title:   l.Title,
		URL:     base + "/listings/" + strconv.FormatInt(l.ID, 10),
		Rate:    wording.Pay(l),
		Remote:  wording.Remote(l.Remote),
		Days:    wording.Days(l.DaysPerWeek),
		Place:   wording.Place(l.Prefecture, l.Location),
		SideJob: l.SideJobOK,
	}
	if l.ApplyURL != "" && l.Status == listing.StatusOpen {
		v.ApplyURL = base + "/go/" + strconv.FormatInt(l.ID, 10) + "/" + url.PathEscape(l.Agency)
	}
	for i, s := range l.Skills {
		if i == 5 {
			break
		}
		if i > 0 {
			v.Skills += "・"
		}
		v.Skills += wording.Skill(s)
	}
	return v
}

// withNewest is a saved search's query sorted newest first, for the link
// to the listings a mail could not show.
func withNewest(query string) string {
	p, err := catalog.ParseQuery(query)
	if err != nil {
		return query
	}
	p.Sort, p.Cursor = "newest", ""
	return p.Values().Encode()
}

func randomHolder() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", name, os.Getpid(), hex.EncodeToString(b[:]))
}
