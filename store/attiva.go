package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/ponte-pagopa/ponte/gateway"
)

var _ gateway.ActivationStore = (*DB)(nil)

// activatedSQL finds an earlier payment with the same key and whether it
// is an activation.
const activatedSQL = `SELECT p.id, p.state, c.kind FROM payment p JOIN cart c ON c.id = p.cart_id
WHERE p.dominio = ? AND p.iuv = ? AND p.ccp = ?`

// requeueSQL sends an activation's RPT again: a repeated paaAttivaRPT
// means the PSP still waits for it (the node answers PPT_RPT_DUPLICATA if
// it has it already).
const requeueSQL = `UPDATE payment SET state = '` + string(gateway.PaymentNew) + `', send_next_at = ?, updated_at = ?
WHERE id = ? AND state IN ('` + string(gateway.PaymentNew) + `', '` + string(gateway.PaymentSent) + `')`

// activateDovutoSQL starts the dovuto only while payable at the amount
// the PSP was told.
const activateDovutoSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoIniziato) + `', updated_at = ?
WHERE id = ? AND state = '` + string(gateway.DovutoDaPagare) + `' AND amount_cents = ?`

const insertActivatedPaymentSQL = `INSERT INTO payment (cart_id, position, ente_id, cod_ipa, dominio, iuv, ccp,
	state, message_id, requested_at, amount_cents, rpt, psp_id, psp_broker, psp_channel, send_next_at,
	created_at, updated_at)
VALUES (?, 1, ?, ?, ?, ?, ?, '` + string(gateway.PaymentNew) + `', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

const registerActivatedItemSQL = `UPDATE payment_item SET registered = TRUE WHERE payment_id = ?`

// ActivatePSP implements gateway.ActivationStore.
func (db *DB) ActivatePSP(ctx context.Context, a *gateway.Activation) (gateway.ActivationOutcome, error) {
	c := a.Cart
	if c == nil || len(c.Payments) != 1 || len(c.Payments[0].Items) != 1 || c.Payments[0].Items[0].ID == 0 {
		return 0, errors.New("store: activation: one payment of one existing dovuto required")
	}
	p, d := c.Payments[0], c.Payments[0].Items[0]
	if p.IUV == "" || p.CCP == "" || len(p.RPT) == 0 {
		return 0, errors.New("store: activation: IUV, CCP and RPT required")
	}
	payer, err := encodePayer(c.Payer)
	if err != nil {
		return 0, err
	}
	sts, err := db.writeStmts(ctx, insertCartSQL, insertActivatedPaymentSQL, insertItemSQL)
	if err != nil {
		return 0, err
	}
	now := db.now()
	c.Kind, c.State = gateway.CartAttivatoPSP, gateway.CartInCorso
	p.State, p.Position = gateway.PaymentNew, 1
	p.RequestedAt = norm(p.RequestedAt)
	if d.EnteID == 0 {
		d.EnteID = p.EnteID
	}
	outcome := gateway.ActivationNew
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		var (
			id          int64
			state, kind string
		)
		err := tx.QueryRowContext(ctx, tx.Rebind(activatedSQL), p.Dominio, p.IUV, p.CCP).Scan(&id, &state, &kind)
		switch {
		case err == nil:
			if kind != string(gateway.CartAttivatoPSP) {
				return fmt.Errorf("payment %s/%s/%s is not an activation: %w", p.Dominio, p.IUV, p.CCP, gateway.ErrConflict)
			}
			res, err := tx.ExecContext(ctx, tx.Rebind(requeueSQL), stamp(now), stamp(now), id)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return fmt.Errorf("activation %s/%s/%s is %s: %w", p.Dominio, p.IUV, p.CCP, state, gateway.ErrConflict)
			}
			p.ID = id
			outcome = gateway.ActivationRepeated
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}

		res, err := tx.ExecContext(ctx, tx.Rebind(activateDovutoSQL), stamp(now), d.ID, int64(d.Amount))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("dovuto id %d is not payable at %s: %w", d.ID, d.Amount, gateway.ErrConflict)
		}
		err = tx.StmtxContext(ctx, sts[0]).QueryRowContext(ctx, c.IDSession, c.Token, string(c.Kind), string(c.State),
			c.EnteID, c.CodIpa, c.ShowMyPay, c.ReturnURL, payer, c.Email, false, "", "", "", "",
			stamp(now), stamp(now), nullStamp(norm(c.ExpiresAt))).Scan(&c.ID)
		if err != nil {
			return err
		}
		p.CartID = c.ID
		err = tx.StmtxContext(ctx, sts[1]).QueryRowContext(ctx, c.ID, enteRef(p.EnteID), p.CodIpa, p.Dominio, p.IUV, p.CCP,
			p.MessageID, nullStamp(p.RequestedAt), int64(p.Amount), p.RPT, a.PSP, a.Broker, a.Channel, stamp(now),
			stamp(now), stamp(now)).Scan(&p.ID)
		if err != nil {
			return err
		}
		d.IUV = p.IUV
		args, err := itemArgs(d)
		if err != nil {
			return err
		}
		args = append([]any{p.ID, 1}, args...)
		if _, err := tx.StmtxContext(ctx, sts[2]).ExecContext(ctx, append(args, stamp(now), stamp(now))...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, tx.Rebind(registerActivatedItemSQL), p.ID)
		return err
	})
	switch {
	case err == nil:
	case errors.Is(err, gateway.ErrConflict):
		return 0, err
	case violates(err, keyPaymentCCP):
		// A concurrent activation with the same key won the race.
		return 0, fmt.Errorf("payment %s/%s/%s already exists: %w", p.Dominio, p.IUV, p.CCP, gateway.ErrConflict)
	case violates(err, keyCartIDSession), violates(err, keyCartToken):
		return 0, fmt.Errorf("activation cart: idSession or token taken: %w", gateway.ErrConflict)
	default:
		return 0, fmt.Errorf("store: activation %s/%s/%s: %w", p.Dominio, p.IUV, p.CCP, err)
	}
	if outcome == gateway.ActivationNew {
		c.CreatedAt, c.UpdatedAt, p.CreatedAt, p.UpdatedAt = now, now, now, now
		d.State = gateway.DovutoIniziato
	}
	return outcome, nil
}
