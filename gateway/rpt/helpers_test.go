package rpt

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.xml")

const (
	testDominio  = "80007580279"
	testStazione = "80007580279_01"
	testIUV      = "01000000000000144"
	testCCP      = "CCP-T003"
)

// testNow is the fixed clock of every built document.
var testNow = gateway.FixedClock{T: time.Date(2026, 11, 23, 17, 13, 30, 0, gateway.Rome)}

// sampleValues fill the placeholders of the node test-suite and
// wisp-converter samples; the same IUV and CCP go into RPT and RT.
var sampleValues = []struct{ re, with string }{
	{`#creditor_institution_code#|\{pa\}`, testDominio},
	{`#id_station#`, testStazione},
	{`#timedate#`, "2026-11-23T17:13:30"},
	{`#date#|\{dataEsecuzionePagamento\}|\{dataOraMessaggioRichiesta\}`, "2026-11-23"},
	{`#IUV#|\$IUV|\$1iuv|\$2iuv|\{iuv\}`, testIUV},
	{`#CCP#|\$CCP|\$1carrello|\{ccp\}`, testCCP},
	{`\{amount\}`, "10.50"},
	{`\{tipoVersamento\}`, "BBT"},
	{`\{datiSpecificiRiscossione\}`, "9/0101100IM/"},
}

// sample reads a reference sample under pagopa/samples, placeholders
// filled, skipping when the reference tree is absent.
func sample(t testing.TB, rel string) []byte {
	t.Helper()
	p := xsdtest.RefPath("pagopa/samples/" + rel)
	if p == "" {
		t.Skipf("reference sample %s not available", rel)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range sampleValues {
		b = regexp.MustCompile(v.re).ReplaceAll(b, []byte(v.with))
	}
	return b
}

// validateBoth checks doc with xmllint against Ponte's schema and, when the
// reference tree is present, the reference one.
func validateBoth(t *testing.T, doc []byte) {
	t.Helper()
	xsdtest.Validate(t, xsdtest.Path("PagInf_RPT_RT_6_2_0.xsd"), doc)
	if ref := xsdtest.RefPath("pagopa/pagopa-api/gad/xsd/PagInf_RPT_RT_6_2_0.xsd"); ref != "" {
		xsdtest.Validate(t, ref, doc)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
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

// testRequest is a two-item RPT with every optional part filled.
func testRequest() *Request {
	return &Request{
		Dominio:                          testDominio,
		Stazione:                         testStazione,
		IdentificativoMessaggioRichiesta: "3179612d79fa3366a1b2c3d4e5f60718",
		DataOra:                          testNow.Now(),
		AutenticazioneSoggetto:           "CNS",
		Versante: &Soggetto{Tipo: "F", Codice: "RCCGLD09P09H502E", Anagrafica: "Gesualdo Riccitelli",
			Email: "gesualdo@example.it"},
		Pagatore: Soggetto{Tipo: "F", Codice: "RSSMRA80A01H501U", Anagrafica: "Mario Rossi",
			Indirizzo: "Via Roma", Civico: "1", CAP: "30100", Localita: "Venezia", Provincia: "VE",
			Nazione: "IT", Email: "mario.rossi@example.it"},
		EnteBeneficiario: Ente{Codice: testDominio, Denominazione: "Comune di Prova",
			Indirizzo: "Piazza Municipio", Civico: "1", CAP: "30100", Localita: "Venezia", Provincia: "VE", Nazione: "IT"},
		DataEsecuzione: time.Date(2026, 11, 23, 0, 0, 0, 0, gateway.Rome),
		IUV:            testIUV,
		CCP:            testCCP,
		Items: []Item{
			{Amount: 1050, IBANAccredito: "IT96R0123454321000000012345", BICAccredito: "ARTIITM1050",
				Causale: "TARI 2026 rata 1", DatiSpecificiRiscossione: "9/0101100IM/"},
			{Amount: 200, Commission: 50, IBANAccredito: "IT96R0123454321000000012345",
				IBANAppoggio: "IT45R0760103200000000001016", CredenzialiPagatore: "CP1.1",
				Causale: "Diritti di segreteria", DatiSpecificiRiscossione: "9/0101100IM/"},
		},
	}
}

func mustBuild(t testing.TB, r *Request) []byte {
	t.Helper()
	b, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParseRPT(t testing.TB, b []byte) *Request {
	t.Helper()
	r, err := ParseRPT(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return r
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
