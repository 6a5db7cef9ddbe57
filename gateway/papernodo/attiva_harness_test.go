package papernodo

import (
	"context"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/node"
	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	psp "github.com/ponte-pagopa/ponte/generated/papernodopsp"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

const (
	testPSP      = "BNLIITRR"
	testCanale   = "BNLIITRR_01"
	testPassword = "password01"
)

// newAvviso stores a payable dovuto of the test ente (120.50 €) with a
// fresh IUV and returns it.
func (h *harness) newAvviso(mutate ...func(*gateway.Dovuto)) *gateway.Dovuto {
	h.t.Helper()
	n := iuvSeq.Add(1)
	d := &gateway.Dovuto{
		EnteID: h.ente.ID, IUD: fmt.Sprintf("AVV-%d", n), IUV: fmt.Sprintf("01%015d", n),
		TipoDovuto: "TARI", TipoVersamento: "ALL", Amount: 12050, Causale: "TARI 2026 rata unica",
		DatiSpecificiRiscossione: "9/0101100IM/",
		Payer:                    &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi"},
	}
	for _, m := range mutate {
		m(d)
	}
	must(h.t, h.db.InsertDovuto(context.Background(), d))
	return d
}

// setDovutoState moves a dovuto behind the store's back.
func (h *harness) setDovutoState(d *gateway.Dovuto, st gateway.DovutoState) {
	h.t.Helper()
	driver, dsn := "postgres", h.url
	if strings.HasPrefix(h.url, "sqlite:") {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(h.url, "sqlite:")+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	must(h.t, err)
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf("UPDATE dovuto SET state = '%s' WHERE id = %d", st, d.ID))
	must(h.t, err)
}

func (h *harness) dovutoState(d *gateway.Dovuto) gateway.DovutoState {
	h.t.Helper()
	got, err := h.db.FindDovutoByIUD(context.Background(), d.EnteID, d.IUD)
	must(h.t, err)
	return got.State
}

// noticeHead is the intestazionePPT the node sends for the avviso.
func noticeHead(iuvCode, ccp string) head {
	return head{testInterm, testStazione, testDominio, iuvCode, ccp}
}

// pspEnvelope writes a PaPerNodoPagamentoPsp request as the node does:
// the RPT/RT prefix declared on the Envelope, body children unqualified.
func pspEnvelope(h head, body string) string {
	return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ws="` + NS + `"` +
		` xmlns:pag="http://www.digitpa.gov.it/schemas/2011/Pagamenti/"><soapenv:Header>` +
		fmt.Sprintf(`<ppthead:intestazionePPT xmlns:ppthead="%s"><identificativoIntermediarioPA>%s</identificativoIntermediarioPA>`+
			`<identificativoStazioneIntermediarioPA>%s</identificativoStazioneIntermediarioPA>`+
			`<identificativoDominio>%s</identificativoDominio><identificativoUnivocoVersamento>%s</identificativoUnivocoVersamento>`+
			`<codiceContestoPagamento>%s</codiceContestoPagamento></ppthead:intestazionePPT>`, NSHead, h.Interm, h.Stazione, h.Dominio, h.IUV, h.CCP) +
		`</soapenv:Header><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
}

func verificaBody() string {
	return `<ws:paaVerificaRPT><identificativoPSP>` + testPSP + `</identificativoPSP></ws:paaVerificaRPT>`
}

// attivaBody is paaAttivaRPT for amount, with a soggettoPagatore in the
// RPT/RT namespace.
func attivaBody(amount string) string {
	return `<ws:paaAttivaRPT><identificativoPSP>` + testPSP + `</identificativoPSP><datiPagamentoPSP>` +
		`<importoSingoloVersamento>` + amount + `</importoSingoloVersamento>` +
		`<soggettoPagatore><pag:identificativoUnivocoPagatore><pag:tipoIdentificativoUnivoco>F</pag:tipoIdentificativoUnivoco>` +
		`<pag:codiceIdentificativoUnivoco>BNCGVN80A01H501X</pag:codiceIdentificativoUnivoco></pag:identificativoUnivocoPagatore>` +
		`<pag:anagraficaPagatore>Giovanni Bianchi</pag:anagraficaPagatore></soggettoPagatore>` +
		`</datiPagamentoPSP><identificativoIntermediarioPSP>` + testPSP + `</identificativoIntermediarioPSP>` +
		`<identificativoCanalePSP>` + testCanale + `</identificativoCanalePSP></ws:paaAttivaRPT>`
}

// pspAnswer is a decoded paaVerificaRPT or paaAttivaRPT answer.
type pspAnswer struct {
	Body  []byte
	Esito string
	Fault *psp.FaultBean
	Dati  *psp.PaaTipoDatiPagamentoPA
}

func (a pspAnswer) code() string {
	if a.Fault == nil {
		return ""
	}
	return a.Fault.FaultCode
}

// call posts env with SOAPAction op, requires an HTTP 200 answer valid
// against Ponte's schema and the reference one, and decodes it.
func (h *harness) call(op, env string) pspAnswer {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL, strings.NewReader(env))
	must(h.t, err)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", op)
	resp, err := http.DefaultClient.Do(req)
	must(h.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(h.t, err)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("HTTP %d: %s", resp.StatusCode, raw)
	}
	m := bodyRe.FindSubmatch(raw)
	if m == nil {
		h.t.Fatalf("no body in %s", raw)
	}
	a := pspAnswer{Body: m[1]}
	validatePSP(h.t, a.Body)
	switch op {
	case "paaVerificaRPT":
		var v psp.PaaVerificaRPTRisposta
		must(h.t, xml.Unmarshal(a.Body, &v))
		r := v.PaaVerificaRPTRisposta
		a.Esito, a.Fault, a.Dati = r.Esito, r.Fault, r.DatiPagamentoPA
	case "paaAttivaRPT":
		var v psp.PaaAttivaRPTRisposta
		must(h.t, xml.Unmarshal(a.Body, &v))
		r := v.PaaAttivaRPTRisposta
		a.Esito, a.Fault, a.Dati = r.Esito, r.Fault, r.DatiPagamentoPA
	default:
		h.t.Fatalf("operation %s", op)
	}
	if (a.Esito == esitoOK) != (a.Fault == nil) {
		h.t.Fatalf("esito %s with fault %+v", a.Esito, a.Fault)
	}
	return a
}

func (h *harness) verifica(n head) pspAnswer {
	h.t.Helper()
	return h.call("paaVerificaRPT", pspEnvelope(n, verificaBody()))
}

func (h *harness) attiva(n head, amount string) pspAnswer {
	h.t.Helper()
	return h.call("paaAttivaRPT", pspEnvelope(n, attivaBody(amount)))
}

// wantPSPFault requires a KO with code and faultBean.id the dominio.
func wantPSPFault(t testing.TB, a pspAnswer, code string) {
	t.Helper()
	if a.Esito != esitoKO || a.code() != code {
		t.Fatalf("answer %s, want KO %s", a.Body, code)
	}
	if a.Fault.Id != testDominio || a.Fault.FaultString == "" || a.Fault.Description == "" {
		t.Fatalf("faultBean %+v", a.Fault)
	}
}

// validatePSP checks an answer with xmllint against Ponte's
// papernodopsp-types.xsd and, when the reference tree is present, the
// schema of the reference PaPerNodoPagamentoPsp.wsdl.
func validatePSP(t testing.TB, doc []byte) {
	t.Helper()
	xsdtest.Validate(t, xsdtest.Path(pspSchema), doc)
	if ref := refPSPSchema(t); ref != "" {
		xsdtest.Validate(t, ref, doc)
	}
}

// refPSPSchema is the reference PaPerNodoPagamentoPsp.wsdl's schema
// (refWSDLSchema).
func refPSPSchema(t testing.TB) string {
	return refWSDLSchema(t, "pagopa/pagopa-api/gad/wsdl/PaPerNodoPagamentoPsp.wsdl")
}

// nodeSim is the simulated node with the test ente's station, whose RTs
// go to the harness's PaPerNodo endpoint, and a Sender talking to it.
type nodeSim struct {
	node   *sim.Node
	rec    *recorder
	sender *Sender
	client *node.Client
}

func (h *harness) startNode(cfg SenderConfig) *nodeSim {
	h.t.Helper()
	ctx := context.Background()
	h.ente.StationPassword = testPassword
	must(h.t, h.db.UpdateEnte(ctx, h.ente))
	ns := &nodeSim{rec: &recorder{}}
	var err error
	ns.node, err = sim.New(sim.Config{
		BaseURL:      "http://sim.invalid",
		Intermediari: []sim.IntermediarioPA{{ID: testInterm}},
		Stazioni: []sim.Stazione{{ID: testStazione, Intermediario: testInterm, Password: testPassword,
			PaPerNodoURL: h.srv.URL, PrimitiveVersion: 1, SegregationCode: "01"}},
		Domini:   []sim.Dominio{{ID: testDominio, Name: "Comune di Prova", Stazioni: []string{testStazione}, IBANs: []string{h.ente.IBAN}}},
		PSPs:     []sim.PSP{{ID: testPSP, Name: "PSP di prova", Intermediario: testPSP, Canali: []string{testCanale}}},
		Recorder: ns.rec,
		Log:      slog.New(slog.DiscardHandler),
	}, nil)
	must(h.t, err)
	e := soap.NewEcho(soap.ServerConfig{}, slog.New(slog.DiscardHandler))
	ns.node.Mount(e, "")
	srv := httptest.NewServer(e)
	h.t.Cleanup(srv.Close)
	d := ns.node.StartDelivery(sim.DeliveryConfig{Timeout: 5 * time.Second})
	h.t.Cleanup(func() { d.Close(context.Background()) })

	ns.client, err = node.New(node.Config{URL: srv.URL + sim.DefaultSOAPPath, Timeout: time.Second}, nil, nil)
	must(h.t, err)
	h.t.Cleanup(ns.client.Close)
	cfg.Store, cfg.Enti, cfg.Node = h.db, h.db, ns.client
	ns.sender, err = NewSender(cfg)
	must(h.t, err)
	return ns
}

// session is the node's idSession of the accepted RPT key.
func (ns *nodeSim) session(t testing.TB, iuvCode, ccp string) string {
	t.Helper()
	ns.rec.mu.Lock()
	defer ns.rec.mu.Unlock()
	for _, ev := range ns.rec.evs {
		if ev.IDSession != "" && ev.IUV == iuvCode && ev.CCP == ccp {
			return ev.IDSession
		}
	}
	t.Fatalf("no session at the node for %s/%s", iuvCode, ccp)
	return ""
}

// eventually polls cond for up to 5 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// sendAttempts and sendLast read the sender's record of a payment.
func (h *harness) sendAttempts(paymentID int64) int {
	h.t.Helper()
	var n int
	h.queryRow(fmt.Sprintf("SELECT send_attempts FROM payment WHERE id = %d", paymentID), &n)
	return n
}

func (h *harness) sendLast(paymentID int64) string {
	h.t.Helper()
	var s string
	h.queryRow(fmt.Sprintf("SELECT send_last FROM payment WHERE id = %d", paymentID), &s)
	return s
}

func (h *harness) queryRow(q string, dst any) {
	h.t.Helper()
	driver, dsn := "postgres", h.url
	if strings.HasPrefix(h.url, "sqlite:") {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(h.url, "sqlite:")+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	must(h.t, err)
	defer db.Close()
	must(h.t, db.QueryRow(q).Scan(dst))
}
