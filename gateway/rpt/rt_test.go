package rpt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

var testPSP = Attestante{Tipo: "G", Codice: "ABI03069", Denominazione: "Banca di Prova"}

// sentRPT is testRequest as the node received it.
func sentRPT(t testing.TB) *Request { return mustParseRPT(t, mustBuild(t, testRequest())) }

func mustParseRT(t testing.TB, b []byte) *Receipt {
	t.Helper()
	rt, err := ParseRT(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return rt
}

func TestBuildRTOutcomes(t *testing.T) {
	rpt := sentRPT(t)
	later := testNow.Now().Add(26 * time.Hour) // paid the next day
	fee := []gateway.Cents{150, 0}
	for _, c := range []struct {
		name     string
		o        Outcome
		total    gateway.Cents
		singoli  []gateway.Cents
		esitoSP  string
		iur      string
		attestBy string
	}{
		{"paid", Outcome{Esito: EsitoEseguito, PSP: testPSP, At: later, IURs: []string{"IUR-1", "IUR-2"}, Fees: fee},
			1250, []gateway.Cents{1050, 200}, EsitoSingoloEseguito, "IUR-1", "ABI03069"},
		{"paid, receipt id as IUR", Outcome{Esito: EsitoEseguito, PSP: testPSP, At: later, MessageID: "rcpt42"},
			1250, []gateway.Cents{1050, 200}, EsitoSingoloEseguito, "rcpt42", "ABI03069"},
		{"cancelled", Outcome{Esito: EsitoNonEseguito, At: later},
			0, []gateway.Cents{0, 0}, EsitoSingoloAnnullato, "0", PagoPA.Codice},
		{"decorrenza termini", Outcome{Esito: EsitoDecorrenza, At: later},
			0, []gateway.Cents{0, 0}, EsitoSingoloDecorrenza, "n/a", PagoPA.Codice},
		{"partial", Outcome{Esito: EsitoParziale, PSP: testPSP, At: later, Paid: []bool{false, true}},
			200, []gateway.Cents{0, 200}, EsitoSingoloNonPagato, "n/a", "ABI03069"},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := BuildRT(rpt, c.o)
			if err != nil {
				t.Fatal(err)
			}
			validateBoth(t, doc)
			rt := mustParseRT(t, doc)
			if err := Check(rpt, rt); err != nil {
				t.Fatalf("the RT BuildRT writes fails Check: %v", err)
			}
			if rt.Esito != c.o.Esito || rt.ImportoTotalePagato != c.total || len(rt.Payments) != 2 {
				t.Fatalf("esito %d total %s payments %d", rt.Esito, rt.ImportoTotalePagato, len(rt.Payments))
			}
			for i, p := range rt.Payments {
				if p.SingoloImportoPagato != c.singoli[i] {
					t.Errorf("payment %d: %s, want %s", i+1, p.SingoloImportoPagato, c.singoli[i])
				}
				if p.Causale != rpt.Items[i].Causale || p.DatiSpecifici != rpt.Items[i].DatiSpecificiRiscossione {
					t.Errorf("payment %d: causale %q datiSpecifici %q not copied", i+1, p.Causale, p.DatiSpecifici)
				}
				if p.DataEsito.Format(gateway.DateLayout) != "2026-11-24" {
					t.Errorf("dataEsito %v", p.DataEsito)
				}
			}
			if p := rt.Payments[0]; p.Esito != c.esitoSP || p.IUR != c.iur {
				t.Errorf("first payment esito %q IUR %q, want %q %q", p.Esito, p.IUR, c.esitoSP, c.iur)
			}
			if rt.IstitutoAttestante.Codice != c.attestBy {
				t.Errorf("attestante %q", rt.IstitutoAttestante.Codice)
			}
			if c.o.Fees != nil && (rt.Payments[0].CommissioniPSP == nil || *rt.Payments[0].CommissioniPSP != 150) {
				t.Error("fee lost")
			}
			if rt.RiferimentoMessaggioRichiesta != rpt.IdentificativoMessaggioRichiesta ||
				rt.RiferimentoDataRichiesta.Format(gateway.DateLayout) != "2026-11-23" ||
				rt.DataOra.In(gateway.Rome).Format(time.DateTime) != "2026-11-24 19:13:30" {
				t.Errorf("references: %q %v %v", rt.RiferimentoMessaggioRichiesta, rt.RiferimentoDataRichiesta, rt.DataOra)
			}
		})
	}
}

func TestBuildRTRefuses(t *testing.T) {
	rpt := sentRPT(t)
	for _, c := range []struct {
		name string
		o    Outcome
	}{
		{"no time", Outcome{}},
		{"esito 7", Outcome{Esito: 7, At: testNow.Now()}},
		{"partial without Paid", Outcome{Esito: EsitoParziale, At: testNow.Now()}},
		{"partial all paid", Outcome{Esito: EsitoParziale, At: testNow.Now(), Paid: []bool{true, true}}},
		{"IURs count", Outcome{At: testNow.Now(), IURs: []string{"a"}}},
		{"IUR too long", Outcome{At: testNow.Now(), IURs: []string{strings.Repeat("i", 36), "b"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if doc, err := BuildRT(rpt, c.o); err == nil {
				t.Fatalf("accepted:\n%s", doc)
			}
		})
	}
}

// TestSampleRT reads the node test suite's RT_T003 and checks it against
// RPT_T003, placeholders filled with the same IUV, CCP and dates. The pair
// disagrees on one thing only: the RT's riferimentoMessaggioRichiesta is a
// literal that is not the RPT's identificativoMessaggioRichiesta.
func TestSampleRT(t *testing.T) {
	rpt := mustParseRPT(t, sample(t, "pagopa-nodo-dei-pagamenti-test/RPT_T003.xml"))
	doc := sample(t, "pagopa-nodo-dei-pagamenti-test/RT_T003.xml")
	rt := mustParseRT(t, doc)
	if rt.Esito != EsitoEseguito || rt.ImportoTotalePagato != 1000 || len(rt.Payments) != 1 ||
		rt.Payments[0].CommissioniPSP == nil || *rt.Payments[0].CommissioniPSP != 12 ||
		rt.IstitutoAttestante.Codice != "IDPSPFNZ" || rt.Versante == nil {
		t.Fatalf("decoded %+v", rt)
	}
	err := Check(rpt, rt)
	var ce *CheckError
	if !errors.As(err, &ce) || len(ce.Violations) != 1 || !ce.Has(RuleRiferimentoMessaggio) || ce.Code() != CodeSemantica {
		t.Fatalf("want only the riferimentoMessaggioRichiesta rule, got %v", err)
	}
	fixed := strings.Replace(string(doc), ">RiferimentoMessaggioRichiesta<", ">"+rpt.IdentificativoMessaggioRichiesta+"<", 1)
	if err := Check(rpt, mustParseRT(t, []byte(fixed))); err != nil {
		t.Fatal(err)
	}
	// Re-encoding keeps it valid on both schemas.
	out, err := EncodeRT(rt)
	if err != nil {
		t.Fatal(err)
	}
	validateBoth(t, out)
}

func TestCheckMutations(t *testing.T) {
	rpt := sentRPT(t)
	paid := func() *Receipt {
		rt, err := ReceiptFor(rpt, Outcome{Esito: EsitoEseguito, PSP: testPSP, At: testNow.Now(), MessageID: "m1"})
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}
	ko := func() *Receipt {
		rt, err := ReceiptFor(rpt, Outcome{Esito: EsitoNonEseguito, At: testNow.Now(), MessageID: "m2"})
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}
	for _, c := range []struct {
		name string
		rt   func() *Receipt
		edit func(*Receipt)
		rule Rule
		code string
	}{
		{"wrong dominio", paid, func(r *Receipt) { r.Dominio = "00000000000" }, RuleDominio, CodeRPTSconosciuta},
		{"wrong IUV", paid, func(r *Receipt) { r.IUV = "01000000000000245" }, RuleIUV, CodeRPTSconosciuta},
		{"wrong CCP", paid, func(r *Receipt) { r.CCP = "other" }, RuleCCP, CodeRPTSconosciuta},
		{"wrong stazione", paid, func(r *Receipt) { r.Stazione = "80007580279_02" }, RuleStazione, CodeSemantica},
		{"wrong riferimento", paid, func(r *Receipt) { r.RiferimentoMessaggioRichiesta = "other" }, RuleRiferimentoMessaggio, CodeSemantica},
		{"wrong riferimento date", paid, func(r *Receipt) { r.RiferimentoDataRichiesta = r.RiferimentoDataRichiesta.AddDate(0, 0, -1) }, RuleRiferimentoData, CodeSemantica},
		{"wrong ente", paid, func(r *Receipt) { r.EnteBeneficiario.Codice = "00000000000" }, RuleEnteBeneficiario, CodeSemantica},
		{"wrong pagatore", paid, func(r *Receipt) { r.Pagatore.Codice = "VRDLGU80A01H501X" }, RulePagatore, CodeSemantica},
		{"pagatore tipo", paid, func(r *Receipt) { r.Pagatore.Tipo = "G" }, RulePagatore, CodeSemantica},
		{"wrong versante", paid, func(r *Receipt) {
			v := *r.Versante
			v.Codice = "VRDLGU80A01H501X"
			r.Versante = &v
		}, RuleVersante, CodeSemantica},
		{"amount mismatch", paid, func(r *Receipt) {
			r.Payments[0].SingoloImportoPagato -= 50
			r.ImportoTotalePagato -= 50
		}, RuleImportoSingolo, CodeSemantica},
		{"total not the sum", paid, func(r *Receipt) { r.ImportoTotalePagato += 1 }, RuleImportoTotale, CodeSemantica},
		{"missing singolo pagamento", paid, func(r *Receipt) {
			r.ImportoTotalePagato -= r.Payments[1].SingoloImportoPagato
			r.Payments = r.Payments[:1]
		}, RuleNumeroPagamenti, CodeSemantica},
		{"positive without payments", paid, func(r *Receipt) { r.Payments, r.ImportoTotalePagato = nil, 0 }, RuleNumeroPagamenti, CodeSemantica},
		{"negative with an amount", ko, func(r *Receipt) {
			r.Payments[0].SingoloImportoPagato = 1050
			r.ImportoTotalePagato = 1050
		}, RuleImportoTotale, CodeSemantica},
		{"negative with one of two payments", ko, func(r *Receipt) { r.Payments = r.Payments[:1] }, RuleNumeroPagamenti, CodeSemantica},
		{"unpaid without esito", ko, func(r *Receipt) { r.Payments[1].Esito = "" }, RuleEsitoSingolo, CodeSemantica},
		{"partial paying everything", paid, func(r *Receipt) { r.Esito = EsitoParziale }, RuleImportoTotale, CodeSemantica},
		{"partial paying a wrong amount", paid, func(r *Receipt) {
			r.Esito = EsitoParziale
			r.Payments[0].SingoloImportoPagato, r.Payments[0].Esito = 0, "NON ESEGUITO"
			r.Payments[1].SingoloImportoPagato = 199
			r.ImportoTotalePagato = 199
		}, RuleImportoSingolo, CodeSemantica},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt := c.rt()
			if err := Check(rpt, rt); err != nil {
				t.Fatalf("unmutated RT fails: %v", err)
			}
			c.edit(rt)
			// The mutated RT still travels: it is schema-valid.
			doc, err := EncodeRT(rt)
			if err != nil {
				t.Fatal(err)
			}
			err = Check(rpt, mustParseRT(t, doc))
			var ce *CheckError
			if !errors.As(err, &ce) || !ce.Has(c.rule) || ce.Code() != c.code {
				t.Fatalf("want rule %s (%s), got %v", c.rule, c.code, err)
			}
			if !contains(err.Error(), string(c.rule)) {
				t.Errorf("message does not name the rule: %v", err)
			}
		})
	}
}

func TestCheckAcceptsNegativeWithoutPayments(t *testing.T) {
	rpt := sentRPT(t)
	rt, err := ReceiptFor(rpt, Outcome{Esito: EsitoNonEseguito, At: testNow.Now()})
	if err != nil {
		t.Fatal(err)
	}
	rt.Payments = nil // MyPay-style negative outcome: no datiSingoloPagamento
	if err := Check(rpt, rt); err != nil {
		t.Fatal(err)
	}
	// Case and surrounding space of a codice fiscale do not matter.
	rt.Pagatore.Codice = " " + strings.ToLower(rpt.Pagatore.Codice)
	if err := Check(rpt, rt); err != nil {
		t.Fatal(err)
	}
}

func TestParseRTRefuses(t *testing.T) {
	doc, err := BuildRT(sentRPT(t), Outcome{At: testNow.Now(), PSP: testPSP, MessageID: "m"})
	if err != nil {
		t.Fatal(err)
	}
	good := string(doc)
	for _, c := range []struct{ name, doc, want string }{
		{"doctype", `<!DOCTYPE RT SYSTEM "http://x/">` + good, "DOCTYPE"},
		{"lower-case CodiceContestoPagamento", strings.ReplaceAll(good, "CodiceContestoPagamento>", "codiceContestoPagamento>"), "RT not valid"},
		{"esito 5", strings.Replace(good, "<codiceEsitoPagamento>0<", "<codiceEsitoPagamento>5<", 1), "RT not valid"},
		{"six payments", strings.Replace(good, "</datiPagamento>", strings.Repeat(between(good, "<datiSingoloPagamento>", "</datiSingoloPagamento>"), 4)+"</datiPagamento>", 1), "RT not valid"},
		{"an RPT", string(mustBuild(t, testRequest())), "want RT"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRT([]byte(c.doc))
			var se *SchemaError
			if !errors.As(err, &se) || !contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a SchemaError mentioning %q", err, c.want)
			}
		})
	}
}

// between returns the first s[i:j] from open through close, both included.
func between(s, open, close string) string {
	i := strings.Index(s, open)
	j := strings.Index(s[i:], close)
	return s[i : i+j+len(close)]
}

func TestGolden(t *testing.T) {
	rptDoc := mustBuild(t, testRequest())
	golden(t, "rpt.golden.xml", rptDoc)
	rtDoc, err := BuildRT(mustParseRPT(t, rptDoc), Outcome{
		Esito: EsitoEseguito, PSP: testPSP, MessageID: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
		At: testNow.Now().Add(time.Hour), IURs: []string{"IUR-0001", "IUR-0002"}, Fees: []gateway.Cents{150, 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "rt.golden.xml", rtDoc)
}
