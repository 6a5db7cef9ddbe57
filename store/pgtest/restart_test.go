package pgtest

import (
	"database/sql"
	"testing"

	_ "github.com/lib/pq"
)

// TestRestart: after a crash and restart the data committed before it is
// there and new connections work.
func TestRestart(t *testing.T) {
	url := URL(t)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	Restart(t)
	var n int
	// The pool's old connections are broken; database/sql retries on a
	// fresh one.
	for i := 0; i < 3; i++ {
		if err = db.QueryRow(`SELECT n FROM kept`).Scan(&n); err == nil {
			break
		}
	}
	if err != nil || n != 42 {
		t.Fatalf("after restart: %d, %v", n, err)
	}
}
