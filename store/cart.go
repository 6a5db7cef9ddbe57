package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ponte-pagopa/ponte/gateway"
)

var _ gateway.CartStore = (*DB)(nil)

var (
	keyCartIDSession = uniqueKey{"cart_id_session_key", "cart.id_session"}
	keyCartToken     = uniqueKey{"cart_token_key", "cart.token"}
	keyPaymentCCP    = uniqueKey{"payment_dominio_iuv_ccp_key", "payment.dominio, payment.iuv, payment.ccp"}
	keyItemIUD       = uniqueKey{"payment_item_registered_iud_key", "payment_item.ente_id, payment_item.iud"}
)

const cartColumns = `id, id_session, token, kind, state, ente_id, cod_ipa, show_mypay,
	return_url, payer, email, multi_beneficiary, id_carrello, node_url, node_session,
	error_message, created_at, updated_at, expires_at`

// cartRow holds what one row of cartColumns scans into.
type cartRow struct {
	c     gateway.Cart
	payer sql.NullString
}

func (x *cartRow) dest() []any {
	c := &x.c
	return []any{&c.ID, &c.IDSession, &c.Token, &c.Kind, &c.State, &c.EnteID, &c.CodIpa, &c.ShowMyPay,
		&c.ReturnURL, &x.payer, &c.Email, &c.MultiBeneficiary, &c.IDCarrello, &c.NodeURL, &c.NodeSession,
		&c.Error, scanTime{&c.CreatedAt}, scanTime{&c.UpdatedAt}, scanTime{&c.ExpiresAt}}
}

func (x *cartRow) cart() (*gateway.Cart, error) {
	var err error
	if x.c.Payer, err = decodePayer(x.payer); err != nil {
		return nil, err
	}
	return &x.c, nil
}

func scanCart(r rowScanner) (*gateway.Cart, error) {
	var x cartRow
	if err := r.Scan(x.dest()...); err != nil {
		return nil, err
	}
	return x.cart()
}

const insertCartSQL = `INSERT INTO cart (id_session, token, kind, state, ente_id, cod_ipa, show_mypay,
	return_url, payer, email, multi_beneficiary, id_carrello, node_url, node_session,
	error_message, created_at, updated_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

const insertPaymentSQL = `INSERT INTO payment (cart_id, position, ente_id, cod_ipa, dominio, iuv, ccp,
	state, message_id, requested_at, amount_cents, rpt, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

const insertItemSQL = `INSERT INTO payment_item (payment_id, position, ente_id, dovuto_id, iud, iuv, state,
	tipo_dovuto, tipo_versamento, amount_cents, commission_cents, due_date, causale,
	dati_specifici_riscossione, bilancio, payer, secondary, flusso, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateCart implements gateway.CartStore in one transaction. An empty
// State is stored as PREDISPOSTO; payments get PaymentNew and their
// 1-based Position, or PaymentSent in a cart created PAGAM_IN_CORSO (a
// payment made at a PSP, opened by its receipt); an item without EnteID takes its payment's. A taken
// IDSession or Token is ErrConflict, an unknown ente or dovuto
// ErrNotFound. Times in c are set as they read back (UTC, microseconds).
func (db *DB) CreateCart(ctx context.Context, c *gateway.Cart) error {
	if c.State == "" {
		c.State = gateway.CartPredisposto
	}
	payer, err := encodePayer(c.Payer)
	if err != nil {
		return err
	}
	sts, err := db.writeStmts(ctx, insertCartSQL, insertPaymentSQL, insertItemSQL)
	if err != nil {
		return err
	}
	now := db.now()
	err = db.inTx(ctx, func(tx *sqlx.Tx) error { return insertCart(ctx, tx, sts, c, payer, now) })
	if err == nil {
		c.CreatedAt, c.UpdatedAt = now, now
		return nil
	}
	return createCartError(c, err)
}

// createCartError explains a failure to insert c.
func createCartError(c *gateway.Cart, err error) error {
	switch {
	case violates(err, keyCartIDSession):
		return fmt.Errorf("cart idSession %s already used: %w", c.IDSession, gateway.ErrConflict)
	case violates(err, keyCartToken):
		return fmt.Errorf("cart token already used: %w", gateway.ErrConflict)
	case violates(err, keyPaymentCCP):
		return fmt.Errorf("cart %s: a payment with that dominio, IUV and CCP exists: %w", c.IDSession, gateway.ErrConflict)
	case isForeignKey(err):
		return fmt.Errorf("cart %s: unknown ente or dovuto: %w", c.IDSession, gateway.ErrNotFound)
	}
	return fmt.Errorf("store: create cart %s: %w", c.IDSession, err)
}

// insertCart writes c, its payments and items with the prepared
// insertCartSQL, insertPaymentSQL and insertItemSQL (sts, in that order)
// inside tx; payer is c.Payer encoded.
func insertCart(ctx context.Context, tx *sqlx.Tx, sts []*sqlx.Stmt, c *gateway.Cart, payer any, now time.Time) error {
	paymentState := gateway.PaymentNew
	if c.State == gateway.CartInCorso {
		paymentState = gateway.PaymentSent
	}
	c.ExpiresAt = norm(c.ExpiresAt)
	st, pst, ist := tx.StmtxContext(ctx, sts[0]), tx.StmtxContext(ctx, sts[1]), tx.StmtxContext(ctx, sts[2])
	err := st.QueryRowContext(ctx, c.IDSession, c.Token, string(c.Kind), string(c.State), c.EnteID, c.CodIpa,
		c.ShowMyPay, c.ReturnURL, payer, c.Email, c.MultiBeneficiary, c.IDCarrello, c.NodeURL,
		c.NodeSession, c.Error, stamp(now), stamp(now), nullStamp(c.ExpiresAt)).Scan(&c.ID)
	if err != nil {
		return err
	}
	for i, p := range c.Payments {
		p.CartID, p.Position, p.State = c.ID, i+1, paymentState
		p.RequestedAt = norm(p.RequestedAt)
		err := pst.QueryRowContext(ctx, c.ID, p.Position, enteRef(p.EnteID), p.CodIpa, p.Dominio, p.IUV, p.CCP,
			string(p.State), p.MessageID, nullStamp(p.RequestedAt), int64(p.Amount), blob(p.RPT),
			stamp(now), stamp(now)).Scan(&p.ID)
		if err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = now, now
		for j, d := range p.Items {
			if d.EnteID == 0 {
				d.EnteID = p.EnteID
			}
			args, err := itemArgs(d)
			if err != nil {
				return err
			}
			args = append([]any{p.ID, j + 1}, args...)
			args = append(args, stamp(now), stamp(now))
			if _, err := ist.ExecContext(ctx, args...); err != nil {
				return err
			}
			d.CreatedAt, d.UpdatedAt = now, now
		}
	}
	return nil
}

// itemArgs are the values of insertItemSQL from ente_id to flusso.
func itemArgs(d *gateway.Dovuto) ([]any, error) {
	bil, err := encodeBilancio(d.Bilancio)
	if err != nil {
		return nil, err
	}
	payer, err := encodePayer(d.Payer)
	if err != nil {
		return nil, err
	}
	sec, err := encodeSecondary(d.Secondary)
	if err != nil {
		return nil, err
	}
	var dovutoID any
	if d.ID != 0 {
		dovutoID = d.ID
	}
	return []any{enteRef(d.EnteID), dovutoID, d.IUD, d.IUV, string(d.State),
		d.TipoDovuto, d.TipoVersamento, int64(d.Amount), int64(d.Commission), civilDate(d.DueDate), d.Causale,
		d.DatiSpecificiRiscossione, bil, payer, sec, d.Flusso}, nil
}

// FindCart implements gateway.CartStore in two queries: the cart joined
// with its payments and their receipts, then the items.
func (db *DB) FindCart(ctx context.Context, idSession string) (*gateway.Cart, error) {
	return db.findCart(ctx, `c.id_session = ?`, "idSession", idSession)
}

// FindCartByToken implements gateway.CartStore.
func (db *DB) FindCartByToken(ctx context.Context, token string) (*gateway.Cart, error) {
	return db.findCart(ctx, `c.token = ?`, "token", token)
}

// FindCartByNodeSession implements gateway.CartStore.
func (db *DB) FindCartByNodeSession(ctx context.Context, nodeSession string) (*gateway.Cart, error) {
	if nodeSession == "" { // carts not yet sent have none
		return nil, fmt.Errorf("cart with empty node session: %w", gateway.ErrNotFound)
	}
	return db.findCart(ctx, `c.node_session = ? AND c.node_session <> ''`, "node session", nodeSession)
}

// FindCartByID implements gateway.CartStore.
func (db *DB) FindCartByID(ctx context.Context, id int64) (*gateway.Cart, error) {
	return db.findCart(ctx, `c.id = ?`, "id", id)
}

// cartPaymentsSelect is paymentSelect with the cart's columns first.
var cartPaymentsSelect = `SELECT ` + prefixColumns("c.", cartColumns) + `,` + paymentColumns + `
FROM cart c JOIN payment p ON p.cart_id = c.id LEFT JOIN receipt r ON r.id = p.receipt_id
WHERE `

// prefixColumns qualifies each column of a comma-separated list.
func prefixColumns(prefix, cols string) string {
	out := strings.Split(cols, ",")
	for i, c := range out {
		out[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(out, ", ")
}

// findCart reads the cart matching where (on cart c, one argument).
func (db *DB) findCart(ctx context.Context, where, what string, key any) (*gateway.Cart, error) {
	st, err := db.readStmt(ctx, cartPaymentsSelect+where+` ORDER BY p.position`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("store: cart: %w", err)
	}
	defer rows.Close()
	var (
		c     *gateway.Cart
		cr    cartRow
		byID  = map[int64]*gateway.Payment{}
		cartN = len(cr.dest())
		dests = cr.dest()
	)
	for rows.Next() {
		// Every row repeats the cart's columns: they scan into cr again.
		var pr paymentRow
		dests = append(dests[:cartN], pr.dest()...)
		if err := rows.Scan(dests...); err != nil {
			return nil, fmt.Errorf("store: cart: %w", err)
		}
		if c == nil {
			if c, err = cr.cart(); err != nil {
				return nil, err
			}
		}
		p := pr.payment()
		c.Payments = append(c.Payments, p)
		byID[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cart: %w", err)
	}
	rows.Close()
	if c == nil { // no such cart, or one without payments
		return db.findBareCart(ctx, where, what, key)
	}
	if err := db.loadItems(ctx, byID, byCartID, c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// findBareCart reads a cart alone.
func (db *DB) findBareCart(ctx context.Context, where, what string, key any) (*gateway.Cart, error) {
	st, err := db.readStmt(ctx, `SELECT `+cartColumns+` FROM cart c WHERE `+where)
	if err != nil {
		return nil, err
	}
	c, err := scanCart(st.QueryRowContext(ctx, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("cart with %s %v: %w", what, key, gateway.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: cart: %w", err)
	}
	return c, nil
}

const markCartSentSQL = `UPDATE cart SET state = '` + string(gateway.CartInCorso) + `',
	node_url = ?, node_session = ?, updated_at = ?
WHERE id = ? AND state = '` + string(gateway.CartPredisposto) + `'`

const markPaymentsSentSQL = `UPDATE payment SET state = '` + string(gateway.PaymentSent) + `', updated_at = ?
WHERE cart_id = ? AND state = '` + string(gateway.PaymentNew) + `'`

// MarkCartSent implements gateway.CartStore. The cart must be PREDISPOSTO
// (else ErrConflict; ErrNotFound when missing); a payment whose RT already
// came stays RT_RICEVUTA.
func (db *DB) MarkCartSent(ctx context.Context, cartID int64, nodeURL, nodeSession string) error {
	now := db.now()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.moveCart(ctx, tx, cartID, markCartSentSQL, nodeURL, nodeSession, stamp(now), cartID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(markPaymentsSentSQL), stamp(now), cartID); err != nil {
			return fmt.Errorf("store: mark cart %d sent: %w", cartID, err)
		}
		return nil
	})
}

const markCartFailedSQL = `UPDATE cart SET state = ?, error_message = ?, updated_at = ?
WHERE id = ? AND state = '` + string(gateway.CartPredisposto) + `'`

const markPaymentsRefusedSQL = `UPDATE payment SET state = '` + string(gateway.PaymentRefused) + `', updated_at = ?
WHERE cart_id = ? AND state = '` + string(gateway.PaymentNew) + `'`

// releaseDovutiSQL makes payable again the existing dovuti this cart
// started (registered: PrepareCart got that far).
const releaseDovutiSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoDaPagare) + `', updated_at = ?
WHERE state = '` + string(gateway.DovutoIniziato) + `' AND id IN (
	SELECT i.dovuto_id FROM payment_item i JOIN payment p ON p.id = i.payment_id
	WHERE p.cart_id = ? AND i.registered AND i.dovuto_id IS NOT NULL)`

// MarkCartFailed implements gateway.CartStore. The cart must be PREDISPOSTO
// (else ErrConflict; ErrNotFound when missing): once the node accepted it,
// only RTs end it.
func (db *DB) MarkCartFailed(ctx context.Context, cartID int64, state gateway.CartState, reason string) error {
	switch state {
	case gateway.CartAbort, gateway.CartScaduto, gateway.CartNonInviabile:
	default:
		return fmt.Errorf("store: mark cart %d failed: %s is not a failure state", cartID, state)
	}
	now := db.now()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.moveCart(ctx, tx, cartID, markCartFailedSQL, string(state), reason, stamp(now), cartID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(markPaymentsRefusedSQL), stamp(now), cartID); err != nil {
			return fmt.Errorf("store: mark cart %d failed: %w", cartID, err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(releaseDovutiSQL), stamp(now), cartID); err != nil {
			return fmt.Errorf("store: mark cart %d failed: %w", cartID, err)
		}
		return nil
	})
}

// moveCart runs q, an UPDATE of the cart conditional on its state, and
// explains a miss: ErrNotFound or ErrConflict.
func (db *DB) moveCart(ctx context.Context, tx *sqlx.Tx, cartID int64, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, tx.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("store: cart %d: %w", cartID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var state string
	err = tx.QueryRowContext(ctx, tx.Rebind(`SELECT state FROM cart WHERE id = ?`), cartID).Scan(&state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("cart id %d: %w", cartID, gateway.ErrNotFound)
	case err != nil:
		return fmt.Errorf("store: cart %d: %w", cartID, err)
	}
	return fmt.Errorf("cart id %d is %s: %w", cartID, state, gateway.ErrConflict)
}

// enteRef is an ente ID for a nullable column: 0 (a beneficiary Ponte does
// not serve, the secondary of a multi-beneficiary payment) is NULL.
func enteRef(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// enteID scans a nullable ente ID, NULL as 0.
type enteID struct{ p *int64 }

func (e enteID) Scan(v any) error {
	var n sql.NullInt64
	if err := n.Scan(v); err != nil {
		return err
	}
	*e.p = n.Int64
	return nil
}

const abandonCartSQL = `UPDATE cart SET state = ?, error_message = ?, updated_at = ?
WHERE id = ? AND state = '` + string(gateway.CartInCorso) + `'
AND NOT EXISTS (SELECT 1 FROM payment WHERE cart_id = ? AND receipt_id IS NOT NULL)`

const abandonPaymentsSQL = `UPDATE payment SET state = '` + string(gateway.PaymentRefused) + `', updated_at = ?
WHERE cart_id = ? AND state = '` + string(gateway.PaymentSent) + `'`

// AbandonCart implements gateway.CartStore in one transaction.
func (db *DB) AbandonCart(ctx context.Context, cartID int64, reason string) error {
	return db.endInProgress(ctx, cartID, gateway.CartAbort, reason)
}

// ExpireCart is AbandonCart with state SCADUTO: an operator (ponte
// payments expire) closing a cart in progress whose receipt will not
// come. A receipt arriving later still decides it.
func (db *DB) ExpireCart(ctx context.Context, cartID int64, reason string) error {
	return db.endInProgress(ctx, cartID, gateway.CartScaduto, reason)
}

// endInProgress ends a cart in progress without receipts in state.
func (db *DB) endInProgress(ctx context.Context, cartID int64, state gateway.CartState, reason string) error {
	now := db.now()
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.moveCart(ctx, tx, cartID, abandonCartSQL, string(state), reason, stamp(now), cartID, cartID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(abandonPaymentsSQL), stamp(now), cartID); err != nil {
			return fmt.Errorf("store: end cart %d: %w", cartID, err)
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(releaseDovutiSQL), stamp(now), cartID); err != nil {
			return fmt.Errorf("store: end cart %d: %w", cartID, err)
		}
		return nil
	})
}
