package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// lockCartSQL serialises, on PostgreSQL, every RecordRT of one cart: the
// esiti read next then include those of the cart's other payments, so the
// RT completing a cart always sees the others and settles it. It takes its
// lock alone, before any read: a statement that waits for a lock reads the
// other tables as they were when it began. (SQLite's single writer already
// serialises.)
const lockCartSQL = `SELECT c.id FROM cart c JOIN payment p ON p.cart_id = c.id WHERE p.id = ? FOR UPDATE OF c`

// rtContextSQL reads, in one query, what RecordRT decides on: every
// payment of the cart with the esito deciding it ("" when none), and the
// ID of a stored copy of the RT (0 when new).
const rtContextSQL = `SELECT p.id, p.cart_id, COALESCE(r.esito, ''),
	COALESCE((SELECT id FROM receipt WHERE payment_id = ? AND rt_sha256 = ?), 0)
FROM payment p LEFT JOIN receipt r ON r.id = p.receipt_id
WHERE p.cart_id = (SELECT cart_id FROM payment WHERE id = ?)`

// insertReceiptSQL does nothing on the same RT again: the lock and the
// read above have ruled that out, but the unique key stays the guarantee.
const insertReceiptSQL = `INSERT INTO receipt (payment_id, esito, amount_cents, message_id, issued_at,
	tipo_firma, rt, rt_sha256, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (payment_id, rt_sha256) DO NOTHING RETURNING id`

// decidePaymentSQL takes the receipt ID from %s: a parameter, or on
// PostgreSQL the insert in the same statement.
const decidePaymentSQL = `UPDATE payment SET state = '` + string(gateway.PaymentReceived) + `', receipt_id = %s, updated_at = ?
WHERE id = ?`

const paymentDovutiSQL = `SELECT dovuto_id FROM payment_item WHERE payment_id = ? AND dovuto_id IS NOT NULL`

const completeDovutiSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoCompletato) + `', updated_at = ?
WHERE id IN (` + paymentDovutiSQL + `) AND state <> '` + string(gateway.DovutoCompletato) + `'`

const reopenDovutiSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoDaPagare) + `', updated_at = ?
WHERE id IN (` + paymentDovutiSQL + `) AND state = '` + string(gateway.DovutoIniziato) + `'`

const settleCartSQL = `UPDATE cart SET state = ?, updated_at = ? WHERE id = ? AND state <> ?`

// rtPlan is what storing one RT does, worked out from rtContextSQL.
type rtPlan struct {
	cartID  int64
	dupID   int64  // the stored copy of the RT; 0 when it is new
	decides bool   // the RT becomes the payment's deciding one
	dovuti  string // completeDovutiSQL, reopenDovutiSQL or "" (untouched)
	settle  string // the cart's final state, "" while a payment waits
}

// steps are the statements after the insert, with their arguments, in
// order; receiptArg stands for the receipt ID in decidePaymentSQL's
// arguments.
func (pl *rtPlan) steps(paymentID int64, receiptArg []any, now time.Time) (qs []string, args [][]any) {
	if !pl.decides {
		return nil, nil
	}
	qs = append(qs, decidePaymentSQL)
	args = append(args, append(receiptArg, stamp(now), paymentID))
	if pl.dovuti != "" {
		qs = append(qs, pl.dovuti)
		args = append(args, []any{stamp(now), paymentID})
	}
	if pl.settle != "" {
		qs = append(qs, settleCartSQL)
		args = append(args, []any{pl.settle, stamp(now), pl.cartID, pl.settle})
	}
	return qs, args
}

// pgRecordSQL is, for PostgreSQL, the insert and the steps of a plan as
// one statement returning the receipt ID (data-modifying CTEs).
func pgRecordSQL(steps []string) string {
	var b strings.Builder
	b.WriteString("WITH ins AS (" + insertReceiptSQL + ")")
	for i, q := range steps {
		if strings.Contains(q, "%") { // decidePaymentSQL, pagatoSQL
			q = fmt.Sprintf(q, "(SELECT id FROM ins)")
		}
		fmt.Fprintf(&b, ",\ns%d AS (%s)", i+1, q)
	}
	b.WriteString("\nSELECT id FROM ins")
	return b.String()
}

// pgRecordSQLs are every pgRecordSQL a plan can need, to prepare ahead.
var pgRecordSQLs = func() []string {
	var out []string
	for _, dov := range []string{"", completeDovutiSQL, reopenDovutiSQL} {
		for _, settle := range []string{"", "x"} {
			pl := rtPlan{decides: true, dovuti: dov, settle: settle}
			qs, _ := pl.steps(0, nil, time.Time{})
			out = append(out, pgRecordSQL(qs))
		}
	}
	return append(out, pgRecordSQL(nil))
}()

// errSameRT ends a transaction that found the RT already stored.
var errSameRT = errors.New("same RT")

// RecordRT implements gateway.CartStore. rt.RT must hold the document and
// rt.Esito be 0…4. It sets rt.ID (on RTDuplicate, when it can, the stored
// copy's), rt.PaymentID and rt.ReceivedAt (now when zero). A positive RT
// makes the payment's existing dovuti COMPLETATO, whatever their state;
// the first RT of a payment, when negative, makes them payable again.
// Esiti 2 and 4 count as positive for the dovuti and against later
// negative RTs: money moved.
//
// On PostgreSQL that is four round trips inside the transaction: lock,
// read, then the insert with every update in one statement, commit.
func (db *DB) RecordRT(ctx context.Context, paymentID int64, rt *gateway.Receipt) (gateway.RTOutcome, error) {
	return db.recordRT(ctx, paymentID, nil, rt)
}

// OpenCartWithReceipt implements gateway.CartStore: CreateCart of c (one
// payment) and RecordRT of rt on that payment, in one transaction. A
// payment with the same dominio, IUV and CCP already stored is
// ErrConflict, nothing written.
func (db *DB) OpenCartWithReceipt(ctx context.Context, c *gateway.Cart, rt *gateway.Receipt) (gateway.RTOutcome, error) {
	if len(c.Payments) != 1 {
		return 0, fmt.Errorf("store: cart %s opened by a receipt must have one payment, not %d", c.IDSession, len(c.Payments))
	}
	if c.State == "" {
		c.State = gateway.CartPredisposto
	}
	outcome, err := db.recordRT(ctx, 0, c, rt)
	if err != nil {
		if ce := createCartError(c, err); errors.Is(ce, gateway.ErrConflict) {
			return 0, ce
		}
	}
	return outcome, err
}

// recordRT is RecordRT; with open set it first inserts that cart in the
// same transaction and records on its one payment.
func (db *DB) recordRT(ctx context.Context, paymentID int64, open *gateway.Cart, rt *gateway.Receipt) (gateway.RTOutcome, error) {
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
	insertArgs := []any{paymentID, rt.Esito, int64(rt.Amount), rt.MessageID, nullStamp(issued),
		rt.TipoFirma, rt.RT, hash, stamp(received)}

	// A positive RT also fills the export rows (pagato): rendered here,
	// outside the transaction, inserted with the rest.
	var pagati []pagatoValues
	if collected(rt.Esito) {
		var err error
		pagati, err = renderPagati(rt.RT)
		if err == nil {
			err = checkPagati(pagati)
		}
		if err != nil {
			db.log.Warn("store: RT kept without export rows", "payment", paymentID, "err", err)
			pagati = nil
		}
	}
	withPagati := func(pl *rtPlan, qs []string, args [][]any, receiptArg []any) ([]string, [][]any) {
		if len(pagati) == 0 || !pl.decides || pl.dovuti != completeDovutiSQL {
			return qs, args
		}
		return append(qs, pagatoSQL(db.dialect, len(pagati))),
			append(args, append(receiptArg, pagatoArgs(pagati, paymentID, stamp(received), rt.TipoFirma)...))
	}

	// Export rows written means outcome pushes to queue (enqueuePushSQL).
	wrotePagati := func(pl *rtPlan) bool {
		return len(pagati) > 0 && pl.decides && pl.dovuti == completeDovutiSQL
	}

	// Prepare before the transaction (see writeStmts): the fixed
	// statements first, then every variant of the writes.
	qs := []string{rtContextSQL}
	if len(pagati) > 0 {
		qs = append(qs, enqueuePushSQL)
	}
	if db.dialect == Postgres {
		qs = append(qs, lockCartSQL)
		qs = append(qs, pgRecordSQLs...)
		if n := len(pagati); n > 0 {
			for _, settle := range []string{"", "x"} {
				pl := rtPlan{decides: true, dovuti: completeDovutiSQL, settle: settle}
				steps, _ := pl.steps(0, nil, time.Time{})
				steps, _ = withPagati(&pl, steps, nil, nil)
				qs = append(qs, pgRecordSQL(steps))
			}
		}
	} else {
		qs = append(qs, insertReceiptSQL, fmt.Sprintf(decidePaymentSQL, "?"), completeDovutiSQL, reopenDovutiSQL, settleCartSQL)
		if n := len(pagati); n > 0 {
			qs = append(qs, fmt.Sprintf(pagatoSQL(SQLite, n), "?"))
		}
	}
	var (
		cartSts   []*sqlx.Stmt
		openPayer any
	)
	if open != nil {
		var err error
		if openPayer, err = encodePayer(open.Payer); err != nil {
			return 0, err
		}
		if cartSts, err = db.writeStmts(ctx, insertCartSQL, insertPaymentSQL, insertItemSQL); err != nil {
			return 0, err
		}
	}
	sts, err := db.writeStmts(ctx, qs...)
	if err != nil {
		return 0, err
	}
	stmt := make(map[string]*sqlx.Stmt, len(qs))
	for i, q := range qs {
		stmt[q] = sts[i]
	}

	var (
		outcome gateway.RTOutcome
		id      int64
	)
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		if open != nil {
			// A new cart: nobody else sees it before the commit, so no lock.
			if err := insertCart(ctx, tx, cartSts, open, openPayer, now); err != nil {
				return err
			}
			paymentID = open.Payments[0].ID
			insertArgs[0] = paymentID
		} else if db.dialect == Postgres {
			var cartID int64
			err := tx.StmtxContext(ctx, stmt[lockCartSQL]).QueryRowContext(ctx, paymentID).Scan(&cartID)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("payment id %d: %w", paymentID, gateway.ErrNotFound)
			}
			if err != nil {
				return err
			}
		}
		pl, err := planRT(ctx, tx.StmtxContext(ctx, stmt[rtContextSQL]), paymentID, hash, rt.Esito)
		if err != nil {
			return err
		}
		if pl.dupID != 0 {
			id = pl.dupID
			return errSameRT
		}
		outcome = gateway.RTSuperseded
		if pl.decides {
			outcome = gateway.RTStored
		}

		if db.dialect == Postgres {
			steps, args := pl.steps(paymentID, nil, now)
			steps, args = withPagati(pl, steps, args, nil)
			all := insertArgs
			for _, a := range args {
				all = append(all, a...)
			}
			err := tx.StmtxContext(ctx, stmt[pgRecordSQL(steps)]).QueryRowContext(ctx, all...).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) { // the insert did nothing, nor did the rest
				return errSameRT
			}
			if err != nil || !wrotePagati(pl) {
				return err
			}
			_, err = tx.StmtxContext(ctx, stmt[enqueuePushSQL]).ExecContext(ctx, stamp(now), stamp(now), stamp(now), id)
			return err
		}
		err = tx.StmtxContext(ctx, stmt[insertReceiptSQL]).QueryRowContext(ctx, insertArgs...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return errSameRT
		}
		if err != nil {
			return err
		}
		steps, args := pl.steps(paymentID, []any{id}, now)
		steps, args = withPagati(pl, steps, args, []any{id})
		for i, q := range steps {
			if strings.Contains(q, "%") { // decidePaymentSQL, pagatoSQL
				q = fmt.Sprintf(q, "?")
			}
			if _, err := tx.StmtxContext(ctx, stmt[q]).ExecContext(ctx, args[i]...); err != nil {
				return err
			}
		}
		if wrotePagati(pl) {
			_, err = tx.StmtxContext(ctx, stmt[enqueuePushSQL]).ExecContext(ctx, stamp(now), stamp(now), stamp(now), id)
		}
		return err
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
	if open != nil {
		open.CreatedAt, open.UpdatedAt = now, now
	}
	return outcome, nil
}

// planRT runs rtContextSQL (bound to the transaction) and works out what
// an RT with esito does to the payment, its dovuti and its cart.
func planRT(ctx context.Context, st *sqlx.Stmt, paymentID int64, hash, esito string) (*rtPlan, error) {
	rows, err := st.QueryContext(ctx, paymentID, hash, paymentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		pl    rtPlan
		cur   string
		found bool
		esiti []string
	)
	for rows.Next() {
		var (
			id int64
			e  string
		)
		if err := rows.Scan(&id, &pl.cartID, &e, &pl.dupID); err != nil {
			return nil, err
		}
		if id == paymentID {
			cur, found = e, true
			continue
		}
		esiti = append(esiti, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("payment id %d: %w", paymentID, gateway.ErrNotFound)
	}
	if pl.dupID != 0 || !decides(cur, esito) {
		return &pl, nil
	}
	pl.decides = true
	switch {
	case collected(esito):
		pl.dovuti = completeDovutiSQL
	case cur == "": // later negative RTs found the dovuti reopened already
		pl.dovuti = reopenDovutiSQL
	}
	esiti = append(esiti, esito)
	if !slices.Contains(esiti, "") {
		pl.settle = string(cartOutcome(esiti))
	}
	return &pl, nil
}
