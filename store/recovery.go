package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

var _ gateway.RecoveryStore = (*DB)(nil)

// legacyStation is gateway.StationLegacy in SQL: the modello unico has no
// RPTs to ask about (its node resends the receipts itself).
const legacyStation = "1"

// claimPendingSQL pushes the next check of the claimed RPTs past the
// lease, which is what holds them; SKIP LOCKED (PostgreSQL) lets several
// processes claim side by side. Besides the RPTs the node accepted, it
// takes those prepared for a cart still PREDISPOSTO: the process sending
// them died (or its database went away) before recording the node's
// answer, so only the node knows whether it has them. Activations at a
// PSP are left to their sender; carts of modello-unico enti to the node.
const claimPendingSQL = `UPDATE payment SET recovery_next_at = ?
WHERE id IN (SELECT p.id FROM payment p
	WHERE (p.state = '` + string(gateway.PaymentSent) + `' AND p.requested_at < ?
		OR p.state = '` + string(gateway.PaymentNew) + `' AND p.rpt IS NOT NULL AND p.requested_at < ? AND EXISTS (SELECT 1 FROM cart c
			WHERE c.id = p.cart_id AND c.state = '` + string(gateway.CartPredisposto) + `' AND c.kind <> '` + string(gateway.CartAttivatoPSP) + `'))
		AND (p.recovery_next_at IS NULL OR p.recovery_next_at <= ?)
		AND EXISTS (SELECT 1 FROM cart c JOIN ente e ON e.id = c.ente_id
			WHERE c.id = p.cart_id AND e.station_version = ` + legacyStation + `)
	ORDER BY p.recovery_next_at NULLS FIRST, p.id LIMIT ?%s)
RETURNING id, cart_id, dominio, iuv, ccp, requested_at, recovery_attempts, recovery_last, state`

// ClaimPendingRPTs implements gateway.RecoveryStore.
func (db *DB) ClaimPendingRPTs(ctx context.Context, sentBefore, unconfirmedBefore time.Time, lease time.Duration, limit int) ([]gateway.PendingRPT, error) {
	now := db.now()
	rows, err := db.w.QueryContext(ctx, db.w.Rebind(fmt.Sprintf(claimPendingSQL, db.skipLocked())),
		stamp(now.Add(lease)), stamp(sentBefore), stamp(unconfirmedBefore), stamp(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim pending RPTs: %w", err)
	}
	defer rows.Close()
	var out []gateway.PendingRPT
	for rows.Next() {
		var p gateway.PendingRPT
		var state string
		if err := rows.Scan(&p.PaymentID, &p.CartID, &p.Dominio, &p.IUV, &p.CCP, scanTime{&p.SentAt}, &p.Attempts, &p.LastResult, &state); err != nil {
			return nil, err
		}
		p.Unconfirmed = state == string(gateway.PaymentNew)
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

// RetryRecovery makes receipt recovery ask about the payment at its next
// round, whatever its schedule (ponte payments retry-rt); false when the
// payment has a receipt or is not one recovery handles.
func (db *DB) RetryRecovery(ctx context.Context, paymentID int64) (bool, error) {
	res, err := db.w.ExecContext(ctx, db.w.Rebind(`UPDATE payment SET recovery_next_at = NULL, updated_at = ?
		WHERE id = ? AND receipt_id IS NULL AND (state = ? OR state = ? AND rpt IS NOT NULL)`),
		stamp(db.now()), paymentID, string(gateway.PaymentSent), string(gateway.PaymentNew))
	if err != nil {
		return false, fmt.Errorf("store: payment %d recovery: %w", paymentID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// WaitingRPTs lists the RPTs of dominio the node accepted before
// sentBefore and whose RT Ponte is still waiting for (receipt recovery's
// sweep compares them with the node's pending list).
func (db *DB) WaitingRPTs(ctx context.Context, dominio string, sentBefore time.Time) ([]gateway.PendingRPT, error) {
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(`SELECT id, cart_id, dominio, iuv, ccp, requested_at, recovery_attempts, recovery_last
		FROM payment WHERE state = ? AND dominio = ? AND requested_at < ? ORDER BY requested_at LIMIT 1000`),
		string(gateway.PaymentSent), dominio, stamp(sentBefore))
	if err != nil {
		return nil, fmt.Errorf("store: waiting RPTs: %w", err)
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

// staleCheckoutSQL finds carts of modello-unico enti in progress since
// before ? without any receipt.
const staleCheckoutSQL = `SELECT c.id FROM cart c JOIN ente e ON e.id = c.ente_id
WHERE c.state = '` + string(gateway.CartInCorso) + `' AND e.station_version <> ` + legacyStation + `
	AND c.kind <> '` + string(gateway.CartAttivatoPSP) + `' AND c.updated_at < ?
	AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.cart_id = c.id AND p.receipt_id IS NOT NULL)
ORDER BY c.id LIMIT 100`

// ExpireStaleCheckoutCarts ends, SCADUTO, the Checkout carts in progress
// since before without any receipt (MyPay expires its multi-carts after
// 24 hours); a receipt arriving later still decides them. It returns how
// many it ended.
func (db *DB) ExpireStaleCheckoutCarts(ctx context.Context, before time.Time) (int, error) {
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(staleCheckoutSQL), stamp(before))
	if err != nil {
		return 0, fmt.Errorf("store: stale Checkout carts: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	n := 0
	for _, id := range ids {
		err := db.ExpireCart(ctx, id, "nessuna ricevuta da pagoPA Checkout entro il termine")
		switch {
		case errors.Is(err, gateway.ErrConflict): // a receipt came meanwhile
		case err != nil:
			return n, err
		default:
			n++
		}
	}
	return n, nil
}
