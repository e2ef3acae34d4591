package bench

import (
	"context"
	"errors"
	"testing"

	"anken/internal/listing"
	"anken/internal/search"
)

// TestGroongaAgrees loads generated listings into a local groonga and
// into anken's index, and checks that every query of every class the
// benchmarks time has the same total in both (and, where compare checks
// them, the same facet counts and page), with Groonga's cache on and off.
func TestGroongaAgrees(t *testing.T) {
	bin, err := GroongaBinary("")
	if errors.Is(err, ErrNoGroonga) {
		t.Skip("groonga is not installed (apt-get install groonga-bin): the Groonga baseline is not checked")
	}
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		t.Skip("starts groonga and loads 2,000 listings")
	}
	ctx := context.Background()
	ls := Generate(2000, 7)
	x := search.NewIndex()
	if err := x.Rebuild(ctx, func(add func(*listing.Listing)) error {
		for _, l := range ls {
			add(l)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	g, err := StartGroonga(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.Load(ctx, ls); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, l := range ls[:500] {
		texts = append(texts, l.Title+"\n"+l.Description)
	}
	queries := 0
	for _, c := range userClasses(7, 40, texts) {
		if c.page != 1 {
			continue
		}
		for _, q := range c.queries {
			q.Limit = search.DefaultLimit
			want, err := x.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range []*Groonga{g, g.Uncached()} {
				got, err := b.Search(ctx, q)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if msg := compare(q, want, got); msg != "" {
					t.Errorf("%s, %s: %s", b.Name(), c.name, msg)
				}
			}
			queries++
		}
	}
	t.Logf("%d queries, each answered alike by anken and %s (cache on and off)", queries, g.Name())
}
