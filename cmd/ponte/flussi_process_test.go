package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/store/pgtest"
)

// bigFlusso is a 1_3 flusso of n valid rows with generated IUVs.
func bigFlusso(t *testing.T, base, prefix string, n int) []byte {
	var b strings.Builder
	b.Grow(n * 160)
	b.WriteString("IUD;codIuv;...\n")
	for i := range n {
		b.WriteString(demoRow(fmt.Sprintf("%s%07d", prefix, i)))
		b.WriteByte('\n')
	}
	return makeZip(t, zipEntry{base + ".csv", b.String()})
}

// flussiCluster runs `ponte serve --demo` processes on one PostgreSQL and
// one files directory, as several instances behind a load balancer would.
type flussiCluster struct {
	bin, dir, dbURL string
	db              *sql.DB
}

func newFlussiCluster(t *testing.T) *flussiCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("process test skipped with -short")
	}
	dir, bin := buildPonte(t)
	c := &flussiCluster{bin: bin, dir: dir, dbURL: pgtest.URL(t)}
	db, err := sql.Open("postgres", c.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.db = db
	return c
}

// start runs one instance and returns its client and process.
func (c *flussiCluster) start(t *testing.T) (*e2e, *exec.Cmd) {
	t.Helper()
	addr := freeAddr(t)
	env := append(os.Environ(),
		"PONTE_LISTEN="+addr, "PONTE_DATABASE_URL="+c.dbURL, "PONTE_DATA_DIR="+c.dir,
		"PONTE_SIGNING_KEY=shared-by-the-instances", "PONTE_FLUSSI_LEASE=5s", "PONTE_FLUSSI_POLL=200ms",
		"PONTE_LOG_LEVEL=warn", "PONTE_DEMO=true")
	cmd := startProcess(t, exec.Command(c.bin, "serve"), env, addr, "/healthz")
	return &e2e{base: "http://" + addr, client: &http.Client{Timeout: 60 * time.Second}}, cmd
}

func (c *flussiCluster) count(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := c.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A process killed in the middle of a 200,000-row import loses nothing and
// duplicates nothing: another instance takes the flusso over when its
// lease expires and imports every row exactly once.
func TestImportSurvivesKill(t *testing.T) {
	c := newFlussiCluster(t)
	a, procA := c.start(t)
	const rows = 200_000
	const base = "ENTE_DEMO-CRASH-1_3"
	auth := a.autorizza(t)
	if got := a.upload(t, auth.AuthorizationToken, base+".zip", bigFlusso(t, base, "K", rows)); got["fileName"] == "" {
		t.Fatalf("upload = %v", got)
	}
	// Kill it while its rows are streaming into PostgreSQL.
	deadline := time.Now().Add(30 * time.Second)
	for c.count(t, `SELECT COUNT(*) FROM pg_stat_activity WHERE query LIKE 'COPY dovuto%' OR query LIKE 'COPY import_stage%'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the import never started writing rows")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	procA.Process.Signal(syscall.SIGKILL)
	procA.Wait()
	if n := c.count(t, `SELECT COUNT(*) FROM dovuto`); n != 0 {
		t.Fatalf("%d dovuti visible after the kill: the import is not atomic", n)
	}
	if st := c.count(t, `SELECT COUNT(*) FROM import_flusso WHERE state = 'IMPORT_IN_ELAB'`); st != 1 {
		t.Fatal("the import finished before the kill: the test proves nothing (raise the row count)")
	}

	b, _ := c.start(t)
	deadline = time.Now().Add(2 * time.Minute)
	var s *flussiAnswer
	for {
		s = b.statoImport(t, auth.RequestToken)
		if s.Stato != "IMPORT_IN_ELAB" && s.Stato != "LOAD_IMPORT" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import was not taken over")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if s.Stato != "IMPORT_ESEGUITO" {
		t.Fatalf("stato after restart = %+v", s)
	}
	if n := c.count(t, `SELECT COUNT(*) FROM dovuto WHERE flusso = 'CRASH'`); n != rows {
		t.Errorf("%d dovuti, want %d", n, rows)
	}
	if n := c.count(t, `SELECT COUNT(DISTINCT iuv) FROM dovuto WHERE flusso = 'CRASH' AND iuv <> ''`); n != rows {
		t.Errorf("%d distinct IUVs, want %d", n, rows)
	}
	if n := c.count(t, `SELECT attempts FROM import_flusso WHERE request_token = $1`, auth.RequestToken); n != 2 {
		t.Errorf("attempts = %d, want 2 (the killed one and the takeover)", n)
	}
}

// Two instances importing ten flussi together: each flusso is processed
// exactly once.
func TestImportTwoInstances(t *testing.T) {
	c := newFlussiCluster(t)
	a, _ := c.start(t)
	b, _ := c.start(t)
	const flussi, rows = 10, 3000
	tokens := make([]string, flussi)
	var wg sync.WaitGroup
	for i := range flussi {
		inst := a
		if i%2 == 1 {
			inst = b
		}
		base := fmt.Sprintf("ENTE_DEMO-DUE%02d-1_3", i)
		body := bigFlusso(t, base, fmt.Sprintf("D%02d-", i), rows)
		auth := inst.autorizza(t)
		tokens[i] = auth.RequestToken
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := inst.upload(t, auth.AuthorizationToken, base+".zip", body); got["fileName"] == "" {
				t.Errorf("upload %s = %v", base, got)
			}
		}()
	}
	wg.Wait()
	for i, tok := range tokens {
		inst := a
		if i%3 == 0 {
			inst = b // either instance answers for any flusso
		}
		if s := inst.waitImport(t, tok); s.Stato != "IMPORT_ESEGUITO" {
			t.Errorf("flusso %d: %+v", i, s)
		}
	}
	if n := c.count(t, `SELECT COUNT(*) FROM import_flusso WHERE attempts <> 1 OR imported <> $1`, rows); n != 0 {
		t.Errorf("%d flussi claimed more than once or not fully imported", n)
	}
	if n := c.count(t, `SELECT COUNT(*) FROM dovuto`); n != flussi*rows {
		t.Errorf("%d dovuti, want %d", n, flussi*rows)
	}
	if n := c.count(t, `SELECT COUNT(DISTINCT iuv) FROM dovuto`); n != flussi*rows {
		t.Errorf("%d distinct IUVs, want %d", n, flussi*rows)
	}
}
