package demo

// Agency is one demo agency (エージェント).
type Agency struct{ Slug, Name string }

// agency is a demo agency with the habits of its feed: how it numbers its
// listings, how it formats titles and descriptions, and how often it sends
// each optional field as text, as structured JSON or not at all.
type agency struct {
	Agency
	host   string // apply URLs are https://<host>.example/jobs/<id>
	weight int    // share of listings
	prefix string // external ids are prefix + zero-padded number
	width  int
	base   int
	head   string    // section heading style, from heads
	tag    [2]string // title tag brackets
	bullet string
	block  bool    // writes the terms as one 募集条件 block ("単価：…")
	text   float64 // chance an optional field is sent as text
	data   float64 // chance it is sent structured; the rest is absent
	side   float64 // extra chance that a listing is a side job
	region []string
	date   bool // valid_through as YYYY-MM-DD instead of RFC 3339
}

// agencies are fictional; the names only sound like real agencies.
var agencies = []agency{
	{Agency: Agency{"techlink", "テックリンク"}, host: "techlink", weight: 18, prefix: "TL-", width: 6, base: 10000,
		head: heads[0], tag: brackets[0], bullet: bullets[0], text: 0.6, data: 0.3},
	{Agency: Agency{"codebridge", "コードブリッジ"}, host: "codebridge", weight: 14, prefix: "CB", width: 7, base: 2000000,
		head: heads[1], tag: brackets[0], bullet: bullets[0], text: 0.1, data: 0.85},
	{Agency: Agency{"engineer-port", "エンジニアポート"}, host: "engineer-port", weight: 12, prefix: "", width: 6, base: 300000,
		head: heads[0], tag: brackets[0], bullet: bullets[0], block: true, text: 0.75, data: 0.1},
	{Agency: Agency{"skillarch", "スキルアーチ"}, host: "skillarch", weight: 9, prefix: "sa-", width: 5, base: 0,
		head: heads[2], tag: brackets[1], bullet: bullets[3], text: 0.5, data: 0.2},
	{Agency: Agency{"freelance-gate", "フリーランスゲート"}, host: "freelance-gate", weight: 10, prefix: "FG", width: 6, base: 50000,
		head: heads[0], tag: brackets[0], bullet: bullets[0], text: 0.55, data: 0.35, date: true},
	{Agency: Agency{"devnest", "デブネスト"}, host: "devnest", weight: 7, prefix: "job-", width: 5, base: 1000,
		head: heads[3], tag: brackets[2], bullet: bullets[2], text: 0.3, data: 0.6},
	{Agency: Agency{"sidework-lab", "サイドワークラボ"}, host: "sidework-lab", weight: 6, prefix: "SW", width: 5, base: 0,
		head: heads[1], tag: brackets[0], bullet: bullets[0], text: 0.6, data: 0.2, side: 0.6},
	{Agency: Agency{"projectwing", "プロジェクトウイング"}, host: "projectwing", weight: 6, prefix: "PW-", width: 6, base: 0,
		head: heads[4], tag: brackets[0], bullet: bullets[0], block: true, text: 0.5, data: 0.1},
	{Agency: Agency{"kansai-it", "関西ITエージェント"}, host: "kansai-it-agent", weight: 4, prefix: "K", width: 6, base: 0,
		head: heads[0], tag: brackets[0], bullet: bullets[0], text: 0.7, data: 0.1, region: []string{"JP-27", "JP-26", "JP-28"}},
	{Agency: Agency{"kyushu-engineer", "九州エンジニアネット"}, host: "kyushu-engineer", weight: 3, prefix: "Q", width: 5, base: 0,
		head: heads[5], tag: brackets[0], bullet: bullets[0], text: 0.6, data: 0.1, region: []string{"JP-40"}},
	{Agency: Agency{"cloudstep", "クラウドステップ"}, host: "cloudstep", weight: 6, prefix: "cs_", width: 6, base: 0,
		head: heads[1], tag: brackets[4], bullet: bullets[0], text: 0.4, data: 0.5, date: true},
	{Agency: Agency{"arc-engineers", "アークエンジニアズ"}, host: "arc-engineers", weight: 5, prefix: "AE", width: 6, base: 100000,
		head: heads[0], tag: brackets[3], bullet: bullets[1], text: 0.2, data: 0.1},
}

// Agencies returns the dozen demo agencies.
func Agencies() []Agency {
	out := make([]Agency, len(agencies))
	for i, a := range agencies {
		out[i] = a.Agency
	}
	return out
}
