package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestOperate covers what operators do to the store, on both backends:
// hiding and restoring listings, agencies' keys, sessions, the audit log.
func TestOperate(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			for _, c := range operateCases {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, storetest.Open(t, backend))
				})
			}
		})
	}
}

var operateCases = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"hide and restore through the change log", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		l := sample("A-1")
		put, err := s.PutListing(ctx, a, l)
		if err != nil {
			t.Fatal(err)
		}
		id := put.ID
		res, err := s.HideListing(ctx, id)
		if err != nil || res.Outcome != store.Hidden || res.Seq <= put.Seq {
			t.Fatalf("HideListing = %+v, %v; want hidden at a later seq than %d", res, err, put.Seq)
		}
		if again, err := s.HideListing(ctx, id); err != nil || again.Outcome != store.Unchanged {
			t.Errorf("HideListing again = %+v, %v; want unchanged", again, err)
		}
		cs, err := s.Changes(ctx, put.Seq, 10)
		if err != nil || len(cs) != 1 || cs[0].Listing.Status != listing.StatusHidden {
			t.Fatalf("Changes after the put = %+v, %v; want the listing, hidden", cs, err)
		}
		if n := countOpen(t, s); n != 0 {
			t.Errorf("OpenListings has %d listings; want the hidden one left out", n)
		}
		got, err := s.Listing(ctx, id)
		if err != nil || got.Status != listing.StatusHidden {
			t.Errorf("Listing = %v, %v; want hidden", got.Status, err)
		}
		own, err := s.AgencyListing(ctx, a, "A-1")
		if err != nil || own.Status != listing.StatusHidden || own.Title != l.Title {
			t.Errorf("AgencyListing = %+v, %v; the agency still sees it, hidden", own, err)
		}
		// The agency writes it again, changed, and closes it: it stays hidden.
		l2 := sample("A-1")
		l2.Title = "【Go】決済基盤のバックエンド開発（改訂）"
		if r, err := s.PutListing(ctx, a, l2); err != nil || r.Outcome != store.Updated {
			t.Fatalf("PutListing (changed) = %+v, %v", r, err)
		}
		if got, _ := s.Listing(ctx, id); got.Status != listing.StatusHidden || got.Title != l2.Title {
			t.Errorf("after the agency's put: %q %v; want its new title, still hidden", got.Title, got.Status)
		}
		if n := countOpen(t, s); n != 0 {
			t.Errorf("OpenListings has %d listings after the agency's put; want 0", n)
		}
		res, err = s.RestoreListing(ctx, id)
		if err != nil || res.Outcome != store.Restored {
			t.Fatalf("RestoreListing = %+v, %v", res, err)
		}
		cs, err = s.Changes(ctx, res.Seq-1, 10)
		if err != nil || len(cs) != 1 || cs[0].Listing.Status != listing.StatusOpen {
			t.Fatalf("Changes after the restore = %+v, %v; want the listing, open", cs, err)
		}
		if n := countOpen(t, s); n != 1 {
			t.Errorf("OpenListings has %d listings after the restore; want 1", n)
		}
		if r, err := s.RestoreListing(ctx, id); err != nil || r.Outcome != store.Unchanged {
			t.Errorf("RestoreListing of an open listing = %+v, %v; want unchanged", r, err)
		}
		// Closed while hidden: restored, it is closed.
		s.HideListing(ctx, id)
		if _, err := s.CloseListing(ctx, a, "A-1"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Listing(ctx, id); got.Status != listing.StatusHidden {
			t.Errorf("closed while hidden: status %v; want hidden", got.Status)
		}
		s.RestoreListing(ctx, id)
		if got, _ := s.Listing(ctx, id); got.Status != listing.StatusClosed {
			t.Errorf("restored after the agency closed it: status %v; want closed", got.Status)
		}
		if _, err := s.HideListing(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("HideListing(unknown) error = %v, want ErrNotFound", err)
		}
		if _, err := s.RestoreListing(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RestoreListing(unknown) error = %v, want ErrNotFound", err)
		}
	}},
	{"agency summaries and keys", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		mustAgency(t, s, "b")
		for _, ext := range []string{"1", "2", "3"} {
			if _, err := s.PutListing(ctx, a, sample(ext)); err != nil {
				t.Fatal(err)
			}
		}
		s.CloseListing(ctx, a, "2")
		got, _ := s.AgencyListing(ctx, a, "3")
		s.HideListing(ctx, got.ID)
		k1, _ := s.CreateKey(ctx, a.ID)
		s.CreateKey(ctx, a.ID)
		sums, err := s.AgencySummaries(ctx)
		if err != nil || len(sums) != 2 {
			t.Fatalf("AgencySummaries = %+v, %v", sums, err)
		}
		if x := sums[0]; x.Slug != "a" || x.Open != 1 || x.Hidden != 1 || x.Keys != 2 || x.Webhook {
			t.Errorf("a = %+v; want 1 open, 1 hidden, 2 keys, no webhook", x)
		}
		if x := sums[1]; x.Slug != "b" || x.Open != 0 || x.Keys != 0 {
			t.Errorf("b = %+v; want nothing", x)
		}
		k3, revoked, err := s.RotateKey(ctx, a.ID)
		if err != nil || revoked != 2 || !strings.HasPrefix(k3, "ak_") {
			t.Fatalf("RotateKey = %q, %d, %v; want a key and 2 revoked", k3, revoked, err)
		}
		if _, err := s.AgencyByKey(ctx, k1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old key after the rotation: %v; want ErrNotFound", err)
		}
		if got, err := s.AgencyByKey(ctx, k3); err != nil || got.ID != a.ID {
			t.Errorf("new key: %+v, %v", got, err)
		}
		keys, err := s.AgencyKeys(ctx, a.ID)
		if err != nil || len(keys) != 3 || !keys[0].RevokedAt.IsZero() || keys[1].RevokedAt.IsZero() || !strings.HasPrefix(k3, keys[0].Prefix) {
			t.Fatalf("AgencyKeys = %+v, %v; want the new one live first, two revoked", keys, err)
		}
		if err := s.RevokeKey(ctx, a.ID, keys[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeKey(ctx, a.ID, keys[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RevokeKey twice: %v; want ErrNotFound", err)
		}
		if _, err := s.AgencyByKey(ctx, k3); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked key still works: %v", err)
		}
	}},
	{"operator sessions", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o, _, err := s.CreateOperator(ctx, "山田")
		if err != nil {
			t.Fatal(err)
		}
		tok, exp, err := s.CreateOperatorSession(ctx, o.ID, time.Hour)
		if err != nil || time.Until(exp) < 59*time.Minute {
			t.Fatalf("CreateOperatorSession = %q, %v, %v", tok, exp, err)
		}
		if got, err := s.OperatorBySession(ctx, tok); err != nil || got.Name != "山田" {
			t.Errorf("OperatorBySession = %+v, %v", got, err)
		}
		if _, err := s.OperatorBySession(ctx, tok+"x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown token: %v", err)
		}
		old, _, _ := s.CreateOperatorSession(ctx, o.ID, -time.Second)
		if _, err := s.OperatorBySession(ctx, old); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ended session: %v; want ErrNotFound", err)
		}
		if err := s.EndOperatorSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OperatorBySession(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after logout: %v; want ErrNotFound", err)
		}
		tok, _, _ = s.CreateOperatorSession(ctx, o.ID, time.Hour)
		s.RevokeOperator(ctx, "山田")
		if _, err := s.OperatorBySession(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session of a revoked operator: %v; want ErrNotFound", err)
		}
	}},
	{"audit log", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		as := func(kind, actor, action, ip string) context.Context {
			return store.WithAudit(ctx, store.AuditEntry{ActorKind: kind, Actor: actor, Action: action, IP: ip})
		}
		a, err := s.CreateAgency(as(store.AuditCLI, "cli", "create-agency", "cli"), "a", "")
		if err != nil {
			t.Fatal(err)
		}
		batch := store.WithAudit(ctx, store.AuditEntry{ActorKind: store.AuditAgency, Actor: "a", Action: "batch-agency-listings",
			Target: "/v1/agency/listings:batch", IP: "192.0.2.1"})
		rejected := store.Rejection{ExternalID: "A-2", Field: "title", Reason: "is required"}
		res, err := s.Apply(batch, []store.Work{{Agency: a, Source: "api", Puts: []*listing.Listing{sample("A-1")},
			Rejected: []store.Rejection{rejected}, Sent: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		id := res[0].Puts[0].ID
		for _, action := range []string{"hide-listing", "restore-listing"} {
			do := s.HideListing
			if action == "restore-listing" {
				do = s.RestoreListing
			}
			if _, err := do(as(store.AuditOperator, "山田", action, "192.0.2.9"), id); err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.AuditLog(ctx, store.AuditFilter{})
		if err != nil || len(all) != 4 || all[0].Action != "restore-listing" || all[3].Action != "create-agency" {
			t.Fatalf("AuditLog = %+v, %v; want 4, newest first", all, err)
		}
		if e := all[2]; e.ActorKind != store.AuditAgency || e.Detail != "put 1,000 listings: 1 accepted, 999 rejected" ||
			e.IP != "192.0.2.1" || e.Target != "/v1/agency/listings:batch" || e.ID == 0 || e.At.IsZero() {
			t.Errorf("agency row = %+v", e)
		}
		if e := all[1]; e.Target != fmt.Sprintf("listing %d", id) || e.Detail != "A-1 of a: hidden" {
			t.Errorf("hide row = %+v", e)
		}
		for _, c := range []struct {
			f    store.AuditFilter
			want []string
		}{
			{store.AuditFilter{Actor: "山田"}, []string{"restore-listing", "hide-listing"}},
			{store.AuditFilter{Action: "hide-listing"}, []string{"hide-listing"}},
			{store.AuditFilter{Action: "*listing*"}, nil},
			{store.AuditFilter{Action: "re*"}, []string{"restore-listing"}},
			{store.AuditFilter{Before: all[1].ID}, []string{"batch-agency-listings", "create-agency"}},
			{store.AuditFilter{Limit: 1, Before: all[0].ID}, []string{"hide-listing"}},
			{store.AuditFilter{Actor: "nobody"}, nil},
		} {
			got, err := s.AuditLog(ctx, c.f)
			var actions []string
			for _, e := range got {
				actions = append(actions, e.Action)
			}
			if err != nil || !reflect.DeepEqual(actions, c.want) {
				t.Errorf("AuditLog(%+v) = %v, %v; want %v", c.f, actions, err, c.want)
			}
		}
	}},
}

// TestAuditAppendOnly: the store's API has no way to change or remove a
// row of the audit log, nor to append one apart from the write it
// records: its only method touching it reads.
func TestAuditAppendOnly(t *testing.T) {
	typ := reflect.TypeFor[*store.Store]()
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if strings.Contains(name, "Audit") && name != "AuditLog" {
			t.Errorf("store.Store has %s: rows are appended by the writes they record (WithAudit) and read (AuditLog), nothing else", name)
		}
	}
}

func countOpen(t *testing.T, s *store.Store) int {
	t.Helper()
	n := 0
	if _, err := s.OpenListings(context.Background(), func(*listing.Listing) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
