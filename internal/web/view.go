package web

import (
	"anken/internal/listing"
	"anken/internal/wording"
)

var sortNames = []struct{ Value, Name string }{
	{"relevance", "おすすめ順"},
	{"newest", "新着順"},
	{"rate", "単価が高い順"},
}

// The wording of listing fields, shared with the mail.
var (
	roleName       = wording.Role
	remoteName     = wording.Remote
	contractName   = wording.Contract
	prefectureName = wording.Prefecture
	skillName      = wording.Skill
	comma          = wording.Comma
	man            = wording.Man
	monthlyText    = wording.Monthly
	daysText       = wording.Days
	hoursText      = wording.Hours
	startText      = wording.Start
	dateText       = wording.Date
	shortDate      = wording.ShortDate
	ago            = wording.Ago
	excerpt        = wording.Excerpt
	placeText      = wording.Place
)

// payText writes a listing's pay: the quote, then the month at its stated
// workload (wording.Pay).
func payText(l listing.Listing) string { return wording.Pay(&l) }
