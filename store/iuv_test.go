package store

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestReserveIUV(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_a001")
		o := mustEnte(t, db, "c_b002")
		for _, step := range []struct {
			ente      int64
			n, wantAt int64
		}{
			{e.ID, 1, 1}, {e.ID, 1, 2}, {e.ID, 10, 3}, {e.ID, 1, 13},
			{o.ID, 5, 1}, {o.ID, 1, 6}, {e.ID, 1, 14},
		} {
			got, err := db.ReserveIUV(ctx, step.ente, step.n)
			if err != nil {
				t.Fatal(err)
			}
			if got != step.wantAt {
				t.Fatalf("ReserveIUV(%d, %d) = %d, want %d", step.ente, step.n, got, step.wantAt)
			}
		}
		if _, err := db.ReserveIUV(ctx, e.ID, 0); err == nil {
			t.Fatal("ReserveIUV with n=0 succeeded")
		}
		_, err := db.ReserveIUV(ctx, 424242, 1)
		wantErr(t, err, gateway.ErrNotFound)
	})
}

// reserveConcurrently has workers reserve until total progressivi are
// handed out, mixing single numbers and blocks, and checks that every
// number from 1 to total was handed out exactly once.
func reserveConcurrently(t *testing.T, dbs []*DB, enteID int64, workers int, total int64) {
	t.Helper()
	ctx := context.Background()
	seen := make([]byte, total+1)
	var (
		mu        sync.Mutex
		remaining = total
		wg        sync.WaitGroup
		errs      = make(chan error, workers)
	)
	take := func(want int64) int64 { // how many this call may still reserve
		mu.Lock()
		defer mu.Unlock()
		n := min(want, remaining)
		remaining -= n
		return n
	}
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			db := dbs[w%len(dbs)]
			for i := 0; ; i++ {
				want := int64(1)
				if i%2 != 0 { // every other call takes a block
					want = int64(20 + (w*7+i)%100)
				}
				n := take(want)
				if n == 0 {
					return
				}
				first, err := db.ReserveIUV(ctx, enteID, n)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for v := first; v < first+n; v++ {
					if v < 1 || v > total {
						mu.Unlock()
						t.Errorf("progressivo %d out of 1..%d", v, total)
						return
					}
					seen[v]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for v := int64(1); v <= total; v++ {
		if seen[v] != 1 {
			t.Fatalf("progressivo %d handed out %d times", v, seen[v])
		}
	}
	t.Logf("%d progressivi by %d workers in %v", total, workers, time.Since(start))
}

func TestReserveIUVConcurrentPostgres(t *testing.T) {
	db := openPostgres(t)
	e := mustEnte(t, db, "c_a001")
	reserveConcurrently(t, []*DB{db}, e.ID, 16, 100_000)
}

// Two DBs on one file stand for two processes sharing it.
func TestReserveIUVConcurrentSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	a := openMigrated(t, "sqlite://"+path)
	b, err := Open(context.Background(), "sqlite://"+path, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	e := mustEnte(t, a, "c_a001")
	reserveConcurrently(t, []*DB{a, b}, e.ID, 8, 20_000)
}
