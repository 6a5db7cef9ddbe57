package xsd_test

import (
	"encoding/xml"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// schemasFor returns the pairs whose schema declares the global element n.
func schemasFor(pairs []pair, n xml.Name) []pair {
	var out []pair
	for _, p := range pairs {
		if p.ns == n.Space && p.elements[n.Local] {
			out = append(out, p)
		}
	}
	return out
}

// verdicts validates doc against ours and the reference and fails t unless
// both give the same verdict with the same diagnostics. It returns the error
// from our schema (nil when valid).
func verdicts(t *testing.T, p pair, doc []byte) error {
	t.Helper()
	ours, ref := xsdtest.Check(p.ours, doc), xsdtest.Check(p.ref, doc)
	if ours == xsdtest.ErrNoXmllint || ref == xsdtest.ErrNoXmllint {
		t.Skip("xmllint not installed")
	}
	if (ours == nil) != (ref == nil) || (ours != nil && ours.Error() != ref.Error()) {
		t.Fatalf("%s and reference disagree:\nours: %v\nref:  %v", filepath.Base(p.ours), ours, ref)
	}
	return ours
}

// TestReferenceSamples validates every pagoPA sample message (the SOAP header
// and body payloads, or the whole bare document) against our schema and the
// reference one. Many samples carry test placeholders (#iuv#, {station}) and
// so are invalid: what must hold is that both schemas judge them identically.
func TestReferenceSamples(t *testing.T) {
	pairs := refSchemas(t)
	root := xsdtest.RefPath("pagopa/samples")
	if root == "" {
		t.Skip("pagoPA samples absent")
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no samples found")
	}
	var checked, valid int
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			doc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs, names, err := payloads(doc)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for i, d := range docs {
				for _, p := range schemasFor(pairs, names[i]) {
					n++
					checked++
					if err := verdicts(t, p, d); err == nil {
						valid++
					} else {
						t.Logf("%s {%s}%s invalid for both: %v", filepath.Base(p.ours), names[i].Space, names[i].Local, firstLine(err))
					}
				}
			}
			if n == 0 {
				t.Skipf("no schema in scope for %v", names)
			}
		})
	}
	t.Logf("%d payload/schema checks, %d valid for both", checked, valid)
	if valid == 0 {
		t.Error("no sample validated: the comparison proves nothing")
	}
}

// TestHandmadeDocuments validates the documents in testdata against ours and
// the reference: each must be valid for both.
func TestHandmadeDocuments(t *testing.T) {
	pairs := refSchemas(t)
	files, err := filepath.Glob("testdata/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			doc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs, names, err := payloads(doc)
			if err != nil {
				t.Fatal(err)
			}
			ps := schemasFor(pairs, names[0])
			if len(ps) == 0 {
				t.Fatalf("no schema declares %v", names[0])
			}
			for _, p := range ps {
				if err := verdicts(t, p, docs[0]); err != nil {
					t.Errorf("invalid: %v", err)
				}
			}
		})
	}
}

// TestSchemasRejectInvalid proves the schemas are not lax: each mutation of a
// valid document must be rejected by ours and the reference alike.
func TestSchemasRejectInvalid(t *testing.T) {
	pairs := refSchemas(t)
	item := `<datiSingoloVersamento><identificativoUnivocoDovuto>D2</identificativoUnivocoDovuto>` +
		`<importoSingoloVersamento>1.00</importoSingoloVersamento><identificativoTipoDovuto>TARI</identificativoTipoDovuto>` +
		`<causaleVersamento>c</causaleVersamento><datiSpecificiRiscossione>9/TARI</datiSpecificiRiscossione></datiSingoloVersamento>`
	cases := []struct {
		name, file, from, to string
	}{
		{"amount with one decimal", "dovuti.xml", "<importoSingoloVersamento>10.50<", "<importoSingoloVersamento>10.5<"},
		{"zero amount", "dovuti.xml", "<importoSingoloVersamento>10.50<", "<importoSingoloVersamento>0.00<"},
		{"six items", "dovuti.xml", "</datiSingoloVersamento>", "</datiSingoloVersamento>" + strings.Repeat(item, 5)},
		{"bad datiSpecificiRiscossione", "dovuti.xml", "9/TARI-2026", "TARI-2026"},
		{"bad e-mail", "dovuti.xml", "mario.rossi@example.org", "mario.rossi"},
		{"azione too long", "versamento-bilancio.xml", "<dp:azione>I<", "<dp:azione>IX<"},
		{"capitolo without codCapitolo", "versamento-bilancio.xml", "<dp:codCapitolo>CAP-100</dp:codCapitolo>", ""},
		{"missing identificativoMessaggioRicevuta", "pagati.xml", "<identificativoMessaggioRicevuta>RT-0001</identificativoMessaggioRicevuta>", ""},
		{"unknown esito code", "pagati.xml", "<codiceEsitoPagamento>0<", "<codiceEsitoPagamento>7<"},
		{"qualified child in SIL body", "importa-dovuto.xml", "<password>segreto123</password>", "<ente:password>segreto123</ente:password>"},
		{"password too short", "importa-dovuto.xml", "segreto123", "short"},
		{"missing dovuto", "importa-dovuto.xml", "<dovuto>PFZlcnNhbWVudG8vPg==</dovuto>", ""},
		{"esito before fault", "importa-dovuto-risposta-fault.xml", "<fault>", "<esito>KO</esito><fault>"},
		{"fault without id", "importa-dovuto-risposta-fault.xml", "<id>COMUNE_ESEMPIO</id>", ""},
		{"empty codIpaEnte", "intestazione-ppt.xml", "C_ESEMPIO", ""},
		{"attiva without canale", "paa-attiva-rpt.xml", "<identificativoCanalePSP>BNLIITRR_01</identificativoCanalePSP>", ""},
		{"attiva amount with one decimal", "paa-attiva-rpt.xml", ">120.50<", ">120.5<"},
		{"unqualified pagatore child", "paa-attiva-rpt.xml", "<pay:anagraficaPagatore>Mario Rossi</pay:anagraficaPagatore>", "<anagraficaPagatore>Mario Rossi</anagraficaPagatore>"},
		{"verifica without causale", "paa-verifica-rpt-risposta.xml", "<causaleVersamento>/RFB/01234567890123456/120.50/TXT/TARI 2026</causaleVersamento>", ""},
		{"verifica without iban", "paa-verifica-rpt-risposta.xml", "<ibanAccredito>IT60X0542811101000000123456</ibanAccredito>", ""},
		{"verifica causale too long", "paa-verifica-rpt-risposta.xml", "TARI 2026<", strings.Repeat("x", 120) + "<"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orig, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			mut := strings.Replace(string(orig), c.from, c.to, 1)
			if mut == string(orig) {
				t.Fatalf("mutation %q not applicable to %s", c.from, c.file)
			}
			docs, names, err := payloads([]byte(mut))
			if err != nil {
				t.Fatal(err)
			}
			ps := schemasFor(pairs, names[0])
			if len(ps) == 0 {
				t.Fatalf("no schema declares %v", names[0])
			}
			for _, p := range ps {
				if err := verdicts(t, p, docs[0]); err == nil {
					t.Errorf("accepted by both %s and the reference", filepath.Base(p.ours))
				}
			}
		})
	}
}

// TestGlobalElementsMatchReference checks that every schema pair declares the
// same target namespace and the same global elements.
func TestGlobalElementsMatchReference(t *testing.T) {
	for _, p := range refSchemas(t) {
		ns, els := globalElements(t, p.ref)
		if ns != p.ns {
			t.Errorf("%s: targetNamespace %q, reference %q", filepath.Base(p.ours), p.ns, ns)
		}
		for e := range els {
			if !p.elements[e] {
				t.Errorf("%s: missing global element %s", filepath.Base(p.ours), e)
			}
		}
		for e := range p.elements {
			if !els[e] {
				t.Errorf("%s: extra global element %s", filepath.Base(p.ours), e)
			}
		}
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
