package normalize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"anken/internal/listing"
)

var update = flag.Bool("update", false, "rewrite testdata/listings.golden.jsonl")

// TestGolden normalizes whole raw listings (testdata/listings.jsonl) and
// compares each result with testdata/listings.golden.jsonl. Run with
// -update to rewrite the golden file after a deliberate change, and review
// its diff.
func TestGolden(t *testing.T) {
	in, err := os.ReadFile("testdata/listings.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(bytes.NewReader(in))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var raw listing.Raw
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			t.Fatalf("listings.jsonl:%d: %v", n, err)
		}
		if err := enc.Encode(NormalizeAt(raw, corpusNow)); err != nil {
			t.Fatal(err)
		}
	}
	const golden = "testdata/listings.golden.jsonl"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	got := bytes.Split(out.Bytes(), []byte("\n"))
	wantLines := bytes.Split(want, []byte("\n"))
	if len(got) != len(wantLines) {
		t.Fatalf("got %d lines, want %d", len(got), len(wantLines))
	}
	for i := range got {
		if !bytes.Equal(got[i], wantLines[i]) {
			t.Errorf("line %d:\ngot  %s\nwant %s", i+1, got[i], wantLines[i])
		}
	}
}
