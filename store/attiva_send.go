package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ponte-pagopa/ponte/gateway"
)

// claimToSendSQL pushes the due time of the claimed RPTs past the lease,
// which is what holds them; SKIP LOCKED (PostgreSQL) lets several
// processes claim side by side. Only activations are ever due: other
// payments have no send_next_at.
const claimToSendSQL = `UPDATE payment SET send_next_at = ?
WHERE id IN (SELECT p.id FROM payment p
	WHERE p.state = '` + string(gateway.PaymentNew) + `' AND p.send_next_at IS NOT NULL AND p.send_next_at <= ?
		AND EXISTS (SELECT 1 FROM cart c WHERE c.id = p.cart_id AND c.kind = '` + string(gateway.CartAttivatoPSP) + `')
	ORDER BY p.send_next_at, p.id LIMIT ?%s)
RETURNING id, cart_id, cod_ipa, dominio, iuv, ccp, rpt, psp_id, psp_broker, psp_channel, send_attempts, send_last`

// ClaimRPTsToSend implements gateway.ActivationStore.
func (db *DB) ClaimRPTsToSend(ctx context.Context, lease time.Duration, limit int) ([]gateway.RPTToSend, error) {
	now := db.now()
	rows, err := db.w.QueryContext(ctx, db.w.Rebind(fmt.Sprintf(claimToSendSQL, db.skipLocked())),
		stamp(now.Add(lease)), stamp(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim RPTs to send: %w", err)
	}
	defer rows.Close()
	var out []gateway.RPTToSend
	for rows.Next() {
		var r gateway.RPTToSend
		if err := rows.Scan(&r.PaymentID, &r.CartID, &r.CodIpa, &r.Dominio, &r.IUV, &r.CCP, &r.RPT,
			&r.PSP, &r.Broker, &r.Channel, &r.Attempts, &r.Last); err != nil {
			return nil, fmt.Errorf("store: claim RPTs to send: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// An RPT whose RT came meanwhile (the node had it already) keeps its
// state: every update below requires PaymentNew.
const markRPTSentSQL = `UPDATE payment SET state = '` + string(gateway.PaymentSent) + `',
	send_attempts = send_attempts + 1, send_last = ?, send_next_at = NULL, updated_at = ?
WHERE id = ? AND state = '` + string(gateway.PaymentNew) + `'`

// MarkRPTSent implements gateway.ActivationStore.
func (db *DB) MarkRPTSent(ctx context.Context, paymentID int64, result string) error {
	return db.sendUpdate(ctx, "mark RPT sent", markRPTSentSQL, result, stamp(db.now()), paymentID)
}

const retryRPTSQL = `UPDATE payment SET send_attempts = send_attempts + 1, send_last = ?, send_next_at = ?, updated_at = ?
WHERE id = ? AND state = '` + string(gateway.PaymentNew) + `'`

// RetryRPT implements gateway.ActivationStore.
func (db *DB) RetryRPT(ctx context.Context, paymentID int64, result string, next time.Time) error {
	return db.sendUpdate(ctx, "retry RPT", retryRPTSQL, result, stamp(next), stamp(db.now()), paymentID)
}

const refuseRPTSQL = `UPDATE payment SET state = '` + string(gateway.PaymentRefused) + `',
	send_attempts = send_attempts + 1, send_last = ?, send_next_at = NULL, updated_at = ?
WHERE id = ? AND state = '` + string(gateway.PaymentNew) + `'`

const refuseCartSQL = `UPDATE cart SET state = '` + string(gateway.CartNonInviabile) + `', error_message = ?, updated_at = ?
WHERE id = (SELECT cart_id FROM payment WHERE id = ?) AND state = '` + string(gateway.CartInCorso) + `'`

const releaseActivatedSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoDaPagare) + `', updated_at = ?
WHERE state = '` + string(gateway.DovutoIniziato) + `' AND id IN (
	SELECT dovuto_id FROM payment_item WHERE payment_id = ? AND dovuto_id IS NOT NULL)`

// RefuseRPT implements gateway.ActivationStore in one transaction; an RPT
// no longer waiting to be sent is left alone.
func (db *DB) RefuseRPT(ctx context.Context, paymentID int64, reason string) error {
	now := db.now()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(refuseRPTSQL), reason, stamp(now), paymentID)
		if err != nil {
			return fmt.Errorf("store: refuse RPT %d: %w", paymentID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(refuseCartSQL), reason, stamp(now), paymentID); err != nil {
			return fmt.Errorf("store: refuse RPT %d: %w", paymentID, err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(releaseActivatedSQL), stamp(now), paymentID); err != nil {
			return fmt.Errorf("store: refuse RPT %d: %w", paymentID, err)
		}
		return nil
	})
}

// sendUpdate runs one write; a payment no longer waiting changes nothing, which
// is not an error.
func (db *DB) sendUpdate(ctx context.Context, what, q string, args ...any) error {
	if _, err := db.w.ExecContext(ctx, db.w.Rebind(q), args...); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}
