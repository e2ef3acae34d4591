package store

import (
	"context"
	"fmt"

	"anken/internal/listing"
)

// rederiveBatch is how many listings one transaction of Rederive reads.
const rederiveBatch = 500

// Rederive rewrites every stored listing, closed and hidden ones too,
// whose document fn changes: fn gets the listing as stored (the agency's
// document; status as the doc says) and reports whether it changed it.
// It is for the fields a listing derives from what the agency sent (a
// rule that changed, such as pay at the stated workload): what the rule
// is, is fn's to say. A rewritten listing keeps its update time and takes
// a new change-log position, so every node's index takes it in; its
// content hash is that of the new document, so the same listing sent
// again is unchanged. Listings are read in batches of ids, each batch in
// one transaction; it returns how many it rewrote.
//
// rule names the re-derivation: once one has run to its end it is noted,
// and Rederive of the same rule does nothing again (0, nil). Nodes that
// run it at once each rewrite what they find changed; fn must be
// idempotent.
func (s *Store) Rederive(ctx context.Context, rule string, fn func(*listing.Listing) bool) (int, error) {
	var seen int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM rederived WHERE rule = $1`, rule).Scan(&seen); err != nil {
		return 0, fmt.Errorf("store: rederive %s: %w", rule, err)
	}
	if seen > 0 {
		return 0, nil
	}
	var after int64
	n := 0
	for {
		var last int64
		var done bool
		err := s.write(ctx, func(w *writer) error {
			rows, err := w.tx.QueryContext(ctx, `SELECT l.id, a.slug, l.doc FROM listings l
				JOIN agencies a ON a.id = l.agency_id WHERE l.id > $1 ORDER BY l.id LIMIT $2`, after, rederiveBatch)
			if err != nil {
				return fmt.Errorf("store: rederive: read listings after %d: %w", after, err)
			}
			type changed struct {
				id int64
				st stored
			}
			var out []changed
			read := 0
			for rows.Next() {
				var id int64
				var agency string
				var doc []byte
				if err := rows.Scan(&id, &agency, &doc); err != nil {
					rows.Close()
					return fmt.Errorf("store: rederive: %w", err)
				}
				read++
				last = id
				l, err := decodeDoc(id, agency, doc)
				if err != nil {
					rows.Close()
					return err
				}
				if !fn(&l) {
					continue
				}
				var st stored
				if st.encode(&l); st.err != nil {
					rows.Close()
					return fmt.Errorf("store: rederive listing %d: %w", id, st.err)
				}
				out = append(out, changed{id, st})
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("store: rederive: %w", err)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: rederive: %w", err)
			}
			done = read < rederiveBatch
			for _, c := range out {
				seq, err := w.nextSeq(ctx)
				if err != nil {
					return err
				}
				if _, err := w.tx.ExecContext(ctx, `UPDATE listings SET doc = $1, content_hash = $2, seq = $3 WHERE id = $4`,
					c.st.doc, c.st.hash, seq, c.id); err != nil {
					return fmt.Errorf("store: rederive listing %d: %w", c.id, err)
				}
			}
			n += len(out)
			return nil
		})
		if err != nil {
			return n, err
		}
		if done {
			if _, err := s.db.ExecContext(ctx, `INSERT INTO rederived (rule, at) VALUES ($1, $2) ON CONFLICT (rule) DO NOTHING`,
				rule, s.now()); err != nil {
				return n, fmt.Errorf("store: rederive %s: note it done: %w", rule, err)
			}
			return n, nil
		}
		after = last
	}
}
