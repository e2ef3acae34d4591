package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Article is the current text of a piece of editorial content: a
// side-job guide (kind "guide") or a job-type article (kind "role"). Body
// is the whole file, front matter included; the guide package reads it.
type Article struct {
	Kind     string
	Slug     string
	Body     string
	Revision int // 1 for the first version, one more for each
	// OperatorID and Operator name who wrote this version; 0 and "" when
	// the content file in the binary did.
	OperatorID int64
	Operator   string
	UpdatedAt  time.Time
}

// ArticleRevision is one version of an article: who wrote it, when, and
// the full text.
type ArticleRevision struct {
	Kind       string
	Slug       string
	Revision   int
	Body       string
	OperatorID int64  // 0: the content file
	Operator   string // the operator's name; "" for the content file
	Note       string // what the editor said of the change
	CreatedAt  time.Time
}

const articleColumns = `a.kind, a.slug, a.body, a.revision, COALESCE(a.operator_id, 0), COALESCE(o.name, ''), a.updated_at`

func scanArticle(row interface{ Scan(...any) error }) (Article, error) {
	var a Article
	err := row.Scan(&a.Kind, &a.Slug, &a.Body, &a.Revision, &a.OperatorID, &a.Operator, &a.UpdatedAt)
	return a, err
}

// Article returns the current version of an article, or ErrNotFound.
func (s *Store) Article(ctx context.Context, kind, slug string) (Article, error) {
	a, err := scanArticle(s.db.QueryRowContext(ctx, `SELECT `+articleColumns+`
		FROM articles a LEFT JOIN operators o ON o.id = a.operator_id
		WHERE a.kind = $1 AND a.slug = $2`, kind, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return Article{}, fmt.Errorf("store: %s %q: %w", kind, slug, ErrNotFound)
	}
	if err != nil {
		return Article{}, fmt.Errorf("store: %s %q: %w", kind, slug, err)
	}
	return a, nil
}

// Articles returns the current version of every article of the kind, by
// slug.
func (s *Store) Articles(ctx context.Context, kind string) ([]Article, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+articleColumns+`
		FROM articles a LEFT JOIN operators o ON o.id = a.operator_id
		WHERE a.kind = $1 ORDER BY a.slug`, kind)
	if err != nil {
		return nil, fmt.Errorf("store: %s articles: %w", kind, err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s articles: %w", kind, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SeedArticle writes the content file's text of an article: the first
// version when the store has none, a new version when the current one is
// the file's own (no operator wrote it) and differs. An operator's
// version is never replaced. It reports whether it wrote. Nodes seeding
// at once write each version once.
func (s *Store) SeedArticle(ctx context.Context, kind, slug, body string) (bool, error) {
	now := s.now()
	wrote := false
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var rev int
		var cur string
		var op sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT revision, body, operator_id FROM articles WHERE kind = $1 AND slug = $2`,
			kind, slug).Scan(&rev, &cur, &op)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `INSERT INTO articles (kind, slug, body, revision, updated_at)
				VALUES ($1, $2, $3, 1, $4) ON CONFLICT (kind, slug) DO NOTHING`, kind, slug, body, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another node seeded it first
			}
			rev = 0
		case err != nil:
			return err
		case op.Valid || cur == body:
			return nil
		default:
			res, err := tx.ExecContext(ctx, `UPDATE articles SET body = $1, revision = revision + 1, updated_at = $2
				WHERE kind = $3 AND slug = $4 AND revision = $5 AND operator_id IS NULL`, body, now, kind, slug, rev)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // changed since we read it
			}
		}
		wrote = true
		_, err = tx.ExecContext(ctx, `INSERT INTO article_revisions (kind, slug, revision, body, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, kind, slug, rev+1, body, "content file", now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: seed %s %q: %w", kind, slug, err)
	}
	return wrote, nil
}

// EditArticle stores an operator's version of an article as its current
// text and keeps it among the revisions, with the operator, the time and
// the note. From then on the content file no longer replaces it.
// Audited (WithAudit): detail the revision.
func (s *Store) EditArticle(ctx context.Context, kind, slug, body string, operatorID int64, note string) (Article, error) {
	now := s.now()
	var a Article
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var rev int
		err := tx.QueryRowContext(ctx, `INSERT INTO articles (kind, slug, body, revision, operator_id, updated_at)
			VALUES ($1, $2, $3, 1, $4, $5)
			ON CONFLICT (kind, slug) DO UPDATE SET body = excluded.body, revision = articles.revision + 1,
				operator_id = excluded.operator_id, updated_at = excluded.updated_at
			RETURNING revision`, kind, slug, body, operatorID, now).Scan(&rev)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_revisions (kind, slug, revision, body, operator_id, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, kind, slug, rev, body, operatorID, note, now); err != nil {
			return err
		}
		a, err = scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleColumns+`
			FROM articles a LEFT JOIN operators o ON o.id = a.operator_id
			WHERE a.kind = $1 AND a.slug = $2`, kind, slug))
		if err != nil {
			return err
		}
		return audit(ctx, tx, "", fmt.Sprintf("revision %d", rev))
	})
	if err != nil {
		return Article{}, fmt.Errorf("store: edit %s %q: %w", kind, slug, err)
	}
	return a, nil
}

// ArticleRevisions returns every version of an article, newest first;
// none (and no error) for an article never stored.
func (s *Store) ArticleRevisions(ctx context.Context, kind, slug string) ([]ArticleRevision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.kind, r.slug, r.revision, r.body, COALESCE(r.operator_id, 0),
			COALESCE(o.name, ''), r.note, r.created_at
		FROM article_revisions r LEFT JOIN operators o ON o.id = r.operator_id
		WHERE r.kind = $1 AND r.slug = $2 ORDER BY r.revision DESC`, kind, slug)
	if err != nil {
		return nil, fmt.Errorf("store: revisions of %s %q: %w", kind, slug, err)
	}
	defer rows.Close()
	var out []ArticleRevision
	for rows.Next() {
		var r ArticleRevision
		if err := rows.Scan(&r.Kind, &r.Slug, &r.Revision, &r.Body, &r.OperatorID, &r.Operator, &r.Note, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: revisions of %s %q: %w", kind, slug, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
