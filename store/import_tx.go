package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jmoiron/sqlx"

	"github.com/ponte-pagopa/ponte/gateway"
)

// stageColumns are the columns of import_stage a row is staged with.
const stageColumns = `import_id, line, azione, iud, iuv, tipo_dovuto, tipo_versamento,
	amount_cents, commission_cents, due_date, causale, dati_specifici_riscossione, bilancio,
	payer_type, payer_id, payer_name, payer_address, payer_civic, payer_cap,
	payer_locality, payer_province, payer_nation, payer_email,
	secondary, raw, codes, descriptions, iuv_line`

const stageColumnCount = 28

// pgStageTable is import_stage on PostgreSQL: temporary, so it costs no
// WAL, is seen only by the import's transaction and vanishes with it.
const pgStageTable = `CREATE TEMP TABLE import_stage (
    import_id BIGINT NOT NULL, line BIGINT NOT NULL, azione TEXT NOT NULL,
    iud TEXT NOT NULL, iuv TEXT NOT NULL, tipo_dovuto TEXT NOT NULL, tipo_versamento TEXT NOT NULL,
    amount_cents BIGINT NOT NULL, commission_cents BIGINT NOT NULL, due_date DATE,
    causale TEXT NOT NULL, dati_specifici_riscossione TEXT NOT NULL, bilancio TEXT,
    payer_type TEXT NOT NULL, payer_id TEXT NOT NULL, payer_name TEXT NOT NULL,
    payer_address TEXT NOT NULL, payer_civic TEXT NOT NULL, payer_cap TEXT NOT NULL,
    payer_locality TEXT NOT NULL, payer_province TEXT NOT NULL, payer_nation TEXT NOT NULL,
    payer_email TEXT NOT NULL, secondary TEXT, raw TEXT NOT NULL, codes TEXT NOT NULL,
    descriptions TEXT NOT NULL, iuv_line TEXT NOT NULL, applied INTEGER NOT NULL DEFAULT 0
) ON COMMIT DROP`

// sqliteStageBatch is how many rows SQLite stages per transaction.
const sqliteStageBatch = 2000

func stageArgs(importID int64, r *gateway.ImportRow) ([]any, error) {
	d := &r.Dovuto
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
	return []any{importID, r.Line, r.Azione, d.IUD, d.IUV, d.TipoDovuto, d.TipoVersamento,
		int64(d.Amount), int64(d.Commission), civilDate(d.DueDate), d.Causale, d.DatiSpecificiRiscossione, bil,
		p.Type, p.ID, p.Name, p.Address, p.Civic, p.CAP, p.Locality, p.Province, p.Nation, p.Email,
		sec, r.Raw, r.Codes, r.Descriptions, r.IUVLine}, nil
}

// importTx implements gateway.ImportTx for both dialects. On PostgreSQL
// tx is open from BeginImport (holding the flusso's row, so no other
// process claims it meanwhile) and rows are COPYed into it; on SQLite
// rows are staged in batches of their own and tx opens at Merge.
type importTx struct {
	db     *DB
	f      *gateway.ImportFlusso
	owner  string
	tx     *sqlx.Tx
	copy   *sql.Stmt // PostgreSQL: COPY into import_stage, once staging began
	batch  [][]any   // SQLite rows not yet staged
	staged int64     // rows staged so far
	done   bool

	conn *sqlx.Conn // PostgreSQL: the connection the transaction runs on

	// The PostgreSQL fast path: rows go to a COPY into dovuto run at the
	// driver level (database/sql's per-argument conversions cost as much
	// as the rest of the row), on a goroutine that owns the connection.
	direct       chan []driver.Value
	directDone   chan error
	directFailed atomic.Bool
	inserted     int64
	same         struct{ ente, state, flusso, importID, now driver.Value } // the same in every row
}

// BeginImport implements gateway.ImportStore.
func (db *DB) BeginImport(ctx context.Context, f *gateway.ImportFlusso, owner string) (gateway.ImportTx, error) {
	t := &importTx{db: db, f: f, owner: owner}
	if db.dialect == SQLite {
		// A previous attempt may have left staged rows.
		if _, err := db.w.ExecContext(ctx, `DELETE FROM import_stage WHERE import_id = ?`, f.ID); err != nil {
			return nil, fmt.Errorf("store: import stage: %w", err)
		}
		return t, t.checkOwner(ctx, db.w)
	}
	conn, err := db.w.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: begin import: %w", err)
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: begin import: %w", err)
	}
	t.tx, t.conn = tx, conn
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM import_flusso WHERE id = $1 AND lease_owner = $2 AND state = 'IMPORT_IN_ELAB' FOR UPDATE`, f.ID, owner).Scan(&id)
	if err == sql.ErrNoRows {
		err = fmt.Errorf("import %d: lease lost: %w", f.ID, gateway.ErrConflict)
	}
	if err != nil {
		tx.Rollback()
		conn.Close()
		return nil, fmt.Errorf("store: begin import: %w", err)
	}
	return t, nil
}

// startStage creates PostgreSQL's staging table at the first staged row.
func (t *importTx) startStage(ctx context.Context) error {
	if _, err := t.tx.ExecContext(ctx, pgStageTable); err != nil {
		return fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	var err error
	if t.copy, err = t.tx.PrepareContext(ctx, `COPY import_stage (`+stageColumns+`) FROM STDIN`); err != nil {
		return fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	return nil
}

// directColumns are the columns the fast path COPYs into dovuto.
const directColumns = `ente_id, iud, iuv, state, tipo_dovuto, tipo_versamento,
	amount_cents, commission_cents, due_date, causale, dati_specifici_riscossione, bilancio,
	payer_type, payer_id, payer_name, payer_address, payer_civic, payer_cap,
	payer_locality, payer_province, payer_nation, payer_email,
	secondary, flusso, import_id, flusso_row, created_at, updated_at`

// Direct implements gateway.ImportTx: on PostgreSQL, a COPY into dovuto
// under a savepoint, so a refused COPY leaves the transaction usable.
func (t *importTx) Direct(ctx context.Context) (bool, error) {
	if t.db.dialect != Postgres || t.copy != nil {
		return false, nil
	}
	var carts bool
	if err := t.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM payment_item
		WHERE ente_id = $1 AND registered AND dovuto_id IS NULL)`, t.f.EnteID).Scan(&carts); err != nil {
		return false, fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	if carts {
		return false, nil
	}
	if _, err := t.tx.ExecContext(ctx, `SAVEPOINT import_direct`); err != nil {
		return false, fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	t.inserted = 0
	t.same.ente, t.same.state, t.same.flusso, t.same.importID = t.f.EnteID, string(gateway.DovutoDaPagare), t.f.IUF, t.f.ID
	t.same.now = t.db.now().UTC().Format(timeLayout)
	t.direct, t.directDone = make(chan []driver.Value, 256), make(chan error, 1)
	t.directFailed.Store(false)
	go func() { t.directDone <- t.conn.Raw(t.copyDirect(ctx)) }()
	return true, nil
}

// copyDirect runs the fast path's COPY on the driver connection until
// t.direct closes; after a failure it keeps draining, so senders never
// block.
func (t *importTx) copyDirect(ctx context.Context) func(dc any) error {
	return func(dc any) (err error) {
		defer func() {
			if err != nil {
				t.directFailed.Store(true)
			}
			for range t.direct {
			}
		}()
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("store: driver %T cannot prepare", dc)
		}
		ds, err := prep.PrepareContext(ctx, `COPY dovuto (`+directColumns+`) FROM STDIN`)
		if err != nil {
			return err
		}
		defer ds.Close()
		exec, ok := ds.(interface {
			Exec([]driver.Value) (driver.Result, error)
		})
		if !ok {
			return fmt.Errorf("store: driver statement %T cannot Exec", ds)
		}
		for v := range t.direct {
			if _, err := exec.Exec(v); err != nil {
				return err
			}
		}
		_, err = exec.Exec(nil) // ends the COPY
		return err
	}
}

// Insert implements gateway.ImportTx.
func (t *importTx) Insert(ctx context.Context, r *gateway.ImportRow) error {
	if t.directFailed.Load() {
		return fmt.Errorf("import %d: fast path stopped: %w", t.f.ID, gateway.ErrConflict)
	}
	d := &r.Dovuto
	bil, err := encodeBilancio(d.Bilancio)
	if err != nil {
		return err
	}
	sec, err := encodeSecondary(d.Secondary)
	if err != nil {
		return err
	}
	var p gateway.Payer
	if d.Payer != nil {
		p = *d.Payer
	}
	// In directColumns order; the values shared by every row are boxed
	// once (t.same), the rest cost one allocation each.
	c := &t.same
	v := make([]driver.Value, 0, 28)
	v = append(v, c.ente, d.IUD, d.IUV, c.state, d.TipoDovuto, d.TipoVersamento,
		int64(d.Amount), int64(d.Commission), civilDate(d.DueDate), d.Causale, d.DatiSpecificiRiscossione, bil,
		p.Type, p.ID, p.Name, p.Address, p.Civic, p.CAP, p.Locality, p.Province, p.Nation, p.Email,
		sec, c.flusso, c.importID, r.Line, c.now, c.now)
	select {
	case t.direct <- v:
	case <-ctx.Done():
		return ctx.Err()
	}
	t.inserted++
	return nil
}

// EndDirect implements gateway.ImportTx.
func (t *importTx) EndDirect(ctx context.Context, keep bool) (int64, bool, error) {
	if t.direct == nil {
		return 0, false, fmt.Errorf("store: import %d: no fast path", t.f.ID)
	}
	close(t.direct)
	err := <-t.directDone
	t.direct = nil
	if err == nil && keep {
		if _, err := t.tx.ExecContext(ctx, `RELEASE SAVEPOINT import_direct`); err != nil {
			return 0, false, fmt.Errorf("store: import %d: %w", t.f.ID, err)
		}
		return t.inserted, true, nil
	}
	if err != nil && !isUnique(err) {
		return 0, false, fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	if _, err := t.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT import_direct`); err != nil {
		return 0, false, fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	return 0, false, nil
}

func (t *importTx) checkOwner(ctx context.Context, q sqlx.QueryerContext) error {
	var n int
	err := q.QueryRowxContext(ctx, t.db.w.Rebind(`SELECT COUNT(*) FROM import_flusso WHERE id = ? AND lease_owner = ? AND state = 'IMPORT_IN_ELAB'`), t.f.ID, t.owner).Scan(&n)
	if err != nil {
		return fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("import %d: lease lost: %w", t.f.ID, gateway.ErrConflict)
	}
	return nil
}

// Stage implements gateway.ImportTx.
func (t *importTx) Stage(ctx context.Context, r *gateway.ImportRow) error {
	args, err := stageArgs(t.f.ID, r)
	if err != nil {
		return err
	}
	t.staged++
	if t.db.dialect == Postgres && t.copy == nil {
		if err := t.startStage(ctx); err != nil {
			return err
		}
	}
	if t.copy != nil {
		if _, err := t.copy.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store: stage line %d: %w", r.Line, err)
		}
		return nil
	}
	t.batch = append(t.batch, args)
	if len(t.batch) >= sqliteStageBatch {
		return t.flush(ctx)
	}
	return nil
}

// flush stages the SQLite batch in one transaction of multi-row INSERTs.
func (t *importTx) flush(ctx context.Context) error {
	if len(t.batch) == 0 {
		return nil
	}
	return t.db.inTx(ctx, func(tx *sqlx.Tx) error {
		const perInsert = 500 // 28 × 500 bound variables, well below SQLite's limit
		row := "(" + placeholders(stageColumnCount) + ")"
		for rows := t.batch; len(rows) > 0; {
			chunk := rows[:min(len(rows), perInsert)]
			rows = rows[len(chunk):]
			var q strings.Builder
			q.WriteString(`INSERT INTO import_stage (` + stageColumns + `) VALUES `)
			args := make([]any, 0, len(chunk)*stageColumnCount)
			for i, a := range chunk {
				if i > 0 {
					q.WriteByte(',')
				}
				q.WriteString(row)
				args = append(args, a...)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("store: stage: %w", err)
			}
		}
		t.batch = t.batch[:0]
		return nil
	})
}

// Merge implements gateway.ImportTx. The checks run set-based, and only
// those the hints or the data call for: a clean flusso of new rows costs
// one INSERT … SELECT.
func (t *importTx) Merge(ctx context.Context, h gateway.MergeHints) (imported, rejected int64, err error) {
	if t.db.dialect == Postgres {
		if t.copy == nil {
			err = t.startStage(ctx) // nothing staged: the steps find nothing
		}
		if err == nil {
			_, err = t.copy.ExecContext(ctx)
		}
		if err == nil {
			err = t.copy.Close()
		}
		t.copy = nil
	} else {
		if err = t.flush(ctx); err == nil {
			t.tx, err = t.db.w.BeginTxx(ctx, nil)
		}
		if err == nil {
			err = t.checkOwner(ctx, t.tx)
		}
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	q := t.mergeSQL()
	exec := func(name string, s mergeStep) (int64, error) {
		res, err := t.tx.ExecContext(ctx, t.tx.Rebind(s.q), s.args...)
		if err != nil {
			return 0, fmt.Errorf("store: import %d: %s: %w", t.f.ID, name, err)
		}
		return res.RowsAffected()
	}
	run := func(names ...string) error {
		for _, n := range names {
			if _, err := exec(n, q[n]); err != nil {
				return err
			}
		}
		return nil
	}
	if h.MaybeRepeated {
		if err := run("IUD repeated in the file", "IUV repeated in the file"); err != nil {
			return 0, 0, err
		}
	}
	var carts bool
	if err := t.tx.QueryRowContext(ctx, t.tx.Rebind(`SELECT EXISTS (SELECT 1 FROM payment_item
		WHERE ente_id = ? AND registered AND dovuto_id IS NULL)`), t.f.EnteID).Scan(&carts); err != nil {
		return 0, 0, fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	if carts {
		if err := run("IUD taken by a cart"); err != nil {
			return 0, 0, err
		}
	}
	// The insert runs under a savepoint: when a unique key refuses it,
	// some IUD or IUV is already stored; those rows are found and refused
	// and the insert runs again.
	if err := run("savepoint"); err != nil {
		return 0, 0, err
	}
	inserted, err := exec("insert", q["insert"])
	if isUnique(err) {
		if err := run("rollback to savepoint", "refuse IUD in use", "refuse IUV in use"); err != nil {
			return 0, 0, err
		}
		inserted, err = exec("insert", q["insert"])
	}
	if err != nil {
		return 0, 0, err
	}
	imported = inserted
	if h.Updates {
		if err := run("refuse M to an IUV in use", "refuse M and A without a payable dovuto"); err != nil {
			return 0, 0, err
		}
		for _, n := range []string{"modify", "annul"} {
			k, err := exec(n, q[n])
			if err != nil {
				return 0, 0, err
			}
			imported += k
		}
	}
	return imported, t.staged - imported, nil
}

type mergeStep struct {
	q    string
	args []any
}

// reject is the SET clause adding an error to a staged row.
func reject(code, desc string) string {
	desc = strings.ReplaceAll(desc, "'", "''")
	return `codes = CASE WHEN codes = '' THEN '` + code + `' ELSE codes || '|` + code + `' END,
		descriptions = CASE WHEN descriptions = '' THEN '` + desc + `' ELSE descriptions || '|` + desc + `' END`
}

// mergeSQL are the set-based checks and writes of a flusso, by name. They
// read the same on both dialects; only parameter casts differ.
func (t *importTx) mergeSQL() map[string]mergeStep {
	id, ente := t.f.ID, t.f.EnteID
	now := stamp(t.db.now())
	ts, i64 := "?", "?"
	if t.db.dialect == Postgres {
		ts, i64 = "CAST(? AS TIMESTAMPTZ)", "CAST(? AS BIGINT)"
	}
	payable := `'` + string(gateway.DovutoDaPagare) + `'`
	return map[string]mergeStep{
		"IUD repeated in the file": {`UPDATE import_stage SET ` + reject(gateway.CodeImportIUDDuplicato, "IUD duplicato nel flusso") + `
			WHERE import_id = ? AND line IN (SELECT line FROM (SELECT line,
				ROW_NUMBER() OVER (PARTITION BY iud ORDER BY line) AS n
				FROM import_stage WHERE import_id = ? AND iud <> '') r WHERE n > 1)`, []any{id, id}},
		"IUV repeated in the file": {`UPDATE import_stage SET ` + reject(gateway.CodeImportIUVDuplicato, "IUV duplicato nel flusso") + `
			WHERE import_id = ? AND line IN (SELECT line FROM (SELECT line,
				ROW_NUMBER() OVER (PARTITION BY iuv ORDER BY line) AS n
				FROM import_stage WHERE import_id = ? AND iuv <> '' AND codes = '') r WHERE n > 1)`, []any{id, id}},
		"IUD taken by a cart": {`UPDATE import_stage SET ` + reject(gateway.CodeImportIUDDuplicato, "IUD gia presente per l'ente") + `
			WHERE import_id = ? AND azione = 'I' AND codes = '' AND EXISTS (SELECT 1 FROM payment_item p
				WHERE p.ente_id = ? AND p.iud = import_stage.iud AND p.registered)`, []any{id, ente}},
		"savepoint":             {`SAVEPOINT import_insert`, nil},
		"rollback to savepoint": {`ROLLBACK TO SAVEPOINT import_insert`, nil},
		"insert": {`INSERT INTO dovuto (ente_id, iud, iuv, state, tipo_dovuto, tipo_versamento,
				amount_cents, commission_cents, due_date, causale, dati_specifici_riscossione, bilancio,
				payer_type, payer_id, payer_name, payer_address, payer_civic, payer_cap,
				payer_locality, payer_province, payer_nation, payer_email,
				secondary, flusso, import_id, flusso_row, created_at, updated_at)
			SELECT ` + i64 + `, iud, iuv, ` + payable + `, tipo_dovuto, tipo_versamento,
				amount_cents, commission_cents, due_date, causale, dati_specifici_riscossione, bilancio,
				payer_type, payer_id, payer_name, payer_address, payer_civic, payer_cap,
				payer_locality, payer_province, payer_nation, payer_email,
				secondary, CAST(? AS TEXT), import_id, line, ` + ts + `, ` + ts + `
			FROM import_stage WHERE import_id = ? AND azione = 'I' AND codes = ''`, []any{ente, t.f.IUF, now, now, id}},
		"refuse IUD in use": {`UPDATE import_stage SET ` + reject(gateway.CodeImportIUDDuplicato, "IUD gia presente per l'ente") + `
			WHERE import_id = ? AND azione = 'I' AND codes = '' AND EXISTS (SELECT 1 FROM dovuto d
				WHERE d.ente_id = ? AND d.iud = import_stage.iud)`, []any{id, ente}},
		"refuse IUV in use": {`UPDATE import_stage SET ` + reject(gateway.CodeImportIUVDuplicato, "IUV gia presente per l'ente") + `
			WHERE import_id = ? AND azione = 'I' AND codes = '' AND iuv <> '' AND EXISTS (SELECT 1 FROM dovuto d
				WHERE d.ente_id = ? AND d.iuv = import_stage.iuv)`, []any{id, ente}},
		"refuse M to an IUV in use": {`UPDATE import_stage SET ` + reject(gateway.CodeImportIUVDuplicato, "IUV gia presente per l'ente") + `
			WHERE import_id = ? AND azione = 'M' AND codes = '' AND iuv <> '' AND EXISTS (SELECT 1 FROM dovuto d
				WHERE d.ente_id = ? AND d.iuv = import_stage.iuv AND d.iud <> import_stage.iud)`, []any{id, ente}},
		"refuse M and A without a payable dovuto": {`UPDATE import_stage SET ` + reject(gateway.CodeImportDovutoNonPresente, "dovuto non presente o non modificabile") + `
			WHERE import_id = ? AND azione IN ('M', 'A') AND codes = '' AND NOT EXISTS (SELECT 1 FROM dovuto d
				WHERE d.ente_id = ? AND d.iud = import_stage.iud AND d.state = ` + payable + `)`, []any{id, ente}},
		"modify": {`UPDATE dovuto SET
				iuv = CASE WHEN s.iuv = '' THEN dovuto.iuv ELSE s.iuv END,
				tipo_dovuto = s.tipo_dovuto, tipo_versamento = s.tipo_versamento,
				amount_cents = s.amount_cents, commission_cents = s.commission_cents, due_date = s.due_date,
				causale = s.causale, dati_specifici_riscossione = s.dati_specifici_riscossione, bilancio = s.bilancio,
				payer_type = s.payer_type, payer_id = s.payer_id, payer_name = s.payer_name,
				payer_address = s.payer_address, payer_civic = s.payer_civic, payer_cap = s.payer_cap,
				payer_locality = s.payer_locality, payer_province = s.payer_province,
				payer_nation = s.payer_nation, payer_email = s.payer_email, secondary = s.secondary,
				flusso = CAST(? AS TEXT), import_id = s.import_id, flusso_row = s.line, updated_at = ` + ts + `
			FROM import_stage s
			WHERE s.import_id = ? AND s.azione = 'M' AND s.codes = ''
				AND dovuto.ente_id = ? AND dovuto.iud = s.iud AND dovuto.state = ` + payable, []any{t.f.IUF, now, id, ente}},
		"annul": {`UPDATE dovuto SET state = '` + string(gateway.DovutoAnnullato) + `', updated_at = ` + ts + `
			WHERE ente_id = ? AND state = ` + payable + ` AND iud IN (SELECT iud FROM import_stage
				WHERE import_id = ? AND azione = 'A' AND codes = '')`, []any{now, ente, id}},
	}
}

// Scarti implements gateway.ImportTx.
func (t *importTx) Scarti(ctx context.Context, fn func(raw, codes, descriptions string) error) error {
	return t.each(ctx, `SELECT raw, codes, descriptions FROM import_stage WHERE import_id = ? AND codes <> '' ORDER BY line`,
		func(rows *sqlx.Rows) error {
			var raw, codes, descs string
			if err := rows.Scan(&raw, &codes, &descs); err != nil {
				return err
			}
			return fn(raw, codes, descs)
		})
}

// Imported implements gateway.ImportTx.
func (t *importTx) Imported(ctx context.Context, fn func(iuvLine string) error) error {
	return t.each(ctx, `SELECT iuv_line FROM import_stage WHERE import_id = ? AND codes = '' ORDER BY line`,
		func(rows *sqlx.Rows) error {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			return fn(line)
		})
}

func (t *importTx) each(ctx context.Context, q string, fn func(*sqlx.Rows) error) error {
	if t.tx == nil {
		return fmt.Errorf("store: import %d: read before Merge", t.f.ID)
	}
	rows, err := t.tx.QueryxContext(ctx, t.tx.Rebind(q), t.f.ID)
	if err != nil {
		return fmt.Errorf("store: import %d: %w", t.f.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Commit implements gateway.ImportTx.
func (t *importTx) Commit(ctx context.Context, f *gateway.ImportFlusso) error {
	if t.tx == nil {
		return fmt.Errorf("store: import %d: commit before Merge", t.f.ID)
	}
	now := t.db.now()
	res, err := t.tx.ExecContext(ctx, t.tx.Rebind(`UPDATE import_flusso SET state = ?, error_code = ?, iuf = ?, version = ?,
		rows_read = ?, imported = ?, rejected = ?, scarti_path = ?, iuv_path = ?,
		lease_owner = '', lease_until = NULL, updated_at = ?, finished_at = ?
		WHERE id = ? AND lease_owner = ? AND state = 'IMPORT_IN_ELAB'`),
		string(f.State), f.ErrorCode, f.IUF, f.Version, f.Rows, f.Imported, f.Rejected, f.ScartiPath, f.IUVPath,
		stamp(now), stamp(now), f.ID, t.owner)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = fmt.Errorf("import %d: lease lost: %w", f.ID, gateway.ErrConflict)
		}
	}
	if err != nil {
		t.Rollback()
		return err
	}
	t.done = true
	err = t.tx.Commit()
	if t.conn != nil {
		t.conn.Close()
	}
	if err != nil {
		return fmt.Errorf("store: import %d: commit: %w", f.ID, err)
	}
	f.UpdatedAt, f.FinishedAt = now, now
	t.dropStage(ctx)
	return nil
}

// Rollback implements gateway.ImportTx; harmless after Commit.
func (t *importTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	if t.copy != nil {
		t.copy.Close()
	}
	if t.direct != nil {
		close(t.direct)
		<-t.directDone
		t.direct = nil
	}
	var err error
	if t.tx != nil {
		err = t.tx.Rollback()
	}
	if t.conn != nil {
		t.conn.Close()
	}
	t.dropStage(context.Background())
	return err
}

// dropStage forgets SQLite's staged rows (PostgreSQL's vanish with the
// transaction).
func (t *importTx) dropStage(ctx context.Context) {
	if t.db.dialect != SQLite {
		return
	}
	if _, err := t.db.w.ExecContext(ctx, `DELETE FROM import_stage WHERE import_id = ?`, t.f.ID); err != nil {
		t.db.log.Warn("import stage not cleared; the next attempt clears it", "import", t.f.ID, "err", err)
	}
}
