package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

var _ gateway.RecoveryStore = (*DB)(nil)

// claimPendingSQL pushes the next check of the claimed RPTs past the
// lease, which is what holds them; SKIP LOCKED (PostgreSQL) lets several
// processes claim side by side.
const claimPendingSQL = `UPDATE payment SET recovery_next_at = ?
WHERE id IN (SELECT id FROM payment
	WHERE state = '` + string(gateway.PaymentSent) + `' AND requested_at < ?
		AND (recovery_next_at IS NULL OR recovery_next_at <= ?)
	ORDER BY recovery_next_at NULLS FIRST, id LIMIT ?%s)
RETURNING id, cart_id, dominio, iuv, ccp, requested_at, recovery_attempts, recovery_last`

// ClaimPendingRPTs implements gateway.RecoveryStore.
func (db *DB) ClaimPendingRPTs(ctx context.Context, sentBefore time.Time, lease time.Duration, limit int) ([]gateway.PendingRPT, error) {
	now := db.now()
	rows, err := db.w.QueryContext(ctx, db.w.Rebind(fmt.Sprintf(claimPendingSQL, db.skipLocked())),
		stamp(now.Add(lease)), stamp(sentBefore), stamp(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim pending RPTs: %w", err)
	}
	defer rows.Close()
	var out []gateway.PendingRPT
	for rows.Next() {
		var p gateway.PendingRPT
		if err := rows.Scan(&p.PaymentID, &p.CartID, &p.Dominio, &p.IUV, &p.CCP, scanTime{&p.SentAt}, &p.Attempts, &p.LastResult); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// NoteRecovery implements gateway.RecoveryStore.
func (db *DB) NoteRecovery(ctx context.Context, paymentID int64, result string, next time.Time) error {
	var nextAt any
	if !next.IsZero() {
		nextAt = stamp(next)
	} else {
		// Never again: far enough that no claim takes it.
		nextAt = stamp(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	_, err := db.w.ExecContext(ctx, db.w.Rebind(`UPDATE payment SET recovery_attempts = recovery_attempts + 1,
		recovery_last = ?, recovery_next_at = ?, updated_at = ? WHERE id = ?`), result, nextAt, stamp(db.now()), paymentID)
	if err != nil {
		return fmt.Errorf("store: payment %d recovery: %w", paymentID, err)
	}
	return nil
}
