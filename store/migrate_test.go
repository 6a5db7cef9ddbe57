package store

import (
	"context"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
)

func migrationVersions(t *testing.T, dialect string) []int64 {
	t.Helper()
	fsys, err := migrationsFS(dialect)
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var vs []int64
	for _, n := range names {
		v, err := goose.NumericComponent(n)
		if err != nil {
			t.Fatalf("%s/%s: %v", dialect, n, err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		t.Fatalf("no %s migrations", dialect)
	}
	return vs
}

func TestMigrationTreesMatch(t *testing.T) {
	pg, lite := migrationVersions(t, Postgres), migrationVersions(t, SQLite)
	if !reflect.DeepEqual(pg, lite) {
		t.Fatalf("postgres versions %v, sqlite versions %v", pg, lite)
	}
}

func TestMigrateIdempotent(t *testing.T) {
	want := migrationVersions(t, SQLite)
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil { // second run (openMigrated ran the first)
			t.Fatal(err)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != want[len(want)-1] {
			t.Fatalf("schema version %d, want %d", v, want[len(want)-1])
		}
		mustEnte(t, db, "c_a001") // the schema works after the second run
	})
}

func TestParseURL(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		in, dialect, dsnHas string
	}{
		{"", SQLite, "file:" + dir + "/ponte.db?_pragma=journal_mode(WAL)"},
		{"sqlite:///tmp/x y.db", SQLite, "file:/tmp/x%20y.db?"},
		{"sqlite:rel.db", SQLite, "file:rel.db?"},
		{"sqlite::memory:", SQLite, "file::memory:?"},
		{"postgres://u:p@localhost/db", Postgres, "sslmode=disable"},
		{"postgresql://u:p@127.0.0.1:5433/db", Postgres, "sslmode=disable"},
		{"postgres://u@db.example.it/db", Postgres, "sslmode=require"},
		{"postgres://u@db.example.it/db?sslmode=verify-full", Postgres, "sslmode=verify-full"},
		{"postgres://u@/db?host=/var/run/postgresql", Postgres, "sslmode=disable"},
	} {
		got, err := parseURL(c.in, dir)
		if err != nil {
			t.Fatalf("parseURL(%q): %v", c.in, err)
		}
		if got.dialect != c.dialect || !strings.Contains(got.dsn, c.dsnHas) {
			t.Errorf("parseURL(%q) = %s %q, want %s containing %q", c.in, got.dialect, got.dsn, c.dialect, c.dsnHas)
		}
		if strings.Contains(got.redacted, ":p@") {
			t.Errorf("parseURL(%q) leaks the password in %q", c.in, got.redacted)
		}
	}
	for _, bad := range []string{"mysql://x", "sqlite:", "sqlite://"} {
		if _, err := parseURL(bad, dir); err == nil {
			t.Errorf("parseURL(%q) succeeded", bad)
		}
	}
}

func TestOpenMemory(t *testing.T) {
	db := openMigrated(t, "sqlite::memory:")
	if db.Dialect() != SQLite {
		t.Fatal(db.Dialect())
	}
	mustEnte(t, db, "c_a001")
	if _, err := db.FindEnte(context.Background(), "c_a001"); err != nil {
		t.Fatal(err)
	}
}
