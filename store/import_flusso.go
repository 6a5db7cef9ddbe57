package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

var _ gateway.ImportStore = (*DB)(nil)

var keyImportToken = uniqueKey{"import_flusso_request_token_key", "import_flusso.request_token"}

const importColumns = `id, ente_id, cod_ipa, request_token, file_name, iuf, version, state, error_code,
	path, md5, size, rows_read, imported, rejected, scarti_path, iuv_path, attempts,
	created_at, updated_at, finished_at`

func scanImport(r rowScanner) (*gateway.ImportFlusso, error) {
	var f gateway.ImportFlusso
	err := r.Scan(&f.ID, &f.EnteID, &f.CodIpa, &f.RequestToken, &f.FileName, &f.IUF, &f.Version, &f.State, &f.ErrorCode,
		&f.Path, &f.MD5, &f.Size, &f.Rows, &f.Imported, &f.Rejected, &f.ScartiPath, &f.IUVPath, &f.Attempts,
		scanTime{&f.CreatedAt}, scanTime{&f.UpdatedAt}, scanTime{&f.FinishedAt})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

const createImportSQL = `INSERT INTO import_flusso (ente_id, cod_ipa, request_token, file_name, iuf, version,
	state, path, md5, size, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

// CreateImport implements gateway.ImportStore.
func (db *DB) CreateImport(ctx context.Context, f *gateway.ImportFlusso) error {
	now := db.now()
	f.State = gateway.ImportLoaded
	err := db.w.QueryRowContext(ctx, db.w.Rebind(createImportSQL), f.EnteID, f.CodIpa, f.RequestToken, f.FileName,
		f.IUF, f.Version, string(f.State), f.Path, f.MD5, f.Size, stamp(now), stamp(now)).Scan(&f.ID)
	if violates(err, keyImportToken) {
		return fmt.Errorf("import request token %s: %w", f.RequestToken, gateway.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: import %s: %w", f.FileName, err)
	}
	f.CreatedAt, f.UpdatedAt = now, now
	return nil
}

// FindImportByToken implements gateway.ImportStore.
func (db *DB) FindImportByToken(ctx context.Context, token string) (*gateway.ImportFlusso, error) {
	f, err := scanImport(db.r.QueryRowContext(ctx, db.r.Rebind(`SELECT `+importColumns+` FROM import_flusso WHERE request_token = ?`), token))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("import request token %s: %w", token, gateway.ErrNotFound)
	}
	return f, err
}

// claimImportSQL takes the oldest flusso waiting or whose lease expired.
// On PostgreSQL SKIP LOCKED lets processes claim side by side, and skips
// a flusso whose import transaction is still running (it holds the row).
const claimImportSQL = `UPDATE import_flusso SET state = ?, lease_owner = ?, lease_until = ?,
	attempts = attempts + 1, updated_at = ?
WHERE id = (SELECT id FROM import_flusso
	WHERE state IN ('LOAD_IMPORT', 'IMPORT_IN_ELAB') AND (lease_until IS NULL OR lease_until < ?)
	ORDER BY id LIMIT 1%s)
RETURNING ` + importColumns

// ClaimImport implements gateway.ImportStore.
func (db *DB) ClaimImport(ctx context.Context, owner string, lease time.Duration) (*gateway.ImportFlusso, error) {
	now := db.now()
	q := db.w.Rebind(fmt.Sprintf(claimImportSQL, db.skipLocked()))
	f, err := scanImport(db.w.QueryRowContext(ctx, q, string(gateway.ImportRunning), owner, stamp(now.Add(lease)), stamp(now), stamp(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim import: %w", err)
	}
	return f, nil
}

// ClaimImportByID implements gateway.ImportStore.
func (db *DB) ClaimImportByID(ctx context.Context, id int64, owner string, lease time.Duration) (*gateway.ImportFlusso, error) {
	now := db.now()
	f, err := scanImport(db.w.QueryRowContext(ctx, db.w.Rebind(`UPDATE import_flusso SET state = ?, lease_owner = ?, lease_until = ?,
		attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND state IN ('LOAD_IMPORT', 'IMPORT_IN_ELAB') AND (lease_until IS NULL OR lease_until < ?)
		RETURNING `+importColumns), string(gateway.ImportRunning), owner, stamp(now.Add(lease)), stamp(now), id, stamp(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("import %d not claimable: %w", id, gateway.ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim import %d: %w", id, err)
	}
	return f, nil
}

// RenewImport implements gateway.ImportStore.
func (db *DB) RenewImport(ctx context.Context, id int64, owner string, lease time.Duration) error {
	now := db.now()
	return db.ownedUpdate(ctx, "import", `UPDATE import_flusso SET lease_until = ?, updated_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'IMPORT_IN_ELAB'`, stamp(now.Add(lease)), stamp(now), id, owner)
}

// AbortImport implements gateway.ImportStore.
func (db *DB) AbortImport(ctx context.Context, id int64, owner, code string) error {
	now := db.now()
	return db.ownedUpdate(ctx, "import", `UPDATE import_flusso SET state = 'IMPORT_ABORTITO', error_code = ?,
		lease_owner = '', lease_until = NULL, updated_at = ?, finished_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'IMPORT_IN_ELAB'`, code, stamp(now), stamp(now), id, owner)
}

// IUFUse implements gateway.ImportStore. Only flussi uploaded before
// exceptID count as loading, so of two uploads of one IUF the first wins.
func (db *DB) IUFUse(ctx context.Context, enteID int64, iuf string, exceptID int64) (bool, time.Time, error) {
	var (
		done    bool
		loading scanTime
		since   time.Time
	)
	loading.t = &since
	err := db.r.QueryRowContext(ctx, db.r.Rebind(`SELECT
		EXISTS (SELECT 1 FROM import_flusso WHERE ente_id = ? AND iuf = ? AND id <> ? AND state = 'IMPORT_ESEGUITO'),
		(SELECT MAX(created_at) FROM import_flusso WHERE ente_id = ? AND iuf = ? AND id < ? AND state IN ('LOAD_IMPORT', 'IMPORT_IN_ELAB'))`),
		enteID, iuf, exceptID, enteID, iuf, exceptID).Scan(&done, loading)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("store: import IUF %s: %w", iuf, err)
	}
	return done, since, nil
}
