package market

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/skill"
	"anken/internal/store"
)

// StatsIndex answers a search's figures; search.Index is the
// implementation.
type StatsIndex interface {
	Stats(ctx context.Context, q search.Query, basis search.Basis) (search.Stats, error)
}

// SnapshotStore is what the daily snapshots need of the store.
type SnapshotStore interface {
	TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
	MarketDays(ctx context.Context) (first, last string, err error)
	PutMarketSnapshots(ctx context.Context, snaps []store.MarketSnapshot) error
}

// Daily takes the day's market snapshots from the index, once a day for
// every node together: each node checks every Every whether today's are
// taken, and the one that takes the lease takes them. Today is the day in
// Asia/Tokyo; a day no node was up for has no snapshots.
type Daily struct {
	Store  SnapshotStore
	Index  StatsIndex
	Log    *slog.Logger
	Holder string        // this node's name in the lease; a random one when empty
	Every  time.Duration // 10 minutes when 0
	// Ready reports whether the index is loaded: snapshots of an index
	// still loading would count too few listings. Nil: always.
	Ready func() bool
	// History, when set, is asked for the days before today when the
	// store has no snapshot before today (a fresh demo store), with
	// today's snapshots; what it returns is written with them.
	History func(today []store.MarketSnapshot) []store.MarketSnapshot
	Now     func() time.Time // time.Now when nil
}

// dailyLease names the lease of the daily snapshots.
const dailyLease = "market-snapshots"

// readyPoll is how often Run looks whether the index has loaded.
const readyPoll = 2 * time.Second

// Run checks once the index is loaded, then every Every, until ctx ends.
func (d *Daily) Run(ctx context.Context) {
	every := d.Every
	if every <= 0 {
		every = 10 * time.Minute
	}
	log := d.log()
	for {
		wait := every
		if d.Ready != nil && !d.Ready() {
			wait = min(every, readyPoll) // the index is loading: look again soon
		} else if _, err := d.Once(ctx); err != nil && ctx.Err() == nil {
			log.Error("market snapshots", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// Once takes today's snapshots unless they are taken, the index is not
// ready or another node holds the lease; it reports whether it took them.
func (d *Daily) Once(ctx context.Context) (bool, error) {
	if d.Ready != nil && !d.Ready() {
		return false, nil
	}
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	today := Day(now)
	_, last, err := d.Store.MarketDays(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return false, err
	case last >= today:
		return false, nil
	}
	if d.Holder == "" {
		var b [8]byte
		rand.Read(b[:])
		d.Holder = "node-" + hex.EncodeToString(b[:])
	}
	got, err := d.Store.TakeLease(ctx, dailyLease, d.Holder, 10*time.Minute)
	if err != nil || !got {
		return false, err
	}
	defer func() {
		if err := d.Store.ReleaseLease(context.WithoutCancel(ctx), dailyLease, d.Holder); err != nil {
			d.log().Warn("market snapshots: release lease", slog.Any("err", err))
		}
	}()
	// Another node may have taken them between the check and the lease.
	first, last, err := d.Store.MarketDays(ctx)
	empty := errors.Is(err, store.ErrNotFound)
	switch {
	case empty:
	case err != nil:
		return false, err
	case last >= today:
		return false, nil
	}
	start := time.Now()
	snaps, err := Take(ctx, d.Index, today)
	if err != nil {
		return false, err
	}
	if d.History != nil && (empty || first >= today) {
		past := d.History(snaps)
		d.log().Info("market snapshots: generated demo history", slog.Int("snapshots", len(past)))
		snaps = append(past, snaps...)
	}
	if err := d.Store.PutMarketSnapshots(ctx, snaps); err != nil {
		return false, err
	}
	d.log().Info("market snapshots taken", slog.String("day", today), slog.Int("scopes", len(snaps)),
		slog.Duration("took", time.Since(start)))
	return true, nil
}

func (d *Daily) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

// Take computes day's snapshots from the index: every open listing, each
// role, and each skill of the taxonomy that has open listings, all as
// collapsed searches (each job once); the roles and skills over
// full-workload listings, as their pages state them.
func Take(ctx context.Context, x StatsIndex, day string) ([]store.MarketSnapshot, error) {
	var out []store.MarketSnapshot
	add := func(scope string, q search.Query, always bool) error {
		q.Collapse = true
		if scope != Overall {
			q.Workload = listing.WorkloadFull
		}
		s, err := x.Stats(ctx, q, search.BasisMonthly)
		if err != nil {
			return fmt.Errorf("market: snapshot %s: %w", scope, err)
		}
		if s.Count > 0 || always {
			out = append(out, Snapshot(day, scope, s))
		}
		return nil
	}
	if err := add(Overall, search.Query{}, true); err != nil {
		return nil, err
	}
	for _, r := range listing.Roles {
		if err := add(RoleScope(r), search.Query{Roles: []listing.Role{r}}, true); err != nil {
			return nil, err
		}
	}
	for _, sk := range skill.All() {
		if err := add(SkillScope(sk.Slug), search.Query{Skills: []string{sk.Slug}}, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Snapshot is the snapshot of scope on day with the index's counts s.
func Snapshot(day, scope string, s search.Stats) store.MarketSnapshot {
	m := store.MarketSnapshot{Day: day, Scope: scope, Count: s.Count, Priced: s.Priced, P25: s.P25, Median: s.Median, P75: s.P75,
		PayRule: PayRule}
	if z := volumeZone(s.Bands, BandWidth, ZoneWidth); z != nil {
		m.ZoneFrom, m.ZoneTo = z.From, z.To
	}
	return m
}
