package feed

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
)

// readAll reads every row of a feed, stopping after max rows.
func readAll(t testing.TB, format string, data []byte, o Options, max int) ([]Row, error) {
	r, err := NewReader(format, bytes.NewReader(data), o)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for range max {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

type want struct {
	line     int
	id       string
	errField string // "-" for an error without a field, "" for no error
}

func check(t *testing.T, rows []Row, wants []want) {
	t.Helper()
	if len(rows) != len(wants) {
		for _, r := range rows {
			t.Logf("row %d %q err %v", r.Line, r.Raw.ExternalID, r.Err)
		}
		t.Fatalf("%d rows, want %d", len(rows), len(wants))
	}
	for i, w := range wants {
		r := rows[i]
		if r.Line != w.line || r.Raw.ExternalID != w.id {
			t.Errorf("row %d: line %d id %q, want line %d id %q", i, r.Line, r.Raw.ExternalID, w.line, w.id)
		}
		switch {
		case w.errField == "" && r.Err != nil:
			t.Errorf("row %d: unexpected error %v", i, r.Err)
		case w.errField != "" && r.Err == nil:
			t.Errorf("row %d: no error, want one on %q", i, w.errField)
		case w.errField != "" && w.errField != "-" && r.Err.Field != w.errField:
			t.Errorf("row %d: error %v, want field %q", i, r.Err, w.errField)
		}
	}
}

func TestJSONL(t *testing.T) {
	big := `{"external_id": "J-5", "title": "大きい", "description": "` + strings.Repeat("あ", 10<<20/3) + `"}`
	feed := strings.Join([]string{
		`{"external_id": "J-1", "title": "Reactでの管理画面開発", "rate": "月額55万円"}`,
		`{"external_id": "J-2", "title": ""}`,
		`not json`,
		``,
		"{\"external_id\": \"J-4\", \"title\": \"\xff\xfe\"}",
		big,
		`{"external_id": "J-6", "title": "AWS基盤構築", "rate": {"unit": "month", "min": 1000000000000}}`,
		`{"external_id": 7}`,
		`{"external_id": "J-8", "title": "最後"}`,
	}, "\n")
	rows, err := readAll(t, JSONL, []byte(feed), Options{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	check(t, rows, []want{{1, "J-1", ""}, {2, "J-2", ""}, {3, "", "-"}, {5, "", "-"}, {6, "J-5", ""}, {7, "J-6", ""},
		{8, "", "external_id"}, {9, "J-8", ""}})
	if rows[0].Raw.Title != "Reactでの管理画面開発" {
		t.Errorf("title %q", rows[0].Raw.Title)
	}
}

func TestJSONLTooLong(t *testing.T) {
	feed := `{"external_id": "A"}` + "\n" + `{"x": "` + strings.Repeat("x", MaxRow) + `"}` + "\n" + `{"external_id": "B"}`
	rows, err := readAll(t, JSONL, []byte(feed), Options{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	check(t, rows, []want{{1, "A", ""}, {2, "", "-"}, {3, "B", ""}})
}

const csvFeed = "案件ID,案件名,単価,勤務地,スキル,リモート,備考\n" +
	"C-1,Goバックエンド開発,月額60万〜70万円,東京都渋谷区,\"Go, AWS\",フルリモート,①\n" +
	"C-2,,月額50万円,大阪府,Java,,\n" +
	"\n" +
	"C-3,\"改行を\n含む案件名\",時給4000円,,,一部リモート,\n"

func TestCSVUTF8AndShiftJIS(t *testing.T) {
	// CP932 writes 〜 as ～ (U+FF5E), as Excel does.
	sjis, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(strings.ReplaceAll(csvFeed, "〜", "～")))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"utf-8":           []byte(csvFeed),
		"utf-8 bom":       append([]byte("\xef\xbb\xbf"), csvFeed...),
		"shift_jis auto":  sjis,
		"shift_jis given": sjis,
	} {
		t.Run(name, func(t *testing.T) {
			o := Options{}
			if name == "shift_jis given" {
				o.Charset = "cp932"
			}
			rows, err := readAll(t, CSV, data, o, 10)
			if err != nil {
				t.Fatal(err)
			}
			check(t, rows, []want{{2, "C-1", ""}, {3, "C-2", ""}, {5, "C-3", ""}})
			if s, _ := rows[0].Raw.Skills.Text(); s != "Go, AWS" || rows[0].Raw.Title != "Goバックエンド開発" {
				t.Errorf("row 1: skills %q title %q", s, rows[0].Raw.Title)
			}
			if rows[2].Raw.Title != "改行を\n含む案件名" {
				t.Errorf("row 3 title %q", rows[2].Raw.Title)
			}
		})
	}
}

func TestCSVMappingAndBadRows(t *testing.T) {
	feed := "コード,件名,報酬\nM-1,良い行,月60万\nM-2,\"\xff\xfe壊れた\",月50万\nM-3,\"bare \" quote\",x\n"
	if _, err := readAll(t, CSV, []byte(feed), Options{}, 10); err == nil || !strings.Contains(err.Error(), "external_id") {
		t.Fatalf("no external_id column: error %v", err)
	}
	o := Options{Charset: "utf-8", Columns: map[string]string{"コード": "external_id"}}
	rows, err := readAll(t, CSV, []byte(feed), o, 10)
	if err != nil {
		t.Fatal(err)
	}
	check(t, rows, []want{{2, "M-1", ""}, {3, "M-2", "title"}, {4, "M-3", ""}})
	if _, err := NewReader(CSV, strings.NewReader(feed), Options{Columns: map[string]string{"コード": "nope"}}); err == nil {
		t.Error("mapping to an unknown field: no error")
	}
}

// A column of required years of experience (経験年数) fills the raw
// experience field with its text.
func TestCSVExperience(t *testing.T) {
	feed := "案件ID,案件名,経験年数\nE-1,Goバックエンド,Go経験2年以上、実務経験3年以上\n"
	rows, err := readAll(t, CSV, []byte(feed), Options{Charset: "utf-8"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	check(t, rows, []want{{2, "E-1", ""}})
	if s, _ := rows[0].Raw.Experience.Text(); s != "Go経験2年以上、実務経験3年以上" {
		t.Errorf("experience %q", s)
	}
}

func TestJobPosting(t *testing.T) {
	data, err := os.ReadFile("testdata/jobposting.json")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, JobPosting, data, Options{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	check(t, rows, []want{{1, "JP-1", ""}, {2, "JP-2", "baseSalary.currency"}, {3, "", "identifier"}, {4, "3", ""}})
	r := rows[0].Raw
	if r.Rate.String() != `{"max":6000,"min":4000,"unit":"hour"}` || r.Remote.String() != `"full"` ||
		r.Description != "\n決済APIの開発&運用\n" && r.Description != "決済APIの開発&運用" || r.SideJob.String() != "true" {
		t.Errorf("JP-1 = rate %s remote %s side %s description %q", r.Rate, r.Remote, r.SideJob, r.Description)
	}
	if loc, _ := r.Location.Text(); loc != "東京都渋谷区" {
		t.Errorf("location %q", loc)
	}
	// One object, a @graph, objects one per line: all read.
	for _, feed := range []string{
		`{"@type": "JobPosting", "identifier": "A", "title": "x"}`,
		`{"@context": "https://schema.org", "@graph": [{"@type": "JobPosting", "identifier": "A", "title": "x"}]}`,
		"{\"identifier\": \"A\", \"title\": \"x\"}\n{\"identifier\": \"B\", \"title\": \"y\"}",
	} {
		rows, err := readAll(t, JobPosting, []byte(feed), Options{}, 10)
		if err != nil || len(rows) == 0 || rows[0].Raw.ExternalID != "A" {
			t.Errorf("%s: rows %v, %v", feed, rows, err)
		}
	}
}

func TestIndeedXML(t *testing.T) {
	data, err := os.ReadFile("testdata/indeed.xml")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, IndeedXML, data, Options{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	check(t, rows, []want{{4, "IX-1", ""}, {15, "IX-2", "-"}, {20, "IX-3", ""}})
	r := rows[0].Raw
	if loc, _ := r.Location.Text(); loc != "東京都渋谷区" || r.Remote.String() != `"full"` || r.ValidThrough != "2027-01-31" {
		t.Errorf("IX-1: location %q remote %s valid %q", loc, r.Remote, r.ValidThrough)
	}
	if rows[2].Raw.Description != "Terraformでの構築。を含む説明" || rows[2].Raw.Remote.String() != `"partial"` {
		t.Errorf("IX-3: description %q remote %s", rows[2].Raw.Description, rows[2].Raw.Remote)
	}
	data = bytes.ReplaceAll(data, []byte("〜"), []byte("～"))
	sjis, err := japanese.ShiftJIS.NewEncoder().Bytes(bytes.Replace(data, []byte(`encoding="utf-8"`), []byte(`encoding="Shift_JIS"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	rows, err = readAll(t, IndeedXML, sjis, Options{}, 10)
	if err != nil || len(rows) != 3 || rows[0].Raw.Title != "【Go/フルリモート】決済基盤のバックエンド開発" {
		t.Errorf("Shift_JIS feed: %d rows, %v", len(rows), err)
	}
}

// fuzzFeed reads data in the format and checks the reader's promises: no
// panic, rows numbered from 1, an error names a line.
func fuzzFeed(t *testing.T, format string, data []byte) {
	rows, _ := readAll(t, format, data, Options{}, 10_000)
	for _, r := range rows {
		if r.Line < 1 {
			t.Fatalf("row with line %d", r.Line)
		}
		if r.Err != nil && r.Err.Line != r.Line {
			t.Fatalf("row line %d, error line %d", r.Line, r.Err.Line)
		}
	}
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"external_id": "A", "title": "x", "rate": "月額60万円"}` + "\nnot json\n\n{\"external_id\": 1}"))
	f.Add([]byte("\xff\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFeed(t, JSONL, data) })
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte(csvFeed))
	sjis, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte(strings.ReplaceAll(csvFeed, "〜", "～")))
	f.Add(sjis)
	f.Add([]byte("id,title\n\"a,b\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFeed(t, CSV, data) })
}

func FuzzJobPosting(f *testing.F) {
	data, _ := os.ReadFile("testdata/jobposting.json")
	f.Add(data)
	f.Add([]byte(`{"@graph": [{"identifier": "A"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFeed(t, JobPosting, data) })
}

func FuzzIndeedXML(f *testing.F) {
	data, _ := os.ReadFile("testdata/indeed.xml")
	f.Add(data)
	f.Add([]byte("<job><![CDATA[</job>"))
	f.Add([]byte("<jobs><job>x</job></jobs>"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzFeed(t, IndeedXML, data) })
}

// TestNotAFeed reads input that is no feed of the format: it must come out
// as an error or as rows that are all errors, never as an empty feed.
func TestNotAFeed(t *testing.T) {
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(i*7919 + i/13)
	}
	const htmlPage = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>502 Bad Gateway</title></head>\n" +
		"<body><h1>Bad Gateway</h1><br><p>nginx</p></body></html>\n"
	const jsonl = `{"external_id": "J-1", "title": "Goの開発"}` + "\n" + `{"external_id": "J-2", "title": "SRE"}` + "\n"
	const csvFeed = "案件ID,案件名\nC-1,Goの開発\n"
	inputs := map[string][]byte{
		"random bytes":     random,
		"html page":        []byte(htmlPage),
		"html, no doctype": []byte("<html>\n<head><title>Not Found</title></head><body>Not Found</body></html>"),
		"jsonl":            []byte(jsonl),
		"csv":              []byte(csvFeed),
		"text":             []byte("Service Unavailable\n"),
		"empty":            nil,
	}
	for _, format := range Formats {
		for name, data := range inputs {
			if name == format || name == "jsonl" && format == JobPosting {
				continue // the input is of the format (JobPosting reads objects one per line)
			}
			t.Run(format+"/"+name, func(t *testing.T) {
				rows, err := readAll(t, format, data, Options{}, 1000)
				good := 0
				for _, r := range rows {
					if r.Err == nil {
						good++
					}
				}
				if err == nil && good > 0 {
					t.Errorf("read %d good rows of %d, no error", good, len(rows))
				}
				if err == nil && len(rows) == 0 && format != JSONL && format != JobPosting {
					t.Errorf("read as an empty feed")
				}
			})
		}
	}
}

func TestIndeedXMLProlog(t *testing.T) {
	for _, doc := range []string{
		`<?xml version="1.0" encoding="utf-8"?>` + "\n<!-- generated -->\n" + `<!DOCTYPE source [<!ENTITY co "anken">]>` +
			"\n<source><job><referencenumber>A</referencenumber><title>Go</title></job></source>",
		"\xef\xbb\xbf<source>\n<job><referencenumber>A</referencenumber><title>Go</title></job></source>",
		"<job><referencenumber>A</referencenumber><title>Go</title></job>",
	} {
		rows, err := readAll(t, IndeedXML, []byte(doc), Options{Charset: "utf-8"}, 10)
		if err != nil || len(rows) != 1 || rows[0].Raw.ExternalID != "A" || rows[0].Err != nil {
			t.Errorf("%q: rows %+v, %v", doc, rows, err)
		}
	}
	// A feed without jobs is a feed without jobs.
	if rows, err := readAll(t, IndeedXML, []byte(`<?xml version="1.0"?><source></source>`), Options{}, 10); err != nil || len(rows) != 0 {
		t.Errorf("empty source: rows %v, %v", rows, err)
	}
}
