package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

const (
	nav1 = "301000000000000011"
	nav2 = "301000000000000022"
	nav3 = "301000000000000033"
)

// cartJSON is a CartRequest with the given "cf/notice/amount" items.
func cartJSON(idCart string, items ...string) string {
	var ns []string
	for _, it := range items {
		p := strings.Split(it, "/")
		ns = append(ns, fmt.Sprintf(`{"noticeNumber":%q,"fiscalCode":%q,"amount":%s,"companyName":"Comune di Prova MU","description":"TARI 2026 rata %s"}`, p[1], p[0], p[2], p[1][15:]))
	}
	id := ""
	if idCart != "" {
		id = fmt.Sprintf(`,"idCart":%q`, idCart)
	}
	return `{"paymentNotices":[` + strings.Join(ns, ",") + `],"returnUrls":{"returnOkUrl":"` + tOKURL + `","returnCancelUrl":"` + tCancURL + `","returnErrorUrl":"` + tKOURL + `"},"emailNotice":"mario.rossi@example.org"` + id + `}`
}

// standard positions: nav1 of dominio 1 alone; nav2 of dominio 1 shared
// with dominio 2 (broadcast).
func (h *muHarness) positions() {
	h.st1.add(tMUDom1, nav1, &muPos{iuv: "01000000000000011", transfers: []muTransfer{{tMUDom1, tMUIBAN1, 123456}}})
	h.st1.add(tMUDom1, nav2, &muPos{iuv: "01000000000000022", transfers: []muTransfer{{tMUDom1, tMUIBAN1, 1000}, {tMUDom2, tMUIBAN2, 550}}})
}

func (h *muHarness) createCart(body string) string {
	h.t.Helper()
	code, loc, out := h.do(http.MethodPost, CheckoutCartsPath, "application/json", body)
	if code != http.StatusFound {
		h.t.Fatalf("carts: HTTP %d %s", code, out)
	}
	prefix := h.url + CheckoutPagePath + "/"
	if !strings.HasPrefix(loc, prefix) || len(loc) != len(prefix)+36 {
		h.t.Fatalf("Location %q", loc)
	}
	return strings.TrimPrefix(loc, h.url)
}

func TestCheckoutCartPaid(t *testing.T) {
	h := newMUHarness(t)
	h.positions()
	page := h.createCart(cartJSON("CART-42", tMUDom1+"/"+nav1+"/123456", tMUDom1+"/"+nav2+"/1550"))
	if n := len(h.st1.requests(OpPaVerifyPaymentNotice)); n != 2 {
		t.Fatalf("%d verify calls, want 2", n)
	}

	code, _, html := h.do(http.MethodGet, page, "", "")
	if code != http.StatusOK {
		t.Fatalf("page: HTTP %d", code)
	}
	for _, want := range []string{"€ 1.234,56", "€ 15,50", "€ 1.250,06", "Comune di Prova MU", "TARI 2026 rata 011", `value="paga"`, `value="annulla"`, `value="errore"`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	code, loc, _ := h.do(http.MethodPost, page, "application/x-www-form-urlencoded", "azione=paga")
	if code != http.StatusSeeOther || loc != tOKURL {
		t.Fatalf("pay: HTTP %d to %q, want 303 to %q", code, loc, tOKURL)
	}
	h.settleReceipts()

	gets := h.st1.requests(OpPaGetPaymentV2)
	if len(gets) != 2 || gets[0].Get.PaymentNote != "CART-42" || gets[0].Get.Amount == nil || gets[0].Get.Amount.Cents() != 123456 ||
		gets[0].Get.IdStation != tMUStaz1 || gets[0].Get.IdBrokerPA != tMUInt {
		t.Fatalf("paGetPaymentV2 %+v", gets)
	}
	sends1, sends2 := h.st1.requests(OpPaSendRTV2), h.st2.requests(OpPaSendRTV2)
	if len(sends1) != 2 || len(sends2) != 1 {
		t.Fatalf("paSendRTV2: %d to station 1, %d to station 2; want 2 and 1", len(sends1), len(sends2))
	}
	b := sends2[0].Send
	if b.IdPA != tMUDom2 || b.IdStation != tMUStaz2 || b.Receipt.FiscalCode != tMUDom1 || b.Receipt.NoticeNumber != nav2 {
		t.Errorf("broadcast %+v", b)
	}
	rc := sends1[0].Send.Receipt
	if sends1[0].Send.Receipt.NoticeNumber != nav1 {
		rc = sends1[1].Send.Receipt
	}
	if rc.Outcome != "OK" || rc.CreditorReferenceId != "01000000000000011" || rc.PaymentAmount.Cents() != 123456 ||
		rc.IdPSP != WISPPSP || rc.IdChannel != WISPCanale || rc.PaymentNote != "CART-42" || len(rc.ReceiptId) != 32 ||
		rc.Debtor.FullName != "Mario Rossi" || len(rc.TransferList.Transfer) != 1 || rc.TransferList.Transfer[0].IBAN != tMUIBAN1 ||
		rc.TransferList.Transfer[0].Metadata == nil || rc.PaymentDateTime == "" || rc.Fee == nil {
		t.Errorf("receipt %+v", rc)
	}
	if b.Receipt.ReceiptId == rc.ReceiptId {
		t.Error("two notices share a receiptId")
	}
	validatePaForNode(t, h.st1.requests(""))
	validatePaForNode(t, h.st2.requests(""))

	ci, _ := h.node.Cart(strings.TrimPrefix(page, CheckoutPagePath+"/"))
	if ci.Status != CartPaid || len(ci.Receipts) != 2 {
		t.Fatalf("cart %+v", ci)
	}
	for _, id := range ci.Receipts {
		r, ok := h.node.ReceiptV2(id)
		if !ok || !r.Delivered() || r.Origin != "checkout" {
			t.Errorf("receipt %+v", r)
		}
	}

	// A second submit goes back to the same place and sends nothing.
	code, loc, _ = h.do(http.MethodPost, page, "application/x-www-form-urlencoded", "azione=annulla")
	if code != http.StatusSeeOther || loc != tOKURL {
		t.Errorf("second submit: HTTP %d to %q", code, loc)
	}
	h.settleReceipts()
	if n := len(h.st1.requests(OpPaSendRTV2)); n != 2 {
		t.Errorf("%d receipts after the second submit", n)
	}
	var st Stats
	if err := json.Unmarshal([]byte(h.get(APIPrefix+"/stats")), &st); err != nil {
		t.Fatal(err)
	}
	if st.PaForNode.CheckoutPaid != 1 || st.PaForNode.Receipts != 2 || st.PaForNode.Delivery.Accepted != 3 || st.PaForNode.Calls[OpPaSendRTV2] != 3 {
		t.Errorf("stats %+v", st.PaForNode)
	}
}

func (h *muHarness) get(path string) string {
	h.t.Helper()
	code, _, body := h.do(http.MethodGet, path, "", "")
	if code != http.StatusOK {
		h.t.Fatalf("GET %s: HTTP %d %s", path, code, body)
	}
	return body
}

func TestCheckoutCancelAndError(t *testing.T) {
	for _, c := range []struct{ action, want, status string }{
		{CartActionCancel, tCancURL, CartCancelled},
		{CartActionError, tKOURL, CartError},
	} {
		t.Run(c.action, func(t *testing.T) {
			h := newMUHarness(t)
			h.positions()
			page := h.createCart(cartJSON("", tMUDom1+"/"+nav1+"/123456"))
			code, loc, _ := h.do(http.MethodPost, page, "application/x-www-form-urlencoded", "azione="+c.action)
			if code != http.StatusSeeOther || loc != c.want {
				t.Fatalf("HTTP %d to %q, want 303 to %q", code, loc, c.want)
			}
			h.settleReceipts()
			if n := len(h.st1.requests(OpPaGetPaymentV2)) + len(h.st1.requests(OpPaSendRTV2)); n != 0 {
				t.Errorf("%d activations/receipts sent", n)
			}
			if ci, _ := h.node.Cart(strings.TrimPrefix(page, CheckoutPagePath+"/")); ci.Status != c.status {
				t.Errorf("status %s", ci.Status)
			}
		})
	}
}

func TestCheckoutActivationRefused(t *testing.T) {
	h := newMUHarness(t)
	h.positions()
	h.st1.add(tMUDom1, nav3, &muPos{iuv: "01000000000000033", transfers: []muTransfer{{tMUDom1, tMUIBAN1, 700}}, badSum: true})
	page := h.createCart(cartJSON("", tMUDom1+"/"+nav1+"/123456", tMUDom1+"/"+nav3+"/700"))
	code, loc, _ := h.do(http.MethodPost, page, "application/x-www-form-urlencoded", "azione=paga")
	if code != http.StatusSeeOther || loc != tKOURL {
		t.Fatalf("HTTP %d to %q, want 303 to the error URL", code, loc)
	}
	h.settleReceipts()
	if n := len(h.st1.requests(OpPaSendRTV2)); n != 0 {
		t.Errorf("%d receipts sent for a failed payment", n)
	}
	ci, _ := h.node.Cart(strings.TrimPrefix(page, CheckoutPagePath+"/"))
	if ci.Status != CartError || !strings.Contains(ci.Detail, PPTStazioneErroreResponse) {
		t.Errorf("cart %s %q", ci.Status, ci.Detail)
	}
}

func TestCheckoutCartRefused(t *testing.T) {
	h := newMUHarness(t)
	h.positions()
	h.st1.add(tMUDom1, nav3, &muPos{iuv: "01000000000000033", transfers: []muTransfer{{tMUDom1, tMUIBAN1, 700}}, paid: true})
	six := make([]string, 6)
	for i := range six {
		six[i] = fmt.Sprintf("%s/30100000000000010%d/100", tMUDom1, i)
	}
	ok := tMUDom1 + "/" + nav1 + "/123456"
	cases := []struct {
		name, body string
		status     int
	}{
		{"not JSON", `{"paymentNotices":`, 400},
		{"no notices", cartJSON(""), 400},
		{"short notice number", cartJSON("", tMUDom1+"/30100000000000001/100"), 400},
		{"zero amount", cartJSON("", tMUDom1+"/"+nav1+"/0"), 400},
		{"no return URLs", `{"paymentNotices":[{"noticeNumber":"` + nav1 + `","fiscalCode":"` + tMUDom1 + `","amount":1,"companyName":"C","description":"D"}]}`, 400},
		{"relative return URL", strings.Replace(cartJSON("", ok), tOKURL, "/esito", 1), 400},
		{"six notices", cartJSON("", six...), 422},
		{"duplicate notice", cartJSON("", ok, ok), 422},
		{"unknown dominio", cartJSON("", "99999999990/"+nav1+"/100"), 422},
		{"legacy dominio", cartJSON("", tDom+"/"+nav1+"/100"), 422},
		{"verify KO", cartJSON("", ok, tMUDom1+"/"+nav3+"/700"), 422},
		{"unknown notice", cartJSON("", tMUDom1+"/301999999999999999/100"), 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, loc, body := h.do(http.MethodPost, CheckoutCartsPath, "application/json", c.body)
			var p Problem
			if err := json.Unmarshal([]byte(body), &p); err != nil || code != c.status || p.Status != c.status || p.Title == "" || loc != "" {
				t.Errorf("HTTP %d %s (Location %q), want %d", code, body, loc, c.status)
			}
		})
	}
}

func TestCheckoutStationDown(t *testing.T) {
	h := newMUHarness(t, func(c *Config) {
		for i := range c.Stazioni {
			if c.Stazioni[i].ID == tMUStaz2 {
				c.Stazioni[i].PaForNodeURL = refusedURL(t)
			}
		}
	})
	h.st1.add(tMUDom1, nav1, &muPos{iuv: "01000000000000011", transfers: []muTransfer{{tMUDom1, tMUIBAN1, 100}}})
	code, _, body := h.do(http.MethodPost, CheckoutCartsPath, "application/json", cartJSON("", tMUDom2+"/"+nav1+"/100"))
	if code != http.StatusBadGateway || !strings.Contains(body, PPTStazioneIrraggiungibile) {
		t.Errorf("unreachable station: HTTP %d %s", code, body)
	}
	h.st1.delay = time.Second // past VerifyTimeout
	start := time.Now()
	code, _, body = h.do(http.MethodPost, CheckoutCartsPath, "application/json", cartJSON("", tMUDom1+"/"+nav1+"/100"))
	if code != http.StatusBadGateway || !strings.Contains(body, PPTStazioneTimeout) || time.Since(start) > 900*time.Millisecond {
		t.Errorf("slow station: HTTP %d %s after %s", code, body, time.Since(start))
	}
}

func TestCheckoutInjectedFaults(t *testing.T) {
	h := newMUHarness(t)
	h.positions()
	body := cartJSON("", tMUDom1+"/"+nav1+"/123456")
	if code, _, out := h.do(http.MethodPost, APIPrefix+"/faults", "application/json", `{"carts":{"status":502,"count":1}}`); code != http.StatusOK {
		t.Fatalf("faults: %d %s", code, out)
	}
	if code, _, _ := h.do(http.MethodPost, CheckoutCartsPath, "application/json", body); code != http.StatusBadGateway {
		t.Errorf("injected 502: got %d", code)
	}
	h.createCart(body) // count 1: back to normal
	if n := len(h.st1.requests(OpPaVerifyPaymentNotice)); n != 1 {
		t.Errorf("%d verify calls: the failed request must not reach the station", n)
	}

	h.node.SetFaults(Faults{Carts: &HTTPFault{DelayMS: 500}})
	c := *h.client
	c.Timeout = 150 * time.Millisecond
	if _, err := c.Post(h.url+CheckoutCartsPath, "application/json", strings.NewReader(body)); err == nil {
		t.Error("hanging carts API answered")
	}
	h.node.SetFaults(Faults{})

	for _, bad := range []string{`{"carts":{"status":302}}`, `{"receipts":{"mode":"sometimes"}}`, `{"receipts":{"delayMs":-1}}`} {
		if code, _, _ := h.do(http.MethodPost, APIPrefix+"/faults", "application/json", bad); code != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d", bad, code)
		}
	}

	// Receipts never sent, then sent on demand.
	h.do(http.MethodPost, APIPrefix+"/faults", "application/json", `{"receipts":{"mode":"never","count":1}}`)
	page := h.createCart(body)
	if code, loc, _ := h.do(http.MethodPost, page, "application/x-www-form-urlencoded", "azione=paga"); code != http.StatusSeeOther || loc != tOKURL {
		t.Fatalf("pay: %d %q", code, loc)
	}
	h.settleReceipts()
	if n := len(h.st1.requests(OpPaSendRTV2)); n != 0 {
		t.Fatalf("%d receipts sent in mode never", n)
	}
	var rs []ReceiptV2Info
	json.Unmarshal([]byte(h.get(APIPrefix+"/receipts?fiscalCode="+tMUDom1+"&noticeNumber="+nav1)), &rs)
	if len(rs) != 1 || rs[0].Deliveries[0].State != ReceiptNotSent {
		t.Fatalf("receipts %+v", rs)
	}
	if code, _, _ := h.do(http.MethodPost, APIPrefix+"/receipts/"+url.PathEscape(rs[0].ReceiptID)+"/resend", "", ""); code != http.StatusOK {
		t.Fatalf("resend: %d", code)
	}
	h.settleReceipts()
	if r, _ := h.node.ReceiptV2(rs[0].ReceiptID); !r.Delivered() || len(h.st1.requests(OpPaSendRTV2)) != 1 {
		t.Errorf("after resend %+v", r)
	}
}

func TestEuroIT(t *testing.T) {
	for c, want := range map[int64]string{0: "€ 0,00", 5: "€ 0,05", 123456: "€ 1.234,56", 100000000: "€ 1.000.000,00", 99999: "€ 999,99"} {
		if got := euroIT(gateway.Cents(c)); got != want {
			t.Errorf("%d: %q, want %q", c, got, want)
		}
	}
}
