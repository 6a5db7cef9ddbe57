package store

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// forEachStore runs f on a fresh, migrated SQLite file and a fresh,
// migrated PostgreSQL database.
func forEachStore(t *testing.T, f func(t *testing.T, db *DB)) {
	t.Helper()
	t.Run(SQLite, func(t *testing.T) { f(t, openSQLite(t)) })
	t.Run(Postgres, func(t *testing.T) { f(t, openPostgres(t)) })
}

func openSQLite(t testing.TB) *DB {
	t.Helper()
	return openMigrated(t, "sqlite://"+filepath.Join(t.TempDir(), "test.db"))
}

func openPostgres(t testing.TB) *DB {
	t.Helper()
	return openMigrated(t, pgtest.URL(t))
}

func openMigrated(t testing.TB, url string) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, url, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// mustEnte registers an ente with the given codIpa.
func mustEnte(t *testing.T, db *DB, codIpa string) *gateway.Ente {
	t.Helper()
	e := &gateway.Ente{
		CodIpa:          codIpa,
		CodiceFiscale:   "CF" + codIpa,
		Denominazione:   "Comune di " + codIpa,
		State:           gateway.EnteEsercizio,
		AuxDigit:        3,
		SegregationCode: "12",
	}
	if err := db.CreateEnte(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ge *gateway.Error
	if !errors.As(err, &ge) || ge.Code != code {
		t.Fatalf("error = %v, want *gateway.Error with code %s", err, code)
	}
}
