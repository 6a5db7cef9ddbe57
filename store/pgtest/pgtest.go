// Package pgtest gives tests a fresh, empty PostgreSQL database.
//
// With PONTE_TEST_DATABASE_URL set (a superuser-ish URL of an existing
// server), each URL call creates a database ponte_test_<random> there and
// drops it at cleanup. Otherwise the first call starts a throwaway cluster
// from the local PostgreSQL binaries (/usr/lib/postgresql/<highest>/bin, or
// PATH), once per test binary; every call then creates its own database in
// it. Without binaries the test is skipped, or failed when
// PONTE_REQUIRE_POSTGRES is set.
//
// A package using URL should stop the cluster from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// The postmaster is also tied to the test binary with a parent-death
// signal (Linux), so a crashed or killed test binary does not leave it
// running; only its temp directory would remain.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // driver "postgres"
)

// Environment variables read by URL.
const (
	EnvURL     = "PONTE_TEST_DATABASE_URL"
	EnvRequire = "PONTE_REQUIRE_POSTGRES"
)

var (
	once     sync.Once
	shared   *cluster
	startErr error
)

// URL returns the URL of a new, empty database for tb, dropped when tb
// finishes.
func URL(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		once.Do(func() { shared, startErr = startCluster() })
		if startErr != nil {
			if errNoBinaries(startErr) && os.Getenv(EnvRequire) == "" {
				tb.Skipf("pgtest: no PostgreSQL: %v (set %s, or install PostgreSQL server binaries; set %s to fail instead of skipping)", startErr, EnvURL, EnvRequire)
			}
			tb.Fatalf("pgtest: %v", startErr)
		}
		admin = shared.url("postgres")
	}
	u, err := createDatabase(tb, admin)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return u
}

// Main runs the tests, stops the cluster if one was started and exits.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	os.Exit(code)
}

func createDatabase(tb testing.TB, admin string) (string, error) {
	au, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("bad admin URL in %s", EnvURL)
	}
	if au.Query().Get("sslmode") == "" {
		q := au.Query()
		q.Set("sslmode", "disable")
		au.RawQuery = q.Encode()
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "ponte_test_" + hex.EncodeToString(b)

	db, err := sql.Open("postgres", au.String())
	if err != nil {
		return "", err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s on %s: %w", name, au.Redacted(), err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("postgres", au.String())
		if err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// FORCE (PostgreSQL 13+) ends sessions a test forgot to close.
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	du := *au
	du.Path = "/" + name
	return du.String(), nil
}

// Restart stops the shared server (fast shutdown) and starts it again on
// the same data and port, for tests of surviving a database restart;
// connections open at that moment break. It fails when the
// server is not one this package started.
func Restart(tb testing.TB) {
	tb.Helper()
	if shared == nil {
		tb.Fatal("pgtest: no throwaway server to restart (PONTE_TEST_DATABASE_URL names one?)")
	}
	if err := shared.restart(); err != nil {
		tb.Fatalf("pgtest: restart: %v", err)
	}
}
