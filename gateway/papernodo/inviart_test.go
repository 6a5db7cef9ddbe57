package papernodo

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// wantOK requires esito OK without a fault.
func wantOK(t *testing.T, a answer) {
	t.Helper()
	if a.esito() != esitoOK || a.Resp.PaaInviaRTRisposta.Fault != nil {
		t.Fatalf("want esito OK without fault, got %s", a.Raw)
	}
}

// wantFault requires esito KO with code, faultBean.id = id, the fixed
// faultString and a description.
func wantFault(t *testing.T, a answer, code, id string) {
	t.Helper()
	f := a.Resp.PaaInviaRTRisposta.Fault
	if a.esito() != esitoKO || f == nil || f.FaultCode != code {
		t.Fatalf("want esito KO with %s, got %s", code, a.Raw)
	}
	if f.Id != id || f.FaultString != faultStrings[code] || f.Description == "" {
		t.Errorf("faultBean id=%q faultString=%q description=%q, want id %q and the fixed text of %s",
			f.Id, f.FaultString, f.Description, id, code)
	}
}

func TestPositiveRT(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		sp := h.newSentCart(1050, 200)
		doc := sp.rt(t, rpt.EsitoEseguito)
		wantOK(t, h.send(envelope(sp.head(), ptr(""), doc)))

		c, p := h.state(sp)
		if c.State != gateway.CartPagato || p.State != gateway.PaymentReceived {
			t.Fatalf("cart %s, payment %s; want PAGATO, RT_RICEVUTA", c.State, p.State)
		}
		r := p.Receipt
		if r == nil || r.Esito != gateway.EsitoEseguito || r.Amount != 1250 || !bytes.Equal(r.RT, doc) ||
			r.MessageID == "" || r.TipoFirma != "" || !r.ReceivedAt.Equal(testNow) {
			t.Fatalf("receipt %+v", r)
		}
		ev := h.rec.last()
		if ev.Operation != "paaInviaRT" || ev.Component != "NODO" || ev.CodIpa != testCodIpa || ev.IUV != sp.p.IUV ||
			ev.CCP != sp.p.CCP || ev.Esito != esitoOK || ev.FaultCode != "" {
			t.Errorf("journal event %+v", ev)
		}
	})
}

func TestSameRTAgainIsDuplicate(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		sp := h.newSentCart(1050)
		env := envelope(sp.head(), ptr("0"), sp.rt(t, rpt.EsitoEseguito))
		wantOK(t, h.send(env))
		a := h.send(env)
		wantFault(t, a, CodeRTDuplicata, testDominio)
		if n := h.receiptRows(sp.p.ID); n != 1 {
			t.Fatalf("%d receipt rows, want 1", n)
		}
		if c, _ := h.state(sp); c.State != gateway.CartPagato {
			t.Fatalf("cart %s after the duplicate", c.State)
		}
		if ev := h.rec.last(); ev.Esito != esitoKO || ev.FaultCode != CodeRTDuplicata || ev.CodIpa != testCodIpa {
			t.Errorf("journal event %+v", ev)
		}
	})
}

// The node retries when it times out: the same RT may arrive several
// times at once. Exactly one is stored and answered OK.
func TestConcurrentDuplicates(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		sp := h.newSentCart(700)
		env := envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoEseguito))
		const n = 6
		codes := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, raw := h.post(env)
				switch {
				case status != http.StatusOK:
					codes[i] = "HTTP"
				case strings.Contains(string(raw), CodeRTDuplicata):
					codes[i] = CodeRTDuplicata
				case strings.Contains(string(raw), "<esito>OK</esito>"):
					codes[i] = esitoOK
				default:
					codes[i] = string(raw)
				}
			}()
		}
		wg.Wait()
		ok := 0
		for _, c := range codes {
			switch c {
			case esitoOK:
				ok++
			case CodeRTDuplicata:
			default:
				t.Errorf("answer %s", c)
			}
		}
		if ok != 1 || h.receiptRows(sp.p.ID) != 1 {
			t.Fatalf("%d OK answers and %d receipt rows, want 1 and 1: %v", ok, h.receiptRows(sp.p.ID), codes)
		}
	})
}

func TestNegativeThenPositive(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		sp := h.newSentCart(1050, 200)
		wantOK(t, h.send(envelope(sp.head(), nil, sp.rt(t, rpt.EsitoNonEseguito))))
		if c, p := h.state(sp); c.State != gateway.CartNonPagato || p.Receipt.Esito != gateway.EsitoNonEseguito {
			t.Fatalf("after the negative RT: cart %s, receipt %+v", c.State, p.Receipt)
		}
		wantOK(t, h.send(envelope(sp.head(), nil, sp.rt(t, rpt.EsitoEseguito))))
		c, p := h.state(sp)
		if c.State != gateway.CartPagato || p.Receipt.Esito != gateway.EsitoEseguito || p.Receipt.Amount != 1250 {
			t.Fatalf("after the positive RT: cart %s, receipt %+v", c.State, p.Receipt)
		}
		if n := h.receiptRows(sp.p.ID); n != 2 {
			t.Fatalf("%d receipt rows, want 2", n)
		}
		// A negative RT after the positive one is stored but changes nothing.
		wantOK(t, h.send(envelope(sp.head(), nil, sp.rt(t, rpt.EsitoDecorrenza))))
		if c, p := h.state(sp); c.State != gateway.CartPagato || p.Receipt.Esito != gateway.EsitoEseguito {
			t.Fatalf("after a late negative RT: cart %s, receipt %+v", c.State, p.Receipt)
		}
	})
}

func TestRefusals(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		sp := h.newSentCart(1050)
		other := h.newSentCart(300)
		good := sp.rt(t, rpt.EsitoEseguito)
		withHead := func(f func(*head)) string {
			hd := sp.head()
			f(&hd)
			return envelope(hd, ptr(""), good)
		}
		// An RT for a payment Ponte never made: same ente, unknown IUV.
		unknown := *sp
		unknownRPT := *sp.rpt
		unknownRPT.IUV = "01999999999999999"
		unknown.rpt = &unknownRPT
		unknownHead := sp.head()
		unknownHead.IUV = unknownRPT.IUV

		for _, c := range []struct {
			name, env, code, id string
		}{
			{"unknown RPT", envelope(unknownHead, ptr(""), unknown.rt(t, rpt.EsitoEseguito)), CodeRPTSconosciuta, testDominio},
			{"unknown dominio", withHead(func(hd *head) { hd.Dominio = "12345678901" }), CodeIDDominioErrato, "12345678901"},
			{"wrong intermediario", withHead(func(hd *head) { hd.Interm = "99999999999" }), CodeIDIntermediarioErrato, testDominio},
			{"wrong stazione", withHead(func(hd *head) { hd.Stazione = testInterm + "_02" }), CodeStazioneIntErrata, testDominio},
			{"another ente's dominio", withHead(func(hd *head) { hd.Dominio = otherDominio }), CodeIDIntermediarioErrato, otherDominio},
			{"header IUV not the RT's", withHead(func(hd *head) { hd.IUV = other.p.IUV }), CodeSemantica, testDominio},
			{"header CCP not the RT's", withHead(func(hd *head) { hd.CCP = other.p.CCP }), CodeSemantica, testDominio},
			{"non-XML rt", envelope(sp.head(), ptr(""), []byte("questa non è una RT")), CodeSintassiXSD, testDominio},
			{"empty rt", envelope(sp.head(), ptr(""), nil), CodeSintassiXSD, testDominio},
			{"schema-invalid RT", envelope(sp.head(), ptr(""),
				mustReplace(t, good, "<codiceEsitoPagamento>0<", "<codiceEsitoPagamento>9<")), CodeSintassiXSD, testDominio},
			{"RPT instead of RT", envelope(sp.head(), ptr(""), sp.p.RPT), CodeSintassiXSD, testDominio},
			{"tipoFirma 1", envelope(sp.head(), ptr("1"), good), CodeTipoFirmaSconosciuto, testDominio},
			{"tipoFirma XAdES", envelope(sp.head(), ptr("3"), good), CodeTipoFirmaSconosciuto, testDominio},
			{"esito 0 not paying the RPT's total", envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoEseguito, func(r *rpt.Receipt) {
				r.Payments[0].SingoloImportoPagato = 1000
				r.ImportoTotalePagato = 1000
			})), CodeSemantica, testDominio},
			{"total not the sum", envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoEseguito, func(r *rpt.Receipt) {
				r.ImportoTotalePagato = 2100
			})), CodeSemantica, testDominio},
			{"negative with money", envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoNonEseguito, func(r *rpt.Receipt) {
				r.Payments[0].SingoloImportoPagato = 1050
				r.ImportoTotalePagato = 1050
			})), CodeSemantica, testDominio},
			{"RT naming another payment", envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoEseguito, func(r *rpt.Receipt) {
				r.CCP = other.p.CCP
			})), CodeSemantica, testDominio}, // header ≠ RT is caught before the RPT
		} {
			t.Run(c.name, func(t *testing.T) {
				h.t = t
				a := h.send(c.env)
				wantFault(t, a, c.code, c.id)
				if ev := h.rec.last(); ev.Esito != esitoKO || ev.FaultCode != c.code {
					t.Errorf("journal event %+v", ev)
				}
			})
		}
		h.t = t
		// Nothing of the above was stored.
		if _, p := h.state(sp); p.State != gateway.PaymentSent || p.Receipt != nil || h.receiptRows(sp.p.ID) != 0 {
			t.Fatalf("payment %s, receipt stored: %v, after refusals", p.State, p.Receipt != nil)
		}
		if c, _ := h.state(sp); c.State != gateway.CartInCorso {
			t.Fatalf("cart %s after refusals", c.State)
		}
	})
}

// Violations of the echo rules are accepted (policy.go) and logged.
func TestEchoViolationsAccepted(t *testing.T) {
	h := newHarness(t, "sqlite")
	sp := h.newSentCart(1050, 200)
	doc := sp.rt(t, rpt.EsitoEseguito, func(r *rpt.Receipt) {
		r.RiferimentoMessaggioRichiesta = "RiferimentoMessaggioRichiesta"
		r.RiferimentoDataRichiesta = r.RiferimentoDataRichiesta.AddDate(0, 0, -1)
		r.Pagatore.Codice = "VRDGPP80A01H501X"
		r.EnteBeneficiario.Codice = otherDominio
		r.Stazione = "altra_stazione"
	})
	wantOK(t, h.send(envelope(sp.head(), ptr(""), doc)))
	if c, _ := h.state(sp); c.State != gateway.CartPagato {
		t.Fatalf("cart %s", c.State)
	}
	logs := h.logs.String()
	for _, rule := range []rpt.Rule{rpt.RuleRiferimentoMessaggio, rpt.RuleRiferimentoData, rpt.RulePagatore,
		rpt.RuleEnteBeneficiario, rpt.RuleStazione} {
		if !strings.Contains(logs, string(rule)+":") {
			t.Errorf("no warning about %s in the log:\n%s", rule, logs)
		}
	}
	if !strings.Contains(logs, "level=WARN") {
		t.Errorf("the warning is not at WARN level:\n%s", logs)
	}
}

// A negative RT with fewer datiSingoloPagamento than versamenti is odd
// but pays nothing: accepted.
func TestNegativeWithOddPaymentsAccepted(t *testing.T) {
	h := newHarness(t, "sqlite")
	sp := h.newSentCart(1050, 200, 300)
	doc := sp.rt(t, rpt.EsitoNonEseguito, func(r *rpt.Receipt) { r.Payments = r.Payments[:2] })
	wantOK(t, h.send(envelope(sp.head(), ptr(""), doc)))
	if c, _ := h.state(sp); c.State != gateway.CartNonPagato {
		t.Fatalf("cart %s", c.State)
	}
}

func TestEnvelopeSyntax(t *testing.T) {
	h := newHarness(t, "sqlite")
	sp := h.newSentCart(1050)
	good := envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoEseguito))
	b64 := base64.StdEncoding.EncodeToString(sp.rt(t, rpt.EsitoEseguito))
	longCCP := sp.head()
	longCCP.CCP = strings.Repeat("9", 36)
	emptyIUV := sp.head()
	emptyIUV.IUV = " "
	noHeader := good[:strings.Index(good, "<SOAP-ENV:Header>")] + good[strings.Index(good, "</SOAP-ENV:Header>")+len("</SOAP-ENV:Header>"):]
	body := func(inner string) string {
		a := strings.Index(good, `<ns3:paaInviaRT `)
		a += strings.Index(good[a:], ">") + 1
		return good[:a] + inner + good[strings.Index(good, "</ns3:paaInviaRT>"):]
	}
	for _, c := range []struct{ name, env, id string }{
		{"rt missing", body(`<tipoFirma/>`), testDominio},
		{"rt not base64", body(`<tipoFirma/><rt>@@@ non base64 @@@</rt>`), testDominio},
		{"rt twice", body(`<rt>` + b64 + `</rt><rt>` + b64 + `</rt>`), testDominio},
		{"tipoFirma after rt", body(`<rt>` + b64 + `</rt><tipoFirma/>`), testDominio},
		{"unknown element", body(`<tipoFirma/><rt>` + b64 + `</rt><firma>x</firma>`), testDominio},
		{"qualified rt", body(`<ns3:rt>` + b64 + `</ns3:rt>`), testDominio},
		{"rt with children", body(`<rt><x>` + b64 + `</x></rt>`), testDominio},
		{"text in the body", body(`testo<rt>` + b64 + `</rt>`), testDominio},
		{"no intestazionePPT", noHeader, ""},
		{"CCP of 36 characters", envelope(longCCP, ptr(""), sp.rt(t, rpt.EsitoEseguito)), testDominio},
		{"blank IUV", envelope(emptyIUV, ptr(""), sp.rt(t, rpt.EsitoEseguito)), testDominio},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.t = t
			wantFault(t, h.send(c.env), CodeSintassiExtraXSD, c.id)
		})
	}
	h.t = t
	if _, p := h.state(sp); p.Receipt != nil {
		t.Fatal("an RT was stored from a broken envelope")
	}
	// What stays a SOAP fault: an envelope that is not XML at all.
	status, raw := h.post(good[:len(good)-40])
	if status != http.StatusInternalServerError || !strings.Contains(string(raw), "soapenv:Client") {
		t.Fatalf("truncated envelope: HTTP %d %s", status, raw)
	}
	// The good one still goes through after all that.
	wantOK(t, h.send(good))
}

func TestNotSupportedOperations(t *testing.T) {
	h := newHarness(t, "sqlite")
	for _, c := range []struct{ op, body string }{
		{"paaInviaEsitoStorno", `<identificativoIntermediarioPA>` + testInterm + `</identificativoIntermediarioPA>` +
			`<identificativoStazioneIntermediarioPA>` + testStazione + `</identificativoStazioneIntermediarioPA>` +
			`<identificativoDominio>` + testDominio + `</identificativoDominio>` +
			`<identificativoUnivocoVersamento>01000000000000001</identificativoUnivocoVersamento>` +
			`<codiceContestoPagamento>CCP1</codiceContestoPagamento><er>PEVSLz4=</er>`},
		{"paaInviaRichiestaRevoca", `<identificativoDominio>` + testDominio + `</identificativoDominio>` +
			`<identificativoUnivocoVersamento>01000000000000001</identificativoUnivocoVersamento>` +
			`<codiceContestoPagamento>CCP1</codiceContestoPagamento><rr>PFJSLz4=</rr>`},
	} {
		t.Run(c.op, func(t *testing.T) {
			env := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppt="` + NS + `">` +
				`<soapenv:Body><ppt:` + c.op + `>` + c.body + `</ppt:` + c.op + `></soapenv:Body></soapenv:Envelope>`
			status, raw := h.post(env)
			if status != http.StatusOK {
				t.Fatalf("HTTP %d %s", status, raw)
			}
			m := bodyRe.FindSubmatch(raw)
			validateBoth(t, m[1])
			s := string(m[1])
			for _, want := range []string{`<ns2:` + c.op + `Risposta xmlns:ns2="` + NS + `"><` + c.op + `Risposta><fault>`,
				`<faultCode>PAA_SYSTEM_ERROR</faultCode>`, `<id>` + testDominio + `</id>`, `non è ancora supportata`,
				`</fault><esito>KO</esito></` + c.op + `Risposta>`} {
				if !strings.Contains(s, want) {
					t.Errorf("answer lacks %s: %s", want, s)
				}
			}
			if ev := h.rec.last(); ev.Operation != c.op || ev.FaultCode != CodeSystemError || ev.Esito != esitoKO {
				t.Errorf("journal event %+v", ev)
			}
		})
	}
}

// mustReplace replaces the one occurrence of old in b.
func mustReplace(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if bytes.Count(b, []byte(old)) != 1 {
		t.Fatalf("%q is not in the document once:\n%s", old, b)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// failingRecord is the real store whose RecordRT fails, as when the
// database is unreachable at the last step.
type failingRecord struct{ gateway.CartStore }

func (failingRecord) RecordRT(context.Context, int64, *gateway.Receipt) (gateway.RTOutcome, error) {
	return 0, errors.New("connection reset by peer")
}

// A store failure answers a SOAP Server fault, which every node retries
// (a KO would end the legacy node's deliveries), stores nothing, and the
// retry is accepted.
func TestStoreFailureIsSystemError(t *testing.T) {
	h := newHarness(t, "sqlite")
	sp := h.newSentCart(1050)
	env := envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoEseguito))

	failing, err := New(Config{Carts: failingRecord{h.db}, Enti: h.db, Clock: gateway.FixedClock{T: testNow},
		Logger: slog.New(slog.NewTextHandler(h.logs, nil))})
	must(t, err)
	ep := soap.NewEndpoint("NODO", soap.DefaultServerConfig(), h.rec, slog.New(slog.DiscardHandler))
	failing.Register(ep)
	srv := httptest.NewServer(ep)
	defer srv.Close()
	serverFault := func(env, url string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(env))
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		req.Header.Set("SOAPAction", "paaInviaRT")
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "<faultcode>soapenv:Server</faultcode>") ||
			strings.Contains(string(body), "connection reset") || strings.Contains(string(body), "closed") {
			t.Errorf("want a SOAP Server fault without the cause, got %d %s", resp.StatusCode, body)
		}
	}
	serverFault(env, srv.URL)
	if !strings.Contains(h.logs.String(), "connection reset by peer") {
		t.Errorf("the cause was not logged")
	}
	if _, p := h.state(sp); p.Receipt != nil {
		t.Fatal("stored although RecordRT failed")
	}
	wantOK(t, h.send(env))

	// The ente registry failing is the same.
	h.db.Close()
	serverFault(envelope(sp.head(), ptr(""), sp.rt(t, rpt.EsitoNonEseguito)), h.srv.URL)
}
