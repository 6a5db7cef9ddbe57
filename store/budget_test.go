package store

import (
	"context"
	"testing"
)

// TestSpendCall: a budget of 3 a minute takes 3 calls, refuses the 4th,
// and is whole again the next minute; budgets are by name.
func TestSpendCall(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		spend := func(name string) bool {
			t.Helper()
			ok, err := db.SpendCall(ctx, name, 3)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		// Hold the minute still: the clock may cross one between calls.
		var got []bool
		for range 4 {
			got = append(got, spend("recovery"))
		}
		if !spend("altro") {
			t.Error("another budget is spent too")
		}
		if got[0] && got[1] && got[2] && !got[3] {
			return
		}
		// A minute boundary fell inside the loop: at most one reset.
		n := 0
		for _, g := range got {
			if g {
				n++
			}
		}
		if n < 3 {
			t.Errorf("calls counted %v", got)
		}
	})
}

// TestSpendCallNextMinute: the next minute's budget is whole again.
func TestSpendCallNextMinute(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if _, err := db.w.ExecContext(ctx, db.w.Rebind(`INSERT INTO call_budget (name, minute, used) VALUES ('recovery', ?, 3)`),
			stamp(db.now().Truncate(60e9).Add(-60e9))); err != nil {
			t.Fatal(err)
		}
		ok, err := db.SpendCall(ctx, "recovery", 3)
		if err != nil || !ok {
			t.Fatalf("a spent budget of the last minute still refuses: %v %v", ok, err)
		}
	})
}
