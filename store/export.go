package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi/exportcsv"
)

var _ gateway.ExportStore = (*DB)(nil)

var keyExportToken = uniqueKey{"export_flusso_request_token_key", "export_flusso.request_token"}

const exportColumns = `id, kind, ente_id, cod_ipa, request_token, date_from, date_to, incremental, ricevuta,
	mypivot, tipo_dovuto, version, state, path, rows_written, created_at, updated_at, finished_at`

func scanExport(r rowScanner) (*gateway.ExportFlusso, error) {
	var f gateway.ExportFlusso
	err := r.Scan(&f.ID, &f.Kind, &f.EnteID, &f.CodIpa, &f.RequestToken, scanTime{&f.From}, scanTime{&f.To},
		&f.Incremental, &f.Ricevuta, &f.Mypivot, &f.TipoDovuto, &f.Version, &f.State, &f.Path, &f.Rows,
		scanTime{&f.CreatedAt}, scanTime{&f.UpdatedAt}, scanTime{&f.FinishedAt})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

const createExportSQL = `INSERT INTO export_flusso (kind, ente_id, cod_ipa, request_token, date_from, date_to,
	incremental, ricevuta, mypivot, tipo_dovuto, version, state, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

// CreateExport implements gateway.ExportStore. From and To are kept to
// the microsecond.
func (db *DB) CreateExport(ctx context.Context, f *gateway.ExportFlusso) error {
	now := db.now()
	f.State = gateway.ExportLoaded
	f.From, f.To = norm(f.From), norm(f.To)
	err := db.w.QueryRowContext(ctx, db.w.Rebind(createExportSQL), string(f.Kind), f.EnteID, f.CodIpa, f.RequestToken,
		stamp(f.From), stamp(f.To), f.Incremental, f.Ricevuta, f.Mypivot, f.TipoDovuto, f.Version,
		string(f.State), stamp(now), stamp(now)).Scan(&f.ID)
	if violates(err, keyExportToken) {
		return fmt.Errorf("export request token %s: %w", f.RequestToken, gateway.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: export %s: %w", f.RequestToken, err)
	}
	f.CreatedAt, f.UpdatedAt = now, now
	return nil
}

// FindExportByToken implements gateway.ExportStore.
func (db *DB) FindExportByToken(ctx context.Context, token string) (*gateway.ExportFlusso, error) {
	f, err := scanExport(db.r.QueryRowContext(ctx, db.r.Rebind(`SELECT `+exportColumns+` FROM export_flusso WHERE request_token = ?`), token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("export request token %s: %w", token, gateway.ErrNotFound)
	}
	return f, err
}

// claimExportSQL takes the oldest export waiting or whose lease expired;
// on PostgreSQL SKIP LOCKED lets processes claim side by side.
const claimExportSQL = `UPDATE export_flusso SET state = ?, lease_owner = ?, lease_until = ?,
	attempts = attempts + 1, updated_at = ?
WHERE id = (SELECT id FROM export_flusso
	WHERE state IN ('LOAD_EXPORT', 'EXPORT_IN_ELAB') AND (lease_until IS NULL OR lease_until < ?)
	ORDER BY id LIMIT 1%s)
RETURNING ` + exportColumns

// ClaimExport implements gateway.ExportStore.
func (db *DB) ClaimExport(ctx context.Context, owner string, lease time.Duration) (*gateway.ExportFlusso, error) {
	now := db.now()
	q := db.w.Rebind(fmt.Sprintf(claimExportSQL, db.skipLocked()))
	f, err := scanExport(db.w.QueryRowContext(ctx, q, string(gateway.ExportRunning), owner, stamp(now.Add(lease)), stamp(now), stamp(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim export: %w", err)
	}
	return f, nil
}

// RenewExport implements gateway.ExportStore.
func (db *DB) RenewExport(ctx context.Context, id int64, owner string, lease time.Duration) error {
	now := db.now()
	return db.ownedUpdate(ctx, "export", `UPDATE export_flusso SET lease_until = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'EXPORT_IN_ELAB'`, stamp(now.Add(lease)), stamp(now), id, owner)
}

// FinishExport implements gateway.ExportStore: f.State, f.Path and f.Rows
// are stored, the lease released.
func (db *DB) FinishExport(ctx context.Context, f *gateway.ExportFlusso, owner string) error {
	now := db.now()
	err := db.ownedUpdate(ctx, "export", `UPDATE export_flusso SET state = ?, path = ?, rows_written = ?,
		lease_owner = '', lease_until = NULL, updated_at = ?, finished_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'EXPORT_IN_ELAB'`,
		string(f.State), f.Path, f.Rows, stamp(now), stamp(now), f.ID, owner)
	if err == nil {
		f.UpdatedAt, f.FinishedAt = now, now
	}
	return err
}

// exportRowsSQL selects the paid rows of an export; %s are the extra
// columns and the conditions. The order follows the index of the
// selection, so PostgreSQL streams rows without sorting.
const exportRowsSQL = `SELECT pg.iuf, pg.num_riga, pg.iud, pg.fields, pg.tipo_dovuto, pg.secondary%s
FROM pagato pg%s
WHERE pg.ente_id = ?%s`

// pa1SQL are the three columns of a secondary row in a 1.3 export, from
// the cart's first payment: its dominio, its ente's name and the taxonomy
// code of its first item's tipo dovuto.
const pa1SQL = `,
	CASE WHEN pg.secondary THEN (SELECT p1.dominio FROM payment p2 JOIN payment p1 ON p1.cart_id = p2.cart_id AND p1.position = 1 WHERE p2.id = pg.payment_id) END,
	CASE WHEN pg.secondary THEN (SELECT e.denominazione FROM payment p2 JOIN payment p1 ON p1.cart_id = p2.cart_id AND p1.position = 1 JOIN ente e ON e.id = p1.ente_id WHERE p2.id = pg.payment_id) END,
	CASE WHEN pg.secondary THEN (SELECT t.taxonomy_code FROM payment p2 JOIN payment p1 ON p1.cart_id = p2.cart_id AND p1.position = 1
		JOIN payment_item i1 ON i1.payment_id = p1.id AND i1.position = 1
		JOIN tipo_dovuto t ON t.ente_id = p1.ente_id AND t.code = i1.tipo_dovuto WHERE p2.id = pg.payment_id) END`

// ExportRows implements gateway.ExportSource. Non-incremental exports take
// rows paid on From's day to To's day, both included (days in Rome);
// incremental ones rows whose receipt arrived in [From, To). Only 1.3
// includes the rows where the ente is a secondary beneficiary; the tipo
// EXPORT_ENTE_SECONDARIO selects those alone.
func (db *DB) ExportRows(ctx context.Context, f *gateway.ExportFlusso, fn func(row *gateway.PagatoRow) error) error {
	cols, join, cond := "", "", ""
	args := []any{f.EnteID}
	if f.Incremental {
		cond += ` AND pg.updated_at >= ? AND pg.updated_at < ?`
		args = append(args, stamp(norm(f.From)), stamp(norm(f.To)))
	} else {
		cond += ` AND pg.paid_on >= ? AND pg.paid_on <= ?`
		args = append(args, f.From.In(gateway.Rome).Format(gateway.DateLayout), f.To.In(gateway.Rome).Format(gateway.DateLayout))
	}
	switch {
	case f.TipoDovuto == gateway.ExportEnteSecondario:
		cond += ` AND pg.secondary`
	case f.TipoDovuto != "":
		cond += ` AND pg.tipo_dovuto = ? AND NOT pg.secondary`
		args = append(args, f.TipoDovuto)
	case f.Version != "1.3":
		cond += ` AND NOT pg.secondary`
	}
	if f.Ricevuta {
		cols += `, pg.tipo_firma, r.rt, pg.ricevuta`
		join += ` JOIN receipt r ON r.id = pg.receipt_id`
	}
	if f.Version == "1.2" || f.Version == "1.3" {
		cols += `, pg.bilancio`
	}
	if f.Version == "1.3" {
		cols += pa1SQL
	}
	if f.Incremental {
		cond += ` ORDER BY pg.updated_at, pg.id`
	} else {
		cond += ` ORDER BY pg.paid_on, pg.id`
	}
	q := fmt.Sprintf(exportRowsSQL, cols, join, cond)
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("store: export rows: %w", err)
	}
	defer rows.Close()

	var (
		row      gateway.PagatoRow
		bil      sql.RawBytes
		pa1      [3]sql.NullString
		lastBil  string
		lastDec  *gateway.Bilancio
		pa1Bytes []byte
	)
	dest := []any{(*sql.RawBytes)(&row.IUF), &row.NumRiga, (*sql.RawBytes)(&row.IUD), (*sql.RawBytes)(&row.Fields),
		(*sql.RawBytes)(&row.TipoDovuto), &row.Secondary}
	if f.Ricevuta {
		dest = append(dest, (*sql.RawBytes)(&row.TipoFirma), (*sql.RawBytes)(&row.RT), (*sql.RawBytes)(&row.Ricevuta))
	}
	if f.Version == "1.2" || f.Version == "1.3" {
		dest = append(dest, &bil)
	}
	if f.Version == "1.3" {
		dest = append(dest, &pa1[0], &pa1[1], &pa1[2])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: export rows: %w", err)
		}
		row.Bilancio = nil
		if len(bil) > 0 {
			if string(bil) != lastBil { // rows of one dovuto repeat it
				lastBil = string(bil)
				lastDec, err = decodeBilancio(sql.NullString{String: lastBil, Valid: true})
				if err != nil {
					return err
				}
			}
			row.Bilancio = lastDec
		}
		row.PA1 = nil
		if row.Secondary && f.Version == "1.3" {
			pa1Bytes = pa1Bytes[:0]
			for i, s := range pa1 {
				if i > 0 {
					pa1Bytes = append(pa1Bytes, ';')
				}
				pa1Bytes = exportcsv.AppendText(pa1Bytes, s.String)
			}
			row.PA1 = pa1Bytes
		}
		if err := fn(&row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export rows: %w", err)
	}
	return nil
}

// scadutiStates are the dovuti still open: payable, or in a cart.
var scadutiStates = []gateway.DovutoState{gateway.DovutoDaPagare, gateway.DovutoScaduto}

// ScadutiRows implements gateway.ExportSource: open dovuti (payable, or
// SCADUTO after an expired cart) of f's ente whose tipo is one of
// f.TipoDovuto (';'-separated) and whose due date is before f.To's day.
func (db *DB) ScadutiRows(ctx context.Context, f *gateway.ExportFlusso, fn func(d *gateway.Dovuto) error) error {
	var tipi []string
	for _, t := range strings.Split(f.TipoDovuto, ";") {
		if t = strings.TrimSpace(t); t != "" {
			tipi = append(tipi, t)
		}
	}
	if len(tipi) == 0 {
		return nil
	}
	args := []any{f.EnteID, f.To.In(gateway.Rome).Format(gateway.DateLayout)}
	for _, s := range scadutiStates {
		args = append(args, string(s))
	}
	for _, t := range tipi {
		args = append(args, t)
	}
	q := `SELECT ` + dovutoColumns + ` FROM dovuto WHERE ente_id = ? AND due_date IS NOT NULL AND due_date < ?
	AND state IN (?` + strings.Repeat(", ?", len(scadutiStates)-1) + `)
	AND tipo_dovuto IN (?` + strings.Repeat(", ?", len(tipi)-1) + `) ORDER BY due_date, id`
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("store: scaduti rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDovuto(rows)
		if err != nil {
			return fmt.Errorf("store: scaduti rows: %w", err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: scaduti rows: %w", err)
	}
	return nil
}
