package sil

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.xml")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		must(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got %s\nwant %s", name, got, want)
	}
}

func TestImportaGolden(t *testing.T) {
	h := newHarness(t, "sqlite")
	// The first progressivo of a fresh store makes the IUV deterministic.
	ok := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "G-1", Bilancio: bilancio150}.xml()), "true"))
	golden(t, "importa_ok.golden.xml", ok.Raw)
	ko := h.post(t, importaEnvelope(testInserito, testPassword, b64(vers{IUD: "G-2"}.xml()), ""))
	golden(t, "importa_stato_ente.golden.xml", ko.Raw)
}
