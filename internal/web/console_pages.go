package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"anken/internal/listing"
	"anken/internal/market"
	"anken/internal/operate"
	"anken/internal/search"
	"anken/internal/store"
	"anken/internal/traffic"
)

// The pages of the agency console (console.go has its sessions and
// routes).

// statusName is a listing's state as the console shows it.
func statusName(s listing.Status) string {
	switch s {
	case listing.StatusOpen:
		return "掲載中"
	case listing.StatusClosed:
		return "募集終了"
	case listing.StatusHidden:
		return "非公開（運用者による）"
	}
	return string(s)
}

// ctrText is clicks ÷ impressions in percent to one decimal place, or
// "—" with no impressions.
func ctrText(clicks, impressions int64) string {
	if impressions <= 0 {
		return "—"
	}
	return strconv.FormatFloat(math.Round(float64(clicks)*1000/float64(impressions))/10, 'f', 1, 64) + "%"
}

// ratioText is how many times a CTR is of another's ("1.5倍"), or "" when
// either has no impressions or the other no clicks.
func ratioText(c, ci, o, oi int64) string {
	if ci <= 0 || oi <= 0 || o <= 0 {
		return ""
	}
	r := (float64(c) / float64(ci)) / (float64(o) / float64(oi))
	return strconv.FormatFloat(math.Round(r*10)/10, 'f', 1, 64) + "倍"
}

// countsView is impressions, views and clicks with the CTR, as shown.
type countsView struct {
	Impressions, Views, Clicks string
	CTR                        string
}

func countsOf(c traffic.Counts) countsView {
	return countsView{Impressions: comma(c.Impressions), Views: comma(c.Views), Clicks: comma(c.Clicks), CTR: ctrText(c.Clicks, c.Impressions)}
}

// overviewView is /agency.
type overviewView struct {
	consoleView
	Open, Closed, Hidden int
	From, To             string
	Total                countsView
}

func (c *consoleSite) overview(w http.ResponseWriter, r *http.Request, who consoleWho) {
	ctx := r.Context()
	n, err := c.st.AgencyListingCounts(ctx, who.Agency)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	rep, err := c.reports.Agency(ctx, who.Agency, traffic.Query{})
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	v := overviewView{consoleView: c.view(w, r, "エージェント管理", who), Open: n[listing.StatusOpen], Closed: n[listing.StatusClosed],
		Hidden: n[listing.StatusHidden], From: slashDate(rep.From), To: slashDate(rep.To), Total: countsOf(rep.Total)}
	c.render(w, r, http.StatusOK, "console_home", v)
}

// consoleListing is one row of /agency/listings.
type consoleListing struct {
	ID         int64
	ExternalID string
	Title      string
	Status     string
	Open       bool
	Updated    time.Time
	Role       string
	Pay        string
	Counts     countsView
	// Percentile is where the listing's monthly pay stands among the
	// full-workload listings of its role ("下から62%"); Why says why there
	// is none.
	Percentile string
	Why        string
	Market     string // the role's median and how many priced listings
	VsAgency   string // the listing's CTR against the agency's average
	RoleCTR    string // the CTR of every listing of the role
	VsRole     string
}

// listingsConsoleView is /agency/listings.
type listingsConsoleView struct {
	consoleView
	From, To  string
	AgencyCTR string
	Listings  []consoleListing
	Prev      string
	Next      string
	Page      int
}

func (c *consoleSite) listings(w http.ResponseWriter, r *http.Request, who consoleWho) {
	ctx := r.Context()
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	ls, err := c.st.AgencyListings(ctx, who.Agency, (page-1)*consolePage, consolePage+1)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	rep, err := c.reports.Agency(ctx, who.Agency, traffic.Query{})
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	byRole, err := c.st.RoleTraffic(ctx, rep.From, rep.To)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	v := listingsConsoleView{consoleView: c.view(w, r, "案件", who), From: slashDate(rep.From), To: slashDate(rep.To),
		AgencyCTR: ctrText(rep.Total.Clicks, rep.Total.Impressions), Page: page}
	if len(ls) > consolePage {
		ls = ls[:consolePage]
		v.Next = fmt.Sprintf("%s/listings?page=%d", who.Base, page+1)
	}
	if page > 1 {
		v.Prev = fmt.Sprintf("%s/listings?page=%d", who.Base, page-1)
	}
	counts := make(map[int64]traffic.Counts, len(rep.Listings))
	for _, l := range rep.Listings {
		counts[l.ListingID] = l.Counts
	}
	markets := map[listing.Role]market.Stats{}
	for _, l := range ls {
		row := consoleListing{ID: l.ID, ExternalID: l.ExternalID, Title: l.Title, Status: statusName(l.Status), Open: l.Status == listing.StatusOpen,
			Updated: l.UpdatedAt, Role: roleName(l.Role), Pay: payText(l), Counts: countsOf(counts[l.ID])}
		if row.Role == "" {
			row.Role = "記載なし"
		}
		lc := counts[l.ID]
		row.VsAgency = ratioText(lc.Clicks, lc.Impressions, rep.Total.Clicks, rep.Total.Impressions)
		if l.Role != "" {
			rc := byRole[l.Role]
			row.RoleCTR = ctrText(rc.Clicks, rc.Impressions)
			row.VsRole = ratioText(lc.Clicks, lc.Impressions, rc.Clicks, rc.Impressions)
			st, ok := markets[l.Role]
			if !ok {
				if st, err = c.Catalog.Stats(ctx, search.Query{Roles: []listing.Role{l.Role}, Workload: listing.WorkloadFull, Collapse: true}, search.BasisMonthly); err != nil {
					c.unavailable(w, r, err)
					return
				}
				markets[l.Role] = st
			}
			if st.Rate != nil {
				row.Market = fmt.Sprintf("中央値 %s・%s件", market.ManYen(st.Rate.Median), comma(int64(st.Priced)))
			}
			rate := search.StatsRate(l.Rate)
			p, ok := market.Percentile(st, rate)
			switch {
			case rate <= 0:
				row.Why = "単価の記載がありません"
			case l.Workload != listing.WorkloadFull:
				row.Why = "週4日未満の案件のため比べていません"
			case !ok:
				row.Why = "比べられる案件がありません"
			default:
				row.Percentile = fmt.Sprintf("下から%d%%", p)
			}
		} else {
			row.Why = "職種の記載がありません"
		}
		v.Listings = append(v.Listings, row)
	}
	c.render(w, r, http.StatusOK, "console_listings", v)
}

// rejectionsConsoleView is /agency/rejections.
type rejectionsConsoleView struct {
	consoleView
	Rejections []store.Rejection
	Next       string
}

func (c *consoleSite) rejections(w http.ResponseWriter, r *http.Request, who consoleWho) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	rs, err := c.st.Rejections(r.Context(), who.Agency, store.RejectionFilter{After: max(after, 0), Limit: consolePage})
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	v := rejectionsConsoleView{consoleView: c.view(w, r, "不採用の記録", who), Rejections: rs}
	if len(rs) == consolePage {
		v.Next = fmt.Sprintf("%s/rejections?after=%d", who.Base, rs[len(rs)-1].ID)
	}
	c.render(w, r, http.StatusOK, "console_rejections", v)
}

// runView is one feed run as /agency/feeds shows it.
type runView struct {
	store.FeedRun
	StateName string
	Held      bool
}

func runStateName(r store.FeedRun) string {
	switch r.State {
	case store.RunReceiving, store.RunReceived:
		return "処理中"
	case store.RunDone:
		return "完了"
	case store.RunAborted:
		return "中断"
	case store.RunFailed:
		if r.Error == store.DiscardedRun {
			return "破棄（何も終了していません）"
		}
		return "失敗（何も終了していません）"
	case store.RunHeld:
		return "確認待ち"
	}
	return r.State
}

// feedsConsoleView is /agency/feeds.
type feedsConsoleView struct {
	consoleView
	Runs []runView
}

func (c *consoleSite) feeds(w http.ResponseWriter, r *http.Request, who consoleWho) {
	runs, err := c.st.FeedRuns(r.Context(), who.Agency, consolePage)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	v := feedsConsoleView{consoleView: c.view(w, r, "フィード", who)}
	for _, run := range runs {
		v.Runs = append(v.Runs, runView{FeedRun: run, StateName: runStateName(run), Held: run.State == store.RunHeld})
	}
	switch q := r.URL.Query(); q.Get("done") {
	case "confirm":
		v.Notice = fmt.Sprintf("実行 %s を確定し、フィードになかった案件 %s 件を募集終了にしました。", q.Get("run"), q.Get("closed"))
	case "discard":
		v.Notice = fmt.Sprintf("実行 %s を破棄しました。募集終了にした案件はありません。", q.Get("run"))
	}
	c.render(w, r, http.StatusOK, "console_feeds", v)
}

func (c *consoleSite) runID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.NotFound(w, r)
		return 0, false
	}
	return id, true
}

// confirmRun closes what a held full feed would close.
func (c *consoleSite) confirmRun(w http.ResponseWriter, r *http.Request, who consoleWho) {
	id, ok := c.runID(w, r)
	if !ok {
		return
	}
	run, err := c.st.ConfirmRun(who.audited(r, "confirm-agency-feed-run"), who.Agency, id)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/feeds?done=confirm&run=%d&closed=%d", who.Base, run.ID, run.Closed), http.StatusSeeOther)
}

// discardRun ends a held full feed closing nothing.
func (c *consoleSite) discardRun(w http.ResponseWriter, r *http.Request, who consoleWho) {
	id, ok := c.runID(w, r)
	if !ok {
		return
	}
	run, err := c.st.DiscardRun(who.audited(r, "discard-agency-feed-run"), who.Agency, id)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/feeds?done=discard&run=%d", who.Base, run.ID), http.StatusSeeOther)
}

// statsConsoleView is /agency/stats.
type statsConsoleView struct {
	consoleView
	From, To string // the form's values, YYYY-MM-DD
	Listing  string
	Total    countsView
	Chart    template.HTML
	Listings []statsListing
}

type statsListing struct {
	ID         int64
	ExternalID string
	Counts     countsView
}

func (c *consoleSite) stats(w http.ResponseWriter, r *http.Request, who consoleWho) {
	q := r.URL.Query()
	in := traffic.Query{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Listing: strings.TrimSpace(q.Get("listing"))}
	rep, err := c.reports.Agency(r.Context(), who.Agency, in)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	v := statsConsoleView{consoleView: c.view(w, r, "表示・クリック数", who), From: rep.From, To: rep.To, Listing: rep.Listing, Total: countsOf(rep.Total)}
	v.Chart = trafficChart(rep)
	for _, l := range rep.Listings {
		v.Listings = append(v.Listings, statsListing{ID: l.ListingID, ExternalID: l.ExternalID, Counts: countsOf(l.Counts)})
	}
	c.render(w, r, http.StatusOK, "console_stats", v)
}

// trafficChart draws the impressions and the clicks of each day as
// lines, with the table of every day's counts.
func trafficChart(rep traffic.Report) template.HTML {
	if len(rep.Days) == 0 {
		return ""
	}
	days := make([]string, len(rep.Days))
	imps := make([]int64, len(rep.Days))
	clicks := make([]int64, len(rep.Days))
	for i, d := range rep.Days {
		days[i], imps[i], clicks[i] = d.Day, d.Impressions, d.Clicks
	}
	span := slashDate(rep.From) + "〜" + slashDate(rep.To)
	var d svgDoc
	d.figure("traffic")
	d.lineChart("traffic-impressions", "1日ごとの表示回数（"+span+"）", "期間の合計は"+comma(rep.Total.Impressions)+"回。",
		days, imps, func(v int64) string { return comma(v) + "回" })
	d.lineChart("traffic-clicks", "1日ごとの応募クリック数（"+span+"）", "期間の合計は"+comma(rep.Total.Clicks)+"回。",
		days, clicks, func(v int64) string { return comma(v) + "回" })
	rows := make([][]string, 0, len(rep.Days))
	for i := len(rep.Days) - 1; i >= 0; i-- {
		x := rep.Days[i]
		rows = append(rows, []string{slashDate(x.Day), comma(x.Impressions), comma(x.Views), comma(x.Clicks), ctrText(x.Clicks, x.Impressions)})
	}
	t := rep.Total
	return d.table(dataTable{caption: "日ごとの表示・閲覧・クリック（新しい順）", head: []string{"日付", "表示", "閲覧", "クリック", "CTR"}, rows: rows,
		foot: [][]string{{"合計", comma(t.Impressions), comma(t.Views), comma(t.Clicks), ctrText(t.Clicks, t.Impressions)}}})
}

// profileConsoleView is /agency/profile.
type profileConsoleView struct {
	consoleView
	Profile store.AgencyProfile
	Errors  map[string]string
	Public  string
}

func (c *consoleSite) profile(w http.ResponseWriter, r *http.Request, who consoleWho) {
	p, err := c.st.AgencyProfile(r.Context(), who.Agency.Slug)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	v := profileConsoleView{consoleView: c.view(w, r, "プロフィール", who), Profile: p, Public: "/agencies/" + url.PathEscape(who.Agency.Slug)}
	if r.URL.Query().Get("done") == "profile" {
		v.Notice = "プロフィールを保存しました。紹介文とサイトは公開ページにすぐ反映されます。表示名が案件の一覧に反映されるまでは最大1分かかります。"
	}
	c.render(w, r, http.StatusOK, "console_profile", v)
}

func (c *consoleSite) saveProfile(w http.ResponseWriter, r *http.Request, who consoleWho) {
	in := store.AgencyProfile{Slug: who.Agency.Slug, Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), SiteURL: r.PostFormValue("site_url")}
	_, err := c.st.SetAgencyProfile(who.audited(r, "put-agency-profile"), who.Agency, in)
	var pe *operate.ProfileError
	if errors.As(err, &pe) {
		v := profileConsoleView{consoleView: c.view(w, r, "プロフィール", who), Profile: in, Public: "/agencies/" + url.PathEscape(who.Agency.Slug),
			Errors: map[string]string{pe.Field: profileErrors[pe.Field]}}
		v.Alert = "保存できませんでした。" + profileErrors[pe.Field]
		c.render(w, r, http.StatusUnprocessableEntity, "console_profile", v)
		return
	}
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	http.Redirect(w, r, who.Base+"/profile?done=profile", http.StatusSeeOther)
}

// keysConsoleView is /agency/keys. NewKey is shown once, on the answer
// to the rotation.
type keysConsoleView struct {
	consoleView
	Keys   []store.APIKey
	NewKey string
}

func (c *consoleSite) keys(w http.ResponseWriter, r *http.Request, who consoleWho) {
	c.renderKeys(w, r, c.view(w, r, "API キー", who), "")
}

func (c *consoleSite) renderKeys(w http.ResponseWriter, r *http.Request, cv consoleView, newKey string) {
	ks, err := c.st.Keys(r.Context(), cv.Agency)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "console_keys", keysConsoleView{consoleView: cv, Keys: ks, NewKey: newKey})
}

// rotateKey issues a new key and revokes every other. The agency's own
// session, opened with a key now revoked, is opened again with the new
// one, so that rotating does not log it out.
func (c *consoleSite) rotateKey(w http.ResponseWriter, r *http.Request, who consoleWho) {
	key, n, err := c.st.RotateKeys(who.audited(r, "rotate-agency-keys"), who.Agency)
	if err != nil {
		c.unavailable(w, r, err)
		return
	}
	if who.Op == "" {
		_, token, expires, err := c.st.AgencyLogin(who.audited(r, "agency-login"), key, agencySessionTTL)
		if err != nil {
			c.unavailable(w, r, err)
			return
		}
		c.setCookie(w, r, token, expires)
	}
	v := c.view(w, r, "API キー", who)
	v.Notice = fmt.Sprintf("新しい API キーを発行し、それまでのキー %d 件を失効させました。新しいキーはこの画面でしか表示されません。", n)
	c.renderKeys(w, r, v, key)
}
