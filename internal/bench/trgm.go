package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// TrigramBaseline answers listing searches the way a team would with
// PostgreSQL alone: folded text under a pg_trgm GIN index for substrings,
// a GIN-indexed array of ASCII words, and btree indexes for filters and
// sorts. `anken bench search` runs it side by side with the in-memory index;
// it lives in a schema of its own, dropped by Close.
type TrigramBaseline struct {
	db     *sql.DB
	schema string
	// Copied is how long Load's COPY of the rows took, before any index:
	// the bare bulk-load rate to compare an import with.
	Copied time.Duration
}

// TrigramRow is one listing as the baseline stores it. Text is folded
// (NFKC, lower case) title, skills and description; Words are its ASCII
// words; RateLo, RateHi and Days are 0 when unknown.
type TrigramRow struct {
	ID                                 int64
	Text                               string
	Words, Skills                      []string
	Role, Remote, Prefecture, Contract string
	RateLo, RateHi                     int64
	Days                               int
	SideJob                            bool
	Posted                             int64 // Unix seconds
}

// TrigramQuery is a search in the baseline's terms.
type TrigramQuery struct {
	Substrings                             []string   // each must occur in Text
	Words                                  [][]string // for each group, one of its words must be in Words
	Skills                                 []string   // all
	Roles, Remotes, Prefectures, Contracts []string   // any of each
	RateMin, RateMax                       int64
	DaysMax                                int
	SideJob                                *bool
	Sort                                   string // "newest", "rate", or anything else: newest
	Limit                                  int
	Facets                                 bool
}

// TrigramResult is the baseline's answer.
type TrigramResult struct {
	Total  int
	IDs    []int64
	Facets map[string]map[string]int // role, remote, prefecture, contract, days, side_job, rate, skills (top 30)
}

// OpenTrigramBaseline connects to PostgreSQL at url and creates the
// baseline's schema.
func OpenTrigramBaseline(ctx context.Context, url string) (*TrigramBaseline, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("store: trigram baseline: %w", err)
	}
	db.SetMaxOpenConns(4)
	var b [4]byte
	rand.Read(b[:])
	t := &TrigramBaseline{db: db, schema: "anken_bench_" + hex.EncodeToString(b[:])}
	stmts := []string{
		`CREATE EXTENSION IF NOT EXISTS pg_trgm`,
		`CREATE SCHEMA ` + t.schema,
		`CREATE TABLE ` + t.table() + ` (
			id bigint PRIMARY KEY, text text NOT NULL, words text[] NOT NULL, skills text[] NOT NULL,
			role text NOT NULL, remote text NOT NULL, prefecture text NOT NULL, contract text NOT NULL,
			rate_lo bigint NOT NULL, rate_hi bigint NOT NULL, days int NOT NULL, side_job bool NOT NULL,
			posted bigint NOT NULL)`,
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: trigram baseline: %w", err)
		}
	}
	return t, nil
}

func (t *TrigramBaseline) table() string { return t.schema + ".listings" }

// Name names the baseline in reports.
func (t *TrigramBaseline) Name() string { return "PostgreSQL (pg_trgm + btree)" }

// Close drops the schema and disconnects.
func (t *TrigramBaseline) Close() error {
	_, err := t.db.Exec(`DROP SCHEMA ` + t.schema + ` CASCADE`)
	t.db.Close()
	return err
}

// Load copies rows in and builds the indexes, as a team would after a bulk
// load.
func (t *TrigramBaseline) Load(ctx context.Context, rows []TrigramRow) error {
	conn, err := t.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: trigram baseline: %w", err)
	}
	defer conn.Close()
	start := time.Now()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		i := 0
		_, err := pc.CopyFrom(ctx, pgx.Identifier{t.schema, "listings"},
			[]string{"id", "text", "words", "skills", "role", "remote", "prefecture", "contract",
				"rate_lo", "rate_hi", "days", "side_job", "posted"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if i == len(rows) {
					return nil, nil
				}
				r := &rows[i]
				i++
				return []any{r.ID, r.Text, r.Words, r.Skills, r.Role, r.Remote, r.Prefecture, r.Contract,
					r.RateLo, r.RateHi, r.Days, r.SideJob, r.Posted}, nil
			}))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: trigram baseline: copy: %w", err)
	}
	t.Copied = time.Since(start)
	tb := t.table()
	for _, s := range []string{
		`SET maintenance_work_mem = '1GB'`,
		`CREATE INDEX ON ` + tb + ` USING gin (text gin_trgm_ops)`,
		`CREATE INDEX ON ` + tb + ` USING gin (words)`,
		`CREATE INDEX ON ` + tb + ` USING gin (skills)`,
		`CREATE INDEX ON ` + tb + ` (role)`,
		`CREATE INDEX ON ` + tb + ` (remote)`,
		`CREATE INDEX ON ` + tb + ` (prefecture)`,
		`CREATE INDEX ON ` + tb + ` (contract)`,
		`CREATE INDEX ON ` + tb + ` (rate_hi DESC, id DESC)`,
		`CREATE INDEX ON ` + tb + ` (rate_lo)`,
		`CREATE INDEX ON ` + tb + ` (days)`,
		`CREATE INDEX ON ` + tb + ` (posted DESC, id DESC)`,
		`ANALYZE ` + tb,
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("store: trigram baseline: %s: %w", s, err)
		}
	}
	return nil
}

// Search answers q with two statements: the page, and the total with the
// facet counts from one pass over the hits.
func (t *TrigramBaseline) Search(ctx context.Context, q TrigramQuery) (TrigramResult, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	for _, s := range q.Substrings {
		where = append(where, "text LIKE "+arg("%"+escapeLike(s)+"%"))
	}
	for _, ws := range q.Words {
		where = append(where, "words && "+arg(ws))
	}
	if len(q.Skills) > 0 {
		where = append(where, "skills @> "+arg(q.Skills))
	}
	for col, vs := range map[string][]string{"role": q.Roles, "remote": q.Remotes, "prefecture": q.Prefectures, "contract": q.Contracts} {
		if len(vs) > 0 {
			where = append(where, col+" = ANY("+arg(vs)+")")
		}
	}
	if q.RateMin > 0 {
		where = append(where, "rate_hi >= "+arg(q.RateMin))
	}
	if q.RateMax > 0 {
		where = append(where, "rate_lo > 0 AND rate_lo <= "+arg(q.RateMax))
	}
	if q.DaysMax > 0 {
		where = append(where, "days > 0 AND days <= "+arg(q.DaysMax))
	}
	if q.SideJob != nil {
		where = append(where, "side_job = "+arg(*q.SideJob))
	}
	cond := "TRUE"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	order := "posted DESC, id DESC"
	if q.Sort == "rate" {
		order = "rate_hi DESC, id DESC"
	}
	var res TrigramResult
	rows, err := t.db.QueryContext(ctx, `SELECT id FROM `+t.table()+` WHERE `+cond+` ORDER BY `+order+
		` LIMIT `+strconv.Itoa(q.Limit), args...)
	if err != nil {
		return res, fmt.Errorf("store: trigram baseline: page: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return res, err
		}
		res.IDs = append(res.IDs, id)
	}
	rows.Close()
	if !q.Facets {
		err := t.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table()+` WHERE `+cond, args...).Scan(&res.Total)
		return res, err
	}
	rows, err = t.db.QueryContext(ctx, `
		WITH hits AS MATERIALIZED (SELECT * FROM `+t.table()+` WHERE `+cond+`)
		SELECT 'total', '', count(*) FROM hits
		UNION ALL SELECT 'role', role, count(*) FROM hits WHERE role <> '' GROUP BY role
		UNION ALL SELECT 'remote', remote, count(*) FROM hits WHERE remote <> '' GROUP BY remote
		UNION ALL SELECT 'prefecture', prefecture, count(*) FROM hits WHERE prefecture <> '' GROUP BY prefecture
		UNION ALL SELECT 'contract', contract, count(*) FROM hits WHERE contract <> '' GROUP BY contract
		UNION ALL SELECT 'days', days::text, count(*) FROM hits WHERE days > 0 GROUP BY days
		UNION ALL SELECT 'side_job', side_job::text, count(*) FROM hits GROUP BY side_job
		UNION ALL SELECT 'rate', (LEAST(rate_hi / 50000, 100) * 50000)::text, count(*) FROM hits WHERE rate_hi > 0 GROUP BY 2
		UNION ALL (SELECT 'skills', s, count(*) FROM hits, unnest(skills) s GROUP BY s ORDER BY 3 DESC, 2 LIMIT 30)`, args...)
	if err != nil {
		return res, fmt.Errorf("store: trigram baseline: facets: %w", err)
	}
	defer rows.Close()
	res.Facets = map[string]map[string]int{}
	for rows.Next() {
		var (
			facet, value string
			n            int
		)
		if err := rows.Scan(&facet, &value, &n); err != nil {
			return res, err
		}
		if facet == "total" {
			res.Total = n
			continue
		}
		if res.Facets[facet] == nil {
			res.Facets[facet] = map[string]int{}
		}
		res.Facets[facet][value] = n
	}
	return res, rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
