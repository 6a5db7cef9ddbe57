package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// spendCallSQL counts one call in the current minute's budget of name,
// unless limit calls were counted already: then it changes nothing and
// returns no row.
const spendCallSQL = `INSERT INTO call_budget (name, minute, used) VALUES (?, ?, 1)
ON CONFLICT (name) DO UPDATE SET
	used = CASE WHEN call_budget.minute = excluded.minute THEN call_budget.used + 1 ELSE 1 END,
	minute = excluded.minute
WHERE call_budget.minute <> excluded.minute OR call_budget.used < ?
RETURNING used`

// SpendCall implements gateway.RecoveryStore: one call of a budget of
// limit per minute shared by every instance on this database.
func (db *DB) SpendCall(ctx context.Context, name string, limit int) (bool, error) {
	minute := db.now().Truncate(time.Minute)
	var used int
	err := db.w.QueryRowContext(ctx, db.w.Rebind(spendCallSQL), name, stamp(minute), limit).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: call budget %s: %w", name, err)
	}
	return true, nil
}
