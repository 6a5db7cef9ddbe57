package store

import (
	"context"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
)

// skipLocked ends the sub-select that claims work: on PostgreSQL rows
// another process holds are skipped, so processes claim side by side;
// SQLite has one writer and no row locks.
func (db *DB) skipLocked() string {
	if db.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// ownedUpdate runs an update of work that only its lease owner may make;
// no row changed means the lease was lost (ErrConflict). what names the
// work in errors.
func (db *DB) ownedUpdate(ctx context.Context, what, q string, args ...any) error {
	res, err := db.w.ExecContext(ctx, db.w.Rebind(q), args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%s lease lost: %w", what, gateway.ErrConflict)
	}
	return nil
}
