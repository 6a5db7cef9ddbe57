package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Payments are read in two queries whatever their number: the payments
// with their deciding receipts, then every item of those payments, both
// with the same filter on p.

const paymentColumns = ` p.id, p.cart_id, p.position, p.ente_id, p.cod_ipa, p.dominio,
	p.iuv, p.ccp, p.state, p.message_id, p.requested_at, p.amount_cents, p.rpt,
	p.created_at, p.updated_at, p.recovery_attempts, p.recovery_last, p.recovery_next_at,
	r.id, r.esito, r.amount_cents, r.message_id, r.issued_at, r.tipo_firma, r.rt, r.received_at`

const paymentSelect = `SELECT` + paymentColumns + `
FROM payment p LEFT JOIN receipt r ON r.id = p.receipt_id
WHERE `

// itemSelect reads an existing dovuto's current state rather than the
// snapshot's.
const itemSelect = `SELECT i.payment_id, i.dovuto_id, i.ente_id, i.iud, i.iuv,
	COALESCE(d.state, i.state), i.tipo_dovuto, i.tipo_versamento,
	i.amount_cents, i.commission_cents, i.due_date, i.causale, i.dati_specifici_riscossione,
	i.bilancio, i.payer, i.secondary, i.flusso, i.created_at, i.updated_at
FROM payment_item i JOIN payment p ON p.id = i.payment_id LEFT JOIN dovuto d ON d.id = i.dovuto_id
WHERE `

// Payment filters, each with its order; the arguments are the same for
// both queries.
const (
	byCartID       = `p.cart_id = ? ORDER BY p.position`
	byDominioIUV   = `p.dominio = ? AND p.iuv = ? ORDER BY p.id`
	byDominioIUVCC = `p.dominio = ? AND p.iuv = ? AND p.ccp = ? ORDER BY p.id`
	byEnteIUD      = `p.id IN (SELECT payment_id FROM payment_item WHERE ente_id = ? AND iud = ?) ORDER BY p.id`
)

// paymentRow holds what one row of paymentColumns scans into.
type paymentRow struct {
	p       gateway.Payment
	amount  int64
	rc      gateway.Receipt
	rID     sql.NullInt64
	rAmount sql.NullInt64
	esito   sql.NullString
	msgID   sql.NullString
	firma   sql.NullString
}

func (x *paymentRow) dest() []any {
	p, rc := &x.p, &x.rc
	return []any{&p.ID, &p.CartID, &p.Position, enteID{&p.EnteID}, &p.CodIpa, &p.Dominio,
		&p.IUV, &p.CCP, &p.State, &p.MessageID, scanTime{&p.RequestedAt}, &x.amount, &p.RPT,
		scanTime{&p.CreatedAt}, scanTime{&p.UpdatedAt}, &p.Recovery.Attempts, &p.Recovery.Last, scanTime{&p.Recovery.Next},
		&x.rID, &x.esito, &x.rAmount, &x.msgID, scanTime{&rc.IssuedAt}, &x.firma, &rc.RT, scanTime{&rc.ReceivedAt}}
}

func (x *paymentRow) payment() *gateway.Payment {
	p := &x.p
	p.Amount = gateway.Cents(x.amount)
	if x.rID.Valid {
		rc := &x.rc
		rc.ID, rc.PaymentID = x.rID.Int64, p.ID
		rc.Esito, rc.Amount = x.esito.String, gateway.Cents(x.rAmount.Int64)
		rc.MessageID, rc.TipoFirma = x.msgID.String, x.firma.String
		p.Receipt = rc
	}
	return p
}

func scanPayment(r rowScanner) (*gateway.Payment, error) {
	var x paymentRow
	if err := r.Scan(x.dest()...); err != nil {
		return nil, err
	}
	return x.payment(), nil
}

// scanItem reads one item and the ID of its payment.
func scanItem(r rowScanner) (int64, *gateway.Dovuto, error) {
	var (
		paymentID                 int64
		d                         gateway.Dovuto
		dovutoID                  sql.NullInt64
		amount, commission        int64
		bilancio, payer, secondry sql.NullString
	)
	err := r.Scan(&paymentID, &dovutoID, enteID{&d.EnteID}, &d.IUD, &d.IUV,
		&d.State, &d.TipoDovuto, &d.TipoVersamento,
		&amount, &commission, scanDate{&d.DueDate}, &d.Causale, &d.DatiSpecificiRiscossione,
		&bilancio, &payer, &secondry, &d.Flusso, scanTime{&d.CreatedAt}, scanTime{&d.UpdatedAt})
	if err != nil {
		return 0, nil, err
	}
	d.ID = dovutoID.Int64
	d.Amount, d.Commission = gateway.Cents(amount), gateway.Cents(commission)
	if d.Bilancio, err = decodeBilancio(bilancio); err != nil {
		return 0, nil, err
	}
	if d.Payer, err = decodePayer(payer); err != nil {
		return 0, nil, err
	}
	if d.Secondary, err = decodeSecondary(secondry); err != nil {
		return 0, nil, err
	}
	return paymentID, &d, nil
}

// loadPayments runs paymentSelect and itemSelect with filter (one of the
// by… constants) and puts each item in its payment.
func (db *DB) loadPayments(ctx context.Context, filter string, args ...any) ([]*gateway.Payment, error) {
	st, err := db.readStmt(ctx, paymentSelect+filter)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("store: payments: %w", err)
	}
	defer rows.Close()
	var out []*gateway.Payment
	byID := map[int64]*gateway.Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: payments: %w", err)
		}
		out = append(out, p)
		byID[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: payments: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}

	return out, db.loadItems(ctx, byID, filter, args...)
}

// loadItems runs itemSelect with filter and puts each item in its payment
// in byID.
func (db *DB) loadItems(ctx context.Context, byID map[int64]*gateway.Payment, filter string, args ...any) error {
	st, err := db.readStmt(ctx, itemSelect+filter+`, i.position`)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("store: payment items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		pid, d, err := scanItem(rows)
		if err != nil {
			return fmt.Errorf("store: payment items: %w", err)
		}
		// A payment inserted between the two queries has no entry: skip
		// its items rather than fail.
		if p := byID[pid]; p != nil {
			p.Items = append(p.Items, d)
		}
	}
	return rows.Err()
}

// FindPayment implements gateway.CartStore.
func (db *DB) FindPayment(ctx context.Context, dominio, iuv, ccp string) (*gateway.Payment, error) {
	if iuv == "" || ccp == "" { // payments not yet prepared have neither
		return nil, fmt.Errorf("payment %s/%q/%q: %w", dominio, iuv, ccp, gateway.ErrNotFound)
	}
	ps, err := db.loadPayments(ctx, byDominioIUVCC, dominio, iuv, ccp)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("payment %s/%s/%s: %w", dominio, iuv, ccp, gateway.ErrNotFound)
	}
	return ps[0], nil
}

// FindPayments implements gateway.CartStore; none is an empty slice, not
// an error.
func (db *DB) FindPayments(ctx context.Context, dominio, iuv string) ([]*gateway.Payment, error) {
	if iuv == "" {
		return nil, nil
	}
	return db.loadPayments(ctx, byDominioIUV, dominio, iuv)
}

// FindPaymentsByIUD implements gateway.CartStore, prepared or not; none
// is an empty slice, not an error.
func (db *DB) FindPaymentsByIUD(ctx context.Context, enteID int64, iud string) ([]*gateway.Payment, error) {
	return db.loadPayments(ctx, byEnteIUD, enteID, iud)
}
