package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// row14 is a valid 1_4 line of ENTE_DEMO (35 columns, IUV generated, one
// in ten multi-beneficiary).
func row14(i int) string {
	multi := "false;;;;;;;;;;;;"
	if i%10 == 0 {
		multi = "true;80007580279;Altro ente;IT60X0542811101000000123456;;;;;;;9/0101100IM/X;quota;2.00"
	}
	return fmt.Sprintf("B%08d;;F;RSSMRA80A01H501U;Mario Rossi;Via Roma;1;00100;Roma;RM;IT;mario@example.it;2030-12-31;12.34;;TARI;;TARI 2026;9/0101100IM/TARI;;true;%s;I", i, multi)
}

// TestLoadImport is the import half of `make bench`: a 1,000,000-row 1_4
// flusso through the SIL (upload, unzip, parse, validate, IUV generation,
// store, result files) on PostgreSQL, next to a raw COPY of the same rows
// into a copy of the dovuto table measured in the same run.
func TestLoadImport(t *testing.T) {
	dir, bin, dbURL, _ := loadSetup(t)
	rows := 1_000_000
	if v := os.Getenv("PONTE_LOAD_IMPORT_ROWS"); v != "" {
		fmt.Sscan(v, &rows)
	}
	var csv strings.Builder
	csv.Grow(rows * 200)
	csv.WriteString("header\n")
	for i := range rows {
		csv.WriteString(row14(i))
		csv.WriteByte('\n')
	}
	const base = "ENTE_DEMO-BENCH-1_4"
	zipBody := makeZip(t, zipEntry{base + ".csv", csv.String()})
	csvBytes := csv.Len()
	csv = strings.Builder{}

	addr := freeAddr(t)
	proc := startProcess(t, exec.Command(bin, "serve", "--demo", "--listen", addr, "--log-level", "warn"),
		append(os.Environ(), "PONTE_DATABASE_URL="+dbURL, "PONTE_DATA_DIR="+dir, "PONTE_FLUSSI_POLL=100ms"), addr, "/healthz")
	e := &e2e{base: "http://" + addr, client: &http.Client{Timeout: 5 * time.Minute}}

	auth := e.autorizza(t)
	start := time.Now()
	if got := e.upload(t, auth.AuthorizationToken, base+".zip", zipBody); got["fileName"] == "" {
		t.Fatalf("upload = %v", got)
	}
	var s *flussiAnswer
	for {
		s = e.statoImport(t, auth.RequestToken)
		if s.Stato != "LOAD_IMPORT" && s.Stato != "IMPORT_IN_ELAB" {
			break
		}
		if time.Since(start) > 10*time.Minute {
			t.Fatal("import did not finish in 10 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	if s.Stato != "IMPORT_ESEGUITO" || s.URLFileScarti != "" {
		t.Fatalf("stato = %+v: every row must be imported", s)
	}
	rss := peakRSS(t, proc)
	var serverSide float64
	if db, err := sql.Open("postgres", dbURL); err == nil {
		db.QueryRow(`SELECT EXTRACT(EPOCH FROM finished_at - created_at) FROM import_flusso WHERE request_token = $1`, auth.RequestToken).Scan(&serverSide)
		db.Close()
	}

	copyTook := rawCopy(t, dbURL, rows)
	ours, raw := float64(rows)/took.Seconds(), float64(rows)/copyTook.Seconds()
	report := &strings.Builder{}
	fmt.Fprintf(report, "\nImport flusso 1_4, %d rows (%.0f MB of CSV, %.1f MB zipped), PostgreSQL, %d cores\n", rows, float64(csvBytes)/1e6, float64(len(zipBody))/1e6, numCPU())
	fmt.Fprintf(report, "%-46s %10s %10s\n", "run", "seconds", "rows/s")
	fmt.Fprintf(report, "%-46s %10.2f %10.0f\n", "raw COPY of the same rows into dovuto (baseline)", copyTook.Seconds(), raw)
	fmt.Fprintf(report, "%-46s %10.2f %10.0f\n", "ponte: upload → IMPORT_ESEGUITO with result files", took.Seconds(), ours)
	fmt.Fprintf(report, "%-46s %10.2f %10.0f\n", "  of which stored upload → IMPORT_ESEGUITO", serverSide, float64(rows)/serverSide)
	fmt.Fprintf(report, "ponte / raw COPY: %.0f%%   peak RSS of ponte serve: %.1f MB\n", 100*ours/raw, rss)
	fmt.Fprintf(report, "targets: >= 100000 rows/s, >= 45%% of raw COPY, peak RSS < 150 MB\n")
	fmt.Println(report.String())
}

// rawCopy COPYs rows like the flusso's into an empty copy of the dovuto
// table (same columns, keys and indexes) and returns the time it took.
func rawCopy(t *testing.T, dbURL string, rows int) time.Duration {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE dovuto_raw (LIKE dovuto INCLUDING ALL)`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.PrepareContext(ctx, `COPY dovuto_raw (ente_id, iud, iuv, state, tipo_dovuto, tipo_versamento, amount_cents,
		due_date, causale, dati_specifici_riscossione, payer_type, payer_id, payer_name, payer_address, payer_civic,
		payer_cap, payer_locality, payer_province, payer_nation, payer_email, flusso, created_at, updated_at) FROM STDIN`)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range rows {
		if _, err := st.ExecContext(ctx, 1, fmt.Sprintf("B%08d", i), fmt.Sprintf("01%015d", i), "INSERIMENTO_DOVUTO", "TARI", "ALL", 1234,
			"2030-12-31", "TARI 2026", "9/0101100IM/TARI", "F", "RSSMRA80A01H501U", "Mario Rossi", "Via Roma", "1",
			"00100", "Roma", "RM", "IT", "mario@example.it", "BENCH", now, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ExecContext(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}
