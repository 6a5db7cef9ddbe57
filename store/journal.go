package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

const journalColumns = `time, direction, component, operation, cod_ipa, iuv, iud, id_session,
	ccp, esito, fault_code, duration_ms, remote, request, response`

const journalColumnCount = 15

func eventArgs(e *gateway.Event) []any {
	return []any{e.Time.UTC().Format(timeLayout), e.Direction, e.Component, e.Operation,
		e.CodIpa, e.IUV, e.IUD, e.IDSession, e.CCP, e.Esito, e.FaultCode, e.DurationMS,
		e.Remote, e.Request, e.Response}
}

// AppendEvents implements gateway.JournalStore. Event IDs are not set.
func (db *DB) AppendEvents(ctx context.Context, evs []*gateway.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if len(evs) == 1 { // a lone event: one prepared INSERT beats a COPY's round trips
		st, err := db.writeStmt(ctx, `INSERT INTO journal (`+journalColumns+`) VALUES (`+placeholders(journalColumnCount)+`)`)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, eventArgs(evs[0])...); err != nil {
			return fmt.Errorf("store: journal: %w", err)
		}
		return nil
	}
	if db.dialect == Postgres {
		return db.copyEvents(ctx, evs)
	}
	return db.insertEvents(ctx, evs)
}

// copyEvents streams the batch with COPY (lib/pq turns a prepared COPY
// statement inside a transaction into a CopyIn; its CopyIn helper is
// deprecated, COPY is not).
func (db *DB) copyEvents(ctx context.Context, evs []*gateway.Event) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: journal: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	st, err := tx.PrepareContext(ctx, `COPY journal (`+journalColumns+`) FROM STDIN`)
	if err != nil {
		return fmt.Errorf("store: journal copy: %w", err)
	}
	for _, e := range evs {
		if _, err = st.ExecContext(ctx, eventArgs(e)...); err != nil {
			st.Close()
			return fmt.Errorf("store: journal copy: %w", err)
		}
	}
	if _, err = st.ExecContext(ctx); err != nil { // flush
		st.Close()
		return fmt.Errorf("store: journal copy: %w", err)
	}
	if err = st.Close(); err != nil {
		return fmt.Errorf("store: journal copy: %w", err)
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: journal: %w", err)
	}
	return nil
}

// sqliteEventRows keeps a multi-row INSERT well below SQLite's limit of
// 32766 bound variables.
const sqliteEventRows = 500

// insertEvents writes the batch as multi-row INSERTs in one transaction.
func (db *DB) insertEvents(ctx context.Context, evs []*gateway.Event) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: journal: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	row := "(" + placeholders(journalColumnCount) + ")"
	for len(evs) > 0 {
		chunk := evs[:min(len(evs), sqliteEventRows)]
		evs = evs[len(chunk):]
		var q strings.Builder
		q.WriteString(`INSERT INTO journal (` + journalColumns + `) VALUES `)
		args := make([]any, 0, len(chunk)*journalColumnCount)
		for i, e := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(row)
			args = append(args, eventArgs(e)...)
		}
		if _, err = tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("store: journal: %w", err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: journal: %w", err)
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// defaultSearchLimit caps SearchEvents when the filter sets no Limit, so a
// careless query cannot pull the whole journal.
const defaultSearchLimit = 1000

// searchEventsSQL builds the query of SearchEvents (with ? binds).
func searchEventsSQL(f gateway.JournalFilter) (string, []any) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if !f.From.IsZero() {
		add("time >= ?", stamp(f.From))
	}
	if !f.To.IsZero() {
		add("time < ?", stamp(f.To))
	}
	for _, c := range []struct{ col, v string }{
		{"cod_ipa", f.CodIpa}, {"operation", f.Operation}, {"iuv", f.IUV},
		{"iud", f.IUD}, {"id_session", f.IDSession}, {"fault_code", f.FaultCode},
	} {
		if c.v != "" {
			add(c.col+" = ?", c.v)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	q := `SELECT id, ` + journalColumns + ` FROM journal`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY time DESC, id DESC LIMIT ?`
	args = append(args, limit)

	return q, args
}

// SearchEvents implements gateway.JournalStore: newest first; From is
// inclusive, To exclusive; Limit <= 0 means defaultSearchLimit.
func (db *DB) SearchEvents(ctx context.Context, f gateway.JournalFilter) ([]*gateway.Event, error) {
	q, args := searchEventsSQL(f)
	rows, err := db.r.QueryContext(ctx, db.r.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: journal search: %w", err)
	}
	defer rows.Close()
	var out []*gateway.Event
	for rows.Next() {
		var e gateway.Event
		if err := rows.Scan(&e.ID, scanTime{&e.Time}, &e.Direction, &e.Component, &e.Operation,
			&e.CodIpa, &e.IUV, &e.IUD, &e.IDSession, &e.CCP, &e.Esito, &e.FaultCode,
			&e.DurationMS, &e.Remote, &e.Request, &e.Response); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// purgeBatch bounds each DELETE of PurgeEvents, so that no statement holds
// locks (or, on SQLite, the writer) for long.
const purgeBatch = 5000

const purgeEventsSQL = `DELETE FROM journal WHERE id IN
	(SELECT id FROM journal WHERE time < ? ORDER BY time LIMIT ?)`

// PurgeEvents implements gateway.JournalStore, in batches of purgeBatch
// rows, each its own statement.
func (db *DB) PurgeEvents(ctx context.Context, before time.Time) (int64, error) {
	return db.purgeEvents(ctx, before, purgeBatch)
}

func (db *DB) purgeEvents(ctx context.Context, before time.Time, batch int) (int64, error) {
	q := db.w.Rebind(purgeEventsSQL)
	var total int64
	for {
		res, err := db.w.ExecContext(ctx, q, stamp(before), batch)
		if err != nil {
			return total, fmt.Errorf("store: journal purge: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < int64(batch) {
			db.log.Info("journal purged", "before", before, "events", total)
			return total, nil
		}
	}
}
