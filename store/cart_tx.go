package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// inTx runs f in a transaction on the writer pool, committed when f
// returns nil. On SQLite the writer opens it with BEGIN IMMEDIATE
// (_txlock), so transactions never fail on a lock upgrade: they queue.
func (db *DB) inTx(ctx context.Context, f func(tx *sqlx.Tx) error) error {
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// writeStmts is writeStmt for the statements of a transaction, to bind
// with tx.StmtxContext (database/sql keeps them prepared per connection).
// Call it before the transaction begins: preparing inside one would wait
// for a connection the transaction holds, and SQLite has only one.
func (db *DB) writeStmts(ctx context.Context, qs ...string) ([]*sqlx.Stmt, error) {
	out := make([]*sqlx.Stmt, len(qs))
	for i, q := range qs {
		st, err := db.writeStmt(ctx, q)
		if err != nil {
			return nil, err
		}
		out[i] = st
	}
	return out, nil
}

// nullStamp is stamp for an optional time: NULL when zero.
type nullStamp time.Time

func (s nullStamp) Value() (driver.Value, error) {
	if time.Time(s).IsZero() {
		return nil, nil
	}
	return stamp(s).Value()
}

// blob writes bytes, NULL when empty.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// norm is t as it reads back: UTC, microseconds.
func norm(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
