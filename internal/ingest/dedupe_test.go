package ingest_test

import (
	"context"
	"testing"

	"anken/internal/demo"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestDedupeOnDemo stores generated listings with their planted reposts
// (the same job by other agencies, lightly edited, another rate) and
// measures how well the groups the store assigns match the plant: pairwise
// precision and recall over listings that share a group.
func TestDedupeOnDemo(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 1500
	}
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	agencies := map[string]store.Agency{}
	for _, a := range demo.Agencies() {
		ag, err := st.CreateAgency(ctx, a.Slug, a.Name)
		if err != nil {
			t.Fatal(err)
		}
		agencies[a.Slug] = ag
	}
	type item struct{ ref, root string }
	var (
		items []item
		raws  []demo.Item
	)
	for it := range demo.Generate(n, demo.Options{Seed: 11}) {
		raws = append(raws, it)
	}
	ids := map[string]int64{}
	for _, it := range raws {
		res, err := ingest.Put(ctx, st, agencies[it.Agency], []listing.Raw{it.Raw})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Outcome == ingest.Rejected {
			continue
		}
		ref := it.Agency + "/" + it.ExternalID
		root := ref
		if it.RepostOf != "" {
			root = it.RepostOf
		}
		ids[ref] = res[0].ID
		items = append(items, item{ref, root})
	}
	groupOf := map[string]int64{}
	for _, it := range items {
		l, err := st.Listing(ctx, ids[it.ref])
		if err != nil {
			t.Fatal(err)
		}
		groupOf[it.ref] = l.GroupID
	}
	pairs := func(counts map[any]int) int {
		p := 0
		for _, c := range counts {
			p += c * (c - 1) / 2
		}
		return p
	}
	truth, pred, both := map[any]int{}, map[any]int{}, map[any]int{}
	for _, it := range items {
		truth[it.root]++
		pred[groupOf[it.ref]]++
		both[[2]any{it.root, groupOf[it.ref]}]++
	}
	tp, tpairs, ppairs := pairs(both), pairs(truth), pairs(pred)
	precision := float64(tp) / float64(max(ppairs, 1))
	recall := float64(tp) / float64(max(tpairs, 1))
	t.Logf("%d listings, %d planted duplicate pairs, %d grouped pairs: precision %.3f, recall %.3f", len(items), tpairs, ppairs, precision, recall)
	if tpairs == 0 {
		t.Fatal("the demo planted no reposts")
	}
	if precision < 0.95 || recall < 0.9 {
		t.Errorf("precision %.3f (want ≥ 0.95), recall %.3f (want ≥ 0.9)", precision, recall)
	}
}
