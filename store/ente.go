package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

const enteColumns = `id, cod_ipa, codice_fiscale, denominazione, state, password_hash,
	iban, iban_postale, conto_postale, aux_digit, application_code, segregation_code,
	intermediary_id, station_id, station_password, station_version, redirect_url, push_url,
	push_jwt_kid, push_jwt_issuer, push_jwt_subject, push_jwt_secret, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanEnte(r rowScanner) (*gateway.Ente, error) {
	var e gateway.Ente
	err := r.Scan(&e.ID, &e.CodIpa, &e.CodiceFiscale, &e.Denominazione, &e.State, &e.PasswordHash,
		&e.IBAN, &e.IBANPostale, &e.ContoPostale, &e.AuxDigit, &e.ApplicationCode, &e.SegregationCode,
		&e.IntermediaryID, &e.StationID, &e.StationPassword, &e.StationVersion, &e.RedirectURL, &e.PushURL,
		&e.PushJWT.KeyID, &e.PushJWT.Issuer, &e.PushJWT.Subject, &e.PushJWT.Secret,
		scanTime{&e.CreatedAt}, scanTime{&e.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// enteError maps write errors: a taken cod_ipa or codice fiscale is
// ErrConflict.
func enteError(e *gateway.Ente, err error) error {
	switch {
	case violates(err, keyEnteCodIpa):
		return fmt.Errorf("ente %s: codIpa already registered: %w", e.CodIpa, gateway.ErrConflict)
	case violates(err, keyEnteCF):
		return fmt.Errorf("ente %s: codice fiscale %s already registered: %w", e.CodIpa, e.CodiceFiscale, gateway.ErrConflict)
	}
	return fmt.Errorf("store: ente %s: %w", e.CodIpa, err)
}

const createEnteSQL = `INSERT INTO ente (cod_ipa, codice_fiscale, denominazione, state, password_hash,
	iban, iban_postale, conto_postale, aux_digit, application_code, segregation_code,
	intermediary_id, station_id, station_password, station_version, redirect_url, push_url,
	push_jwt_kid, push_jwt_issuer, push_jwt_subject, push_jwt_secret, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`

// CreateEnte implements gateway.EnteStore.
func (db *DB) CreateEnte(ctx context.Context, e *gateway.Ente) error {
	now := db.now()
	q := db.w.Rebind(createEnteSQL)
	var id int64
	err := db.w.QueryRowContext(ctx, q, e.CodIpa, e.CodiceFiscale, e.Denominazione, string(e.State), e.PasswordHash,
		e.IBAN, e.IBANPostale, e.ContoPostale, e.AuxDigit, e.ApplicationCode, e.SegregationCode,
		e.IntermediaryID, e.StationID, e.StationPassword, stationVersion(e), e.RedirectURL, e.PushURL,
		e.PushJWT.KeyID, e.PushJWT.Issuer, e.PushJWT.Subject, e.PushJWT.Secret, stamp(now), stamp(now)).Scan(&id)
	if err != nil {
		return enteError(e, err)
	}
	e.ID, e.CreatedAt, e.UpdatedAt, e.StationVersion = id, now, now, stationVersion(e)
	return nil
}

// stationVersion stores an unset version as the legacy one.
func stationVersion(e *gateway.Ente) int {
	if e.StationVersion == 0 {
		return gateway.StationLegacy
	}
	return e.StationVersion
}

const updateEnteSQL = `UPDATE ente SET cod_ipa = ?, codice_fiscale = ?, denominazione = ?, state = ?,
	password_hash = ?, iban = ?, iban_postale = ?, conto_postale = ?, aux_digit = ?,
	application_code = ?, segregation_code = ?, intermediary_id = ?, station_id = ?,
	station_password = ?, station_version = ?, redirect_url = ?, push_url = ?,
	push_jwt_kid = ?, push_jwt_issuer = ?, push_jwt_subject = ?, push_jwt_secret = ?, updated_at = ?
WHERE id = ? RETURNING created_at`

// UpdateEnte implements gateway.EnteStore: every field but ID and
// CreatedAt is replaced.
func (db *DB) UpdateEnte(ctx context.Context, e *gateway.Ente) error {
	now := db.now()
	q := db.w.Rebind(updateEnteSQL)
	var created time.Time
	err := db.w.QueryRowContext(ctx, q, e.CodIpa, e.CodiceFiscale, e.Denominazione, string(e.State),
		e.PasswordHash, e.IBAN, e.IBANPostale, e.ContoPostale, e.AuxDigit,
		e.ApplicationCode, e.SegregationCode, e.IntermediaryID, e.StationID,
		e.StationPassword, stationVersion(e), e.RedirectURL, e.PushURL,
		e.PushJWT.KeyID, e.PushJWT.Issuer, e.PushJWT.Subject, e.PushJWT.Secret, stamp(now), e.ID).Scan(scanTime{&created})
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("ente id %d: %w", e.ID, gateway.ErrNotFound)
	}
	if err != nil {
		return enteError(e, err)
	}
	e.CreatedAt, e.UpdatedAt, e.StationVersion = created, now, stationVersion(e)
	return nil
}

const findEnteSQL = `SELECT ` + enteColumns + ` FROM ente WHERE cod_ipa = ?`

// FindEnte implements gateway.EnteStore. It runs on every SIL call, so it
// uses a prepared statement.
func (db *DB) FindEnte(ctx context.Context, codIpa string) (*gateway.Ente, error) {
	st, err := db.readStmt(ctx, findEnteSQL)
	if err != nil {
		return nil, err
	}
	e, err := scanEnte(st.QueryRowContext(ctx, codIpa))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("ente %s: %w", codIpa, gateway.ErrNotFound)
	}
	return e, err
}

const findEnteByCFSQL = `SELECT ` + enteColumns + ` FROM ente WHERE codice_fiscale = ?`

// FindEnteByCF implements gateway.EnteStore.
func (db *DB) FindEnteByCF(ctx context.Context, codiceFiscale string) (*gateway.Ente, error) {
	st, err := db.readStmt(ctx, findEnteByCFSQL)
	if err != nil {
		return nil, err
	}
	e, err := scanEnte(st.QueryRowContext(ctx, codiceFiscale))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("ente with codice fiscale %s: %w", codiceFiscale, gateway.ErrNotFound)
	}
	return e, err
}

const listEntiSQL = `SELECT ` + enteColumns + ` FROM ente ORDER BY cod_ipa`

// ListEnti implements gateway.EnteStore, ordered by codIpa.
func (db *DB) ListEnti(ctx context.Context) ([]*gateway.Ente, error) {
	rows, err := db.r.QueryContext(ctx, listEntiSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*gateway.Ente
	for rows.Next() {
		e, err := scanEnte(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
