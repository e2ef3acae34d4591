package catalog

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// DefaultFiguresMaxAge is the FiguresMaxAge anken serve runs with: under a
// steady stream of writes a page's figures are computed at most once every
// 10 s, and the page says when.
const DefaultFiguresMaxAge = 10 * time.Second

// Figured says how current figures are: computed at AsOf, and Behind when
// the catalogue has changed since.
type Figured struct {
	AsOf   time.Time
	Behind bool
}

// figures keeps the figures of the pages every visitor sees (the top
// page's counts, a job-type page's market figures and newest listings),
// each with the index's position it was asked at.
type figures struct {
	mu     sync.Mutex
	by     map[string]figureEntry
	flight singleflight.Group // one computation of a key at a time
}

type figureEntry struct {
	v    any
	at   int64
	asOf time.Time
}

// figuresMax bounds the figures kept: the pages with figures are a few
// hundred (job types, skills, areas, features).
const figuresMax = 2048

// Figures answers compute's value for key: computed once for an index
// position and a minute (今日の新着 counts from the minute) and exact
// then, and, while writes keep moving the index, answered again for up to
// c.FiguresMaxAge after it was computed, Behind. With no FiguresMaxAge the
// answer is always the index's as it is. Concurrent askers of a key that
// must be computed share one computation, which runs to its end even when
// the asker that began it goes away (compute's ctx is not canceled with
// ctx). The value is shared: callers must not change it.
func Figures[V any](ctx context.Context, c *Catalog, key string, now time.Time, compute func(ctx context.Context) (V, error)) (V, Figured, error) {
	at := c.Index.Position()
	if e, ok := c.figures.get(key); ok && !now.Before(e.asOf) {
		exact := e.at == at && now.Truncate(time.Minute).Equal(e.asOf.Truncate(time.Minute))
		if exact || now.Sub(e.asOf) < c.FiguresMaxAge {
			if v, ok := e.v.(V); ok {
				return v, Figured{AsOf: e.asOf, Behind: !exact}, nil
			}
		}
	}
	r, err, _ := c.figures.flight.Do(key, func() (any, error) {
		v, err := compute(context.WithoutCancel(ctx))
		if err == nil {
			c.figures.put(key, figureEntry{v: v, at: at, asOf: now})
		}
		return v, err
	})
	if err != nil {
		var zero V
		return zero, Figured{}, err
	}
	// A value computed by another asker of the key at nearly the same
	// time, for the same position or a later one.
	return r.(V), Figured{AsOf: now}, nil
}

func (f *figures) get(key string) (figureEntry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.by[key]
	return e, ok
}

// put keeps e for key, unless a value asked at a later position is kept.
func (f *figures) put(key string, e figureEntry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.by[key]; ok && old.at > e.at {
		return
	}
	if f.by == nil || len(f.by) >= figuresMax {
		f.by = make(map[string]figureEntry)
	}
	f.by[key] = e
}
