// Package storetest opens fresh, migrated stores for the tests of the
// packages built on store, so that each runs its suite on both dialects the
// same way. (store's own tests cannot import it: they keep their helpers.)
package storetest

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/pgtest"
)

// Dialects are the two stores every suite runs on.
var Dialects = []string{store.SQLite, store.Postgres}

// URL is a fresh, empty database of the dialect: a SQLite file in a temp
// dir, or a throwaway PostgreSQL database (see pgtest).
func URL(tb testing.TB, dialect string) string {
	tb.Helper()
	if dialect == store.Postgres {
		return pgtest.URL(tb)
	}
	return "sqlite:" + filepath.Join(tb.TempDir(), "ponte.db")
}

// Open opens and migrates the database at url, closed when tb ends.
func Open(tb testing.TB, url string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url, "", slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// Run runs f as a subtest on each dialect with a fresh, migrated store;
// PostgreSQL is skipped under -short.
func Run(t *testing.T, f func(t *testing.T, url string, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			if d == store.Postgres && testing.Short() {
				t.Skip("PostgreSQL tests skipped with -short")
			}
			url := URL(t, d)
			f(t, url, Open(t, url))
		})
	}
}
