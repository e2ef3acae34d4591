package guide

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
)

// Store is what the library needs of the system of record; *store.Store
// is one.
type Store interface {
	Article(ctx context.Context, kind, slug string) (store.Article, error)
	Articles(ctx context.Context, kind string) ([]store.Article, error)
	SeedArticle(ctx context.Context, kind, slug, body string) (bool, error)
	EditArticle(ctx context.Context, kind, slug, body string, operatorID int64, note string) (store.Article, error)
	ArticleRevisions(ctx context.Context, kind, slug string) ([]store.ArticleRevision, error)
}

// Library serves the guides and articles: the store's current versions,
// or the embedded files' where the store has none. Safe for concurrent
// use; every read asks the store, so an edit on one node shows on all.
type Library struct {
	store Store // nil: the embedded files only, read-only
	files embedded
	log   *slog.Logger

	mu     sync.Mutex
	parsed map[parsedKey]parsedDoc // stored versions already parsed
}

type parsedKey struct {
	kind Kind
	slug string
}

type parsedDoc struct {
	revision int
	doc      any // Guide or Article
}

// New returns the library over st, or over the embedded files alone when
// st is nil (then Put… fail as Unavailable). It fails only if an embedded
// file is malformed, which the package's tests rule out.
func New(st Store, log *slog.Logger) (*Library, error) {
	files, err := loadEmbedded()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Library{store: st, files: files, log: log, parsed: map[parsedKey]parsedDoc{}}, nil
}

// Seed writes the embedded files into the store: each article it lacks,
// and each whose current text is an older version of the file's. An
// operator's edit is never replaced. It returns how many it wrote.
func (l *Library) Seed(ctx context.Context) (int, error) {
	if l.store == nil {
		return 0, nil
	}
	n := 0
	seed := func(kind Kind, slug, body string) error {
		wrote, err := l.store.SeedArticle(ctx, string(kind), slug, body)
		if wrote {
			n++
		}
		return err
	}
	for _, g := range l.files.guides {
		if err := seed(KindGuide, g.Slug, g.Source); err != nil {
			return n, err
		}
	}
	for _, role := range listing.Roles {
		if err := seed(KindRole, string(role), l.files.articles[role].Source); err != nil {
			return n, err
		}
	}
	return n, nil
}

// Guides returns every guide: the categories of the embedded files in
// GuideOrder, then any an operator added, by slug.
func (l *Library) Guides(ctx context.Context) ([]Guide, error) {
	stored, err := l.storedAll(ctx, KindGuide)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(l.files.guides)
	for i, g := range out {
		if a, ok := stored[g.Slug]; ok {
			out[i] = l.storedGuide(a, g)
			delete(stored, g.Slug)
		}
	}
	for _, a := range stored {
		if g := l.storedGuide(a, Guide{}); g.Slug != "" {
			out = append(out, g)
		}
	}
	slices.SortStableFunc(out, func(a, b Guide) int { return compareSlugs(a.Slug, b.Slug) })
	return out, nil
}

// Guide returns the guide of the slug, or a NotFound error.
func (l *Library) Guide(ctx context.Context, slug string) (Guide, error) {
	file, inFiles := l.fileGuide(slug)
	a, found, err := l.stored(ctx, KindGuide, slug)
	if err != nil {
		return Guide{}, err
	}
	if found {
		if g := l.storedGuide(a, file); g.Slug != "" {
			return g, nil
		}
	}
	if !inFiles {
		return Guide{}, problem.Errorf(problem.NotFound, "no guide %q", slug)
	}
	return file, nil
}

// Articles returns the article of every role, in listing.Roles order.
func (l *Library) Articles(ctx context.Context) ([]Article, error) {
	stored, err := l.storedAll(ctx, KindRole)
	if err != nil {
		return nil, err
	}
	out := make([]Article, 0, len(listing.Roles))
	for _, role := range listing.Roles {
		a := l.files.articles[role]
		if s, ok := stored[string(role)]; ok {
			a = l.storedArticle(s, a)
		}
		out = append(out, a)
	}
	return out, nil
}

// Article returns the job-type article of the role, or a NotFound error
// for a role that is not one of listing.Roles.
func (l *Library) Article(ctx context.Context, role listing.Role) (Article, error) {
	file, ok := l.files.articles[role]
	if !ok {
		return Article{}, problem.Errorf(problem.NotFound, "no role %q", role)
	}
	a, found, err := l.stored(ctx, KindRole, string(role))
	if err != nil || !found {
		return file, err
	}
	return l.storedArticle(a, file), nil
}

// PutGuide stores an operator's version of a guide (a new slug adds a
// category). A file that breaks a rule of the format is Unprocessable,
// naming the line.
func (l *Library) PutGuide(ctx context.Context, slug, src string, op store.Operator, note string) (Guide, error) {
	g, err := ParseGuide(slug, src)
	if err != nil {
		return Guide{}, invalid(err)
	}
	a, err := l.edit(ctx, KindGuide, slug, src, op, note)
	if err != nil {
		return Guide{}, err
	}
	withMeta(&g.Doc, a)
	return g, nil
}

// PutArticle stores an operator's version of a role's article.
func (l *Library) PutArticle(ctx context.Context, role listing.Role, src string, op store.Operator, note string) (Article, error) {
	if _, ok := l.files.articles[role]; !ok {
		return Article{}, problem.Errorf(problem.NotFound, "no role %q", role)
	}
	art, err := ParseArticle(role, src)
	if err != nil {
		return Article{}, invalid(err)
	}
	a, err := l.edit(ctx, KindRole, string(role), src, op, note)
	if err != nil {
		return Article{}, err
	}
	withMeta(&art.Doc, a)
	return art, nil
}

// Revisions returns every stored version of a guide or article, newest
// first.
func (l *Library) Revisions(ctx context.Context, kind Kind, slug string) ([]store.ArticleRevision, error) {
	if l.store == nil {
		return nil, nil
	}
	revs, err := l.store.ArticleRevisions(ctx, string(kind), slug)
	if err != nil {
		return nil, unavailable(err)
	}
	return revs, nil
}

// MaxNote is the longest note an edit may carry, in characters.
const MaxNote = 500

func (l *Library) edit(ctx context.Context, kind Kind, slug, src string, op store.Operator, note string) (store.Article, error) {
	if l.store == nil {
		return store.Article{}, problem.Errorf(problem.Unavailable, "guides cannot be edited without a store")
	}
	if op.ID == 0 {
		return store.Article{}, problem.Errorf(problem.Unauthorized, "only an operator may edit %s %q", kind, slug)
	}
	a, err := l.store.EditArticle(ctx, string(kind), slug, src, op.ID, note)
	if err != nil {
		return store.Article{}, unavailable(err)
	}
	l.log.InfoContext(ctx, "content edited", slog.String("kind", string(kind)), slog.String("slug", slug),
		slog.Int("revision", a.Revision), slog.String("operator", op.Name))
	return a, nil
}

// stored reads one article from the store; found is false when the store
// has none or there is no store. A store that does not answer is
// Unavailable.
func (l *Library) stored(ctx context.Context, kind Kind, slug string) (store.Article, bool, error) {
	if l.store == nil {
		return store.Article{}, false, nil
	}
	a, err := l.store.Article(ctx, string(kind), slug)
	if errors.Is(err, store.ErrNotFound) {
		return store.Article{}, false, nil
	}
	if err != nil {
		return store.Article{}, false, unavailable(err)
	}
	return a, true, nil
}

func (l *Library) storedAll(ctx context.Context, kind Kind) (map[string]store.Article, error) {
	out := map[string]store.Article{}
	if l.store == nil {
		return out, nil
	}
	all, err := l.store.Articles(ctx, string(kind))
	if err != nil {
		return nil, unavailable(err)
	}
	for _, a := range all {
		out[a.Slug] = a
	}
	return out, nil
}

// storedGuide parses a stored guide, once per revision. A stored text
// that no longer parses (a rule added since it was written) is logged
// and fallback is served instead.
func (l *Library) storedGuide(a store.Article, fallback Guide) Guide {
	v, err := l.parse(a, func() (any, error) { return ParseGuide(a.Slug, a.Body) })
	if err != nil {
		return fallback
	}
	return v.(Guide)
}

func (l *Library) storedArticle(a store.Article, fallback Article) Article {
	v, err := l.parse(a, func() (any, error) { return ParseArticle(listing.Role(a.Slug), a.Body) })
	if err != nil {
		return fallback
	}
	return v.(Article)
}

func (l *Library) parse(a store.Article, parse func() (any, error)) (any, error) {
	k := parsedKey{Kind(a.Kind), a.Slug}
	l.mu.Lock()
	p, ok := l.parsed[k]
	l.mu.Unlock()
	if ok && p.revision == a.Revision {
		return p.doc, nil
	}
	v, err := parse()
	if err != nil {
		l.log.Error("stored content does not parse; serving the file's", slog.String("kind", a.Kind),
			slog.String("slug", a.Slug), slog.Int("revision", a.Revision), slog.Any("err", err))
		return nil, err
	}
	switch d := v.(type) {
	case Guide:
		withMeta(&d.Doc, a)
		v = d
	case Article:
		withMeta(&d.Doc, a)
		v = d
	}
	l.mu.Lock()
	l.parsed[k] = parsedDoc{a.Revision, v}
	l.mu.Unlock()
	return v, nil
}

func (l *Library) fileGuide(slug string) (Guide, bool) {
	for _, g := range l.files.guides {
		if g.Slug == slug {
			return g, true
		}
	}
	return Guide{}, false
}

func withMeta(d *Doc, a store.Article) {
	d.UpdatedAt, d.UpdatedBy, d.Revision = a.UpdatedAt, a.Operator, a.Revision
}

// invalid gives a parse error its kind: the client's file is
// unprocessable, and the detail names the line.
func invalid(err error) error {
	var fe *Error
	if !errors.As(err, &fe) {
		return err
	}
	return &problem.Error{Kind: problem.Unprocessable, Message: "the file breaks a rule of the content format: " + fe.Error(), Err: err,
		Details: []problem.Detail{{Location: "body.source", Message: fe.Error()}}}
}

func unavailable(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly")
}

// String names a kind in messages.
func (k Kind) String() string {
	switch k {
	case KindGuide:
		return "guide"
	case KindRole:
		return "role article"
	}
	return fmt.Sprintf("kind %q", string(k))
}
