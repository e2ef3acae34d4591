package ingest_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"

	"anken/internal/feed"
	"anken/internal/ingest"
	"anken/internal/store/storetest"
)

// TestImportBrokenRows imports feeds of every format with broken rows: each
// broken row is reported with its line and the good rows are stored.
func TestImportBrokenRows(t *testing.T) {
	huge := strings.Repeat("長い説明。", 10<<20/15) // about 10 MB
	sjisCSV, _ := japanese.ShiftJIS.NewEncoder().String("案件ID,案件名,単価\nS-1,Goの開発,月額60万円\nS-2,,月額50万円\n")
	tail, _ := japanese.ShiftJIS.NewEncoder().String("S-4,AWS構築,月額1000000万円\n")
	sjisCSV += "S-3,\x82\xa0\xff\xfe\x81,50\n" + tail
	tests := []struct {
		format  string
		feed    string
		good    []string
		badRows map[int]string // line → field ("" for none)
	}{
		{feed.JSONL, strings.Join([]string{
			`{"external_id": "J-1", "title": "Goの開発", "rate": "月額60万円"}`,
			`{"external_id": "J-2", "title": ""}`,
			"{\"external_id\": \"J-3\", \"title\": \"\xff\"}",
			`{"external_id": "J-4", "title": "大きい", "description": "` + huge + `"}`,
			`{"external_id": "J-5", "title": "AWS構築", "rate": {"unit": "month", "min": 1000000000}}`,
			`{"external_id": "J-6", "title": "React開発"}`,
		}, "\n"), []string{"J-1", "J-6"}, map[int]string{2: "title", 3: "", 4: "description", 5: "rate.monthly_min"}},
		{feed.CSV, sjisCSV, []string{"S-1"}, map[int]string{3: "title", 4: "title", 5: "rate.monthly_min"}},
		{feed.IndeedXML, `<source><job><referencenumber>X-1</referencenumber><title><![CDATA[Goの開発]]></title></job>
<job><referencenumber>X-2</referencenumber><title>閉じない</job>
<job><referencenumber>X-3</referencenumber><title>SRE</title><salary>時給1000000000円</salary></job>
<job><referencenumber>X-4</referencenumber><title>データ基盤</title></job></source>`,
			[]string{"X-1", "X-4"}, map[int]string{2: "", 3: "rate.monthly_min"}},
		{feed.JobPosting, `[{"identifier": "P-1", "title": "Goの開発"}, {"identifier": "P-2"},
			{"identifier": "P-3", "title": "SRE", "baseSalary": {"currency": "JPY", "value": {"value": 1e9, "unitText": "MONTH"}}},
			{"identifier": "P-4", "title": "x", "baseSalary": {"currency": "JPY", "value": {"value": 5, "unitText": "WEEK"}}},
			{"identifier": "P-5", "title": "データ基盤"}]`,
			[]string{"P-1", "P-5"}, map[int]string{2: "title", 3: "rate.monthly_min", 4: "baseSalary.value.unitText"}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, "sqlite")
			ag, _ := st.CreateAgency(ctx, "a", "")
			bad := map[int]string{}
			run, err := ingest.Import(ctx, st, ingest.FeedRequest{Agency: ag, Format: tc.format}, strings.NewReader(tc.feed),
				ingest.ImportOptions{Batch: 2, Reject: func(r ingest.RowReport) {
					if _, seen := bad[r.Line]; !seen {
						bad[r.Line] = r.Field
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			for line, field := range tc.badRows {
				got, ok := bad[line]
				if !ok || (field != "" && !strings.HasPrefix(got, field)) {
					t.Errorf("line %d: reported %v %q, want field %q", line, ok, got, field)
				}
			}
			if len(bad) != len(tc.badRows) {
				t.Errorf("rejected lines %v, want %v", bad, tc.badRows)
			}
			for _, id := range tc.good {
				if _, err := st.AgencyListing(ctx, ag, id); err != nil {
					t.Errorf("good row %s not stored: %v", id, err)
				}
			}
			if run.Created != len(tc.good) || run.Rejected != len(tc.badRows) || run.State != "done" {
				t.Errorf("run = %+v", run)
			}
		})
	}
}
