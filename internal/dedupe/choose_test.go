package dedupe

import (
	"slices"
	"testing"
)

func TestTopVotes(t *testing.T) {
	var vs []Vote
	for i := range 12 {
		vs = append(vs, Vote{ID: int64(i + 1), Bands: i % 3})
	}
	vs = append(vs, Vote{ID: 99, Bands: 1, URL: true})
	top := TopVotes(vs)
	if len(top) != MaxCandidates {
		t.Fatalf("%d candidates, want %d", len(top), MaxCandidates)
	}
	var ids []int64
	for _, v := range top {
		ids = append(ids, v.ID)
	}
	// The apply URL first, then most bands (2: 12, 9, 6, 3), then 1 band newest first.
	if want := []int64{99, 12, 9, 6, 3, 11, 8, 5}; !slices.Equal(ids, want) {
		t.Errorf("TopVotes = %v, want %v", ids, want)
	}
}

func TestChoose(t *testing.T) {
	a := Sign("【Go】決済APIの開発", "決済サービスのAPIをGoで開発します。リモート可、週4日から。")
	same := Sign("【Go】決済APIの開発", "決済サービスのAPIをGoで開発します。リモート可、週4日から。")
	other := Sign("Javaで基幹システム刷新", "基幹システムをJavaで作り直す大規模な案件です。")
	for _, c := range []struct {
		name  string
		cands []Candidate
		want  int64
	}{
		{"none", nil, 0},
		{"dissimilar", []Candidate{{Group: 7, Sig: other}}, 0},
		{"similar", []Candidate{{Group: 7, Sig: other}, {Group: 9, Sig: same}}, 9},
		{"lowest group on a tie", []Candidate{{Group: 9, Sig: same}, {Group: 4, Sig: same}}, 4},
		{"the apply URL beats similarity", []Candidate{{Group: 4, Sig: same}, {Group: 30, Sig: other, URL: true}}, 30},
	} {
		if got := Choose(&a, c.cands); got != c.want {
			t.Errorf("%s: Choose = %d, want %d", c.name, got, c.want)
		}
	}
}
