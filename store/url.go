package store

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// target is a parsed database URL.
type target struct {
	dialect  string
	dsn      string // driver data source name
	redacted string // for logs: no password
	memory   bool   // SQLite in memory
}

// sqlitePragmas are set on every SQLite connection: WAL lets readers run
// beside the writer, busy_timeout makes a second process wait instead of
// failing, and foreign keys are off by default in SQLite.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

func parseURL(raw, dataDir string) (target, error) {
	switch {
	case raw == "":
		if dataDir == "" {
			dataDir = "."
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return target{}, fmt.Errorf("store: data dir: %w", err)
		}
		return sqliteFile(filepath.Join(dataDir, "ponte.db")), nil
	case raw == "sqlite::memory:" || raw == "sqlite://:memory:":
		return target{dialect: SQLite, dsn: "file::memory:?" + sqlitePragmas, redacted: raw, memory: true}, nil
	case strings.HasPrefix(raw, "sqlite://"):
		// sqlite:///abs/file.db has an empty host and an absolute path.
		p := strings.TrimPrefix(raw, "sqlite://")
		if p == "" {
			return target{}, fmt.Errorf("store: %q names no file", raw)
		}
		return sqliteFile(p), nil
	case strings.HasPrefix(raw, "sqlite:"):
		p := strings.TrimPrefix(raw, "sqlite:")
		if p == "" {
			return target{}, fmt.Errorf("store: %q names no file", raw)
		}
		return sqliteFile(p), nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return postgresURL(raw)
	}
	return target{}, fmt.Errorf("store: unsupported database URL scheme in %q (want postgres://, sqlite: or empty)", redact(raw))
}

func sqliteFile(path string) target {
	// SQLite decodes %HH in URI file names, so escape '%', '?' and '#'.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	return target{dialect: SQLite, dsn: dsn, redacted: "sqlite:" + path}
}

// postgresURL sets sslmode when the URL lacks it, because lib/pq's default
// may change (see its CHANGELOG): loopback hosts and Unix sockets need no
// TLS, anything else gets "require".
func postgresURL(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// err would quote the URL, password included
		return target{}, fmt.Errorf("store: unparsable postgres URL")
	}
	q := u.Query()
	if q.Get("sslmode") == "" {
		host := u.Hostname()
		if h := q.Get("host"); h != "" {
			host = h
		}
		mode := "require"
		if isLocal(host) {
			mode = "disable"
		}
		q.Set("sslmode", mode)
		u.RawQuery = q.Encode()
	}
	return target{dialect: Postgres, dsn: u.String(), redacted: u.Redacted()}, nil
}

func isLocal(host string) bool {
	if host == "" || host == "localhost" || strings.HasPrefix(host, "/") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func redact(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return "<unparsable>"
}
