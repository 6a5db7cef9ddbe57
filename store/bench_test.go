package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

// BenchmarkInsertDovuto measures the hot path of paaSILImportaDovuto:
// one prepared INSERT … RETURNING per dovuto, from parallel callers.
func BenchmarkInsertDovuto(b *testing.B) {
	for _, c := range []struct {
		name string
		open func(testing.TB) *DB
	}{{Postgres, openPostgres}, {SQLite, openSQLite}} {
		b.Run(c.name, func(b *testing.B) {
			db := c.open(b)
			ctx := context.Background()
			e := &gateway.Ente{CodIpa: "c_a001", CodiceFiscale: "1", State: gateway.EnteEsercizio}
			if err := db.CreateEnte(ctx, e); err != nil {
				b.Fatal(err)
			}
			var seq atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					d := fullDovuto(e.ID, fmt.Sprintf("IUD-%d", n), fmt.Sprintf("%017d", n))
					if err := db.InsertDovuto(ctx, d); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
		})
	}
}
