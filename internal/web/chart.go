package web

import (
	"html/template"
	"strconv"
	"strings"

	"anken/internal/market"
)

// Every chart of the site (the market and job-type pages, the side-job
// guides) is drawn here as SVG on the server: no chart library and no
// script in the browser. Each chart is a <figure> holding an <svg
// role="img"> named by its <title> and <desc> (aria-labelledby), then a
// table of the same numbers in a <details>, so the figures are there for
// screen readers, for copying and without the picture. Colours and sizes
// come from classes in style.css (the CSP allows no style attributes);
// every text is escaped here.
//
// The kinds: histogramChart (bars side by side, a band marked),
// barChart (one labelled bar per row, out of a full scale), shareChart
// (one stacked bar) and lineChart (a value a day).

// svgDoc is one chart figure as it is drawn: its SVGs (a trend has two)
// and their shapes, computed here, then written through chartHTML, an
// html/template, which escapes every text and attribute for its context.
type svgDoc struct {
	id   string
	svgs []svgView
}

// svgView is one <svg role="img"> of a figure, named by its title and
// description.
type svgView struct {
	ID, Title, Desc string
	W, H            int
	Shapes          []shape
}

// shape is one element of an SVG: a rect, text, line, polyline or circle.
// Class names are fixed strings of this file (the CSP allows no style
// attributes; style.css colours them).
type shape struct {
	Kind, Class  string
	X, Y, W, H   int    // rect; text's X and Y
	X2, Y2       int    // line: from X, Y to X2, Y2
	R            int    // circle: at X, Y
	Anchor, Text string // text
	Points       string // polyline
}

// figure starts the chart's figure; table ends it.
func (d *svgDoc) figure(id string) { d.id = id }

// open starts an <svg>, named by its title and description; end closes it.
func (d *svgDoc) open(id, title, desc string, w, h int) {
	d.svgs = append(d.svgs, svgView{ID: id, Title: title, Desc: desc, W: w, H: h})
}

func (d *svgDoc) end() {}

func (d *svgDoc) add(s shape) {
	last := &d.svgs[len(d.svgs)-1]
	last.Shapes = append(last.Shapes, s)
}

// rect, text, line, polyline and circle add one element.
func (d *svgDoc) rect(class string, x, y, w, h int) {
	d.add(shape{Kind: "rect", Class: class, X: x, Y: y, W: max(w, 0), H: max(h, 0)})
}

func (d *svgDoc) text(class string, x, y int, anchor, s string) {
	d.add(shape{Kind: "text", Class: class, X: x, Y: y, Anchor: anchor, Text: s})
}

func (d *svgDoc) line(class string, x1, y1, x2, y2 int) {
	d.add(shape{Kind: "line", Class: class, X: x1, Y: y1, X2: x2, Y2: y2})
}

func (d *svgDoc) polyline(class, points string) {
	d.add(shape{Kind: "polyline", Class: class, Points: points})
}

func (d *svgDoc) circle(class string, cx, cy, r int) {
	d.add(shape{Kind: "circle", Class: class, X: cx, Y: cy, R: r})
}

// dataTable is the table of a chart's numbers, all plain text.
type dataTable struct {
	caption string
	head    []string
	rows    [][]string // the first cell of a row is its header
	class   map[int]string
	foot    [][]string // a total, after the rows
	open    bool       // shown at first rather than folded
	note    string     // the figure's caption, when it has one
}

// chartView is what chartHTML writes: a figure, its SVGs, the table of
// its numbers in a <details>, and its caption.
type chartView struct {
	ID         string
	SVGs       []svgView
	Caption    string
	Head       []string
	Rows, Foot []rowView
	Open       bool
	Note       string
}

// rowView is one row of a chart's table: its header cell, the rest.
type rowView struct {
	Class, Head string
	Cells       []string
}

var chartHTML = template.Must(template.New("chart").Parse(
	`<figure class="chart" id="{{.ID}}">` +
		`{{range .SVGs}}<svg class="chart-svg" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}">` +
		`<title id="{{.ID}}-title">{{.Title}}</title><desc id="{{.ID}}-desc">{{.Desc}}</desc>` +
		`{{range .Shapes}}{{if eq .Kind "rect"}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"/>` +
		`{{else if eq .Kind "text"}}<text class="{{.Class}}" x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}">{{.Text}}</text>` +
		`{{else if eq .Kind "line"}}<line class="{{.Class}}" x1="{{.X}}" y1="{{.Y}}" x2="{{.X2}}" y2="{{.Y2}}"/>` +
		`{{else if eq .Kind "polyline"}}<polyline class="{{.Class}}" points="{{.Points}}"/>` +
		`{{else if eq .Kind "circle"}}<circle class="{{.Class}}" cx="{{.X}}" cy="{{.Y}}" r="{{.R}}"/>{{end}}{{end}}</svg>{{end}}` +
		`<details class="chart-data"{{if .Open}} open{{end}}><summary>グラフの数値を表で見る</summary>` +
		`<table class="mtable"><caption>{{.Caption}}</caption><thead><tr>{{range .Head}}<th scope="col">{{.}}</th>{{end}}</tr></thead>` +
		`<tbody>{{range .Rows}}{{template "row" .}}{{end}}</tbody>` +
		`{{with .Foot}}<tfoot>{{range .}}{{template "row" .}}{{end}}</tfoot>{{end}}</table></details>` +
		`{{with .Note}}<figcaption>{{.}}</figcaption>{{end}}</figure>` +
		`{{define "row"}}<tr{{with .Class}} class="{{.}}"{{end}}><th scope="row">{{.Head}}</th>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>{{end}}`))

// table ends the figure with the table of its numbers and its note, and
// writes it through chartHTML.
func (d *svgDoc) table(t dataTable) template.HTML {
	v := chartView{ID: d.id, SVGs: d.svgs, Caption: t.caption, Head: t.head, Open: t.open, Note: t.note,
		Rows: rowViews(t.rows, t.class), Foot: rowViews(t.foot, map[int]string{0: "sum"})}
	var b strings.Builder
	if err := chartHTML.Execute(&b, v); err != nil {
		// The template is fixed and its data plain values: it fails only on
		// a bug, which shows as no chart, never a panic.
		return ""
	}
	return template.HTML(b.String()) // html/template escaped it
}

func rowViews(rows [][]string, class map[int]string) []rowView {
	out := make([]rowView, 0, len(rows))
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		out = append(out, rowView{Class: class[i], Head: r[0], Cells: r[1:]})
	}
	return out
}

// histBar is one bar of a histogram: n of the values in a band, its
// label in the table (60万〜65万円) and under the axis at its left edge
// (60万; empty for none).
type histBar struct {
	label, tick string
	n           int
	zone        bool // marked: inside the volume zone
}

// histogram is a histogram to draw: its bars left to right, the unit
// under the axis (月額（円）) and the head of the table's first column.
type histogram struct {
	id, title, desc string
	bars            []histBar
	axis, head      string
	open            bool // the table shown at first
}

// Geometry of the histogram, in SVG units.
const (
	histW, histH = 420, 240
	histLeft     = 8
	histTop      = 34 // room for the zone's label
	histBottom   = 40 // room for the axis labels
	histGap      = 2
)

// histogramChart draws a histogram, the zone's bars marked with a band
// behind them, the tallest bar's and the zone's counts above them.
func histogramChart(c histogram) template.HTML {
	bars := c.bars
	if len(bars) == 0 {
		return ""
	}
	most := 1
	for _, b := range bars {
		most = max(most, b.n)
	}
	var d svgDoc
	d.figure(c.id)
	d.open(c.id, c.title, c.desc, histW, histH)
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
	for i, b := range bars {
		if b.tick != "" {
			anchor := "middle"
			if i == 0 { // not cut off at the left edge
				anchor = "start"
			}
			d.text("tick", histLeft+i*slot, base+16, anchor, b.tick)
		}
	}
	d.text("unit", histW-histLeft, base+34, "end", c.axis)
	d.end()
	t := dataTable{caption: c.title, head: []string{c.head, "案件数"}, rows: make([][]string, len(bars)), class: map[int]string{}, open: c.open}
	for i, b := range bars {
		t.rows[i] = []string{b.label, comma(int64(b.n)) + "件"}
		if b.zone {
			t.class[i] = "zone"
		}
	}
	return d.table(t)
}

// Limits of the rate histogram: at most maxHistBars bars; the thin tails
// (tailShare of the listings at each end, at most) are merged into one bar
// each, so a few listings at 300万円 do not squeeze the rest.
const (
	maxHistBars    = 24
	tailShare      = 0.01
	histLabelEvery = 2 // label every other bar (every 10万円)
)

// rateHistogram draws the 5万円 histogram of the figures' monthly rates
// with the volume zone marked.
func rateHistogram(id, subject string, st market.Stats) template.HTML {
	c := histogram{id: id, bars: rateBars(st), axis: "月額（円）", head: "月額単価",
		title: subject + "の月額単価の分布（5万円刻み、単価の記載がある" + comma(int64(st.Priced)) + "件）"}
	if st.VolumeZone != nil { // the zone's band is stated once, above the figures
		c.desc = "案件がもっとも多い帯（ボリュームゾーン）を色を変えて示しています。"
	}
	if r := st.Rate; r != nil {
		c.desc += "中央値は" + market.ManYen(r.Median) + "。"
	}
	return histogramChart(c)
}

// rateBars cuts the 5万円 histogram into the bars the chart shows. The
// merged ends are named in the table only; the axis is labelled at every
// 10万円 boundary.
func rateBars(st market.Stats) []histBar {
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
		b := histBar{label: market.ManYen(h[lo].From) + "未満"}
		for _, x := range h[:lo] {
			b.n += x.Count
		}
		bars = append(bars, b)
	}
	for _, x := range h[lo : hi+1] {
		b := histBar{label: market.Man(x.From) + "〜" + market.ManYen(x.To), n: x.Count, zone: zone(x)}
		switch {
		case x.From == 0:
			b.label = market.ManYen(x.To) + "未満"
		case x.From%(histLabelEvery*market.BandWidth) == 0:
			b.tick = market.Man(x.From)
		}
		bars = append(bars, b)
	}
	if hi < len(h)-1 {
		b := histBar{label: market.ManYen(h[hi].To) + "以上"}
		for _, x := range h[hi+1:] {
			b.n += x.Count
		}
		bars = append(bars, b)
	}
	return bars
}

// bar is one row of a bar chart: n of full, with the value as written.
type bar struct {
	label, value string
	n, full      int
}

// Geometry of the bar chart, in SVG units.
const (
	barW      = 560
	barLabelW = 150
	barValueW = 70
	barRow    = 30
	barH      = 18
)

// barChart draws one horizontal bar per row, each on a track of its full
// scale, its label before it and its value after it. The table has a row
// per bar (label, value), then t's foot; t gives its caption and head.
func barChart(id, title, desc string, bars []bar, t dataTable) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	track := barW - barLabelW - barValueW
	var d svgDoc
	d.figure(id)
	d.open(id, title, desc, barW, len(bars)*barRow+4)
	t.rows = make([][]string, 0, len(bars))
	for i, b := range bars {
		w := b.n * track / max(b.full, 1)
		y := i*barRow + (barRow-barH)/2
		d.text("label", 0, y+barH-4, "start", b.label)
		d.rect("track", barLabelW, y, track, barH)
		d.rect("bar", barLabelW, y, w, barH)
		d.text("value", barLabelW+w+6, y+barH-4, "start", b.value)
		t.rows = append(t.rows, []string{b.label, b.value})
	}
	d.end()
	return d.table(t)
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
	return d.table(dataTable{caption: title, head: []string{"働き方", "案件数", "割合"}, rows: rows})
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
	d.polyline("trend-line", pts.String())
	last := len(vals) - 1
	d.circle("trend-dot", x(last), y(vals[last]), 4)
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
	return d.table(dataTable{caption: subject + "の日ごとの集計（新しい順）", head: []string{"日付", "案件数", "単価の中央値", "ボリュームゾーン"}, rows: rows})
}

// slashDate writes 2026-11-30 as 2026/11/30.
func slashDate(day string) string { return strings.ReplaceAll(day, "-", "/") }
