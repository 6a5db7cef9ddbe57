package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

const tipoDovutoColumns = `id, ente_id, code, description, enabled, allow_anonymous_cf,
	due_date_mandatory, fixed_amount_cents, taxonomy_code, created_at, updated_at`

func scanTipoDovuto(r rowScanner) (*gateway.TipoDovuto, error) {
	var t gateway.TipoDovuto
	var amount int64
	err := r.Scan(&t.ID, &t.EnteID, &t.Code, &t.Description, &t.Enabled, &t.AllowAnonymousCF,
		&t.DueDateMandatory, &amount, &t.TaxonomyCode, scanTime{&t.CreatedAt}, scanTime{&t.UpdatedAt})
	if err != nil {
		return nil, err
	}
	t.FixedAmount = gateway.Cents(amount)
	return &t, nil
}

const upsertTipoDovutoSQL = `INSERT INTO tipo_dovuto (ente_id, code, description, enabled,
	allow_anonymous_cf, due_date_mandatory, fixed_amount_cents, taxonomy_code, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (ente_id, code) DO UPDATE SET
	description = excluded.description,
	enabled = excluded.enabled,
	allow_anonymous_cf = excluded.allow_anonymous_cf,
	due_date_mandatory = excluded.due_date_mandatory,
	fixed_amount_cents = excluded.fixed_amount_cents,
	taxonomy_code = excluded.taxonomy_code,
	updated_at = excluded.updated_at
RETURNING id, created_at`

// UpsertTipoDovuto implements gateway.EnteStore. An unknown EnteID is
// ErrNotFound.
func (db *DB) UpsertTipoDovuto(ctx context.Context, t *gateway.TipoDovuto) error {
	now := db.now()
	var (
		id      int64
		created time.Time
	)
	err := db.w.QueryRowContext(ctx, db.w.Rebind(upsertTipoDovutoSQL), t.EnteID, t.Code, t.Description,
		t.Enabled, t.AllowAnonymousCF, t.DueDateMandatory, int64(t.FixedAmount), t.TaxonomyCode,
		stamp(now), stamp(now)).Scan(&id, scanTime{&created})
	if isForeignKey(err) {
		return fmt.Errorf("tipo dovuto %s: ente id %d: %w", t.Code, t.EnteID, gateway.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: tipo dovuto %s: %w", t.Code, err)
	}
	t.ID, t.CreatedAt, t.UpdatedAt = id, created, now
	return nil
}

const findTipoDovutoSQL = `SELECT ` + tipoDovutoColumns + ` FROM tipo_dovuto WHERE ente_id = ? AND code = ?`

// FindTipoDovuto implements gateway.EnteStore.
func (db *DB) FindTipoDovuto(ctx context.Context, enteID int64, code string) (*gateway.TipoDovuto, error) {
	st, err := db.readStmt(ctx, findTipoDovutoSQL)
	if err != nil {
		return nil, err
	}
	t, err := scanTipoDovuto(st.QueryRowContext(ctx, enteID, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("tipo dovuto %s of ente id %d: %w", code, enteID, gateway.ErrNotFound)
	}
	return t, err
}

const listTipiDovutoSQL = `SELECT ` + tipoDovutoColumns + ` FROM tipo_dovuto WHERE ente_id = ? ORDER BY code`

// ListTipiDovuto implements gateway.EnteStore, ordered by code.
func (db *DB) ListTipiDovuto(ctx context.Context, enteID int64) ([]*gateway.TipoDovuto, error) {
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(listTipiDovutoSQL), enteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*gateway.TipoDovuto
	for rows.Next() {
		t, err := scanTipoDovuto(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
