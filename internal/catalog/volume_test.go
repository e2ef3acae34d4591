package catalog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/store/storetest"
)

func TestWeeklyVolume(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	a, err := st.CreateAgency(ctx, "techlink", "テックリンク")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var ls []*listing.Listing
	// 320 Go listings of the past week, 50 Java ones, and 100 Go ones
	// posted before the week.
	for i := range 470 {
		posted, word := now.Add(-time.Duration(i)*time.Minute), "Go"
		switch {
		case i >= 370:
			posted = now.AddDate(0, 0, -8).Add(-time.Duration(i) * time.Minute)
		case i >= 320:
			word = "Java"
		}
		ls = append(ls, &listing.Listing{ExternalID: fmt.Sprint("L", i), Title: fmt.Sprintf("%s案件%d号 在庫システム%d", word, i, i*7919),
			Description: fmt.Sprintf("%sで開発します。管理番号%d。", word, i*104729), Status: listing.StatusOpen, PostedAt: posted})
	}
	if _, err := st.PutListings(ctx, a, ls); err != nil {
		t.Fatal(err)
	}
	x := search.NewIndex()
	if _, err := st.OpenListings(ctx, func(l *listing.Listing) error { x.Upsert(l); return nil }); err != nil {
		t.Fatal(err)
	}
	c := &catalog.Catalog{Store: st, Index: x}
	for _, tc := range []struct {
		text  string
		n     int
		broad bool
	}{
		{"go", catalog.BroadWeekly + 1, true}, // stops counting past the bound
		{"java", 50, false},
		{"rust", 0, false},
	} {
		n, broad, err := c.WeeklyVolume(ctx, search.Query{Text: tc.text}, now)
		if err != nil {
			t.Fatal(err)
		}
		if n != tc.n || broad != tc.broad {
			t.Errorf("WeeklyVolume(%q) = %d, %t; want %d, %t", tc.text, n, broad, tc.n, tc.broad)
		}
	}
}
