package store

import (
	"errors"
	"strings"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// uniqueKey names a unique constraint in both dialects: PostgreSQL reports
// the constraint (or index) name, SQLite only the columns.
type uniqueKey struct {
	pg     string
	sqlite string // "table.col, table.col" as in SQLite's message
}

var (
	keyEnteCodIpa = uniqueKey{"ente_cod_ipa_key", "ente.cod_ipa"}
	keyEnteCF     = uniqueKey{"ente_codice_fiscale_key", "ente.codice_fiscale"}
	keyDovutoIUD  = uniqueKey{"dovuto_ente_iud_key", "dovuto.ente_id, dovuto.iud"}
	keyDovutoIUV  = uniqueKey{"dovuto_ente_iuv_key", "dovuto.ente_id, dovuto.iuv"}
)

// violates reports whether err is a unique violation of k.
func violates(err error, k uniqueKey) bool {
	if e := pq.As(err, pqerror.UniqueViolation); e != nil {
		return e.Constraint == k.pg
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		msg := se.Error()
		i := strings.Index(msg, "UNIQUE constraint failed: ")
		if i < 0 {
			return false
		}
		cols := msg[i+len("UNIQUE constraint failed: "):]
		if j := strings.Index(cols, " ("); j >= 0 { // modernc appends " (2067)"
			cols = cols[:j]
		}
		return cols == k.sqlite
	}
	return false
}

// isUnique reports a unique violation of any key.
func isUnique(err error) bool {
	if pq.As(err, pqerror.UniqueViolation) != nil {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports a foreign key violation: a row names an ente that
// does not exist.
func isForeignKey(err error) bool {
	if pq.As(err, pqerror.ForeignKeyViolation) != nil {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
