// Package store persists Ponte's state in PostgreSQL (production) or in an
// embedded SQLite file (the default when no database URL is configured).
// *DB implements gateway.EnteStore, DovutoStore, IUVSequence and JournalStore.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // driver "postgres"
	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Dialect names returned by (*DB).Dialect.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

func init() {
	// sqlx v1.4.0 does not know the modernc driver name; without this its
	// bind type is UNKNOWN and Rebind would only work by accident.
	sqlx.BindDriver("sqlite", sqlx.QUESTION)
}

// Options tunes a DB. Zero fields take the defaults.
type Options struct {
	// MaxOpenConns and MaxIdleConns size the PostgreSQL pool (default 32
	// each). SQLite always has one writer connection.
	MaxOpenConns int
	MaxIdleConns int
	// ConnMaxLifetime recycles PostgreSQL connections (default 30 min).
	ConnMaxLifetime time.Duration
	// SQLiteReaders is the number of read-only connections next to the
	// single SQLite writer (default 4; file databases only).
	SQLiteReaders int
	// Clock stamps created_at/updated_at (default gateway.SystemClock).
	Clock gateway.Clock
}

func (o *Options) defaults() {
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 32
	}
	if o.MaxIdleConns <= 0 {
		o.MaxIdleConns = o.MaxOpenConns
	}
	if o.ConnMaxLifetime <= 0 {
		o.ConnMaxLifetime = 30 * time.Minute
	}
	if o.SQLiteReaders <= 0 {
		o.SQLiteReaders = 4
	}
	if o.Clock == nil {
		o.Clock = gateway.SystemClock{}
	}
}

// DB is the store. It is safe for concurrent use.
type DB struct {
	dialect string
	w       *sqlx.DB // writes; the single writer connection on SQLite
	r       *sqlx.DB // reads; the same pool as w except for SQLite files
	log     *slog.Logger
	clock   gateway.Clock

	mu     sync.Mutex
	wStmts map[string]*sqlx.Stmt
	rStmts map[string]*sqlx.Stmt
}

var (
	_ gateway.EnteStore    = (*DB)(nil)
	_ gateway.DovutoStore  = (*DB)(nil)
	_ gateway.IUVSequence  = (*DB)(nil)
	_ gateway.JournalStore = (*DB)(nil)
)

// Open opens the database with default Options. See OpenWith.
func Open(ctx context.Context, databaseURL, dataDir string, log *slog.Logger) (*DB, error) {
	return OpenWith(ctx, databaseURL, dataDir, log, Options{})
}

// OpenWith opens the database named by databaseURL:
//   - postgres://… or postgresql://… : PostgreSQL; sslmode, when absent, is
//     set to disable for loopback hosts and Unix sockets, require otherwise;
//   - "" : the SQLite file <dataDir>/ponte.db (dataDir is created);
//   - sqlite:///abs/path.db, sqlite:rel/path.db, sqlite::memory: : SQLite.
//
// It pings the database but does not migrate it: call Migrate.
func OpenWith(ctx context.Context, databaseURL, dataDir string, log *slog.Logger, o Options) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o.defaults()
	target, err := parseURL(databaseURL, dataDir)
	if err != nil {
		return nil, err
	}
	db := &DB{
		dialect: target.dialect,
		log:     log,
		clock:   o.Clock,
		wStmts:  map[string]*sqlx.Stmt{},
		rStmts:  map[string]*sqlx.Stmt{},
	}
	switch target.dialect {
	case Postgres:
		db.w, err = sqlx.Open("postgres", target.dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.w.SetMaxOpenConns(o.MaxOpenConns)
		db.w.SetMaxIdleConns(o.MaxIdleConns)
		db.w.SetConnMaxLifetime(o.ConnMaxLifetime)
		db.r = db.w
	case SQLite:
		if err := db.openSQLite(target, o); err != nil {
			return nil, err
		}
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", target.redacted, err)
	}
	log.Info("store opened", "dialect", db.dialect, "database", target.redacted)
	return db, nil
}

func (db *DB) openSQLite(t target, o Options) error {
	var err error
	db.w, err = sqlx.Open("sqlite", t.dsn+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	// One writer: SQLite serialises writers anyway, and a pool of them only
	// turns waiting into SQLITE_BUSY. The connection is kept forever so an
	// in-memory database survives.
	db.w.SetMaxOpenConns(1)
	db.w.SetMaxIdleConns(1)
	db.w.SetConnMaxLifetime(0)
	db.w.SetConnMaxIdleTime(0)
	if t.memory {
		db.r = db.w
		return nil
	}
	db.r, err = sqlx.Open("sqlite", t.dsn+"&_pragma=query_only(1)")
	if err != nil {
		db.w.Close()
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	db.r.SetMaxOpenConns(o.SQLiteReaders)
	db.r.SetMaxIdleConns(o.SQLiteReaders)
	return nil
}

// Dialect is Postgres or SQLite.
func (db *DB) Dialect() string { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return err
	}
	if db.r != db.w {
		return db.r.PingContext(ctx)
	}
	return nil
}

// Close releases prepared statements and connections.
func (db *DB) Close() error {
	db.mu.Lock()
	var errs []error
	for _, m := range []map[string]*sqlx.Stmt{db.wStmts, db.rStmts} {
		for q, s := range m {
			errs = append(errs, s.Close())
			delete(m, q)
		}
	}
	db.mu.Unlock()
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// writeStmt returns q (written with ? placeholders) prepared on the writer
// pool. Prepared statements save lib/pq a round trip per call: without
// them every parameterised query is parse+describe, then bind+execute.
func (db *DB) writeStmt(ctx context.Context, q string) (*sqlx.Stmt, error) {
	return db.stmt(ctx, db.w, db.wStmts, q)
}

// readStmt is writeStmt on the reader pool.
func (db *DB) readStmt(ctx context.Context, q string) (*sqlx.Stmt, error) {
	if db.r == db.w {
		return db.writeStmt(ctx, q)
	}
	return db.stmt(ctx, db.r, db.rStmts, q)
}

func (db *DB) stmt(ctx context.Context, pool *sqlx.DB, cache map[string]*sqlx.Stmt, q string) (*sqlx.Stmt, error) {
	db.mu.Lock()
	s, ok := cache[q]
	db.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := pool.PreparexContext(ctx, pool.Rebind(q))
	if err != nil {
		return nil, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if old, ok := cache[q]; ok { // lost a race: keep the first
		s.Close()
		return old, nil
	}
	cache[q] = s
	return s, nil
}

// now is the time stored in created_at/updated_at, cut to the microsecond
// PostgreSQL keeps, so that what callers see equals what they read back.
func (db *DB) now() time.Time {
	return db.clock.Now().UTC().Truncate(time.Microsecond)
}
