package xsdvalid

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// referenceDir is the read-only reference material, relative to the
// repository root (this package is gateway/xsdvalid).
const referenceDir = "../../../shared/reference"

func reference(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(referenceDir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference material not available: %v", err)
	}
	return p
}

func compileFile(t testing.TB, file string) *Schema {
	t.Helper()
	s, err := Compile(os.DirFS(filepath.Dir(file)), filepath.Base(file))
	if err != nil {
		t.Fatalf("Compile(%s): %v", file, err)
	}
	return s
}

// xmllintVerdicts validates every document with one xmllint run and
// returns, per case, whether xmllint accepted it. It returns nil when
// xmllint is not installed.
func xmllintVerdicts(t *testing.T, schema string, cases []docCase) []bool {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Log("xmllint not installed: differential side skipped")
		return nil
	}
	dir := t.TempDir()
	// libxml2 rejects the escape "\/" used by the reference SIL schema
	// (Xerces, hence MyPay, accepts it as "/"); give xmllint an equivalent
	// copy.
	if src, err := os.ReadFile(schema); err == nil && bytes.Contains(src, []byte(`\/`)) {
		schema = filepath.Join(dir, filepath.Base(schema))
		if err := os.WriteFile(schema, bytes.ReplaceAll(src, []byte(`\/`), []byte("/")), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"--noout", "--nonet", "--schema", schema}
	for i, c := range cases {
		f := filepath.Join(dir, fmt.Sprintf("doc%03d.xml", i))
		if err := os.WriteFile(f, []byte(c.doc), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, f)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("xmllint: %v", err)
	}
	ok := make([]bool, len(cases))
	seen := make([]bool, len(cases))
	out := stderr.String()
	if strings.Contains(out, "failed to compile") {
		t.Fatalf("xmllint could not compile %s:\n%s", schema, out)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for i := range cases {
			f := filepath.Join(dir, fmt.Sprintf("doc%03d.xml", i))
			switch line {
			case f + " validates":
				ok[i], seen[i] = true, true
			case f + " fails to validate":
				seen[i] = true
			}
		}
	}
	for i, c := range cases {
		// Documents that are not well-formed get no verdict line.
		if !seen[i] && c.valid {
			t.Errorf("%s: no xmllint verdict", c.name)
		}
	}
	return ok
}

// differential validates every case with both validators and requires
// agreement with xmllint and with the expected verdict.
func differential(t *testing.T, schemaFile string, cases []docCase) {
	s := compileFile(t, schemaFile)
	lint := xmllintVerdicts(t, schemaFile, cases)
	for i, c := range cases {
		err := s.ValidateBytes([]byte(c.doc))
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Errorf("%s: error is %T, want *ValidationError", c.name, err)
		}
		if got := err == nil; got != c.valid {
			t.Errorf("%s: valid=%v, want %v (err: %v)", c.name, got, c.valid, err)
		}
		if lint != nil && lint[i] != c.valid {
			t.Errorf("%s: xmllint valid=%v, want %v", c.name, lint[i], c.valid)
		}
		if err != nil {
			t.Logf("%s: %v", c.name, err)
		}
	}
}

func TestDifferentialDovutiReference(t *testing.T) {
	differential(t, reference(t, "mypay/wsdl/pa/PagInf_Dovuti_Pagati_6_2_0.xsd"), dovutiCases())
}

// The project's own schema (served and used in production) must give the
// same verdicts.
func TestDifferentialDovutiProject(t *testing.T) {
	differential(t, "../../wsdl/PagInf_Dovuti_Pagati_6_2_0.xsd", dovutiCases())
}

// fillPlaceholders replaces the #name# placeholders of the pagoPA test
// samples with schema-valid values.
func fillPlaceholders(doc string) string {
	return strings.NewReplacer(
		"#creditor_institution_code#", "77777777777",
		"#id_station#", "77777777777_01",
		"#timedate#", "2024-05-31T10:15:30",
		"#date#", "2024-05-31",
		"#IUV#", "01234567890123456",
		"#iuv#", "01234567890123456",
		"#CCP#", "CCP123",
		"#psp#", "IDPSPFNZ",
		"#identificativoFlusso#", "2024-05-31IDPSPFNZ-0001",
	).Replace(doc)
}

func sample(t *testing.T, name string) string {
	b, err := os.ReadFile(reference(t, "pagopa/samples/pagopa-nodo-dei-pagamenti-test/"+name))
	if err != nil {
		t.Fatal(err)
	}
	return fillPlaceholders(string(b))
}

func rptCases(t *testing.T) []docCase {
	rpt := sample(t, "RPT_T003.xml")
	rt := sample(t, "RT_T003.xml")
	cases := []docCase{
		{"RPT_T003", rpt, true},
		{"RPT1_cart5_T001", sample(t, "RPT1_cart5_T001.xml"), true},
		{"RPT1_multibeneficiario", sample(t, "RPT1_multibeneficiario.xml"), true},
		{"RPT2_multibeneficiario", sample(t, "RPT2_multibeneficiario.xml"), true},
		{"RT_T003", rt, true},
		{"RPT unfilled placeholders", strings.Replace(rpt, "2024-05-31T10:15:30", "#timedate#", 1), false},
		{"RPT bad tipoVersamento", replaceElem(rpt, "tipoVersamento", "XXX"), false},
		{"RPT importo zero", replaceElem(rpt, "importoTotaleDaVersare", "0.00"), false},
		{"RPT bad autenticazione", replaceElem(rpt, "autenticazioneSoggetto", "ABC"), false},
		{"RPT bad firmaRicevuta", replaceElem(rpt, "firmaRicevuta", "1"), false},
		{"RPT bad email", replaceElem(rpt, "e-mailPagatore", "a@b@c"), false},
		{"RPT email ok", replaceElem(rpt, "e-mailPagatore", "a.b-c@d-e.f.it"), true},
		{"RPT missing dominio", dropElem(rpt, "dominio"), false},
		{"RT missing CodiceContestoPagamento", dropElem(rt, "CodiceContestoPagamento"), false},
		{"RT bad esito", replaceElem(rt, "codiceEsitoPagamento", "7"), false},
		{"RT importo 3 decimals", replaceElem(rt, "importoTotalePagato", "1.000"), false},
		{"RT bad date", replaceElem(rt, "riferimentoDataRichiesta", "2024-13-01"), false},
	}
	if strings.Contains(rpt, "<pay_i:ibanAccredito>") {
		cases = append(cases,
			docCase{"RPT bad iban", replaceElem(rpt, "ibanAccredito", "IT6"), false},
			docCase{"RPT lowercase iban", replaceElem(rpt, "ibanAccredito", "it60x0542811101000000123456"), true})
	}
	if strings.Contains(rpt, "<pay_i:bicAccredito>") {
		cases = append(cases, docCase{"RPT bad bic", replaceElem(rpt, "bicAccredito", "ABCDEF1"), false})
	}
	return cases
}

// replaceElem sets the text of the first pay_i:name element.
func replaceElem(doc, name, val string) string {
	open, end := "<pay_i:"+name+">", "</pay_i:"+name+">"
	i := strings.Index(doc, open)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		panic("element not found: " + name)
	}
	return doc[:i+len(open)] + val + doc[j:]
}

// dropElem removes the first pay_i:name element.
func dropElem(doc, name string) string {
	open, end := "<pay_i:"+name+">", "</pay_i:"+name+">"
	i := strings.Index(doc, open)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		panic("element not found: " + name)
	}
	return doc[:i] + doc[j+len(end):]
}

func TestDifferentialRPTRT(t *testing.T) {
	differential(t, reference(t, "pagopa/pagopa-api/gad/xsd/PagInf_RPT_RT_6_2_0.xsd"), rptCases(t))
}

func TestDifferentialRPTRTProject(t *testing.T) {
	differential(t, "../../xsd/PagInf_RPT_RT_6_2_0.xsd", rptCases(t))
}

func flussoCases(t *testing.T) []docCase {
	f := sample(t, "FlussoRiversamento_sample.xml")
	return []docCase{
		{"flusso sample", f, true},
		{"flusso bom", "\xef\xbb\xbf" + f, true},
		{"flusso numero 1.5", replaceElem(f, "numeroTotalePagamenti", "1.5"), false},
		{"flusso numero 0", replaceElem(f, "numeroTotalePagamenti", "0"), false},
		{"flusso numero 15 digits", replaceElem(f, "numeroTotalePagamenti", "123456789012345"), true},
		{"flusso numero 16 digits", replaceElem(f, "numeroTotalePagamenti", "1234567890123456"), false},
		{"flusso numero 2.0", replaceElem(f, "numeroTotalePagamenti", "2.0"), true},
		{"flusso bad identificativo", replaceElem(f, "identificativoFlusso", "a#b"), false},
		{"flusso bad versione", replaceElem(f, "versioneOggetto", "2.0"), false},
		{"flusso esito 9", replaceElem(f, "codiceEsitoSingoloPagamento", "9"), true},
		{"flusso esito 1", replaceElem(f, "codiceEsitoSingoloPagamento", "1"), false},
		{"flusso denominazione short", replaceElem(f, "denominazioneMittente", "ab"), false},
		{"flusso no singoli", dropElem(f, "datiSingoliPagamenti"), false},
	}
}

func TestDifferentialFlusso(t *testing.T) {
	differential(t, reference(t, "pagopa/pagopa-api/xsd-common/FlussoRiversamento_1_0_4.xsd"), flussoCases(t))
}

func TestDifferentialFlussoProject(t *testing.T) {
	differential(t, "../../xsd/FlussoRiversamento_1_0_4.xsd", flussoCases(t))
}
