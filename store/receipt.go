package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ponte-pagopa/ponte/gateway"
)

var keyReceiptRT = uniqueKey{"receipt_payment_rt_key", "receipt.payment_id, receipt.rt_sha256"}

// collected reports an esito under which money moved (fully or in part):
// such an RT is not undone by a later negative one.
func collected(esito string) bool {
	switch esito {
	case gateway.EsitoEseguito, gateway.EsitoParzialmente, gateway.EsitoDecorrenzaParziale:
		return true
	}
	return false
}

func validEsito(esito string) bool {
	switch esito {
	case gateway.EsitoEseguito, gateway.EsitoNonEseguito, gateway.EsitoParzialmente,
		gateway.EsitoDecorrenzaTermini, gateway.EsitoDecorrenzaParziale:
		return true
	}
	return false
}

// decides reports whether a new RT with esito next takes over from the
// deciding one with esito cur ("" when none): a positive RT is final; a
// partial one gives way only to a positive one; a negative one to any
// later RT.
func decides(cur, next string) bool {
	switch {
	case cur == "":
		return true
	case cur == gateway.EsitoEseguito:
		return false
	case collected(cur):
		return next == gateway.EsitoEseguito
	}
	return true
}

// cartOutcome is the final state of a cart from the esiti of the RTs
// deciding its payments (every payment has one).
func cartOutcome(esiti []string) gateway.CartState {
	var has [5]bool
	for _, e := range esiti {
		if len(e) == 1 && e[0] >= '0' && e[0] <= '4' {
			has[e[0]-'0'] = true
		}
	}
	paid, failed, partial, expired, expiredPart := has[0], has[1], has[2], has[3], has[4]
	switch {
	case expiredPart || expired && (paid || partial):
		return gateway.CartDecorrTermParz
	case expired:
		return gateway.CartDecorrTerm
	case partial || paid && failed:
		return gateway.CartParzPagato
	case paid:
		return gateway.CartPagato
	}
	return gateway.CartNonPagato
}

// lockPaymentSQL reads the payment's cart and deciding esito. On
// PostgreSQL it also locks the payment row, so concurrent RecordRT calls
// for one payment take turns (SQLite's single writer already does).
const lockPaymentSQL = `SELECT p.cart_id, COALESCE(r.esito, '')
FROM payment p LEFT JOIN receipt r ON r.id = p.receipt_id WHERE p.id = ?`

const findReceiptByHashSQL = `SELECT id FROM receipt WHERE payment_id = ? AND rt_sha256 = ?`

const insertReceiptSQL = `INSERT INTO receipt (payment_id, esito, amount_cents, message_id, issued_at,
	tipo_firma, rt, rt_sha256, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

const decidePaymentSQL = `UPDATE payment SET state = '` + string(gateway.PaymentReceived) + `', receipt_id = ?, updated_at = ?
WHERE id = ?`

const paymentDovutiSQL = `SELECT dovuto_id FROM payment_item WHERE payment_id = ? AND dovuto_id IS NOT NULL`

const completeDovutiSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoCompletato) + `', updated_at = ?
WHERE id IN (` + paymentDovutiSQL + `) AND state <> '` + string(gateway.DovutoCompletato) + `'`

const reopenDovutiSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoDaPagare) + `', updated_at = ?
WHERE id IN (` + paymentDovutiSQL + `) AND state = '` + string(gateway.DovutoIniziato) + `'`

const cartEsitiSQL = `SELECT COALESCE(r.esito, '') FROM payment p LEFT JOIN receipt r ON r.id = p.receipt_id
WHERE p.cart_id = ?`

const settleCartSQL = `UPDATE cart SET state = ?, updated_at = ? WHERE id = ? AND state <> ?`

// errSameRT ends a transaction that found the RT already stored.
var errSameRT = errors.New("same RT")

// RecordRT implements gateway.CartStore. rt.RT must hold the document and
// rt.Esito be 0…4. It sets rt.ID (on RTDuplicate, when it can, the stored
// copy's), rt.PaymentID and rt.ReceivedAt (now when zero). A positive RT
// makes the payment's existing dovuti COMPLETATO, whatever their state;
// the first RT of a payment, when negative, makes them payable again.
// Esiti 2 and 4 count as positive for the dovuti and against later
// negative RTs: money moved.
func (db *DB) RecordRT(ctx context.Context, paymentID int64, rt *gateway.Receipt) (gateway.RTOutcome, error) {
	if len(rt.RT) == 0 {
		return 0, fmt.Errorf("store: RT for payment %d: empty document", paymentID)
	}
	if !validEsito(rt.Esito) {
		return 0, fmt.Errorf("store: RT for payment %d: esito %q is not 0-4", paymentID, rt.Esito)
	}
	sum := sha256.Sum256(rt.RT)
	hash := hex.EncodeToString(sum[:])
	now := db.now()
	received := norm(rt.ReceivedAt)
	if received.IsZero() {
		received = now
	}
	issued := norm(rt.IssuedAt)
	lockSQL := lockPaymentSQL
	if db.dialect == Postgres {
		lockSQL += ` FOR UPDATE OF p`
	}

	sts, err := db.writeStmts(ctx, lockSQL, findReceiptByHashSQL, insertReceiptSQL, cartEsitiSQL)
	if err != nil {
		return 0, err
	}
	var (
		outcome gateway.RTOutcome
		id      int64
	)
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var (
			cartID int64
			cur    string
		)
		err := tx.StmtxContext(ctx, sts[0]).QueryRowContext(ctx, paymentID).Scan(&cartID, &cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("payment id %d: %w", paymentID, gateway.ErrNotFound)
		}
		if err != nil {
			return err
		}

		switch err := tx.StmtxContext(ctx, sts[1]).QueryRowContext(ctx, paymentID, hash).Scan(&id); {
		case err == nil:
			return errSameRT
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}

		err = tx.StmtxContext(ctx, sts[2]).QueryRowContext(ctx, paymentID, rt.Esito, int64(rt.Amount), rt.MessageID, nullStamp(issued),
			rt.TipoFirma, rt.RT, hash, stamp(received)).Scan(&id)
		if violates(err, keyReceiptRT) { // only if the lock above were missing
			return errSameRT
		}
		if err != nil {
			return err
		}
		if !decides(cur, rt.Esito) {
			outcome = gateway.RTSuperseded
			return nil
		}
		outcome = gateway.RTStored
		return decide(ctx, tx, tx.StmtxContext(ctx, sts[3]), paymentID, cartID, id, cur, rt.Esito, now)
	})
	switch {
	case errors.Is(err, errSameRT):
		rt.ID, rt.PaymentID = id, paymentID
		return gateway.RTDuplicate, nil
	case errors.Is(err, gateway.ErrNotFound):
		return 0, err
	case err != nil:
		return 0, fmt.Errorf("store: RT for payment %d: %w", paymentID, err)
	}
	rt.ID, rt.PaymentID, rt.ReceivedAt, rt.IssuedAt = id, paymentID, received, issued
	return outcome, nil
}

// decide makes receipt the payment's deciding RT and moves what depends
// on it: the payment's existing dovuti and, once every payment of the
// cart has an RT, the cart. cartEsiti is cartEsitiSQL bound to tx.
func decide(ctx context.Context, tx *sqlx.Tx, cartEsiti *sqlx.Stmt, paymentID, cartID, receiptID int64, cur, esito string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(decidePaymentSQL), receiptID, stamp(now), paymentID); err != nil {
		return err
	}
	switch {
	case collected(esito):
		if _, err := tx.ExecContext(ctx, tx.Rebind(completeDovutiSQL), stamp(now), paymentID); err != nil {
			return err
		}
	case cur == "": // later negative RTs found the dovuti reopened already
		if _, err := tx.ExecContext(ctx, tx.Rebind(reopenDovutiSQL), stamp(now), paymentID); err != nil {
			return err
		}
	}

	rows, err := cartEsiti.QueryContext(ctx, cartID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var esiti []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return err
		}
		if e == "" { // a payment still waits for its RT
			return rows.Close()
		}
		esiti = append(esiti, e)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	state := string(cartOutcome(esiti))
	_, err = tx.ExecContext(ctx, tx.Rebind(settleCartSQL), state, stamp(now), cartID, state)
	return err
}
