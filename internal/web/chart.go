package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"

	"anken/internal/market"
)

// The market pages' charts, drawn as SVG on the server: no chart library
// and no script in the browser. Each chart is an <svg role="img"> named by
// its <title> and <desc> (aria-labelledby), followed by a table of the
// same numbers in a <details>, so the figures are there for screen
// readers, for copying and without the picture. Colours and sizes come
// from classes in style.css (the CSP allows no style attributes); every
// text is escaped here.

// svgDoc builds one chart's markup.
type svgDoc struct {
	b strings.Builder
}

// figure opens the chart's <figure>; table closes it.
func (d *svgDoc) figure(id string) { d.b.WriteString(`<figure class="mchart" id="` + id + `">`) }

// open starts an <svg>, named by its title and description; end closes it.
func (d *svgDoc) open(id, title, desc string, w, h int) {
	d.b.WriteString(`<svg class="mchart-svg" role="img" aria-labelledby="` + id + `-t ` + id + `-d" viewBox="0 0 ` +
		strconv.Itoa(w) + ` ` + strconv.Itoa(h) + `" width="` + strconv.Itoa(w) + `" height="` + strconv.Itoa(h) + `">`)
	d.b.WriteString(`<title id="` + id + `-t">` + html.EscapeString(title) + `</title>`)
	d.b.WriteString(`<desc id="` + id + `-d">` + html.EscapeString(desc) + `</desc>`)
}

func (d *svgDoc) end() { d.b.WriteString(`</svg>`) }

// rect, text and line write one element; class names are fixed strings.
func (d *svgDoc) rect(class string, x, y, w, h int) {
	d.b.WriteString(`<rect class="` + class + `" x="` + strconv.Itoa(x) + `" y="` + strconv.Itoa(y) +
		`" width="` + strconv.Itoa(max(w, 0)) + `" height="` + strconv.Itoa(max(h, 0)) + `"/>`)
}

func (d *svgDoc) text(class string, x, y int, anchor, s string) {
	d.b.WriteString(`<text class="` + class + `" x="` + strconv.Itoa(x) + `" y="` + strconv.Itoa(y) + `" text-anchor="` + anchor + `">` +
		html.EscapeString(s) + `</text>`)
}

func (d *svgDoc) line(class string, x1, y1, x2, y2 int) {
	d.b.WriteString(`<line class="` + class + `" x1="` + strconv.Itoa(x1) + `" y1="` + strconv.Itoa(y1) + `" x2="` +
		strconv.Itoa(x2) + `" y2="` + strconv.Itoa(y2) + `"/>`)
}

// table writes the table of its numbers: a caption,
// the header row and the rows, all plain text.
func (d *svgDoc) table(caption string, head []string, rows [][]string, mark map[int]bool) template.HTML {
	d.b.WriteString(`<details class="mchart-data"><summary>グラフの数値を表で見る</summary><table class="mtable"><caption>` +
		html.EscapeString(caption) + `</caption><thead><tr>`)
	for _, h := range head {
		d.b.WriteString(`<th scope="col">` + html.EscapeString(h) + `</th>`)
	}
	d.b.WriteString(`</tr></thead><tbody>`)
	for i, r := range rows {
		if mark[i] {
			d.b.WriteString(`<tr class="zone">`)
		} else {
			d.b.WriteString(`<tr>`)
		}
		for j, c := range r {
			if j == 0 {
				d.b.WriteString(`<th scope="row">` + html.EscapeString(c) + `</th>`)
			} else {
				d.b.WriteString(`<td>` + html.EscapeString(c) + `</td>`)
			}
		}
		d.b.WriteString(`</tr>`)
	}
	d.b.WriteString(`</tbody></table></details></figure>`)
	return template.HTML(d.b.String()) // every text escaped above
}

// histBar is one bar of the histogram: the priced listings in [from, to);
// to is 0 for the open-ended last bar, from 0 for the first when it
// gathers everything below.
type histBar struct {
	from, to int64
	n        int
	zone     bool // inside the volume zone
}

// Limits of the histogram: at most maxHistBars bars; the thin tails
// (tailShare of the listings at each end, at most) are merged into one bar
// each, so a few listings at 300万円 do not squeeze the rest.
const (
	maxHistBars = 24
	tailShare   = 0.01
)

// histBars cuts the 5万円 histogram into the bars the chart shows.
func histBars(st market.Stats) []histBar {
	h := st.Histogram
	if len(h) == 0 {
		return nil
	}
	zone := func(b market.Band) bool {
		return st.VolumeZone != nil && b.From >= st.VolumeZone.From && b.To <= st.VolumeZone.To
	}
	// Keep [lo, hi] of the bands; merge the rest into the ends.
	lo, hi := 0, len(h)-1
	limit := int(float64(st.Priced) * tailShare)
	for n := 0; lo < hi && n+h[lo].Count <= limit && !zone(h[lo]); lo++ {
		n += h[lo].Count
	}
	for n := 0; hi > lo && n+h[hi].Count <= limit && !zone(h[hi]); hi-- {
		n += h[hi].Count
	}
	for hi-lo+1 > maxHistBars-2 { // drop from the end farther from the zone
		zl, zh := lo, hi
		for i := lo; i <= hi; i++ {
			if zone(h[i]) {
				zl, zh = min(zl, i), max(zh, i)
			}
		}
		if zl-lo > hi-zh {
			lo++
		} else {
			hi--
		}
	}
	var bars []histBar
	if lo > 0 {
		b := histBar{from: 0, to: h[lo].From}
		for _, x := range h[:lo] {
			b.n += x.Count
		}
		bars = append(bars, b)
	}
	for _, x := range h[lo : hi+1] {
		bars = append(bars, histBar{from: x.From, to: x.To, n: x.Count, zone: zone(x)})
	}
	if hi < len(h)-1 {
		b := histBar{from: h[hi].To}
		for _, x := range h[hi+1:] {
			b.n += x.Count
		}
		bars = append(bars, b)
	}
	return bars
}

func (b histBar) label() string {
	switch {
	case b.to == 0:
		return market.ManYen(b.from) + "以上"
	case b.from == 0:
		return market.ManYen(b.to) + "未満"
	}
	return market.Man(b.from) + "〜" + market.ManYen(b.to)
}

// Geometry of the histogram, in SVG units.
const (
	histW, histH   = 420, 240
	histLeft       = 8
	histTop        = 34 // room for the volume zone's label
	histBottom     = 40 // room for the axis labels
	histGap        = 2
	histLabelEvery = 2 // label every other bar (every 10万円)
)

// histogramChart draws the rate histogram with the volume zone marked.
func histogramChart(id, subject string, st market.Stats) template.HTML {
	bars := histBars(st)
	if len(bars) == 0 {
		return ""
	}
	most := 1
	for _, b := range bars {
		most = max(most, b.n)
	}
	var d svgDoc
	d.figure(id)
	title := subject + "の月額単価の分布（5万円刻み、単価の記載がある" + comma(int64(st.Priced)) + "件）"
	desc := ""
	if z := st.VolumeZone; z != nil {
		desc = "もっとも多いのは月額" + z.Monthly() + "の帯で" + comma(int64(z.Count)) + "件（ボリュームゾーン）。"
	}
	if r := st.Rate; r != nil {
		desc += "中央値は" + market.ManYen(r.Median) + "。"
	}
	d.open(id, title, desc, histW, histH)
	plotH := histH - histTop - histBottom
	slot := (histW - 2*histLeft) / len(bars)
	base := histTop + plotH
	// The volume zone's band behind its bars, with its label.
	zs, ze := -1, -1
	for i, b := range bars {
		if b.zone {
			if zs < 0 {
				zs = i
			}
			ze = i
		}
	}
	if zs >= 0 {
		x := histLeft + zs*slot
		d.rect("zone-bg", x, histTop-6, (ze-zs+1)*slot, plotH+6)
		d.text("zone-label", x+(ze-zs+1)*slot/2, histTop-12, "middle", "ボリュームゾーン")
	}
	d.line("axis", histLeft, base, histW-histLeft, base)
	for i, b := range bars {
		x := histLeft + i*slot
		h := b.n * plotH / most
		if b.n > 0 {
			h = max(h, 2)
		}
		class := "bar"
		if b.zone {
			class = "bar zone"
		}
		d.rect(class, x+histGap/2, base-h, slot-histGap, h)
		if b.zone || b.n == most {
			d.text("val", x+slot/2, base-h-4, "middle", strconv.Itoa(b.n))
		}
	}
	// Axis labels at every 10万円 boundary; the merged ends are named in
	// the table.
	for i, b := range bars {
		if b.from > 0 && b.to > 0 && b.from%(histLabelEvery*market.BandWidth) == 0 {
			d.text("tick", histLeft+i*slot, base+16, "middle", market.Man(b.from))
		}
	}
	d.text("unit", histW-histLeft, base+34, "end", "月額（円）")
	d.end()
	rows := make([][]string, len(bars))
	mark := map[int]bool{}
	for i, b := range bars {
		rows[i] = []string{b.label(), comma(int64(b.n)) + "件"}
		mark[i] = b.zone
	}
	return d.table(title, []string{"月額単価", "案件数"}, rows, mark)
}

// share is one part of a stacked bar.
type share struct {
	class, label string
	n            int
}

// Geometry of the share bar.
const (
	shareW, shareH = 420, 100
	shareBarH      = 30
)

// shareChart draws parts of total as one stacked bar with a legend.
func shareChart(id, title string, parts []share, total int) template.HTML {
	if total <= 0 {
		return ""
	}
	var descs []string
	rows := make([][]string, 0, len(parts))
	for _, p := range parts {
		descs = append(descs, p.label+" "+percent(p.n, total))
		rows = append(rows, []string{p.label, comma(int64(p.n)) + "件", percent(p.n, total)})
	}
	var d svgDoc
	d.figure(id)
	d.open(id, title, strings.Join(descs, "、"), shareW, shareH)
	x, inner := 0, shareW
	legendX, legendY := 0, shareBarH+14
	for i, p := range parts {
		w := p.n * inner / total
		if i == len(parts)-1 {
			w = inner - x
		}
		d.rect("part "+p.class, x, 0, w, shareBarH)
		if w >= 60 {
			d.text("part-val", x+w/2, shareBarH/2+5, "middle", percent(p.n, total))
		}
		x += w
		label := p.label + " " + percent(p.n, total)
		lw := 30 + 13*len([]rune(label))
		if legendX > 0 && legendX+lw > shareW {
			legendX, legendY = 0, legendY+22
		}
		d.rect("part "+p.class, legendX, legendY, 14, 14)
		d.text("legend", legendX+18, legendY+12, "start", label)
		legendX += lw
	}
	d.end()
	return d.table(title, []string{"働き方", "案件数", "割合"}, rows, nil)
}

// percent writes n of total as a percentage with one decimal: 42.5%.
func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	t := (n*1000 + total/2) / total
	return strconv.Itoa(t/10) + "." + strconv.Itoa(t%10) + "%"
}

// Geometry of the trend charts.
const (
	trendW, trendH = 420, 180
	trendLeft      = 64
	trendRight     = 12
	trendTop       = 14
	trendBottom    = 30
)

// lineChart draws one value a day as a line, with the lowest and highest
// values on the axis and the first and last days below it.
func (d *svgDoc) lineChart(id, title, desc string, days []string, vals []int64, fmtv func(int64) string) {
	d.open(id, title, desc, trendW, trendH)
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	// Some room above and below; a flat line sits in the middle.
	pad := max((hi-lo)/10, 1)
	lo, hi = max(lo-pad, 0), hi+pad
	plotW, plotH := trendW-trendLeft-trendRight, trendH-trendTop-trendBottom
	y := func(v int64) int { return trendTop + plotH - int((v-lo)*int64(plotH)/(hi-lo)) }
	x := func(i int) int {
		if len(vals) == 1 {
			return trendLeft + plotW/2
		}
		return trendLeft + i*plotW/(len(vals)-1)
	}
	d.line("grid", trendLeft, y(hi-pad), trendW-trendRight, y(hi-pad))
	d.line("grid", trendLeft, y(lo+pad), trendW-trendRight, y(lo+pad))
	d.text("tick", trendLeft-6, y(hi-pad)+4, "end", fmtv(hi-pad))
	d.text("tick", trendLeft-6, y(lo+pad)+4, "end", fmtv(max(lo+pad, 0)))
	d.line("axis", trendLeft, trendTop+plotH, trendW-trendRight, trendTop+plotH)
	var pts strings.Builder
	for i, v := range vals {
		if i > 0 {
			pts.WriteByte(' ')
		}
		pts.WriteString(strconv.Itoa(x(i)) + "," + strconv.Itoa(y(v)))
	}
	d.b.WriteString(`<polyline class="trend-line" points="` + pts.String() + `"/>`)
	last := len(vals) - 1
	d.b.WriteString(`<circle class="trend-dot" cx="` + strconv.Itoa(x(last)) + `" cy="` + strconv.Itoa(y(vals[last])) + `" r="4"/>`)
	d.text("tick", trendLeft, trendH-8, "start", slashDate(days[0]))
	d.text("tick", trendW-trendRight, trendH-8, "end", slashDate(days[last]))
	d.end()
}

// trendCharts draws the count and the median of the trend's days, and one
// table of every day's figures.
func trendCharts(subject string, t market.Trend) template.HTML {
	if len(t.Points) == 0 {
		return ""
	}
	days := make([]string, len(t.Points))
	counts := make([]int64, len(t.Points))
	var mdays []string
	var medians []int64
	for i, p := range t.Points {
		days[i], counts[i] = p.Date, int64(p.Count)
		if p.Median > 0 {
			mdays, medians = append(mdays, p.Date), append(medians, p.Median)
		}
	}
	first, last := t.Points[0], t.Points[len(t.Points)-1]
	span := slashDate(first.Date) + "〜" + slashDate(last.Date)
	var d svgDoc
	d.figure("trend")
	d.lineChart("trend-count", subject+"の募集中の案件数の推移（"+span+"）",
		slashDate(first.Date)+"は"+comma(int64(first.Count))+"件、"+slashDate(last.Date)+"は"+comma(int64(last.Count))+"件。",
		days, counts, func(v int64) string { return comma(v) + "件" })
	if len(medians) > 0 {
		d.lineChart("trend-median", subject+"の月額単価の中央値の推移（"+span+"）",
			slashDate(mdays[0])+"は"+market.ManYen(medians[0])+"、"+slashDate(mdays[len(mdays)-1])+"は"+market.ManYen(medians[len(medians)-1])+"。",
			mdays, medians, func(v int64) string { return market.ManYen(v) })
	}
	// The table: newest first.
	rows := make([][]string, 0, len(t.Points))
	for i := len(t.Points) - 1; i >= 0; i-- {
		p := t.Points[i]
		r := []string{slashDate(p.Date), comma(int64(p.Count)) + "件", "—", "—"}
		if p.Median > 0 {
			r[2] = market.ManYen(p.Median)
		}
		if z := p.VolumeZone; z != nil {
			r[3] = market.Man(z.From) + "〜" + market.ManYen(z.To)
		}
		rows = append(rows, r)
	}
	return d.table(subject+"の日ごとの集計（新しい順）", []string{"日付", "案件数", "単価の中央値", "ボリュームゾーン"}, rows, nil)
}

// slashDate writes 2026-11-30 as 2026/11/30.
func slashDate(day string) string { return strings.ReplaceAll(day, "-", "/") }
