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
// ErrNotFound.
func (s *Store) HideListing(ctx context.Context, id int64) (PutResult, error) {
	var res PutResult
	err := s.write(ctx, func(w *writer) error {
		var status listing.Status
		err := w.tx.QueryRowContext(ctx, `SELECT status FROM listings WHERE id = $1`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: listing %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: hide listing %d: %w", id, err)
		}
		if status == listing.StatusHidden {
			res = PutResult{ID: id, Outcome: Unchanged}
			return nil
		}
		seq, err := w.nextSeq(ctx)
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE listings SET status = $1, updated_at = $2, seq = $3 WHERE id = $4`,
			listing.StatusHidden, w.now, seq, id); err != nil {
			return fmt.Errorf("store: hide listing %d: %w", id, err)
		}
		res = PutResult{ID: id, Seq: seq, Outcome: Hidden}
		return nil
	})
	return res, err
}

// RestoreListing undoes HideListing: the listing takes the status its
// agency last gave it (open or closed) and the change is logged, so
// indexes take it back when it is open. Restoring a listing that is not
// hidden is Unchanged; an unknown id is ErrNotFound.
func (s *Store) RestoreListing(ctx context.Context, id int64) (PutResult, error) {
	var res PutResult
	err := s.write(ctx, func(w *writer) error {
		var (
			status listing.Status
			doc    []byte
		)
		err := w.tx.QueryRowContext(ctx, `SELECT status, doc FROM listings WHERE id = $1`, id).Scan(&status, &doc)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: listing %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: restore listing %d: %w", id, err)
		}
		if status != listing.StatusHidden {
			res = PutResult{ID: id, Outcome: Unchanged}
			return nil
		}
		l, err := decodeDoc(id, "", doc)
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
		return nil
	})
	return res, err
}
