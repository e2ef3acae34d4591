package guide_test

import (
	"context"
	"strings"
	"testing"

	"anken/internal/guide"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestLibrary seeds a store from the files, edits a guide and an article
// as an operator, and reads the edits back, with their revisions.
func TestLibrary(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	lib, err := guide.New(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	n, err := lib.Seed(ctx)
	if err != nil || n != len(guide.GuideOrder)+len(listing.Roles) {
		t.Fatalf("Seed = %d, %v; want every file written", n, err)
	}
	if n, err := lib.Seed(ctx); err != nil || n != 0 {
		t.Errorf("second Seed = %d, %v; want 0", n, err)
	}
	g, err := lib.Guide(ctx, "backend")
	if err != nil || g.Total != 355 || g.Revision != 1 || g.UpdatedBy != "" {
		t.Fatalf("Guide(backend) = total %d rev %d by %q, %v", g.Total, g.Revision, g.UpdatedBy, err)
	}
	if _, err := lib.Guide(ctx, "plumbing"); problem.KindOf(err) != problem.NotFound {
		t.Errorf("Guide(plumbing) error = %v, want NotFound", err)
	}

	op, _, err := st.CreateOperator(ctx, "編集部")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(g.Source, "ai: 78", "ai: 80", 1)
	if _, err := lib.PutGuide(ctx, "backend", strings.Replace(edited, "ease: 40", "ease: 400", 1), op, ""); problem.KindOf(err) != problem.Unprocessable ||
		!strings.Contains(err.Error(), `"ease" is "400"`) {
		t.Errorf("PutGuide(bad score) error = %v, want Unprocessable naming ease", err)
	}
	g, err = lib.PutGuide(ctx, "backend", edited, op, "AI の点数を見直し")
	if err != nil || g.AI != 80 || g.Revision != 2 || g.UpdatedBy != "編集部" {
		t.Fatalf("PutGuide = AI %d rev %d by %q, %v", g.AI, g.Revision, g.UpdatedBy, err)
	}
	if g, _ := lib.Guide(ctx, "backend"); g.AI != 80 || g.UpdatedBy != "編集部" {
		t.Errorf("after the edit, Guide(backend) AI = %d by %q", g.AI, g.UpdatedBy)
	}
	// The operator's edit outlives the next start's seeding.
	if _, err := lib.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	all, err := lib.Guides(ctx)
	if err != nil || len(all) != len(guide.GuideOrder) || all[0].Slug != "backend" || all[0].AI != 80 {
		t.Errorf("Guides = %d, first %s AI %d, %v", len(all), all[0].Slug, all[0].AI, err)
	}
	revs, err := lib.Revisions(ctx, guide.KindGuide, "backend")
	if err != nil || len(revs) != 2 || revs[0].Operator != "編集部" || revs[0].Note != "AI の点数を見直し" || revs[0].Body != edited {
		t.Errorf("Revisions = %+v, %v", revs, err)
	}

	a, err := lib.Article(ctx, listing.RoleSRE)
	if err != nil || !strings.Contains(a.Title, "SRE") {
		t.Fatalf("Article(sre) = %q, %v", a.Title, err)
	}
	src := strings.Replace(a.Source, "title: SRE（サイト信頼性エンジニア）", "title: SRE", 1)
	if a, err = lib.PutArticle(ctx, listing.RoleSRE, src, op, ""); err != nil || a.Title != "SRE" {
		t.Fatalf("PutArticle = %q, %v", a.Title, err)
	}
	arts, err := lib.Articles(ctx)
	if err != nil || len(arts) != len(listing.Roles) || arts[4].Role != listing.RoleSRE || arts[4].Title != "SRE" {
		t.Errorf("Articles = %d, %v", len(arts), err)
	}
	if _, err := lib.Article(ctx, "plumber"); problem.KindOf(err) != problem.NotFound {
		t.Errorf("Article(plumber) error = %v, want NotFound", err)
	}
	if _, err := lib.PutArticle(ctx, "plumber", src, op, ""); problem.KindOf(err) != problem.NotFound {
		t.Errorf("PutArticle(plumber) error = %v, want NotFound", err)
	}
}

// TestLibraryWithoutStore serves the embedded files and refuses edits.
func TestLibraryWithoutStore(t *testing.T) {
	ctx := context.Background()
	lib, err := guide.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := lib.Guides(ctx)
	if err != nil || len(gs) != len(guide.GuideOrder) {
		t.Fatalf("Guides = %d, %v", len(gs), err)
	}
	if _, err := lib.PutGuide(ctx, "backend", gs[0].Source, storeOperator(), ""); problem.KindOf(err) != problem.Unavailable {
		t.Errorf("PutGuide without a store: %v, want Unavailable", err)
	}
}

func storeOperator() store.Operator { return store.Operator{ID: 1, Name: "x"} }
