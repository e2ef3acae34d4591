package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"anken/internal/listing"
)

// Outcomes of HideListing and RestoreListing.
const (
	Hidden   Outcome = "hidden"
	Restored Outcome = "restored"
)

// A hidden listing is one an operator took out of public view. Its row's
// status column says hidden while its doc keeps what the agency wrote:
//
//   - every query of open listings (the index's load, the sitemap, market
//     figures, duplicate groups, expiry, a full feed's closing) passes it
//     over, for they ask for status 'open';
//   - the change log carries it with status hidden (scanListing reads the
//     column over the doc), so every node's index drops it, and restores
//     it the same way;
//   - the agency still reads it (status hidden) and may put or close it:
//     its doc changes, the row stays hidden (the UPDATEs of listing.go keep
//     the column) until an operator restores it, when the column takes the
//     doc's status again, open or closed.

// HideListing hides the listing with the id and logs the change, so
// indexes drop it. Hiding a hidden listing is Unchanged; an unknown id is
// ErrNotFound. Audited (WithAudit): target the listing, detail its
// external id, agency and the outcome.
func (s *Store) HideListing(ctx context.Context, id int64) (PutResult, error) {
	var res PutResult
	err := s.write(ctx, func(w *writer) error {
		cur, err := w.hideable(ctx, id)
		if err != nil {
			return err
		}
		res = PutResult{ID: id, Outcome: Unchanged}
		if cur.status != listing.StatusHidden {
			seq, err := w.nextSeq(ctx)
			if err != nil {
				return err
			}
			if _, err := w.tx.ExecContext(ctx, `UPDATE listings SET status = $1, updated_at = $2, seq = $3 WHERE id = $4`,
				listing.StatusHidden, w.now, seq, id); err != nil {
				return fmt.Errorf("store: hide listing %d: %w", id, err)
			}
			res = PutResult{ID: id, Seq: seq, Outcome: Hidden}
		}
		return cur.audit(ctx, w, res.Outcome)
	})
	return res, err
}

// hideableListing is what hiding and restoring read of a listing.
type hideableListing struct {
	id                 int64
	status             listing.Status
	doc                []byte
	externalID, agency string
}

func (w *writer) hideable(ctx context.Context, id int64) (hideableListing, error) {
	l := hideableListing{id: id}
	err := w.tx.QueryRowContext(ctx, `SELECT l.status, l.doc, l.external_id, a.slug
		FROM listings l JOIN agencies a ON a.id = l.agency_id WHERE l.id = $1`, id).Scan(&l.status, &l.doc, &l.externalID, &l.agency)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("store: listing %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("store: listing %d: %w", id, err)
	}
	return l, nil
}

// audit writes the audit row of a hide or restore with its outcome.
func (l hideableListing) audit(ctx context.Context, w *writer, o Outcome) error {
	return audit(ctx, w.tx, fmt.Sprintf("listing %d", l.id), fmt.Sprintf("%s of %s: %s", l.externalID, l.agency, o))
}

// RestoreListing undoes HideListing: the listing takes the status its
// agency last gave it (open or closed) and the change is logged, so
// indexes take it back when it is open. Restoring a listing that is not
// hidden is Unchanged; an unknown id is ErrNotFound. Audited (WithAudit)
// as HideListing.
func (s *Store) RestoreListing(ctx context.Context, id int64) (PutResult, error) {
	var res PutResult
	err := s.write(ctx, func(w *writer) error {
		cur, err := w.hideable(ctx, id)
		if err != nil {
			return err
		}
		if cur.status != listing.StatusHidden {
			res = PutResult{ID: id, Outcome: Unchanged}
			return cur.audit(ctx, w, res.Outcome)
		}
		l, err := decodeDoc(id, "", cur.doc)
		if err != nil {
			return err
		}
		if l.Status != listing.StatusOpen && l.Status != listing.StatusClosed {
			l.Status = listing.StatusOpen
		}
		seq, err := w.nextSeq(ctx)
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE listings SET status = $1, updated_at = $2, seq = $3 WHERE id = $4`,
			l.Status, w.now, seq, id); err != nil {
			return fmt.Errorf("store: restore listing %d: %w", id, err)
		}
		res = PutResult{ID: id, Seq: seq, Outcome: Restored}
		return cur.audit(ctx, w, res.Outcome)
	})
	return res, err
}
