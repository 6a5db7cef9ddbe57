package sim

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/pafornode"
	"github.com/ponte-pagopa/ponte/generated/wire"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// The modello unico registry of the tests.
const (
	tMUInt   = "66666666666"
	tMUStaz1 = "66666666666_10"
	tMUStaz2 = "66666666666_11"
	tMUDom1  = "01234567897"
	tMUDom2  = "12345678901"
	tMUIBAN1 = "IT60X0542811101000000123456"
	tMUIBAN2 = "IT45R0760103200000000001016"
	tOKURL   = "https://ente.example/esito?e=ok&t=1"
	tKOURL   = "https://ente.example/esito?e=ko&t=1"
	tCancURL = "https://ente.example/esito?e=annullato&t=1"
)

// Answers of the fake station to paSendRTV2, one per request.
const (
	rtOK      = "ok"
	rtSystem  = "system"  // KO PAA_SYSTEM_ERROR
	rtTimeout = "timeout" // answers after the node's timeout
)

// muTransfer is one transfer of a position.
type muTransfer struct {
	cf, iban string
	amount   gateway.Cents
}

// muPos is a debt position of the fake station.
type muPos struct {
	iuv       string
	transfers []muTransfer
	paid      bool
	badSum    bool // paymentAmount ≠ Σ transferAmount
}

func (p *muPos) amount() gateway.Cents {
	var s gateway.Cents
	for _, t := range p.transfers {
		s += t.amount
	}
	return s
}

// muReq is one paForNode request the station received.
type muReq struct {
	Action string
	Body   []byte // the operation element, standalone
	Verify pafornode.PaVerifyPaymentNoticeReq
	Get    pafornode.PaGetPaymentV2Request
	Send   pafornode.PaSendRTV2Request
}

// muStationFake is an ente's paForNode endpoint with fixed positions.
type muStationFake struct {
	t        *testing.T
	srv      *httptest.Server
	mu       sync.Mutex
	pos      map[string]*muPos // "cf/notice"
	acquired map[string]bool   // receiptIds
	sendRT   []string          // script of paSendRTV2 answers (last repeats)
	sends    int
	delay    time.Duration // before every answer
	got      []muReq
}

func newMUStation(t *testing.T) *muStationFake {
	s := &muStationFake{t: t, pos: map[string]*muPos{}, acquired: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *muStationFake) add(cf, notice string, p *muPos) { s.pos[cf+"/"+notice] = p }

func (s *muStationFake) requests(action string) []muReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []muReq
	for _, r := range s.got {
		if action == "" || r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

func (s *muStationFake) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rq := muReq{Action: r.Header.Get("SOAPAction")}
	sr, err := soap.Decode(bytes.NewReader(raw), soap.Limits{})
	if err != nil {
		s.t.Errorf("station: %v", err)
		return
	}
	if len(sr.HeaderElements) > 0 {
		s.t.Errorf("station: SOAP header sent: %v", sr.HeaderElements[0].Name)
	}
	var re rawElement
	if err := sr.DecodeBody(&re); err != nil {
		s.t.Errorf("station: %v", err)
		return
	}
	rq.Body = re.doc
	s.mu.Lock()
	delay := s.delay
	var resp any
	switch rq.Action {
	case OpPaVerifyPaymentNotice:
		_ = xml.Unmarshal(re.doc, &rq.Verify)
		resp = s.verifyLocked(rq.Verify)
	case OpPaGetPaymentV2:
		_ = xml.Unmarshal(re.doc, &rq.Get)
		resp = s.getLocked(rq.Get)
	case OpPaSendRTV2:
		_ = xml.Unmarshal(re.doc, &rq.Send)
		answer := rtOK
		if len(s.sendRT) > 0 {
			answer = s.sendRT[min(s.sends, len(s.sendRT)-1)]
		}
		s.sends++
		switch {
		case answer == rtTimeout:
			delay = time.Second
		case answer == rtSystem:
			resp = pafornode.PaSendRTV2Response{CtResponse: ko("PAA_SYSTEM_ERROR", "errore interno")}
		case s.acquired[rq.Send.Receipt.ReceiptId]:
			resp = pafornode.PaSendRTV2Response{CtResponse: ko(PAAReceiptDuplicata, "ricevuta già acquisita")}
		default:
			s.acquired[rq.Send.Receipt.ReceiptId] = true
			if p := s.pos[string(rq.Send.Receipt.FiscalCode)+"/"+string(rq.Send.Receipt.NoticeNumber)]; p != nil {
				p.paid = true
			}
			resp = pafornode.PaSendRTV2Response{CtResponse: pafornode.CtResponse{Outcome: "OK"}}
		}
	default:
		s.t.Errorf("station: SOAPAction %q", rq.Action)
	}
	s.got = append(s.got, rq)
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	var b bytes.Buffer
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`)
	if err := xml.NewEncoder(&b).Encode(resp); err != nil {
		s.t.Errorf("station: %v", err)
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Write(b.Bytes())
}

func ko(code, desc string) pafornode.CtResponse {
	return pafornode.CtResponse{Outcome: "KO", Fault: &pafornode.CtFaultBean{FaultCode: pafornode.StFaultCode(code), FaultString: desc, Id: tMUDom1, Description: desc}}
}

func (s *muStationFake) verifyLocked(q pafornode.PaVerifyPaymentNoticeReq) any {
	p := s.pos[string(q.QrCode.FiscalCode)+"/"+string(q.QrCode.NoticeNumber)]
	switch {
	case p == nil:
		return pafornode.PaVerifyPaymentNoticeRes{CtResponse: ko("PAA_PAGAMENTO_SCONOSCIUTO", "avviso sconosciuto")}
	case p.paid:
		return pafornode.PaVerifyPaymentNoticeRes{CtResponse: ko("PAA_PAGAMENTO_DUPLICATO", "avviso già pagato")}
	}
	return pafornode.PaVerifyPaymentNoticeRes{CtResponse: pafornode.CtResponse{Outcome: "OK"},
		PaymentList: &pafornode.CtPaymentOptionsDescriptionListPA{PaymentOptionDescription: pafornode.CtPaymentOptionDescriptionPA{
			Amount: wire.AmountOf(p.amount()), Options: "EQ", DueDate: "2026-12-31", AllCCP: false}},
		PaymentDescription: "TARI 2026", FiscalCodePA: q.QrCode.FiscalCode, CompanyName: "Comune di Prova MU"}
}

func (s *muStationFake) getLocked(q pafornode.PaGetPaymentV2Request) any {
	p := s.pos[string(q.QrCode.FiscalCode)+"/"+string(q.QrCode.NoticeNumber)]
	if p == nil {
		return pafornode.PaGetPaymentV2Response{CtResponse: ko("PAA_PAGAMENTO_SCONOSCIUTO", "avviso sconosciuto")}
	}
	d := &pafornode.CtPaymentPAV2{CreditorReferenceId: pafornode.StText35(p.iuv), PaymentAmount: wire.AmountOf(p.amount()),
		DueDate: "2026-12-31", Description: "TARI 2026", CompanyName: "Comune di Prova MU",
		Debtor: pafornode.CtSubject{UniqueIdentifier: pafornode.CtEntityUniqueIdentifier{EntityUniqueIdentifierType: "F",
			EntityUniqueIdentifierValue: "RSSMRA80A01H501U"}, FullName: "Mario Rossi"}}
	if p.badSum {
		d.PaymentAmount++
	}
	for i, t := range p.transfers {
		d.TransferList.Transfer = append(d.TransferList.Transfer, pafornode.CtTransferPAV2{
			IdTransfer: pafornode.StIdTransfer(string(rune('1' + i))), TransferAmount: wire.AmountOf(t.amount),
			FiscalCodePA: pafornode.StFiscalCodePA(t.cf), IBAN: pafornode.StIBAN(t.iban),
			RemittanceInformation: "quota " + pafornode.StText140(t.cf), TransferCategory: "9/0101100IM/",
			Metadata: &pafornode.CtMetadata{MapEntry: []pafornode.CtMapEntry{{Key: "capitolo", Value: "1234"}}}})
	}
	return pafornode.PaGetPaymentV2Response{CtResponse: pafornode.CtResponse{Outcome: "OK"}, Data: d}
}

// muHarness is a node with two modello unico stations (and the legacy
// dominio tDom) served over real HTTP.
type muHarness struct {
	t      *testing.T
	node   *Node
	url    string
	st1    *muStationFake // tMUStaz1, dominio tMUDom1
	st2    *muStationFake // tMUStaz2, dominio tMUDom2
	client *http.Client   // follows no redirect
}

func newMUHarness(t *testing.T, mod ...func(*Config)) *muHarness {
	t.Helper()
	h := &muHarness{t: t, st1: newMUStation(t), st2: newMUStation(t),
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	h.url = srv.URL
	cfg := testConfig()
	cfg.BaseURL = srv.URL
	cfg.Stazioni = append(cfg.Stazioni,
		Stazione{ID: tMUStaz1, Intermediario: tMUInt, Password: tPwd, PaForNodeURL: h.st1.srv.URL + "/pafornode"},
		Stazione{ID: tMUStaz2, Intermediario: tMUInt, Password: tPwd, PaForNodeURL: h.st2.srv.URL + "/pafornode"})
	cfg.Domini = append(cfg.Domini,
		Dominio{ID: tMUDom1, Name: "Comune di Prova MU", Stazioni: []string{tMUStaz1}, IBANs: []string{tMUIBAN1}},
		Dominio{ID: tMUDom2, Name: "Ente Secondo MU", Stazioni: []string{tMUStaz2}, IBANs: []string{tMUIBAN2}})
	cfg.Clock = nil
	cfg.Log = slog.New(slog.DiscardHandler)
	cfg.VerifyTimeout, cfg.GetPaymentTimeout, cfg.SendRTTimeout = 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
	cfg.ReceiptRetry = RetryPolicy{Attempts: 3, Backoff: 5 * time.Millisecond, Factor: 1}
	for _, m := range mod {
		m(&cfg)
	}
	n, err := New(cfg, testReceiptMaker(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := n.Close(ctx); err != nil {
			t.Errorf("closing node: %v", err)
		}
	})
	h.node = n
	e := soap.NewEcho(soap.ServerConfig{}, cfg.Log)
	n.Mount(e, DefaultSOAPPath)
	handler = e
	return h
}

// settleReceipts waits until no paSendRTV2 delivery runs.
func (h *muHarness) settleReceipts() {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if h.node.ReceiptsPending() == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	h.t.Fatalf("receipts not settled: %d pending", h.node.ReceiptsPending())
}

// do sends a request to the node and returns status, Location and body.
func (h *muHarness) do(method, path, ctype, body string) (int, string, string) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// validatePaForNode checks every body the stations received against
// Ponte's paForNode.xsd and the reference one.
func validatePaForNode(t *testing.T, reqs []muReq) {
	t.Helper()
	ref := xsdtest.RefPath("pagopa/pagopa-api/wsdl/xsd/paForNode.xsd")
	for _, r := range reqs {
		xsdtest.Validate(t, xsdtest.Path("paForNode.xsd"), r.Body)
		if ref != "" {
			xsdtest.Validate(t, ref, r.Body)
		}
	}
}
