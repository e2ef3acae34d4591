package api

import (
	"time"

	"anken/internal/store"
)

// FeedRun is a feed run as the API answers it.
type FeedRun struct {
	ID         int64      `json:"id"`
	Agency     string     `json:"agency"`
	Source     string     `json:"source" enum:"upload,url,import"`
	Format     string     `json:"format"`
	Full       bool       `json:"full" doc:"A full feed closes the agency's listings it does not contain."`
	State      string     `json:"state" enum:"receiving,received,done,aborted,failed,held" doc:"done: every row processed (and, for a full feed, the listings it lacks closed); aborted: the feed broke off; failed: a full feed that broke off, had no valid row or mostly rejected rows, and closed nothing; held: a full feed that would close more than half of the open listings and waits for confirmation."`
	Rows       int        `json:"rows" doc:"Rows read from the feed."`
	Created    int        `json:"created"`
	Updated    int        `json:"updated"`
	Unchanged  int        `json:"unchanged"`
	Rejected   int        `json:"rejected"`
	Closed     int        `json:"closed" doc:"Listings closed because a full feed no longer had them."`
	Error      string     `json:"error,omitempty" doc:"Why the run was aborted, failed or held."`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

func feedRunOf(r store.FeedRun) FeedRun {
	return FeedRun{ID: r.ID, Agency: r.Agency, Source: r.Source, Format: r.Format, Full: r.Full, State: r.State,
		Rows: r.Rows, Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged, Rejected: r.Rejected,
		Closed: r.Closed, Error: r.Error, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
}

// FeedSource is a feed URL anken fetches on a schedule, as the API
// answers it.
type FeedSource struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Format    string    `json:"format"`
	Full      bool      `json:"full"`
	Every     string    `json:"every" doc:"How often it is fetched, e.g. 1h0m0s."`
	NextAt    time.Time `json:"next_at" doc:"When the next fetch is due."`
	LastRun   int64     `json:"last_run,omitempty" doc:"The feed run of the last fetch that read the feed."`
	LastError string    `json:"last_error,omitempty" doc:"Why the last fetch failed, if it did."`
}

func feedSourceOf(s store.FeedSource) FeedSource {
	return FeedSource{ID: s.ID, URL: s.URL, Format: s.Format, Full: s.Full, Every: s.Every.String(),
		NextAt: s.NextAt, LastRun: s.LastRun, LastError: s.LastError}
}

// Rejection is a row or item that was not stored, and why.
type Rejection struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source" enum:"api,webhook,feed,import" doc:"How the item arrived."`
	RunID      int64     `json:"run_id,omitempty" doc:"Feed run of the row."`
	InboxID    int64     `json:"inbox_id,omitempty" doc:"Inbox item; an operator can replay a parked one."`
	Line       int       `json:"line,omitempty" doc:"Line (JSON Lines, CSV, XML) or item number (JSON-LD) in the feed, from 1."`
	ExternalID string    `json:"external_id,omitempty"`
	Field      string    `json:"field,omitempty" doc:"The field that is wrong, when one is."`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

func rejectionOf(r store.Rejection) Rejection {
	return Rejection{ID: r.ID, Source: r.Source, RunID: r.RunID, InboxID: r.InboxID, Line: r.Line,
		ExternalID: r.ExternalID, Field: r.Field, Reason: r.Reason, At: r.At}
}
