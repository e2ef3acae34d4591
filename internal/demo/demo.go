// Package demo generates realistic listings (案件) as a dozen fictional
// agencies would send them: titles and descriptions in agency style, optional
// fields sometimes as free text, sometimes structured and sometimes left for
// the normalizer to find in the description, and planted reposts of the same
// job by other agencies. Each item carries the facts it was written from, so
// tests can check the normalizer and the dedupe against them.
//
// Output depends only on Options: the same seed and anchor time give the same
// items, byte for byte.
package demo

import (
	"encoding/json"
	"io"
	"iter"
	"math/rand/v2"
	"time"

	"anken/internal/listing"
)

// Options controls generation. The zero value works.
type Options struct {
	Seed uint64    // same seed, same output
	Now  time.Time // anchor for posted_at, valid_through and start; zero means DefaultNow
	// Reposts is the chance that an item is a planted repost of a recent
	// original by another agency; 0 means DefaultReposts, a negative
	// value none.
	Reposts float64
}

// DefaultReposts is the chance of a planted repost when Options.Reposts
// is 0.
const DefaultReposts = 0.08

// DefaultNow is the anchor used when Options.Now is zero, fixed so that
// output does not depend on the clock.
var DefaultNow = time.Date(2026, 11, 20, 9, 0, 0, 0, jst)

var jst = time.FixedZone("JST", 9*60*60)

// Item is one generated listing as one agency would send it.
type Item struct {
	Agency      string // agency slug
	listing.Raw        // ExternalID is set and unique per agency
	RepostOf    string // "" for an original; for a planted repost, "agency/external_id" of the original
	Truth       Truth  // what the listing really says
}

// Truth is the structured facts the generator chose before writing them as
// text. Zero fields were not stated (Start is "" for 長期 with no date).
type Truth struct {
	Role        listing.Role
	Skills      []string             // canonical slugs
	Experience  []listing.Experience // years of experience the 必須 lines ask for
	Rate        listing.Rate
	Workload    listing.Workload
	Remote      listing.Remote
	DaysPerWeek listing.Range
	Prefecture  string // ISO 3166-2:JP
	Contract    listing.Contract
	SideJobOK   bool
	Start       string // listing.StartImmediate or YYYY-MM-DD
}

// Generate streams n items. Memory does not grow with n: reposts are drawn
// from a bounded window of recent originals.
func Generate(n int, o Options) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		g := newGen(o)
		for range n {
			if !yield(g.item()) {
				return
			}
		}
	}
}

// line is one JSON Lines record: the raw listing with its agency.
type line struct {
	Agency string `json:"agency"`
	listing.Raw
	RepostOf string `json:"repost_of,omitempty"`
}

// WriteJSONL writes n generated listings to w, one raw listing per line
// with its "agency" (and "repost_of" for planted reposts).
func WriteJSONL(w io.Writer, n int, o Options) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for it := range Generate(n, o) {
		if err := enc.Encode(line{Agency: it.Agency, Raw: it.Raw, RepostOf: it.RepostOf}); err != nil {
			return err
		}
	}
	return nil
}

// window is how many recent originals a repost may copy.
const window = 256

// pcgStream is the second PCG word; the seed is the first.
const pcgStream = 0x616e6b656e // "anken"

// gen holds the state of one Generate call.
type gen struct {
	r    *rand.Rand
	now  time.Time
	ids  []int // listings numbered so far, per agency
	win  [window]*post
	seen int // originals so far
	hot  int // window slot of the last reposted original, or -1
	idx  []int
	// reposts is the chance of a planted repost.
	reposts float64
}

// post is an original a repost may copy.
type post struct {
	ref   string // agency/external_id
	job   *job
	taken uint16 // agencies (bit per index) that already carry the job
	n     int    // reposts so far
}

func newGen(o Options) *gen {
	now := o.Now
	if now.IsZero() {
		now = DefaultNow
	}
	reposts := o.Reposts
	if reposts == 0 {
		reposts = DefaultReposts
	}
	return &gen{
		r:       rand.New(rand.NewPCG(o.Seed, pcgStream)),
		now:     now.In(jst),
		ids:     make([]int, len(agencies)),
		hot:     -1,
		reposts: reposts,
	}
}

func (g *gen) item() Item {
	if g.seen > 0 && g.reposts > 0 && g.chance(g.reposts) {
		if it, ok := g.repost(); ok {
			return it
		}
	}
	a := g.agency(0)
	j := g.job(a)
	it := g.emit(a, j)
	g.win[g.seen%window] = &post{ref: it.Agency + "/" + it.ExternalID, job: j, taken: 1 << a}
	g.seen++
	return it
}

// agency picks an agency by weight, skipping those in the taken mask.
func (g *gen) agency(taken uint16) int {
	total := 0
	for i, a := range agencies {
		if taken&(1<<i) == 0 {
			total += a.weight
		}
	}
	if total == 0 {
		return -1
	}
	k := g.r.IntN(total)
	for i, a := range agencies {
		if taken&(1<<i) != 0 {
			continue
		}
		if k -= a.weight; k < 0 {
			return i
		}
	}
	return -1
}

// emit writes job j as agency a sends it.
func (g *gen) emit(a int, j *job) Item {
	ag := &agencies[a]
	g.ids[a]++
	id := ag.id(g.ids[a])
	raw := listing.Raw{
		ExternalID:  id,
		Title:       j.title.render(ag.tag),
		Description: j.doc.render(ag),
		ApplyURL:    "https://" + ag.host + ".example/jobs/" + id,
		PostedAt:    j.posted.Format(time.RFC3339),
	}
	if j.valid != nil {
		if ag.date {
			raw.ValidThrough = j.valid.Format(time.DateOnly)
		} else {
			raw.ValidThrough = j.valid.Format(time.RFC3339)
		}
	}
	g.fields(ag, j, &raw)
	return Item{Agency: ag.Slug, Raw: raw, Truth: j.truth()}
}

func (a *agency) id(n int) string {
	s := itoa(a.base + n)
	for len(s) < a.width {
		s = "0" + s
	}
	return a.prefix + s
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// perm returns k distinct random indexes below n (all n when k > n). The
// slice is reused by the next call.
func (g *gen) perm(n, k int) []int {
	g.idx = g.idx[:0]
	for i := range n {
		g.idx = append(g.idx, i)
	}
	k = min(k, n)
	for i := range k {
		j := i + g.r.IntN(n-i)
		g.idx[i], g.idx[j] = g.idx[j], g.idx[i]
	}
	return g.idx[:k]
}

// one returns a random element of xs.
func one[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }
