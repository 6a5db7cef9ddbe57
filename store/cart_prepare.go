package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ponte-pagopa/ponte/gateway"
)

// prepareCartSQL claims the cart: only once, and only while PREDISPOSTO.
const prepareCartSQL = `UPDATE cart SET email = ?, id_carrello = ?, prepared_at = ?, updated_at = ?
WHERE id = ? AND state = '` + string(gateway.CartPredisposto) + `' AND prepared_at IS NULL`

const preparePaymentSQL = `UPDATE payment SET iuv = ?, ccp = ?, message_id = ?, requested_at = ?, rpt = ?, updated_at = ?
WHERE id = ? AND cart_id = ?`

const registerItemSQL = `UPDATE payment_item SET iuv = ?, registered = TRUE, updated_at = ?
WHERE payment_id = ? AND position = ?`

// dovutoHoldsIUDSQL finds an IUD a new item would take from a dovuto.
const dovutoHoldsIUDSQL = `SELECT EXISTS (SELECT 1 FROM dovuto WHERE ente_id = ? AND iud = ?)`

const startDovutoSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoIniziato) + `', updated_at = ?
WHERE id = ? AND state = '` + string(gateway.DovutoDaPagare) + `'`

// PrepareCart implements gateway.CartStore in one transaction. It takes
// from c the e-mail and IDCarrello, and from each payment (matched by ID)
// IUV, CCP, MessageID, RequestedAt and RPT; every item gets its payment's
// IUV. A cart can be prepared once: again, or no longer PREDISPOSTO, is
// ErrConflict. An IUD already taken by the ente, by a dovuto or by an item
// of another prepared cart, is *gateway.Error CodeIUDDuplicato. A taken
// (dominio, IUV, CCP) is ErrConflict. On success c is updated as it
// reads back.
func (db *DB) PrepareCart(ctx context.Context, c *gateway.Cart) error {
	sts, err := db.writeStmts(ctx, preparePaymentSQL, registerItemSQL)
	if err != nil {
		return err
	}
	now := db.now()
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, tx.Rebind(prepareCartSQL), c.Email, c.IDCarrello, stamp(now), stamp(now), c.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return whyNotPreparable(ctx, tx, c.ID)
		}
		pst, ist := tx.StmtxContext(ctx, sts[0]), tx.StmtxContext(ctx, sts[1])
		for _, p := range c.Payments {
			res, err := pst.ExecContext(ctx, p.IUV, p.CCP, p.MessageID, nullStamp(norm(p.RequestedAt)), blob(p.RPT),
				stamp(now), p.ID, c.ID)
			if err != nil {
				if violates(err, keyPaymentCCP) {
					return fmt.Errorf("payment %s/%s/%s already exists: %w", p.Dominio, p.IUV, p.CCP, gateway.ErrConflict)
				}
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return fmt.Errorf("payment id %d is not in cart %d: %w", p.ID, c.ID, gateway.ErrNotFound)
			}
			for j, d := range p.Items {
				if err := db.registerItem(ctx, tx, ist, p, j+1, d, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		var ge *gateway.Error
		if errors.As(err, &ge) || errors.Is(err, gateway.ErrConflict) || errors.Is(err, gateway.ErrNotFound) {
			return err
		}
		return fmt.Errorf("store: prepare cart %d: %w", c.ID, err)
	}
	c.UpdatedAt = now
	for _, p := range c.Payments {
		p.RequestedAt, p.UpdatedAt = norm(p.RequestedAt), now
		for _, d := range p.Items {
			d.IUV, d.UpdatedAt = p.IUV, now
			if d.ID != 0 {
				d.State = gateway.DovutoIniziato
			}
		}
	}
	return nil
}

// registerItem takes the item's IUD for its ente, or starts its existing
// dovuto.
func (db *DB) registerItem(ctx context.Context, tx *sqlx.Tx, ist *sqlx.Stmt, p *gateway.Payment, pos int, d *gateway.Dovuto, now time.Time) error {
	dup := func(cause error) error {
		return &gateway.Error{Code: gateway.CodeIUDDuplicato,
			String: fmt.Sprintf("IUD [%s] già inviato", d.IUD), Err: cause}
	}
	if d.ID == 0 {
		var held bool
		if err := tx.QueryRowContext(ctx, tx.Rebind(dovutoHoldsIUDSQL), d.EnteID, d.IUD).Scan(&held); err != nil {
			return err
		}
		if held {
			return dup(nil)
		}
	}
	res, err := ist.ExecContext(ctx, p.IUV, stamp(now), p.ID, pos)
	if violates(err, keyItemIUD) {
		return dup(err)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("payment id %d has no item %d: %w", p.ID, pos, gateway.ErrNotFound)
	}
	if d.ID == 0 {
		return nil
	}
	res, err = tx.ExecContext(ctx, tx.Rebind(startDovutoSQL), stamp(now), d.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("dovuto IUD %s is no longer payable: %w", d.IUD, gateway.ErrConflict)
	}
	return nil
}

// whyNotPreparable explains a cart that could not be claimed.
func whyNotPreparable(ctx context.Context, tx *sqlx.Tx, cartID int64) error {
	var (
		state    string
		prepared bool
	)
	err := tx.QueryRowContext(ctx, tx.Rebind(`SELECT state, prepared_at IS NOT NULL FROM cart WHERE id = ?`), cartID).Scan(&state, &prepared)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("cart id %d: %w", cartID, gateway.ErrNotFound)
	case err != nil:
		return err
	case prepared:
		return fmt.Errorf("cart id %d already prepared (%s): %w", cartID, state, gateway.ErrConflict)
	}
	return fmt.Errorf("cart id %d is %s: %w", cartID, state, gateway.ErrConflict)
}
