package sil

import (
	"context"
	"sync"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway/iuv"
)

// 100,000 IUVs generated concurrently by two pools (two gateway processes)
// on one database: every one has valid check digits, none repeats. The
// PostgreSQL run is the one the issue asks for; SQLite gets the same test.
func TestIUVGenerationConcurrentNoDuplicates(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		const total, workers = 100_000, 16
		ctx := context.Background()
		pools := []*iuv.Pool{iuv.NewPool(h.db, 64), iuv.NewPool(h.db, 64)}
		results := make([][]string, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pool := pools[w%2]
				out := make([]string, 0, total/workers)
				for i := 0; i < total/workers; i++ {
					n, err := pool.Next(ctx, h.ente.ID)
					if err != nil {
						t.Error(err)
						return
					}
					s, err := iuv.New17(h.ente.SegregationCode, n)
					if err != nil {
						t.Error(err)
						return
					}
					out = append(out, s)
				}
				results[w] = out
			}()
		}
		wg.Wait()
		seen := make(map[string]struct{}, total)
		for _, out := range results {
			for _, s := range out {
				if _, dup := seen[s]; dup {
					t.Fatalf("IUV %s handed out twice", s)
				}
				seen[s] = struct{}{}
				if len(s) != 17 || s[:4] != h.ente.SegregationCode+"00" || !iuv.CheckDigitsValid(3, s) {
					t.Fatalf("IUV %s: bad shape or check digits", s)
				}
			}
		}
		if len(seen) != total {
			t.Fatalf("%d IUVs, want %d", len(seen), total)
		}
	})
}
