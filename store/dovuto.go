package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

const dovutoColumns = `id, ente_id, iud, iuv, state, tipo_dovuto, tipo_versamento,
	amount_cents, commission_cents, due_date, causale, dati_specifici_riscossione, bilancio,
	payer_type, payer_id, payer_name, payer_address, payer_civic, payer_cap,
	payer_locality, payer_province, payer_nation, payer_email,
	secondary, flusso, created_at, updated_at`

func scanDovuto(r rowScanner) (*gateway.Dovuto, error) {
	var (
		d                  gateway.Dovuto
		p                  gateway.Payer
		amount, commission int64
		bilancio, second   sql.NullString
	)
	err := r.Scan(&d.ID, &d.EnteID, &d.IUD, &d.IUV, &d.State, &d.TipoDovuto, &d.TipoVersamento,
		&amount, &commission, scanDate{&d.DueDate}, &d.Causale, &d.DatiSpecificiRiscossione, &bilancio,
		&p.Type, &p.ID, &p.Name, &p.Address, &p.Civic, &p.CAP,
		&p.Locality, &p.Province, &p.Nation, &p.Email,
		&second, &d.Flusso, scanTime{&d.CreatedAt}, scanTime{&d.UpdatedAt})
	if err != nil {
		return nil, err
	}
	d.Amount, d.Commission = gateway.Cents(amount), gateway.Cents(commission)
	if p != (gateway.Payer{}) {
		d.Payer = &p
	}
	if d.Bilancio, err = decodeBilancio(bilancio); err != nil {
		return nil, err
	}
	if d.Secondary, err = decodeSecondary(second); err != nil {
		return nil, err
	}
	return &d, nil
}

// dovutoArgs are the values of every column after iud, in dovutoColumns
// order, up to flusso.
func dovutoArgs(d *gateway.Dovuto) ([]any, error) {
	bil, err := encodeBilancio(d.Bilancio)
	if err != nil {
		return nil, err
	}
	sec, err := encodeSecondary(d.Secondary)
	if err != nil {
		return nil, err
	}
	var p gateway.Payer
	if d.Payer != nil {
		p = *d.Payer
	}
	return []any{d.IUV, string(d.State), d.TipoDovuto, d.TipoVersamento,
		int64(d.Amount), int64(d.Commission), civilDate(d.DueDate), d.Causale, d.DatiSpecificiRiscossione, bil,
		p.Type, p.ID, p.Name, p.Address, p.Civic, p.CAP,
		p.Locality, p.Province, p.Nation, p.Email,
		sec, d.Flusso}, nil
}

// dovutoError maps write errors to the PAA_IMPORT_* codes.
func dovutoError(d *gateway.Dovuto, err error) error {
	switch {
	case violates(err, keyDovutoIUD):
		return &gateway.Error{Code: gateway.CodeImportIUDDuplicato,
			String: fmt.Sprintf("IUD [%s] già presente per l'ente", d.IUD), Err: err}
	case violates(err, keyDovutoIUV):
		return &gateway.Error{Code: gateway.CodeImportIUVDuplicato,
			String: fmt.Sprintf("IUV [%s] già presente per l'ente", d.IUV), Err: err}
	case isForeignKey(err):
		return fmt.Errorf("dovuto %s: ente id %d: %w", d.IUD, d.EnteID, gateway.ErrNotFound)
	}
	return fmt.Errorf("store: dovuto %s: %w", d.IUD, err)
}

const insertDovutoSQL = `INSERT INTO dovuto (ente_id, iud, iuv, state, tipo_dovuto, tipo_versamento,
	amount_cents, commission_cents, due_date, causale, dati_specifici_riscossione, bilancio,
	payer_type, payer_id, payer_name, payer_address, payer_civic, payer_cap,
	payer_locality, payer_province, payer_nation, payer_email,
	secondary, flusso, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id`

// InsertDovuto implements gateway.DovutoStore in one round trip (a
// prepared INSERT … RETURNING); uniqueness is left to the indexes. An
// empty State is stored as DovutoDaPagare.
func (db *DB) InsertDovuto(ctx context.Context, d *gateway.Dovuto) error {
	if d.State == "" {
		d.State = gateway.DovutoDaPagare
	}
	vals, err := dovutoArgs(d)
	if err != nil {
		return err
	}
	now := db.now()
	args := make([]any, 0, 26)
	args = append(args, d.EnteID, d.IUD)
	args = append(args, vals...)
	args = append(args, stamp(now), stamp(now))
	st, err := db.writeStmt(ctx, insertDovutoSQL)
	if err != nil {
		return err
	}
	var id int64
	if err := st.QueryRowContext(ctx, args...).Scan(&id); err != nil {
		return dovutoError(d, err)
	}
	d.ID, d.CreatedAt, d.UpdatedAt = id, now, now
	return nil
}

// modifyDovutoSQL replaces a payable dovuto. An empty IUV keeps the one
// already assigned: a notice number, once given out, stays.
const modifyDovutoSQL = `UPDATE dovuto SET
	iuv = CASE WHEN ? = '' THEN iuv ELSE ? END,
	state = ?, tipo_dovuto = ?, tipo_versamento = ?,
	amount_cents = ?, commission_cents = ?, due_date = ?, causale = ?,
	dati_specifici_riscossione = ?, bilancio = ?,
	payer_type = ?, payer_id = ?, payer_name = ?, payer_address = ?, payer_civic = ?, payer_cap = ?,
	payer_locality = ?, payer_province = ?, payer_nation = ?, payer_email = ?,
	secondary = ?, flusso = ?, updated_at = ?
WHERE ente_id = ? AND iud = ? AND state = '` + string(gateway.DovutoDaPagare) + `'
RETURNING id, iuv, created_at`

// ModifyDovuto implements gateway.DovutoStore: every field of the dovuto
// with (d.EnteID, d.IUD) is replaced by d's, except an empty IUV (kept).
// An empty State is stored as DovutoDaPagare. It sets d.ID, d.IUV and the
// times.
func (db *DB) ModifyDovuto(ctx context.Context, d *gateway.Dovuto) error {
	if d.State == "" {
		d.State = gateway.DovutoDaPagare
	}
	vals, err := dovutoArgs(d)
	if err != nil {
		return err
	}
	now := db.now()
	args := make([]any, 0, 27)
	args = append(args, d.IUV) // the CASE reads it twice
	args = append(args, vals...)
	args = append(args, stamp(now), d.EnteID, d.IUD)
	var (
		id      int64
		iuv     string
		created time.Time
	)
	err = db.w.QueryRowContext(ctx, db.w.Rebind(modifyDovutoSQL), args...).Scan(&id, &iuv, scanTime{&created})
	if errors.Is(err, sql.ErrNoRows) {
		return db.whyNotPayable(ctx, d.EnteID, d.IUD)
	}
	if err != nil {
		return dovutoError(d, err)
	}
	d.ID, d.IUV, d.CreatedAt, d.UpdatedAt = id, iuv, created, now
	return nil
}

const annulDovutoSQL = `UPDATE dovuto SET state = '` + string(gateway.DovutoAnnullato) + `', updated_at = ?
WHERE ente_id = ? AND iud = ? AND state = '` + string(gateway.DovutoDaPagare) + `'`

// AnnulDovuto implements gateway.DovutoStore. The row stays, in state
// ANNULLATO, so its IUD (and IUV) remain used.
func (db *DB) AnnulDovuto(ctx context.Context, enteID int64, iud string) error {
	res, err := db.w.ExecContext(ctx, db.w.Rebind(annulDovutoSQL), stamp(db.now()), enteID, iud)
	if err != nil {
		return fmt.Errorf("store: annul dovuto %s: %w", iud, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return db.whyNotPayable(ctx, enteID, iud)
	}
	return nil
}

// whyNotPayable explains an update that matched no payable dovuto: it is
// missing (ErrNotFound) or in another state (ErrConflict).
func (db *DB) whyNotPayable(ctx context.Context, enteID int64, iud string) error {
	var state string
	err := db.w.QueryRowContext(ctx, db.w.Rebind(`SELECT state FROM dovuto WHERE ente_id = ? AND iud = ?`), enteID, iud).Scan(&state)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("dovuto IUD %s: %w", iud, gateway.ErrNotFound)
	case err != nil:
		return fmt.Errorf("store: dovuto %s: %w", iud, err)
	}
	return fmt.Errorf("dovuto IUD %s is %s: %w", iud, state, gateway.ErrConflict)
}

const findDovutoByIUDSQL = `SELECT ` + dovutoColumns + ` FROM dovuto WHERE ente_id = ? AND iud = ?`

// FindDovutoByIUD implements gateway.DovutoStore (any state).
func (db *DB) FindDovutoByIUD(ctx context.Context, enteID int64, iud string) (*gateway.Dovuto, error) {
	st, err := db.readStmt(ctx, findDovutoByIUDSQL)
	if err != nil {
		return nil, err
	}
	d, err := scanDovuto(st.QueryRowContext(ctx, enteID, iud))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("dovuto IUD %s: %w", iud, gateway.ErrNotFound)
	}
	return d, err
}

const findDovutoByIUVSQL = `SELECT ` + dovutoColumns + ` FROM dovuto WHERE ente_id = ? AND iuv = ? AND iuv <> ''`

// FindDovutoByIUV implements gateway.DovutoStore (any state).
func (db *DB) FindDovutoByIUV(ctx context.Context, enteID int64, iuv string) (*gateway.Dovuto, error) {
	if iuv == "" {
		return nil, fmt.Errorf("dovuto with empty IUV: %w", gateway.ErrNotFound)
	}
	st, err := db.readStmt(ctx, findDovutoByIUVSQL)
	if err != nil {
		return nil, err
	}
	d, err := scanDovuto(st.QueryRowContext(ctx, enteID, iuv))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("dovuto IUV %s: %w", iuv, gateway.ErrNotFound)
	}
	return d, err
}

const iudUsedSQL = `SELECT EXISTS (SELECT 1 FROM dovuto WHERE ente_id = ? AND iud = ?)
	OR EXISTS (SELECT 1 FROM payment_item WHERE ente_id = ? AND iud = ? AND registered)`

// IUDUsed implements gateway.DovutoStore; annulled dovuti count, and so
// do the items of every prepared cart, however it ended.
func (db *DB) IUDUsed(ctx context.Context, enteID int64, iud string) (bool, error) {
	st, err := db.readStmt(ctx, iudUsedSQL)
	if err != nil {
		return false, err
	}
	var used bool
	err = st.QueryRowContext(ctx, enteID, iud, enteID, iud).Scan(&used)
	return used, err
}

const importedPayableSQL = `SELECT ` + dovutoColumns + ` FROM dovuto
WHERE ente_id = ? AND import_id = ? AND iuv <> '' AND state = '` + string(gateway.DovutoDaPagare) + `'
ORDER BY flusso_row`

// EachImportedPayable calls fn, in file order, with every dovuto of the
// ente that import importID brought in and that is still to be paid and
// has an IUV: the avvisi of a flusso. It stops at fn's first error.
func (db *DB) EachImportedPayable(ctx context.Context, enteID, importID int64, fn func(*gateway.Dovuto) error) error {
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(importedPayableSQL), enteID, importID)
	if err != nil {
		return fmt.Errorf("store: dovuti of import %d: %w", importID, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDovuto(rows)
		if err != nil {
			return fmt.Errorf("store: dovuti of import %d: %w", importID, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}
