package demo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/skill"
)

// sample is the number of items the statistical tests look at.
const sample = 20_000

func items(t testing.TB, n int, seed uint64) []Item {
	t.Helper()
	return slices.Collect(Generate(n, Options{Seed: seed}))
}

func TestDeterministic(t *testing.T) {
	out := func(o Options) []byte {
		var b bytes.Buffer
		if err := WriteJSONL(&b, 2000, o); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := out(Options{Seed: 7}), out(Options{Seed: 7})
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different output")
	}
	if !bytes.Equal(a, out(Options{Seed: 7, Now: DefaultNow})) {
		t.Error("zero Now and DefaultNow gave different output")
	}
	if bytes.Equal(a, out(Options{Seed: 8})) {
		t.Error("different seeds gave the same output")
	}
	if n := bytes.Count(a, []byte("\n")); n != 2000 {
		t.Errorf("got %d lines, want 2000", n)
	}
}

func TestAgencies(t *testing.T) {
	slug := regexp.MustCompile(`^[a-z0-9-]+$`)
	as := Agencies()
	if len(as) != 12 {
		t.Errorf("got %d agencies, want 12", len(as))
	}
	seen := map[string]bool{}
	for _, a := range agencies {
		if !slug.MatchString(a.Slug) || seen[a.Slug] || seen[a.host] {
			t.Errorf("agency slug %q or host %q is not a-z0-9- or is repeated", a.Slug, a.host)
		}
		seen[a.Slug], seen[a.host] = true, true
		if utf8.RuneCountInString(a.Name) < 3 || len(a.Name) == utf8.RuneCountInString(a.Name) {
			t.Errorf("agency %s: name %q is not in Japanese", a.Slug, a.Name)
		}
	}
}

// TestJSONL checks each line decodes back into a raw listing with its agency.
func TestJSONL(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSONL(&b, 500, Options{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte(`\u003c`)) || bytes.Contains(b.Bytes(), []byte(`\u0026`)) {
		t.Error("output escapes HTML characters")
	}
	want := items(t, 500, 1)
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		var l struct {
			Agency string `json:"agency"`
			listing.Raw
			RepostOf string `json:"repost_of"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if l.Agency != want[i].Agency || l.ExternalID != want[i].ExternalID || l.RepostOf != want[i].RepostOf ||
			l.Description != want[i].Description || l.Rate.String() != want[i].Rate.String() {
			t.Fatalf("line %d does not match item %d", i+1, i)
		}
	}
}

func TestIDsAndReposts(t *testing.T) {
	its := items(t, sample, 1)
	at := map[string]int{} // agency/external_id → index
	reposts, multi := 0, map[string]int{}
	for i, it := range its {
		ref := it.Agency + "/" + it.ExternalID
		if _, dup := at[ref]; dup {
			t.Fatalf("item %d: external id %s repeated", i, ref)
		}
		at[ref] = i
		if !strings.HasPrefix(it.ApplyURL, "https://") || !strings.HasSuffix(it.ApplyURL, "/jobs/"+it.ExternalID) {
			t.Errorf("item %d: apply_url %q", i, it.ApplyURL)
		}
		if it.RepostOf == "" {
			continue
		}
		reposts++
		multi[it.RepostOf]++
		j, ok := at[it.RepostOf]
		switch {
		case !ok:
			t.Fatalf("item %d reposts %s, which is not an earlier item", i, it.RepostOf)
		case its[j].RepostOf != "":
			t.Errorf("item %d reposts %s, itself a repost", i, it.RepostOf)
		case its[j].Agency == it.Agency:
			t.Errorf("item %d: agency %s reposts its own listing", i, it.Agency)
		}
		o := its[j]
		if o.Title == it.Title || o.Description == it.Description {
			t.Errorf("item %d: repost text is not edited", i)
		}
		ot, rt := o.Truth, it.Truth
		if ot.Rate.Known() && ot.Rate == rt.Rate {
			t.Errorf("item %d: repost has the original's rate %+v", i, rt.Rate)
		}
		if d := max(rt.Rate.MonthlyMax-ot.Rate.MonthlyMax, ot.Rate.MonthlyMax-rt.Rate.MonthlyMax); d > 100_000 {
			t.Errorf("item %d: repost rate moved by %d a month", i, d)
		}
		ot.Rate, rt.Rate = listing.Rate{}, listing.Rate{}
		if !equalTruth(ot, rt) {
			t.Errorf("item %d: repost facts %+v differ from the original %+v", i, rt, ot)
		}
	}
	share := float64(reposts) / sample
	t.Logf("reposts: %.1f%% of items, of %d jobs; jobs reposted by 2 or 3 other agencies: %d", 100*share, len(multi), count(multi, 2))
	if share < 0.065 || share > 0.095 {
		t.Errorf("reposts are %.1f%% of items, want about 8%%", 100*share)
	}
	if count(multi, 2) < 10 {
		t.Errorf("only %d jobs reposted by two or more other agencies", count(multi, 2))
	}
}

func count(m map[string]int, atLeast int) int {
	n := 0
	for _, v := range m {
		if v >= atLeast {
			n++
		}
	}
	return n
}

func equalTruth(a, b Truth) bool {
	return slices.Equal(a.Skills, b.Skills) && a.Role == b.Role && a.Rate == b.Rate && a.Remote == b.Remote &&
		a.DaysPerWeek == b.DaysPerWeek && a.Prefecture == b.Prefecture && a.Contract == b.Contract &&
		a.SideJobOK == b.SideJobOK && a.Start == b.Start
}

func TestSkills(t *testing.T) {
	for _, rw := range roles {
		for _, st := range rw.stacks {
			for _, s := range slices.Concat(st.core, st.extra) {
				if _, ok := skill.BySlug(s); !ok {
					t.Errorf("role %s uses skill %q, not in the taxonomy", rw.role, s)
				}
			}
		}
	}
	for slug, names := range spell {
		for _, n := range names {
			if s, ok := skill.Lookup(n); !ok || s.Slug != slug {
				t.Errorf("%q does not look up as %s", n, slug)
			}
		}
	}
	for i, it := range items(t, sample, 2) {
		for _, s := range it.Truth.Skills {
			if _, ok := skill.BySlug(s); !ok {
				t.Fatalf("item %d: skill %q not in the taxonomy", i, s)
			}
		}
	}
}

// TestShares checks the mix over many items against the intended shares.
func TestShares(t *testing.T) {
	its := items(t, sample, 3)
	role := map[listing.Role]int{}
	remote := map[listing.Remote]int{}
	placed, tokyo, side, sideHourly := 0, 0, 0, 0
	for _, it := range its {
		role[it.Truth.Role]++
		remote[it.Truth.Remote]++
		if it.Truth.Prefecture != "" {
			placed++
			if it.Truth.Prefecture == "JP-13" {
				tokyo++
			}
		}
		if it.Truth.SideJobOK {
			side++
			if it.Truth.Rate.Unit == listing.PerHour {
				sideHourly++
			}
		}
	}
	pct := func(n, of int) float64 { return 100 * float64(n) / float64(of) }
	for _, rw := range roles {
		want := float64(rw.weight) / 2
		if got := pct(role[rw.role], sample); got < want*0.8-0.5 || got > want*1.2+0.5 {
			t.Errorf("role %s: %.1f%%, want about %.1f%%", rw.role, got, want)
		}
	}
	order := []listing.Role{listing.RoleBackend, listing.RoleFrontend, listing.RoleInfra, listing.RoleFullstack, listing.RoleMobile}
	for i := 1; i < len(order); i++ {
		if role[order[i-1]] <= role[order[i]] {
			t.Errorf("role %s (%d) is not more common than %s (%d)", order[i-1], role[order[i-1]], order[i], role[order[i]])
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"remote full", pct(remote[listing.RemoteFull], sample), 35},
		{"remote partial", pct(remote[listing.RemotePartial], sample), 40},
		{"remote onsite", pct(remote[listing.RemoteOnsite], sample), 25},
		{"Tokyo of placed", pct(tokyo, placed), 65},
		{"side jobs", pct(side, sample), 15},
	} {
		t.Logf("%s: %.1f%% (want about %.0f%%)", c.name, c.got, c.want)
		if c.got < c.want-4 || c.got > c.want+4 {
			t.Errorf("%s: %.1f%%, want about %.0f%%", c.name, c.got, c.want)
		}
	}
	if pct(sideHourly, side) < 50 {
		t.Errorf("side jobs paid hourly: %.0f%%, want most", pct(sideHourly, side))
	}
}

// TestVolumeZone checks the backend monthly rates put the most listings in
// the 60万–70万円 band, whether a listing is binned by its upper amount (as
// the rate facet does) or by the middle of its range.
func TestVolumeZone(t *testing.T) {
	byMax, byMid := map[int64]int{}, map[int64]int{}
	for _, it := range items(t, sample, 4) {
		r := it.Truth.Rate
		if it.Truth.Role != listing.RoleBackend || r.Unit != listing.PerMonth || it.Truth.SideJobOK {
			continue
		}
		hi, mid := r.MonthlyMax, r.MonthlyMax
		if hi == 0 {
			hi, mid = r.MonthlyMin, r.MonthlyMin
		} else if r.MonthlyMin > 0 {
			mid = (r.MonthlyMin + r.MonthlyMax) / 2
		}
		byMax[hi/100_000*10]++
		byMid[mid/100_000*10]++
	}
	for _, c := range []struct {
		name  string
		bands map[int64]int
	}{{"max", byMax}, {"mid", byMid}} {
		zone := slices.MaxFunc(slices.Collect(maps.Keys(c.bands)), func(a, b int64) int { return c.bands[a] - c.bands[b] })
		t.Logf("backend monthly by %s (万円 band: listings): %v", c.name, c.bands)
		if zone != 60 {
			t.Errorf("backend volume zone by %s is %d万円, want 60万円", c.name, zone)
		}
	}
}

// TestText checks titles and descriptions have the length and the sections
// agencies write, and that every fact is stated somewhere.
func TestText(t *testing.T) {
	var titles, descs []int
	now := DefaultNow
	for i, it := range items(t, sample, 5) {
		titles = append(titles, utf8.RuneCountInString(it.Title))
		descs = append(descs, utf8.RuneCountInString(it.Description))
		if !strings.Contains(it.Description, "業務内容") && !strings.Contains(it.Description, "案件概要") && !strings.Contains(it.Description, "お仕事内容") {
			t.Fatalf("item %d: description has no 業務内容:\n%s", i, it.Description)
		}
		p, err := time.Parse(time.RFC3339, it.PostedAt)
		if err != nil || p.After(now) || p.Before(now.AddDate(0, 0, -61)) {
			t.Errorf("item %d: posted_at %q not within the last 60 days (%v)", i, it.PostedAt, err)
		}
		if it.ValidThrough != "" {
			v, err := time.Parse(time.RFC3339, it.ValidThrough)
			if err != nil {
				v, err = time.ParseInLocation(time.DateOnly, it.ValidThrough, jst)
			}
			if err != nil || v.Before(now.AddDate(0, 0, 29)) || v.After(now.AddDate(0, 0, 92)) {
				t.Errorf("item %d: valid_through %q not 30–90 days ahead (%v)", i, it.ValidThrough, err)
			}
		}
		if it.Truth.SideJobOK != strings.Contains(it.Title+it.Description, "副業") {
			t.Errorf("item %d: side job %v but the text says otherwise:\n%s", i, it.Truth.SideJobOK, it.Description)
		}
	}
	for _, c := range []struct {
		name   string
		n      []int
		lo, hi int
	}{{"title", titles, 30, 50}, {"description", descs, 400, 800}} {
		slices.Sort(c.n)
		in := 0
		for _, n := range c.n {
			if n >= c.lo && n <= c.hi {
				in++
			}
		}
		share := float64(in) / float64(len(c.n))
		t.Logf("%s length: min %d, median %d, max %d; %.0f%% within %d–%d", c.name, c.n[0], c.n[len(c.n)/2], c.n[len(c.n)-1], 100*share, c.lo, c.hi)
		if share < 0.85 {
			t.Errorf("%s length: only %.0f%% within %d–%d characters", c.name, 100*share, c.lo, c.hi)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	n := 0
	for it := range Generate(b.N, Options{Seed: 1}) {
		n += len(it.Description)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}

func BenchmarkWriteJSONL(b *testing.B) {
	b.ReportAllocs()
	if err := WriteJSONL(io.Discard, b.N, Options{Seed: 1}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}
