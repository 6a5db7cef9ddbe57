package flussi

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/storetest"
)

// BenchmarkExport writes a 1.1 export of 100,000 paid rows from
// PostgreSQL: the store's streaming selection, the CSV and the zip. The
// rows are copies of one real paid row, seeded in bulk.
// BenchmarkExport runs the whole export of paid rows (store → CSV → zip)
// on PostgreSQL, next to its baseline: the same rows only read from the
// store. PONTE_BENCH_EXPORT_ROWS sets the row count (default 100,000;
// make bench uses 1,000,000).
func BenchmarkExport(b *testing.B) {
	rows := 100_000
	if v := os.Getenv("PONTE_BENCH_EXPORT_ROWS"); v != "" {
		fmt.Sscan(v, &rows)
	}
	ctx := context.Background()
	url := storetest.URL(b, store.Postgres)
	db := storetest.Open(b, url)
	e := newExportEnv(b, db)
	at := time.Date(2026, 3, 5, 10, 0, 0, 0, gateway.Rome)
	e.paid(b, &gateway.Dovuto{IUD: "IUD-1", TipoDovuto: "TARI", Amount: 1234, Causale: "TARI 2026 rata unica",
		DatiSpecificiRiscossione: "9/0101100IM/", Flusso: "FLUSSO1"}, at, nil)
	raw, err := sql.Open("postgres", url)
	must(b, err)
	defer raw.Close()
	_, err = raw.ExecContext(ctx, `INSERT INTO pagato (ente_id, payment_id, receipt_id, position, iud, iuv, tipo_dovuto,
		paid_on, amount_cents, updated_at, secondary, iuf, num_riga, fields, tipo_firma, ricevuta, bilancio)
	SELECT ente_id, payment_id, receipt_id, position + g, iud || '-' || g, iuv, tipo_dovuto, paid_on, amount_cents,
		updated_at, secondary, iuf, g, fields, tipo_firma, ricevuta, bilancio
	FROM pagato, generate_series(1, $1 - 1) g`, rows)
	must(b, err)
	_, err = raw.ExecContext(ctx, `VACUUM ANALYZE pagato`)
	must(b, err)

	b.Run("baseline-read-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var n int
			var fields string
			rs, err := raw.QueryContext(ctx, `SELECT fields FROM pagato WHERE ente_id = $1 AND paid_on BETWEEN $2 AND $3`, e.ente.ID, at.Format("2006-01-02"), at.Format("2006-01-02"))
			must(b, err)
			for rs.Next() {
				must(b, rs.Scan(&fields))
				n++
			}
			rs.Close()
			if n != rows {
				b.Fatalf("%d rows", n)
			}
		}
		b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("export", func(b *testing.B) { benchExport(b, db, e, at, rows) })
}

func benchExport(b *testing.B, db *store.DB, e *exportEnv, at time.Time, rows int) {
	ctx := context.Background()
	var size int64
	for i := 0; i < b.N; i++ {
		f := &gateway.ExportFlusso{ID: int64(i + 1), Kind: gateway.ExportPagati, EnteID: e.ente.ID, CodIpa: testIpa,
			From: at, To: at, Version: "1.1"}
		if err := Export(ctx, db, e.files, f, exportNow.Add(time.Duration(i)*time.Second)); err != nil {
			b.Fatal(err)
		}
		if f.Rows != int64(rows) {
			b.Fatalf("%d rows", f.Rows)
		}
		if abs, err := e.files.Abs(f.Path); err == nil {
			if st, err := osStat(abs); err == nil {
				size = st
			}
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size), "zip-bytes")
}

func osStat(p string) (int64, error) {
	st, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
