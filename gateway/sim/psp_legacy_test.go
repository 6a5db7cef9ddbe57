package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/papernodo"
	"github.com/ponte-pagopa/ponte/generated/papernodopsp"
	"github.com/ponte-pagopa/ponte/generated/wire"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// navLegacy is a notice of tDom (aux digit 3, segregation code 01).
const navLegacy = "301000000000000144"

// legacyReq is one request the fake legacy station received.
type legacyReq struct {
	Action       string
	Header, Body []byte // standalone intestazionePPT and operation element
	Head         papernodopsp.IntestazionePPT
	Attiva       papernodopsp.PaaAttivaRPT
	InviaRT      papernodo.PaaInviaRT
}

// legacyEnte is an ente's PaPerNodo endpoint on the old modello 3: it
// answers paaVerificaRPT and paaAttivaRPT, and after an activation sends
// the RPT to the node with nodoInviaRPT (with the CCP and PSP of the
// activation), as Ponte does; it accepts every paaInviaRT.
type legacyEnte struct {
	t       *testing.T
	srv     *httptest.Server
	simURL  string        // the node's NodoPerPa endpoint
	amount  gateway.Cents // of the position
	iban    string
	verifKO string // fault code of paaVerificaRPT, "" for OK
	attKO   string // fault code of paaAttivaRPT
	noRPT   bool   // activate but never send the RPT

	mu   sync.Mutex
	got  []legacyReq
	sent []nodoperpa.NodoInviaRPTRisposta
	wg   sync.WaitGroup
	errs []error
	rpts []*rpt.Request
}

func newLegacyEnte(t *testing.T) *legacyEnte {
	e := &legacyEnte{t: t, amount: 2550, iban: tIBAN}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(func() {
		e.wg.Wait()
		e.srv.Close()
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, err := range e.errs {
			t.Error(err)
		}
	})
	return e
}

func (e *legacyEnte) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rq := legacyReq{Action: r.Header.Get("SOAPAction")}
	s := string(raw)
	if i, j := strings.Index(s, "<soapenv:Header>"), strings.Index(s, "</soapenv:Header>"); i >= 0 && j > i {
		rq.Header = []byte(s[i+len("<soapenv:Header>") : j])
		_ = xml.Unmarshal(rq.Header, &rq.Head)
	}
	if i, j := strings.Index(s, "<soapenv:Body>"), strings.Index(s, "</soapenv:Body>"); i >= 0 && j > i {
		rq.Body = []byte(s[i+len("<soapenv:Body>") : j])
	}
	sr, err := soap.Decode(bytes.NewReader(raw), soap.Limits{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var answer any
	e.mu.Lock()
	amount, iban, verifKO, attKO, noRPT := e.amount, e.iban, e.verifKO, e.attKO, e.noRPT
	e.mu.Unlock()
	dati := &papernodopsp.PaaTipoDatiPagamentoPA{ImportoSingoloVersamento: wire.AmountOf(amount),
		IbanAccredito: papernodopsp.StIBANIdentifier(iban), CausaleVersamento: "TARI 2026"}
	ko := func(code string) papernodopsp.Risposta {
		return papernodopsp.Risposta{Fault: &papernodopsp.FaultBean{FaultCode: code, FaultString: code, Id: tDom, Description: "rifiutato dall'ente"}}
	}
	switch rq.Action {
	case OpPaaVerificaRPT:
		a := papernodopsp.EsitoVerificaRPT{Esito: "OK", DatiPagamentoPA: dati}
		if verifKO != "" {
			a = papernodopsp.EsitoVerificaRPT{Risposta: ko(verifKO), Esito: "KO"}
		}
		answer = papernodopsp.PaaVerificaRPTRisposta{PaaVerificaRPTRisposta: a}
	case OpPaaAttivaRPT:
		_ = sr.DecodeBody(&rq.Attiva)
		a := papernodopsp.EsitoAttivaRPT{Esito: "OK", DatiPagamentoPA: dati}
		if attKO != "" {
			a = papernodopsp.EsitoAttivaRPT{Risposta: ko(attKO), Esito: "KO"}
		} else if !noRPT {
			e.wg.Add(1)
			go e.sendRPT(rq.Head, rq.Attiva)
		}
		answer = papernodopsp.PaaAttivaRPTRisposta{PaaAttivaRPTRisposta: a}
	case OpPaaInviaRT:
		_ = sr.DecodeBody(&rq.InviaRT)
		answer = papernodo.PaaInviaRTRisposta{PaaInviaRTRisposta: papernodo.EsitoPaaInviaRT{Esito: "OK"}}
	default:
		http.Error(w, "SOAPAction "+rq.Action, http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.got = append(e.got, rq)
	e.mu.Unlock()
	b, err := xml.Marshal(answer)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`+string(b)+`</soapenv:Body></soapenv:Envelope>`)
}

// sendRPT builds the RPT of an activation with gateway/rpt and sends it to
// the node with nodoInviaRPT.
func (e *legacyEnte) sendRPT(h papernodopsp.IntestazionePPT, a papernodopsp.PaaAttivaRPT) {
	defer e.wg.Done()
	fail := func(err error) {
		e.mu.Lock()
		e.errs = append(e.errs, fmt.Errorf("ente sending nodoInviaRPT: %w", err))
		e.mu.Unlock()
	}
	e.mu.Lock()
	simURL, iban := e.simURL, e.iban
	e.mu.Unlock()
	now := time.Date(2026, 11, 23, 17, 13, 30, 0, gateway.Rome)
	req := &rpt.Request{Dominio: string(h.IdentificativoDominio), Stazione: string(h.IdentificativoStazioneIntermediarioPA),
		IdentificativoMessaggioRichiesta: rpt.NewMessageID(), DataOra: now, DataEsecuzione: now,
		Pagatore:         rpt.Soggetto{Tipo: "F", Codice: "RSSMRA80A01H501U", Anagrafica: "Mario Rossi"},
		EnteBeneficiario: rpt.Ente{Codice: tDom, Denominazione: "Comune di Prova"},
		TipoVersamento:   "PO", IUV: string(h.IdentificativoUnivocoVersamento), CCP: string(h.CodiceContestoPagamento),
		Items: []rpt.Item{{Amount: a.DatiPagamentoPSP.ImportoSingoloVersamento.Cents(), IBANAccredito: iban,
			Causale: "TARI 2026", DatiSpecificiRiscossione: "9/0101100IM/"}}}
	doc, err := rpt.Build(req)
	if err != nil {
		fail(err)
		return
	}
	head := nodoperpa.IntestazionePPT{IdentificativoIntermediarioPA: nodoperpa.StText35(h.IdentificativoIntermediarioPA),
		IdentificativoStazioneIntermediarioPA: nodoperpa.StText35(h.IdentificativoStazioneIntermediarioPA),
		IdentificativoDominio:                 nodoperpa.StText35(h.IdentificativoDominio),
		IdentificativoUnivocoVersamento:       nodoperpa.StText35(h.IdentificativoUnivocoVersamento),
		CodiceContestoPagamento:               nodoperpa.StText35(h.CodiceContestoPagamento)}
	body := nodoperpa.NodoInviaRPT{Password: tPwd, IdentificativoPSP: nodoperpa.StText35(a.IdentificativoPSP),
		IdentificativoIntermediarioPSP: nodoperpa.StText35(a.IdentificativoIntermediarioPSP),
		IdentificativoCanale:           nodoperpa.StText35(a.IdentificativoCanalePSP), Rpt: doc}
	hb, err := xml.Marshal(head)
	if err != nil {
		fail(err)
		return
	}
	bb, err := xml.Marshal(body)
	if err != nil {
		fail(err)
		return
	}
	env := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header>` + string(hb) +
		`</soapenv:Header><soapenv:Body>` + string(bb) + `</soapenv:Body></soapenv:Envelope>`
	hr, err := http.NewRequest(http.MethodPost, simURL, strings.NewReader(env))
	if err != nil {
		fail(err)
		return
	}
	hr.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hr.Header.Set("SOAPAction", OpInviaRPT)
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		fail(err)
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	sr, err := soap.Decode(bytes.NewReader(raw), soap.Limits{})
	if err != nil {
		fail(fmt.Errorf("%v: %s", err, raw))
		return
	}
	var out nodoperpa.NodoInviaRPTRisposta
	if err := sr.DecodeBody(&out); err != nil {
		fail(err)
		return
	}
	e.mu.Lock()
	e.sent = append(e.sent, out)
	e.rpts = append(e.rpts, req)
	e.mu.Unlock()
}

// set changes the ente's behaviour under its lock.
func (e *legacyEnte) set(f func(*legacyEnte)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(e)
}

func (e *legacyEnte) requests(action string) []legacyReq {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []legacyReq
	for _, r := range e.got {
		if action == "" || r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

// legacyHarness is a node whose station tStaz is the fake ente, with a
// Deliverer sending the RTs.
func legacyHarness(t *testing.T) (*harness, *legacyEnte, *Deliverer) {
	e := newLegacyEnte(t)
	h, d := deliveringHarness(t, e.srv.URL+"/ws/nodo/PaPerNodo", fastRetry)
	e.set(func(e *legacyEnte) { e.simURL = h.srv.URL + DefaultSOAPPath })
	return h, e, d
}

func TestLegacyPSPDeskPays(t *testing.T) {
	h, ente, d := legacyHarness(t)
	// Through the JSON endpoint, as a tester does.
	resp, err := http.Post(h.srv.URL+PSPPath+"/pay", "application/json",
		strings.NewReader(`{"fiscalCode":"`+tDom+`","noticeNumber":"`+navLegacy+`","sync":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res PSPResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d %v", resp.StatusCode, err)
	}
	key := RPTKey{tDom, "01000000000000144", res.CCP}
	if res.Outcome != PSPPaid || !res.Legacy || res.IUV != key.IUV || res.CCP == "" || len(res.CCP) > 35 ||
		res.Verify.Amount != 2550 || res.Verify.PaymentDescription != "TARI 2026" || res.Activation == nil || res.Activation.Amount != 2550 {
		t.Fatalf("result %+v", res)
	}
	if res.RT == nil || res.RT.State != RTAccettataPA || !res.RT.Delivered() || res.Session == "" || res.Detail != "" {
		t.Fatalf("RT %+v, session %q, detail %q", res.RT, res.Session, res.Detail)
	}

	// What the node sent: header with the key, the PSP of the registry,
	// the verified amount; every message valid for the schemas.
	ver, att := ente.requests(OpPaaVerificaRPT), ente.requests(OpPaaAttivaRPT)
	if len(ver) != 1 || len(att) != 1 {
		t.Fatalf("%d verifiche, %d attivazioni", len(ver), len(att))
	}
	for _, rq := range []legacyReq{ver[0], att[0]} {
		hd := rq.Head
		if hd.IdentificativoIntermediarioPA != tInt || hd.IdentificativoStazioneIntermediarioPA != tStaz || string(hd.IdentificativoDominio) != tDom ||
			string(hd.IdentificativoUnivocoVersamento) != key.IUV || string(hd.CodiceContestoPagamento) != key.CCP {
			t.Errorf("%s intestazionePPT %+v", rq.Action, hd)
		}
	}
	a := att[0].Attiva
	if a.IdentificativoPSP != WISPPSP || a.IdentificativoIntermediarioPSP != WISPIntermediarioPSP || a.IdentificativoCanalePSP != WISPCanale ||
		a.DatiPagamentoPSP.ImportoSingoloVersamento != wire.AmountOf(2550) {
		t.Errorf("paaAttivaRPT %+v", a)
	}
	types, head := refSchemasPaPerNodoPsp(t)
	for _, rq := range append(ver, att...) {
		xsdtest.Validate(t, xsdtest.Path("papernodopsp-types.xsd"), rq.Body)
		xsdtest.Validate(t, xsdtest.Path("papernodo-ppthead.xsd"), rq.Header)
		if types != "" {
			xsdtest.Validate(t, types, rq.Body)
			xsdtest.Validate(t, head, rq.Header)
		}
	}

	// The station's RPT was accepted and answered by a positive RT through
	// paaInviaRT, matching the RPT.
	settle(t, d, nil)
	ente.mu.Lock()
	sent, rpts := ente.sent, ente.rpts
	ente.mu.Unlock()
	if len(sent) != 1 || sent[0].Esito != "OK" || sent[0].Fault != nil {
		t.Fatalf("nodoInviaRPT answers %+v", sent)
	}
	inv := ente.requests(OpPaaInviaRT)
	if len(inv) != 1 {
		t.Fatalf("%d paaInviaRT", len(inv))
	}
	if hd := inv[0].Head; string(hd.CodiceContestoPagamento) != key.CCP || string(hd.IdentificativoUnivocoVersamento) != key.IUV {
		t.Errorf("paaInviaRT header %+v", hd)
	}
	rt, err := rpt.ParseRT(inv[0].InviaRT.Rt)
	if err != nil {
		t.Fatal(err)
	}
	if rt.Esito != rpt.EsitoEseguito || rt.IUV != key.IUV || rt.CCP != key.CCP {
		t.Errorf("RT esito %d IUV %s CCP %s", rt.Esito, rt.IUV, rt.CCP)
	}
	if err := rpt.Check(rpts[0], rt); err != nil {
		t.Errorf("RT does not match the RPT: %v", err)
	}
	if ds := h.node.Deliveries(key); ds.Accepted != 1 || ds.Attempts != 1 {
		t.Errorf("deliveries %+v", ds)
	}
	if si, ok := h.node.Session(res.Session); !ok || si.Status != SessionPaid || si.URL != "" {
		t.Errorf("session %+v", si)
	}

	// The desk page shows the legacy payment.
	resp2, err := http.PostForm(h.srv.URL+PSPPath, map[string][]string{"fiscalCode": {tDom}, "noticeNumber": {"301000000000000255"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusOK || !strings.Contains(string(page), "Pagato") || !strings.Contains(string(page), "Modello 3") {
		t.Errorf("page HTTP %d: %s", resp2.StatusCode, page)
	}
	settle(t, d, nil)
}

func TestLegacyPSPDeskRefusals(t *testing.T) {
	t.Run("verify KO", func(t *testing.T) {
		h, ente, _ := legacyHarness(t)
		ente.set(func(e *legacyEnte) { e.verifKO = "PAA_PAGAMENTO_DUPLICATO" })
		res, err := h.node.PayNotice(context.Background(), tDom, navLegacy, PayOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != PSPVerifyKO || !res.Legacy || res.Verify.FaultCode != "PAA_PAGAMENTO_DUPLICATO" || res.Verify.ByNode ||
			res.Verify.FaultID != tDom || res.Activation != nil {
			t.Errorf("result %+v", res)
		}
		if n := len(ente.requests(OpPaaAttivaRPT)); n != 0 {
			t.Errorf("%d activations after a KO verify", n)
		}
	})
	t.Run("activation KO", func(t *testing.T) {
		h, ente, _ := legacyHarness(t)
		ente.set(func(e *legacyEnte) { e.attKO = "PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO" })
		res, _ := h.node.PayNotice(context.Background(), tDom, navLegacy, PayOptions{Amount: 100})
		if res.Outcome != PSPActivationKO || res.Activation == nil || res.Activation.FaultCode != "PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO" ||
			res.Activation.ByNode {
			t.Fatalf("result %+v", res)
		}
		if a := ente.requests(OpPaaAttivaRPT); len(a) != 1 || a[0].Attiva.DatiPagamentoPSP.ImportoSingoloVersamento != wire.AmountOf(100) {
			t.Errorf("activation %+v", a)
		}
	})
	t.Run("IBAN not registered", func(t *testing.T) {
		h, ente, _ := legacyHarness(t)
		ente.set(func(e *legacyEnte) { e.iban = tIBAN2 })
		res, _ := h.node.PayNotice(context.Background(), tDom, navLegacy, PayOptions{})
		if res.Outcome != PSPVerifyKO || !res.Verify.ByNode || res.Verify.FaultCode != PPTIBANNonCensito {
			t.Errorf("verify %+v", res.Verify)
		}
	})
	t.Run("RPT never sent", func(t *testing.T) {
		h, ente, _ := legacyHarness(t)
		ente.set(func(e *legacyEnte) { e.noRPT = true })
		start := time.Now()
		res, _ := h.node.PayNotice(context.Background(), tDom, navLegacy, PayOptions{RPTTimeout: 100 * time.Millisecond})
		if res.Outcome != PSPRPTNotReceived || res.Detail == "" || res.RT != nil || time.Since(start) > 3*time.Second {
			t.Errorf("result %+v after %s", res, time.Since(start))
		}
		if n := len(ente.requests(OpPaaInviaRT)); n != 0 {
			t.Errorf("%d paaInviaRT", n)
		}
	})
	t.Run("station down", func(t *testing.T) {
		h, _ := deliveringHarness(t, refusedURL(t), fastRetry)
		res, _ := h.node.PayNotice(context.Background(), tDom, navLegacy, PayOptions{})
		if res.Outcome != PSPVerifyKO || !res.Verify.ByNode || res.Verify.FaultCode != PPTStazioneIrraggiungibile {
			t.Errorf("verify %+v", res.Verify)
		}
	})
}

// refSchemasPaPerNodoPsp extracts the inline schemas of the reference
// PaPerNodoPagamentoPsp.wsdl, each with the WSDL root's namespace
// declarations and its relative schemaLocations made absolute; "" when
// the reference tree is absent.
func refSchemasPaPerNodoPsp(t *testing.T) (types, head string) {
	t.Helper()
	wsdl := xsdtest.RefPath("pagopa/pagopa-api/gad/wsdl/PaPerNodoPagamentoPsp.wsdl")
	if wsdl == "" {
		return "", ""
	}
	doc, err := os.ReadFile(wsdl)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	root := s[strings.Index(s, "<wsdl:definitions"):]
	root = root[:strings.Index(root, ">")]
	decls := regexp.MustCompile(`xmlns:\w+="[^"]*"`).FindAllString(root, -1)
	tnsRE := regexp.MustCompile(`targetNamespace="([^"]*)"`)
	xsdDir := filepath.Join(filepath.Dir(wsdl), "..", "xsd")
	dir := t.TempDir()
	for rest := s; ; {
		a := strings.Index(rest, "<xsd:schema")
		if a < 0 {
			break
		}
		b := a + strings.Index(rest[a:], "</xsd:schema>") + len("</xsd:schema>")
		text := rest[a:b]
		rest = rest[b:]
		open := text[:strings.Index(text, ">")]
		var extra []string
		for _, d := range decls {
			if !strings.Contains(open, strings.SplitN(d, "=", 2)[0]+"=") {
				extra = append(extra, d)
			}
		}
		text = "<xsd:schema " + strings.Join(extra, " ") + text[len("<xsd:schema"):]
		text = strings.ReplaceAll(text, `schemaLocation="../xsd/`, `schemaLocation="`+xsdDir+`/`)
		file := filepath.Join(dir, "types.xsd")
		if tnsRE.FindStringSubmatch(open)[1] == NSPPTHead {
			file = filepath.Join(dir, "head.xsd")
			head = file
		} else {
			types = file
		}
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if types == "" || head == "" {
		t.Fatal("inline schemas of PaPerNodoPagamentoPsp.wsdl not found")
	}
	return types, head
}
