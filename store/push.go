package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// enqueuePushSQL queues, inside RecordRT's transaction, one push per
// export row the receipt just wrote, for enti with a push URL. A receipt
// deciding the same rows again queues nothing new.
const enqueuePushSQL = `INSERT INTO push_esito (ente_id, payment_id, receipt_id, position, iud, iuv, paid_on,
	state, next_at, created_at, updated_at)
SELECT pa.ente_id, pa.payment_id, pa.receipt_id, pa.position, pa.iud, pa.iuv, pa.paid_on,
	'` + string(gateway.PushDue) + `', ?, ?, ?
FROM pagato pa JOIN ente e ON e.id = pa.ente_id
WHERE pa.receipt_id = ? AND e.push_url <> ''
ON CONFLICT (receipt_id, position) DO NOTHING`

const pushColumns = `id, ente_id, payment_id, receipt_id, position, iud, iuv, paid_on, state, attempts,
	next_at, last_error, sent_at`

func scanPush(r rowScanner) (*gateway.Push, error) {
	var p gateway.Push
	err := r.Scan(&p.ID, &p.EnteID, &p.PaymentID, &p.ReceiptID, &p.Position, &p.IUD, &p.IUV, scanDate{&p.PaidOn},
		&p.State, &p.Attempts, scanTime{&p.Next}, &p.LastError, scanTime{&p.SentAt})
	return &p, err
}

// claimPushesSQL leases the due pushes; %s is skipLocked.
const claimPushesSQL = `UPDATE push_esito SET lease_owner = ?, lease_until = ?, updated_at = ?
WHERE id IN (SELECT id FROM push_esito
	WHERE state = '` + string(gateway.PushDue) + `' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?)
	ORDER BY next_at LIMIT ?%s)
RETURNING ` + pushColumns

// ClaimPushes implements gateway.PushStore.
func (db *DB) ClaimPushes(ctx context.Context, owner string, lease time.Duration, n int) ([]*gateway.Push, error) {
	now := db.now()
	q := db.w.Rebind(fmt.Sprintf(claimPushesSQL, db.skipLocked()))
	rows, err := db.w.QueryContext(ctx, q, owner, stamp(now.Add(lease)), stamp(now), stamp(now), stamp(now), n)
	if err != nil {
		return nil, fmt.Errorf("store: claim pushes: %w", err)
	}
	defer rows.Close()
	var out []*gateway.Push
	for rows.Next() {
		p, err := scanPush(rows)
		if err != nil {
			return nil, fmt.Errorf("store: claim pushes: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PushDone implements gateway.PushStore.
func (db *DB) PushDone(ctx context.Context, id int64, owner string) error {
	now := db.now()
	return db.ownedUpdate(ctx, "push", `UPDATE push_esito SET state = '`+string(gateway.PushSent)+`', attempts = attempts + 1,
		last_error = '', lease_owner = '', lease_until = NULL, sent_at = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = '`+string(gateway.PushDue)+`'`, stamp(now), stamp(now), id, owner)
}

// PushRetry implements gateway.PushStore.
func (db *DB) PushRetry(ctx context.Context, id int64, owner, reason string, next time.Time, dead bool) error {
	state := gateway.PushDue
	if dead {
		state = gateway.PushFailed
	}
	now := db.now()
	return db.ownedUpdate(ctx, "push", `UPDATE push_esito SET state = ?, attempts = attempts + 1, last_error = ?,
		next_at = ?, lease_owner = '', lease_until = NULL, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = '`+string(gateway.PushDue)+`'`,
		string(state), reason, stamp(next), stamp(now), id, owner)
}

// ReplayPushes implements gateway.PushStore.
func (db *DB) ReplayPushes(ctx context.Context, f gateway.PushFilter) (int, error) {
	now := db.now()
	q := `UPDATE push_esito SET state = '` + string(gateway.PushDue) + `', attempts = 0, last_error = '', next_at = ?,
	lease_owner = '', lease_until = NULL, updated_at = ? WHERE 1 = 1`
	args := []any{stamp(now), stamp(now)}
	if f.EnteID != 0 {
		q += ` AND ente_id = ?`
		args = append(args, f.EnteID)
	}
	if f.IUV != "" {
		q += ` AND iuv = ?`
		args = append(args, f.IUV)
	}
	if f.From != "" {
		q += ` AND paid_on >= ?`
		args = append(args, civilDate(f.From))
	}
	if f.To != "" {
		q += ` AND paid_on <= ?`
		args = append(args, civilDate(f.To))
	}
	res, err := db.w.ExecContext(ctx, db.w.Rebind(q), args...)
	if err != nil {
		return 0, fmt.Errorf("store: replay pushes: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// FindPushes implements gateway.PushStore.
func (db *DB) FindPushes(ctx context.Context, enteID int64, iuv string) ([]*gateway.Push, error) {
	q := `SELECT ` + pushColumns + ` FROM push_esito WHERE ente_id = ?`
	args := []any{enteID}
	if iuv != "" {
		q += ` AND iuv = ?`
		args = append(args, iuv)
	}
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(q+` ORDER BY id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: pushes: %w", err)
	}
	defer rows.Close()
	var out []*gateway.Push
	for rows.Next() {
		p, err := scanPush(rows)
		if err != nil {
			return nil, fmt.Errorf("store: pushes: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
