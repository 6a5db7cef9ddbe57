package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway/admin"
)

// `ponte import` and `ponte export` run the same engine as the SIL, with a
// summary and an exit status a script can test.
func TestImportExportCommands(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PONTE_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	seed := filepath.Join(dir, "seed.yaml")
	os.WriteFile(seed, []byte(admin.DemoSeed), 0o600)
	ctx := context.Background()
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, strings.NewReader(""), &out, &errOut, getenv)
		return out.String() + errOut.String(), err
	}
	if out, err := cli("seed", seed); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	write := func(base string, lines ...string) string {
		p := filepath.Join(t.TempDir(), base+".zip")
		os.WriteFile(p, flussoZip(t, base, lines...), 0o600)
		return p
	}

	out, err := cli("import", write("ENTE_DEMO-CLI1-1_3", demoRow("C1"), demoRow("C2"), "C3;;F;XXX"), "--ente", "ENTE_DEMO", "--quiet")
	var code exitCode
	if !errors.As(err, &code) || code != 1 || !strings.Contains(out, "rows 3, imported 2, rejected 1") || !strings.Contains(out, "_SCARTI.zip") {
		t.Fatalf("import with a bad row: %v\n%s", err, out)
	}
	if out, err := cli("import", "--ente", "ENTE_DEMO", write("ENTE_DEMO-CLI2-1_3", demoRow("C4")), "--quiet"); err != nil || !strings.Contains(out, "IMPORT_ESEGUITO") {
		t.Fatalf("clean import: %v\n%s", err, out)
	}
	out, err = cli("import", write("ENTE_DEMO-CLI2-1_3", demoRow("C5")), "--ente", "ENTE_DEMO", "--quiet")
	if !errors.As(err, &code) || code != 2 || !strings.Contains(out, "PAA_IMPORT_FLUSSO_DUPLICATO") {
		t.Fatalf("same IUF again: %v\n%s", err, out)
	}
	if out, err := cli("export", "--ente", "ENTE_DEMO", "--from", "2026-01-01", "--to", "2026-01-31"); err != nil || !strings.Contains(out, "EXPORT_ESEGUITO_NESSUN_DOVUTO_TROVATO") {
		t.Fatalf("empty export: %v\n%s", err, out)
	}
	if _, err := cli("export", "--ente", "ENTE_DEMO", "--from", "2026-02-01", "--to", "2026-01-01"); err == nil {
		t.Error("reversed dates accepted")
	}
}
