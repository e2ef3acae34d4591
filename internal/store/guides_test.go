package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestOperators covers operators and their keys on both backends.
func TestOperators(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			o, key, err := s.CreateOperator(ctx, "佐藤")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(key, store.OperatorKeyPrefix) || len(key) < 40 || !strings.HasPrefix(key, o.Prefix) {
				t.Errorf("key %q, prefix %q: want op_ and 48 hex digits", key, o.Prefix)
			}
			if _, _, err := s.CreateOperator(ctx, "佐藤"); !errors.Is(err, store.ErrConflict) {
				t.Errorf("second 佐藤: %v, want ErrConflict", err)
			}
			if _, _, err := s.CreateOperator(ctx, ""); err == nil {
				t.Error("an operator without a name was created")
			}
			got, err := s.OperatorByKey(ctx, key)
			if err != nil || got.ID != o.ID || got.Name != "佐藤" {
				t.Errorf("OperatorByKey = %+v, %v", got, err)
			}
			if _, err := s.OperatorByKey(ctx, key+"0"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("wrong key: %v, want ErrNotFound", err)
			}
			// An agency key is not an operator key, nor the other way round.
			a := mustAgency(t, s, "a")
			ak, _ := s.CreateKey(ctx, a.ID)
			if _, err := s.OperatorByKey(ctx, ak); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("agency key as operator: %v", err)
			}
			if _, err := s.AgencyByKey(ctx, key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("operator key as agency: %v", err)
			}
			if err := s.RevokeOperator(ctx, "佐藤"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.OperatorByKey(ctx, key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoked key: %v, want ErrNotFound", err)
			}
			if err := s.RevokeOperator(ctx, "佐藤"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoke twice: %v, want ErrNotFound", err)
			}
			all, err := s.Operators(ctx)
			if err != nil || len(all) != 1 || all[0].RevokedAt.IsZero() {
				t.Errorf("Operators = %+v, %v; want 佐藤, revoked", all, err)
			}
		})
	}
}

// TestArticles covers seeding from the content files, operators' edits
// and the revisions kept of both.
func TestArticles(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			if _, err := s.Article(ctx, "guide", "backend"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("missing article: %v, want ErrNotFound", err)
			}
			seed := func(body string, want bool) {
				t.Helper()
				wrote, err := s.SeedArticle(ctx, "guide", "backend", body)
				if err != nil || wrote != want {
					t.Fatalf("SeedArticle(%q) = %v, %v; want %v", body, wrote, err, want)
				}
			}
			seed("v1", true)
			seed("v1", false) // unchanged file
			seed("v2", true)  // a new release's file replaces the file's own text
			a, err := s.Article(ctx, "guide", "backend")
			if err != nil || a.Body != "v2" || a.Revision != 2 || a.OperatorID != 0 || a.Operator != "" {
				t.Fatalf("after seeding = %+v, %v", a, err)
			}
			o, _, err := s.CreateOperator(ctx, "editor")
			if err != nil {
				t.Fatal(err)
			}
			a, err = s.EditArticle(ctx, "guide", "backend", "edited", o.ID, "直した")
			if err != nil || a.Body != "edited" || a.Revision != 3 || a.Operator != "editor" || a.UpdatedAt.IsZero() {
				t.Fatalf("EditArticle = %+v, %v", a, err)
			}
			seed("v3", false) // the operator's edit wins over the file
			if a, _ := s.Article(ctx, "guide", "backend"); a.Body != "edited" {
				t.Errorf("after a later seed, body = %q, want the operator's", a.Body)
			}
			// An article first written by an operator.
			if a, err := s.EditArticle(ctx, "role", "qa", "new", o.ID, ""); err != nil || a.Revision != 1 {
				t.Errorf("EditArticle(new) = %+v, %v", a, err)
			}
			revs, err := s.ArticleRevisions(ctx, "guide", "backend")
			if err != nil || len(revs) != 3 {
				t.Fatalf("revisions = %+v, %v", revs, err)
			}
			if r := revs[0]; r.Revision != 3 || r.Body != "edited" || r.Operator != "editor" || r.Note != "直した" {
				t.Errorf("newest revision = %+v", r)
			}
			if r := revs[2]; r.Revision != 1 || r.Body != "v1" || r.OperatorID != 0 || r.Note != "content file" {
				t.Errorf("oldest revision = %+v", r)
			}
			all, err := s.Articles(ctx, "guide")
			if err != nil || len(all) != 1 || all[0].Slug != "backend" {
				t.Errorf("Articles(guide) = %+v, %v", all, err)
			}
		})
	}
}

// TestArticleEditsAtOnce edits one article from many goroutines: every
// edit gets its own revision.
func TestArticleEditsAtOnce(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			o, _, _ := s.CreateOperator(ctx, "editor")
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					if i%2 == 0 {
						s.SeedArticle(ctx, "role", "backend", "file")
					}
					if _, err := s.EditArticle(ctx, "role", "backend", "edit", o.ID, ""); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			revs, err := s.ArticleRevisions(ctx, "role", "backend")
			if err != nil {
				t.Fatal(err)
			}
			edits := 0
			for i, r := range revs {
				if r.Revision != len(revs)-i {
					t.Errorf("revision %d at %d", r.Revision, i)
				}
				if r.OperatorID == o.ID {
					edits++
				}
			}
			if edits != 8 {
				t.Errorf("%d edits kept, want 8", edits)
			}
		})
	}
}
