package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ponteCLI runs a command line in-process with PONTE_DATA_DIR=dir.
func ponteCLI(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{"PONTE_DATA_DIR": dir}
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, envOf(env))
	return out.String() + errOut.String(), err
}

func TestEnteCommands(t *testing.T) {
	dir := t.TempDir()
	mustRun := func(stdin string, args ...string) string {
		t.Helper()
		out, err := ponteCLI(t, dir, stdin, args...)
		if err != nil {
			t.Fatalf("ponte %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	mustRun("", "migrate")
	mustRun("segreta123\n", "ente", "add", "--cod-ipa", "C_X000", "--cf", "01234567897", "--denominazione", "Comune di X",
		"--segregation-code", "07", "--iban", "IT60X0542811101000000123456", "--password-stdin")
	if out, err := ponteCLI(t, dir, "", "ente", "add", "--cod-ipa", "C_X000", "--cf", "01234567897", "--denominazione", "X"); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("adding an ente twice: %v %s", err, out)
	}
	if _, err := ponteCLI(t, dir, "", "ente", "add", "--cod-ipa", "C_Y", "--cf", "123", "--denominazione", "Y"); err == nil || !strings.Contains(err.Error(), "codiceFiscale") {
		t.Errorf("bad codice fiscale accepted: %v", err)
	}
	mustRun("", "ente", "tipo-add", "C_X000", "--codice", "TARI", "--descrizione", "Rifiuti", "--importo-fisso", "16.00", "--cf-anonimo")
	mustRun("", "ente", "tipo-add", "C_X000", "--codice", "MENSA", "--disabilitato")

	list := mustRun("", "ente", "list")
	if !strings.Contains(list, "C_X000") || !strings.Contains(list, "01234567897") || !strings.Contains(list, "set") {
		t.Errorf("ente list:\n%s", list)
	}
	tipi := mustRun("", "ente", "tipo-list", "C_X000")
	if !strings.Contains(tipi, "TARI") || !strings.Contains(tipi, "16.00") || !regexpLine(tipi, "MENSA", "false") {
		t.Errorf("tipo-list:\n%s", tipi)
	}
	show := mustRun("", "ente", "show", "C_X000")
	if !strings.Contains(show, "07") || !strings.Contains(show, "ESERCIZIO") {
		t.Errorf("ente show:\n%s", show)
	}
	mustRun("", "ente", "set-stato", "C_X000", "INSERITO")
	if show := mustRun("", "ente", "show", "C_X000"); !strings.Contains(show, "INSERITO") {
		t.Errorf("set-stato not applied:\n%s", show)
	}
	if _, err := ponteCLI(t, dir, "short\n", "ente", "set-password", "C_X000"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	mustRun("nuovapass99\n", "ente", "set-password", "C_X000")
	if _, err := ponteCLI(t, dir, "", "ente", "show", "NOPE"); err == nil || !strings.Contains(err.Error(), "no ente NOPE") {
		t.Errorf("unknown ente: %v", err)
	}
}

func regexpLine(s, first, contains string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, first) && strings.Contains(l, contains) {
			return true
		}
	}
	return false
}

func TestSeedCommandIsDeclarative(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "enti.yaml")
	write := func(s string) {
		if err := os.WriteFile(seed, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`enti:
  - codIpa: C_A001
    codiceFiscale: "01234567897"
    denominazione: Comune A
    password: passwordA1
    segregationCode: "02"
    tipiDovuto:
      - codice: TARI
`)
	for i := 0; i < 2; i++ { // applying twice changes nothing
		if out, err := ponteCLI(t, dir, "", "seed", seed); err != nil {
			t.Fatalf("seed: %v\n%s", err, out)
		}
	}
	write(`enti:
  - codIpa: C_A001
    codiceFiscale: "01234567897"
    denominazione: Comune A rinominato
    segregationCode: "02"
    tipiDovuto:
      - codice: TARI
        attivo: false
`)
	if out, err := ponteCLI(t, dir, "", "seed", seed); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, _ := ponteCLI(t, dir, "", "ente", "list")
	if !strings.Contains(out, "Comune A rinominato") || strings.Count(out, "C_A001") != 1 {
		t.Errorf("seed did not update in place:\n%s", out)
	}
	if out, _ := ponteCLI(t, dir, "", "ente", "tipo-list", "C_A001"); !regexpLine(out, "TARI", "false") {
		t.Errorf("tipo not disabled:\n%s", out)
	}
	write("enti:\n  - codIpa: C_B\n    codiceFiscale: \"01234567897\"\n    denominazione: B\n    colour: blue\n")
	if _, err := ponteCLI(t, dir, "", "seed", seed); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("unknown key accepted: %v", err)
	}
}
