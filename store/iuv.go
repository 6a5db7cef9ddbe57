package store

import (
	"context"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
)

// reserveIUVSQL hands out a block in one atomic statement: the first call
// for an ente inserts next_value = 1+n and returns 1; later calls bump the
// row, which PostgreSQL locks (and SQLite serialises) until commit, so two
// callers, in any process, never get overlapping blocks.
const reserveIUVSQL = `INSERT INTO iuv_sequence (ente_id, next_value) VALUES (?, ?)
ON CONFLICT (ente_id) DO UPDATE SET next_value = iuv_sequence.next_value + ?
RETURNING next_value - ?`

// ReserveIUV implements gateway.IUVSequence. The first progressivo of an
// ente is 1. An unknown ente is ErrNotFound.
func (db *DB) ReserveIUV(ctx context.Context, enteID int64, n int64) (int64, error) {
	if n < 1 {
		return 0, fmt.Errorf("store: reserve %d IUV progressivi: n must be positive", n)
	}
	st, err := db.writeStmt(ctx, reserveIUVSQL)
	if err != nil {
		return 0, err
	}
	var first int64
	err = st.QueryRowContext(ctx, enteID, 1+n, n, n).Scan(&first)
	if isForeignKey(err) {
		return 0, fmt.Errorf("IUV sequence: ente id %d: %w", enteID, gateway.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: reserve IUV: %w", err)
	}
	return first, nil
}
