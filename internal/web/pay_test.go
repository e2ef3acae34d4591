package web_test

import (
	"encoding/json"
	"encoding/xml"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"anken/internal/server/servertest"
)

// sideJobs are part-time listings, as a side-job agency sends them.
var sideJobs = []string{
	`{"external_id":"sw-hour","title":"副業：決済APIのコードレビュー","description":"Goで書かれた決済APIのレビューをお願いします。",
	  "rate":"時給4,500円","days":"週1〜2日","remote":"フルリモート","skills":["go"],"role":"backend","side_job":true,"posted_at":"2026-11-29T09:00:00+09:00"}`,
	`{"external_id":"sw-from","title":"副業：管理画面のフロントエンド改修","description":"Reactで作られた管理画面の改修です。",
	  "rate":"時給2,000〜3,500円","days":"週1日〜","remote":"フルリモート","skills":["react"],"role":"frontend","side_job":true,"posted_at":"2026-11-29T08:00:00+09:00"}`,
	`{"external_id":"sw-day","title":"副業：社内基盤のクラウド移行支援","description":"AWSへの移行計画づくりを手伝っていただきます。",
	  "rate":"日額3万円","days":"週3日","remote":"フルリモート","skills":["aws"],"role":"infra","side_job":true,"posted_at":"2026-11-29T07:00:00+09:00"}`,
	`{"external_id":"sw-month","title":"副業：データ基盤の技術顧問","description":"データ基盤の設計相談に乗っていただきます。",
	  "rate":"月額10万円","days":"週1日","hours":"月40時間","remote":"フルリモート","skills":["python"],"role":"data","side_job":true,"posted_at":"2026-11-29T06:00:00+09:00"}`,
	`{"external_id":"sw-hours","title":"副業：モバイルアプリのテスト設計","description":"アプリのテスト設計をお任せします。",
	  "rate":"時給2,500円","hours":"月40時間","remote":"フルリモート","skills":["flutter"],"role":"mobile","side_job":true,"posted_at":"2026-11-29T05:00:00+09:00"}`,
}

// man reads the amounts in 万 of a text: 14.4万〜28.8万円 is 144,000 and
// 288,000.
var manAmount = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)万`)

func amountsInMan(s string) []int64 {
	var out []int64
	for _, m := range manAmount.FindAllStringSubmatch(s, -1) {
		f, _ := strconv.ParseFloat(m[1], 64)
		out = append(out, int64(f*10000+0.5))
	}
	return out
}

// TestPartTimePay checks DESIGN.md "Pay" on the pages and the Atom feed:
// a part-time listing's card, page and entry show its quote first, then
// its month at its stated workload, and no figure larger than a month of
// its stated hours (or days × 32 hours) at its highest hourly pay: never
// a part-time rate converted to 160 hours.
func TestPartTimePay(t *testing.T) {
	feeds := maps.Clone(raws)
	feeds["sidework"] = sideJobs
	fx := newFixtureOf(t, feeds)
	tests := []struct {
		ext, title string
		quote      string // the quote, first
		note       string // the month at the workload
		most       int64  // hourly max × stated hours (or days × 32)
	}{
		{"sw-hour", "決済APIのコードレビュー", "時給4,500円", "週1〜2日で月14.4万〜28.8万円", 4500 * 2 * 32},
		{"sw-from", "管理画面のフロントエンド改修", "時給2,000〜3,500円", "週1日で月6.4万〜11.2万円", 3500 * 1 * 32},
		{"sw-day", "社内基盤のクラウド移行支援", "日額30,000円", "週3日で月36万円", 30000 / 8 * 3 * 32},
		{"sw-month", "データ基盤の技術顧問", "月額10万円", "週1日・月40時間、時給換算 2,500円", 2500 * 40},
		{"sw-hours", "モバイルアプリのテスト設計", "時給2,500円", "月40時間で月10万円", 2500 * 40},
	}
	search := fx.Get(t, "/search?side_job=true&sort=newest")
	cards := map[string]*html.Node{}
	for _, c := range search.All(`article.card`) {
		cards[servertest.Text(servertest.First(c, `h3`))] = c
	}
	feed := fx.Get(t, "/search.atom?side_job=true")
	var atom struct {
		Entries []struct {
			Title   string `xml:"title"`
			Summary string `xml:"summary"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed.Body), &atom); err != nil {
		t.Fatalf("/search.atom: %v", err)
	}
	summaries := map[string]string{}
	for _, e := range atom.Entries {
		summaries[e.Title] = e.Summary
	}
	// within checks that where shows the quote first, then the note, and
	// no amount over the listing's month.
	within := func(t *testing.T, where, s, quote, note string, most int64) {
		t.Helper()
		if !strings.HasPrefix(s, quote) {
			t.Errorf("%s %q does not start with the quote %q", where, s, quote)
		}
		if !strings.Contains(s, note) {
			t.Errorf("%s %q lacks %q", where, s, note)
		}
		if strings.Contains(s, "月額換算") {
			t.Errorf("%s %q converts a part-time rate to a full month", where, s)
		}
		for _, n := range amountsInMan(s) {
			if n > most {
				t.Errorf("%s %q shows %d yen, more than a month at its workload (%d)", where, s, n, most)
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			title := ""
			for h := range cards {
				if strings.Contains(h, tt.title) {
					title = h
				}
			}
			card := cards[title]
			if card == nil {
				t.Fatalf("no card for %s among %d", tt.title, len(cards))
			}
			within(t, "card rate", servertest.Text(servertest.First(card, `p.rate`)), tt.quote, tt.note, tt.most)
			within(t, "card", servertest.Text(card), "", "", tt.most)

			p := fx.Get(t, "/listings/"+itoa(fx.ids[tt.ext]))
			art := p.All(`article.listing`)[0]
			within(t, "page header", servertest.Text(servertest.First(art, `p.rate`)), tt.quote, tt.note, tt.most)
			var pay string
			for _, dt := range servertest.All(art, `dt`) {
				if servertest.Text(dt) == "単価" {
					pay = servertest.Text(dt.NextSibling)
				}
			}
			within(t, "page 単価", pay, tt.quote, tt.note, tt.most)
			within(t, "page", servertest.Text(art), "", "", tt.most)
			if d := p.All(`meta[name="description"]`); len(d) > 0 {
				content := servertest.Attr(d[0], "content")
				within(t, "meta description", content, tt.quote, tt.note, tt.most)
			}

			summary := ""
			for entry, s := range summaries {
				if strings.Contains(entry, tt.title) {
					summary = s
				}
			}
			within(t, "Atom summary", summary, tt.quote, tt.note, tt.most)
		})
	}
}

// TestBaseSalaryUnit checks that JSON-LD states the pay in the unit
// quoted, with the quoted amounts, for every unit.
func TestBaseSalaryUnit(t *testing.T) {
	feeds := maps.Clone(raws)
	feeds["sidework"] = sideJobs
	fx := newFixtureOf(t, feeds)
	for _, tt := range []struct {
		ext      string
		unit     string
		min, max int64
		value    int64
	}{
		{"go-1", "MONTH", 600_000, 700_000, 0},
		{"fe-1", "HOUR", 4000, 5000, 0},
		{"sw-hour", "HOUR", 0, 0, 4500},
		{"sw-from", "HOUR", 2000, 3500, 0},
		{"sw-day", "DAY", 0, 0, 30_000},
		{"sw-month", "MONTH", 0, 0, 100_000},
	} {
		t.Run(tt.ext, func(t *testing.T) {
			p := fx.Get(t, "/listings/"+itoa(fx.ids[tt.ext]))
			scripts := p.All(`script[type="application/ld+json"]`)
			if len(scripts) == 0 {
				t.Fatal("no JSON-LD")
			}
			var jp struct {
				BaseSalary struct {
					Value struct {
						Min   int64  `json:"minValue"`
						Max   int64  `json:"maxValue"`
						Value int64  `json:"value"`
						Unit  string `json:"unitText"`
					} `json:"value"`
				} `json:"baseSalary"`
			}
			if err := jsonUnmarshal(scripts[0].FirstChild.Data, &jp); err != nil {
				t.Fatal(err)
			}
			v := jp.BaseSalary.Value
			if v.Unit != tt.unit || v.Min != tt.min || v.Max != tt.max || v.Value != tt.value {
				t.Errorf("baseSalary value = %+v, want %s %d–%d (value %d)", v, tt.unit, tt.min, tt.max, tt.value)
			}
		})
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
