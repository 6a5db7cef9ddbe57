package sim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPSPDeskVerifyKO(t *testing.T) {
	h := newMUHarness(t)
	h.st1.add(tMUDom1, nav1, &muPos{iuv: "01000000000000011", transfers: []muTransfer{{tMUDom1, tMUIBAN1, 100}}, paid: true})
	code, _, body := h.do(http.MethodPost, PSPPath+"/pay", "application/json", `{"fiscalCode":"`+tMUDom1+`","noticeNumber":"`+nav1+`"}`)
	var res PSPResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != http.StatusOK {
		t.Fatalf("HTTP %d %s", code, body)
	}
	if res.Outcome != PSPVerifyKO || res.Verify.FaultCode != "PAA_PAGAMENTO_DUPLICATO" || res.Verify.ByNode || res.Verify.FaultID != tMUDom1 || res.Activation != nil {
		t.Errorf("result %+v", res)
	}
	if n := len(h.st1.requests(OpPaGetPaymentV2)); n != 0 {
		t.Errorf("%d activations after a KO verify", n)
	}
	if code, _, _ := h.do(http.MethodPost, PSPPath+"/pay", "application/json", `{"fiscalCode":"123","noticeNumber":"`+nav1+`"}`); code != http.StatusBadRequest {
		t.Errorf("bad fiscal code: HTTP %d", code)
	}
	// A dominio with no station the node can call (legacy ones are paid
	// with modello 3, psp_legacy_test.go).
	r, _ := h.node.PayNotice(context.Background(), tDomOther, nav1, PayOptions{})
	if r.Outcome != PSPVerifyKO || !r.Verify.ByNode || r.Verify.FaultCode != PPTStazioneSconosciuta {
		t.Errorf("dominio without stations: %+v", r.Verify)
	}
}

func TestPSPDeskPays(t *testing.T) {
	h := newMUHarness(t)
	h.positions()
	res, err := h.node.PayNotice(context.Background(), tMUDom1, nav2, PayOptions{Sync: true, Fee: 150, PaymentNote: "sportello"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != PSPPaid || res.Verify.Amount != 1550 || res.Activation.Amount != 1550 || res.Activation.CreditorReferenceID != "01000000000000022" ||
		res.Receipt == nil || !res.Receipt.Delivered() || len(res.Receipt.Deliveries) != 2 || !res.Receipt.Deliveries[1].Broadcast {
		t.Fatalf("result %+v receipt %+v", res, res.Receipt)
	}
	s1, s2 := h.st1.requests(OpPaSendRTV2), h.st2.requests(OpPaSendRTV2)
	if len(s1) != 1 || len(s2) != 1 || s1[0].Send.Receipt.ReceiptId != res.ReceiptID || s1[0].Send.Receipt.Fee.Cents() != 150 ||
		len(s1[0].Send.Receipt.TransferList.Transfer) != 2 || s1[0].Send.Receipt.PaymentMethod != "cash" {
		t.Fatalf("sent %+v / %+v", s1, s2)
	}
	validatePaForNode(t, h.st1.requests(""))
	validatePaForNode(t, h.st2.requests(""))

	// Paid now: the station says so.
	again, _ := h.node.PayNotice(context.Background(), tMUDom1, nav2, PayOptions{})
	if again.Outcome != PSPVerifyKO || again.Verify.FaultCode != "PAA_PAGAMENTO_DUPLICATO" {
		t.Errorf("second payment %+v", again.Verify)
	}

	// The page.
	if html := h.get(PSPPath); !strings.Contains(html, `name="noticeNumber"`) || !strings.Contains(html, `name="fiscalCode"`) {
		t.Errorf("page %s", html)
	}
	form := url.Values{"fiscalCode": {tMUDom1}, "noticeNumber": {nav1}}.Encode()
	code, _, html := h.do(http.MethodPost, PSPPath, "application/x-www-form-urlencoded", form)
	if code != http.StatusOK || !strings.Contains(html, "Pagato") || !strings.Contains(html, "€ 1.234,56") {
		t.Errorf("form: HTTP %d %s", code, html)
	}
	h.settleReceipts()
}

func TestReceiptRetries(t *testing.T) {
	cases := []struct {
		name   string
		script []string
		mode   ReceiptMode
		state  string
		want   ReceiptStats
		sends  int
	}{
		{"system error then OK", []string{rtSystem, rtOK}, "", ReceiptAccepted,
			ReceiptStats{Attempts: 2, Accepted: 1, Refused: 1, Retried: 1, LastFault: "PAA_SYSTEM_ERROR"}, 1},
		{"timeout then OK", []string{rtTimeout, rtOK}, "", ReceiptAccepted,
			ReceiptStats{Attempts: 2, Accepted: 1, Unknown: 1, Retried: 1}, 1},
		{"always failing: abandoned", []string{rtSystem}, "", ReceiptAbandoned,
			ReceiptStats{Attempts: 3, Refused: 3, Retried: 2, Abandoned: 1, LastFault: "PAA_SYSTEM_ERROR"}, 1},
		{"twice: second is a duplicate", nil, ReceiptTwice, ReceiptDuplicate,
			ReceiptStats{Attempts: 2, Accepted: 1, Duplicates: 1, LastFault: PAAReceiptDuplicata}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newMUHarness(t)
			h.positions()
			h.st1.sendRT = c.script
			res, err := h.node.PayNotice(context.Background(), tMUDom1, nav1, PayOptions{Sync: true, Mode: c.mode})
			if err != nil || res.Outcome != PSPPaid {
				t.Fatalf("%v %+v", err, res)
			}
			d := res.Receipt.Deliveries[0]
			if d.State != c.state || d.ReceiptStats != c.want || d.Sends != c.sends {
				t.Errorf("delivery %+v, want state %s sends %d %+v", d, c.state, c.sends, c.want)
			}
			if n := len(h.st1.requests(OpPaSendRTV2)); n != c.want.Attempts {
				t.Errorf("%d paSendRTV2 received", n)
			}
		})
	}
}

func TestReceiptStopsOnDuplicate(t *testing.T) {
	h := newMUHarness(t)
	h.positions()
	h.node.SetFaults(Faults{Receipts: &ReceiptFault{Mode: ReceiptNever}})
	res, _ := h.node.PayNotice(context.Background(), tMUDom1, nav1, PayOptions{})
	h.node.SetFaults(Faults{})
	// The station already has it (e.g. from another channel): duplicate is final.
	h.st1.acquired[res.ReceiptID] = true
	if _, err := h.node.ResendReceipt(res.ReceiptID); err != nil {
		t.Fatal(err)
	}
	h.settleReceipts()
	r, _ := h.node.ReceiptV2(res.ReceiptID)
	if d := r.Deliveries[0]; d.State != ReceiptDuplicate || d.Attempts != 1 || d.Duplicates != 1 || !r.Delivered() {
		t.Errorf("delivery %+v", d)
	}
	if _, err := h.node.ResendReceipt("nope"); err != ErrUnknownReceipt {
		t.Errorf("unknown receipt: %v", err)
	}
}

func TestReceiptDelayedAsync(t *testing.T) {
	h := newMUHarness(t)
	h.positions()
	h.node.SetFaults(Faults{Receipts: &ReceiptFault{DelayMS: 100, Count: 1}})
	res, _ := h.node.PayNotice(context.Background(), tMUDom1, nav1, PayOptions{})
	if h.node.ReceiptsPending() != 1 || len(h.st1.requests(OpPaSendRTV2)) != 0 {
		t.Fatalf("delayed receipt sent at once (pending %d)", h.node.ReceiptsPending())
	}
	h.settleReceipts()
	if r, _ := h.node.ReceiptV2(res.ReceiptID); !r.Delivered() {
		t.Errorf("receipt %+v", r)
	}
	if f := h.node.Faults(); f.Receipts != nil {
		t.Errorf("count 1 fault still there: %+v", f.Receipts)
	}
}

func TestDemoRegistryModelloUnico(t *testing.T) {
	c := DemoRegistry("http://ponte.example/")
	n, err := New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, ce := n.muStation(DemoDominioMU)
	if ce != nil || st.ID != DemoStazioneMU || st.PaForNodeURL != "http://ponte.example"+PontePaForNodePath || st.Password != DemoPassword {
		t.Errorf("MU station %+v %v", st, ce)
	}
	if _, ce := n.muStation(DemoDominio); ce == nil {
		t.Error("the legacy demo dominio is on the modello unico")
	}
	if n.reg.ibanOwner[DemoIBAN] != DemoDominio {
		t.Errorf("shared IBAN owned by %s", n.reg.ibanOwner[DemoIBAN])
	}
}
