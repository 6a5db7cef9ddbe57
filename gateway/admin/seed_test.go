package admin

import (
	"context"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/storetest"
)

func TestParseSeedRejects(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"enti:\n  - codIpa: \"C X\"\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n", "codIpa"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"0123\"\n    denominazione: X\n", "codiceFiscale"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n", "denominazione"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n    stato: ATTIVO\n", "stato"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n    segregationCode: \"1\"\n", "segregationCode"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n    auxDigit: 2\n", "auxDigit"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n    tipiDovuto:\n      - codice: T\n      - codice: T\n", "twice"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n    tipiDovuto:\n      - codice: T\n        importoFisso: \"16\"\n", "importoFisso"},
		{"enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: Y\n", "twice"},
		{"enti:\n  - codIpa: C_X\n    codicefiscale: \"01234567897\"\n", "codicefiscale"},
	} {
		_, err := ParseSeed(strings.NewReader(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one mentioning %q", tc.yaml, err, tc.want)
		}
	}
}

func TestApplyDemoIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, storetest.URL(t, store.SQLite))
	if err := ApplyDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	first, err := db.FindEnte(ctx, "ENTE_DEMO")
	if err != nil {
		t.Fatal(err)
	}
	if err := ApplyDemo(ctx, db); err != nil {
		t.Fatal(err)
	}
	e, _ := db.FindEnte(ctx, "ENTE_DEMO")
	if e.ID != first.ID || e.PasswordHash != first.PasswordHash {
		t.Error("a second apply must update in place and keep a matching password hash")
	}
	if e.CodiceFiscale != "12345678903" || e.IntermediaryID != "12345678903" || e.StationID != "12345678903_01" ||
		e.SegregationCode != "01" || e.AuxDigit != 3 || e.State != gateway.EnteEsercizio {
		t.Errorf("demo ente: %+v", e)
	}
	if ok, _ := auth.Verify(e.PasswordHash, "demopass123"); !ok {
		t.Error("demo password does not verify")
	}
	tipi, _ := db.ListTipiDovuto(ctx, e.ID)
	if len(tipi) != 2 || tipi[0].Code != "MENSA" || tipi[1].Code != "TARI" || !tipi[0].Enabled || !tipi[1].Enabled {
		t.Errorf("demo tipi dovuto: %+v", tipi)
	}
}
