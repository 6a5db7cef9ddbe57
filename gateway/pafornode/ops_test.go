package pafornode

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// TestAvvisoPaidAtPSP follows a notice through the node's three calls:
// verify, get payment, receipt; then the receipt again, and verify again.
func TestAvvisoPaidAtPSP(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d, nav := h.dovuto(12345)

		a := h.call("paVerifyPaymentNotice", verifyReq(tDominio, nav))
		a.wantOK(t)
		body := string(a.Body)
		for _, want := range []string{"<amount>123.45</amount>", "<options>EQ</options>", "<dueDate>2026-12-31</dueDate>",
			"<fiscalCodePA>" + tDominio + "</fiscalCodePA>", "<companyName>Comune di Prova Unico</companyName>",
			"<paymentDescription>Tassa rifiuti 2026 rata unica</paymentDescription>", "<allCCP>true</allCCP>"} {
			if !strings.Contains(body, want) {
				t.Errorf("verify answer lacks %s: %s", want, body)
			}
		}

		a = h.call("paGetPaymentV2", getPaymentV2Req(tDominio, nav))
		a.wantOK(t)
		body = string(a.Body)
		for _, want := range []string{"<creditorReferenceId>" + d.IUV + "</creditorReferenceId>", "<paymentAmount>123.45</paymentAmount>",
			"<entityUniqueIdentifierValue>RSSMRA80A01H501U</entityUniqueIdentifierValue>", "<fullName>Mario Rossi</fullName>",
			"<idTransfer>1</idTransfer>", "<transferAmount>123.45</transferAmount>", "<IBAN>" + tIBAN + "</IBAN>",
			"<transferCategory>0101100IM</transferCategory>"} {
			if !strings.Contains(body, want) {
				t.Errorf("getPaymentV2 answer lacks %s: %s", want, body)
			}
		}
		// Nothing was opened by the activation: the dovuto stays payable.
		if got, _ := h.db.FindDovutoByIUV(ctx, h.ente.ID, d.IUV); got.State != gateway.DovutoDaPagare {
			t.Errorf("after getPayment dovuto is %s", got.State)
		}

		rcpt := receipt("a1b2c3d4e5f60718293a4b5c6d7e8f90", nav, d.IUV, 12345)
		h.call("paSendRTV2", sendRTV2Req(tDominio, rcpt)).wantOK(t)

		got, err := h.db.FindDovutoByIUV(ctx, h.ente.ID, d.IUV)
		must(t, err)
		if got.State != gateway.DovutoCompletato {
			t.Errorf("after the receipt dovuto is %s", got.State)
		}
		ps, err := h.db.FindPayments(ctx, tDominio, d.IUV)
		must(t, err)
		if len(ps) != 1 || ps[0].Receipt == nil || ps[0].Receipt.Esito != gateway.EsitoEseguito || ps[0].Receipt.Amount != 12345 {
			t.Fatalf("payments after the receipt: %+v", ps)
		}
		c, err := h.db.FindCartByID(ctx, ps[0].CartID)
		must(t, err)
		if c.Kind != gateway.CartAttivatoPSP || c.State != gateway.CartPagato || ps[0].CCP != "a1b2c3d4e5f60718293a4b5c6d7e8f90" {
			t.Errorf("cart %s %s, CCP %s", c.Kind, c.State, ps[0].CCP)
		}
		// The stored receipt maps to the RT form the SIL answers from.
		r, err := rpt.DecodeTrustedRT(ps[0].Receipt.RT)
		must(t, err)
		if r.IUV != d.IUV || r.IstitutoAttestante.Codice != "BCITITMM" || len(r.Payments) != 1 ||
			r.Payments[0].IUR != "a1b2c3d4e5f60718293a4b5c6d7e8f90" || *r.Payments[0].CommissioniPSP != 150 {
			t.Errorf("stored receipt maps to %+v", r)
		}

		// The node delivering again (its answer lost): same receipt.
		h.call("paSendRTV2", sendRTV2Req(tDominio, rcpt)).wantFault(t, CodeReceiptDuplicata, tDominio)
		ps, _ = h.db.FindPayments(ctx, tDominio, d.IUV)
		if len(ps) != 1 {
			t.Errorf("%d payments after the duplicate", len(ps))
		}
		h.call("paVerifyPaymentNotice", verifyReq(tDominio, nav)).wantFault(t, CodePagamentoDuplicato, tDominio)
		h.call("paGetPaymentV2", getPaymentV2Req(tDominio, nav)).wantFault(t, CodePagamentoDuplicato, tDominio)
	})
}

// TestVerifyStates: each state of a notice gets its PAA code.
func TestVerifyStates(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		annulled, navA := h.dovuto(1000)
		must(t, h.db.AnnulDovuto(ctx, h.ente.ID, annulled.IUD))
		_, navExpired := h.dovuto(1000, func(d *gateway.Dovuto) { d.TipoDovuto, d.DueDate = "MULTA", "2026-11-01" })
		_, navLateOK := h.dovuto(1000, func(d *gateway.Dovuto) { d.DueDate = "2026-11-01" }) // due date not mandatory
		for _, c := range []struct {
			name, nav, code string
		}{
			{"annullato", navA, CodePagamentoAnnullato},
			{"scaduto", navExpired, CodePagamentoScaduto},
			{"sconosciuto", "302999999999999999", CodePagamentoSconosciuto},
		} {
			t.Run(c.name, func(t *testing.T) {
				h.call("paVerifyPaymentNotice", verifyReq(tDominio, c.nav)).wantFault(t, c.code, tDominio)
				h.call("paGetPaymentV2", getPaymentV2Req(tDominio, c.nav)).wantFault(t, c.code, tDominio)
			})
		}
		h.call("paVerifyPaymentNotice", verifyReq(tDominio, navLateOK)).wantOK(t)
	})
}

// TestCallerChecks: the idPA, broker and station ladder, and a station
// on the legacy model.
func TestCallerChecks(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		_, nav := h.dovuto(500)
		for _, c := range []struct {
			name, body, code, id string
		}{
			{"unknown idPA", `<pafn:paVerifyPaymentNoticeReq>` + ids("99999999999", tBroker, tStation) + qr("99999999999", nav) + `</pafn:paVerifyPaymentNoticeReq>`, CodeIDDominioErrato, "99999999999"},
			{"wrong broker", `<pafn:paVerifyPaymentNoticeReq>` + ids(tDominio, "00000000000", tStation) + qr(tDominio, nav) + `</pafn:paVerifyPaymentNoticeReq>`, CodeIDIntermediarioErrato, tDominio},
			{"wrong station", `<pafn:paVerifyPaymentNoticeReq>` + ids(tDominio, tBroker, "12345678903_09") + qr(tDominio, nav) + `</pafn:paVerifyPaymentNoticeReq>`, CodeStazioneIntErrata, tDominio},
			{"legacy station", `<pafn:paVerifyPaymentNoticeReq>` + ids(tLegacyCF, tBroker, "12345678903_01") + qr(tLegacyCF, nav) + `</pafn:paVerifyPaymentNoticeReq>`, CodeStazioneIntErrata, tLegacyCF},
			{"qrCode of another ente", `<pafn:paVerifyPaymentNoticeReq>` + ids(tDominio, tBroker, tStation) + qr(tLegacyCF, nav) + `</pafn:paVerifyPaymentNoticeReq>`, CodeIDDominioErrato, tDominio},
			{"missing idStation", `<pafn:paVerifyPaymentNoticeReq><idPA>` + tDominio + `</idPA><idBrokerPA>` + tBroker + `</idBrokerPA>` + qr(tDominio, nav) + `</pafn:paVerifyPaymentNoticeReq>`, CodeSintassiExtraXSD, ""},
			{"short notice number", `<pafn:paVerifyPaymentNoticeReq>` + ids(tDominio, tBroker, tStation) + qr(tDominio, "30200") + `</pafn:paVerifyPaymentNoticeReq>`, CodeSintassiExtraXSD, ""},
			{"qualified children", `<paVerifyPaymentNoticeReq xmlns="` + NS + `">` + ids(tDominio, tBroker, tStation) + qr(tDominio, nav) + `</paVerifyPaymentNoticeReq>`, CodeSintassiExtraXSD, ""},
			{"demand", `<pafn:paDemandPaymentNoticeRequest>` + ids(tDominio, tBroker, tStation) + `<idServizio>00001</idServizio><idSoggettoServizio>00001</idSoggettoServizio><datiSpecificiServizioRequest>PHg+PC94Pg==</datiSpecificiServizioRequest></pafn:paDemandPaymentNoticeRequest>`, CodeSemantica, tDominio},
		} {
			t.Run(c.name, func(t *testing.T) {
				action := "paVerifyPaymentNotice"
				if strings.Contains(c.body, "Demand") {
					action = "paDemandPaymentNotice"
				}
				a := h.call(action, c.body)
				if a.Status != http.StatusOK {
					t.Fatalf("status %d: %s", a.Status, a.Raw)
				}
				o := a.outcome(t)
				if o.Outcome != "KO" || o.Fault == nil || o.Fault.FaultCode != c.code {
					t.Fatalf("want %s, got %s", c.code, a.Body)
				}
				if c.id != "" && o.Fault.ID != c.id {
					t.Errorf("faultBean.id = %q, want %q", o.Fault.ID, c.id)
				}
			})
		}
		// Not XML at all: a SOAP fault, never a panic or a half answer.
		a := h.post("paVerifyPaymentNotice", []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><pafn:paVerifyPaymentNoticeReq xmlns:pafn="`+NS+`"><idPA>`))
		if a.Status != http.StatusInternalServerError || !strings.Contains(string(a.Raw), "<faultcode>") {
			t.Errorf("broken envelope: %d %s", a.Status, a.Raw)
		}
	})
}

// TestReceiptUnknownNotice: a receipt for a notice Ponte never issued is
// refused with PAA_PAGAMENTO_SCONOSCIUTO and leaves nothing behind.
func TestReceiptUnknownNotice(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		a := h.call("paSendRTV2", sendRTV2Req(tDominio, receipt("ffff0000ffff0000ffff0000ffff0000", "302000000000099999", "02000000000099999", 1000)))
		a.wantFault(t, CodePagamentoSconosciuto, tDominio)
		ps, err := h.db.FindPayments(context.Background(), tDominio, "02000000000099999")
		must(t, err)
		if len(ps) != 0 {
			t.Errorf("%d payments stored", len(ps))
		}
	})
}

// TestMultiBeneficiary: a dovuto with a secondary beneficiary is two
// transfers; the receipt completes the dovuto and records the ente's part.
func TestMultiBeneficiary(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d, nav := h.dovuto(7500, func(d *gateway.Dovuto) {
			d.Secondary = &gateway.SecondaryBeneficiary{CodiceFiscale: "00000000001", Denominazione: "Provincia di Prova",
				IBAN: "IT60X0542811101000000654321", Causale: "Quota provinciale", DatiSpecificiRiscossione: "9/0201102IM/", Amount: 2500}
		})
		a := h.call("paGetPaymentV2", getPaymentV2Req(tDominio, nav))
		a.wantOK(t)
		body := string(a.Body)
		first := between(body, "<transfer>", "</transfer>")
		second := between(body[strings.Index(body, "</transfer>"):], "<transfer>", "</transfer>")
		if !strings.Contains(first, "<transferAmount>75.00</transferAmount>") || !strings.Contains(first, tIBAN) ||
			!strings.Contains(second, "<transferAmount>25.00</transferAmount>") || !strings.Contains(second, "<fiscalCodePA>00000000001</fiscalCodePA>") ||
			!strings.Contains(second, "<companyName>Provincia di Prova</companyName>") || !strings.Contains(body, "<paymentAmount>100.00</paymentAmount>") {
			t.Fatalf("transfers: %s", body)
		}
		h.call("paVerifyPaymentNotice", verifyReq(tDominio, nav)).wantOK(t) // allCCP false with a secondary
		h.call("paSendRTV2", sendRTV2Req(tDominio, receipt("0123456789abcdef0123456789abcdef", nav, d.IUV, 7500, "00000000001 2500"))).wantOK(t)
		got, _ := h.db.FindDovutoByIUV(ctx, h.ente.ID, d.IUV)
		if got.State != gateway.DovutoCompletato {
			t.Errorf("dovuto %s", got.State)
		}
		ps, _ := h.db.FindPayments(ctx, tDominio, d.IUV)
		r, err := rpt.DecodeTrustedRT(ps[0].Receipt.RT)
		must(t, err)
		if len(r.Payments) != 1 || r.Payments[0].SingoloImportoPagato != 7500 || r.ImportoTotalePagato != 10000 {
			t.Errorf("mapped receipt: total %s, payments %+v", r.ImportoTotalePagato, r.Payments)
		}
	})
}

// TestReferenceSamples: pagoPA's own sample requests are accepted, for
// an ente, station and notice set up to match them.
func TestReferenceSamples(t *testing.T) {
	dir := xsdtest.RefPath("pagopa/samples/pagopa-api-SANP2.5.1")
	if dir == "" {
		t.Skip("../shared/reference absent")
	}
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		e := &gateway.Ente{CodIpa: "ENTE_SAMPLE", CodiceFiscale: "77777777777", Denominazione: "company EC", State: gateway.EnteEsercizio,
			IBAN: "IT45R0760103200000000001016", AuxDigit: 3, SegregationCode: "11", IntermediaryID: "77777777777",
			StationID: "77777777777_01", StationVersion: gateway.StationUnico}
		must(t, h.db.CreateEnte(ctx, e))
		must(t, h.db.InsertDovuto(ctx, &gateway.Dovuto{EnteID: e.ID, IUD: "IUD-SAMPLE", IUV: "11111111112222222",
			State: gateway.DovutoDaPagare, TipoDovuto: "TARI", Amount: 3000, Causale: "test", DatiSpecificiRiscossione: "9/0101100IM/"}))
		for _, c := range []struct{ file, action string }{
			{"ReqPaVerifyPayment.xml", "paVerifyPaymentNotice"},
			{"ReqPaGetPayment.xml", "paGetPayment"},
			{"ReqPaSendRT.xml", "paSendRT"},
		} {
			env, err := os.ReadFile(dir + "/" + c.file)
			must(t, err)
			a := h.post(c.action, env)
			if a.Status != http.StatusOK {
				t.Fatalf("%s: status %d %s", c.file, a.Status, a.Raw)
			}
			a.wantOK(t)
		}
		d, err := h.db.FindDovutoByIUV(ctx, e.ID, "11111111112222222")
		must(t, err)
		if d.State != gateway.DovutoCompletato {
			t.Errorf("sample receipt left the dovuto %s", d.State)
		}
	})
}

// TestSameReceiptAtOnce: two deliveries of one receipt for an avviso
// racing: one payment, one receipt; one answer OK, the other a duplicate.
func TestSameReceiptAtOnce(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		d, nav := h.dovuto(2000)
		rcpt := receipt("race00000000000000000000000000aa", nav, d.IUV, 2000)
		codes := make(chan string, 2)
		for range 2 {
			go func() {
				o := h.call("paSendRTV2", sendRTV2Req(tDominio, rcpt)).outcome(t)
				if o.Fault != nil {
					codes <- o.Fault.FaultCode
					return
				}
				codes <- o.Outcome
			}()
		}
		got := []string{<-codes, <-codes}
		slices.Sort(got)
		if got[0] != "OK" || got[1] != CodeReceiptDuplicata {
			t.Errorf("answers %v, want OK and %s", got, CodeReceiptDuplicata)
		}
		ps, err := h.db.FindPayments(context.Background(), tDominio, d.IUV)
		must(t, err)
		if len(ps) != 1 || ps[0].Receipt == nil {
			t.Fatalf("%d payments after the race", len(ps))
		}
	})
}

// failingStore is the real store whose receipt writes fail, as when the
// database goes away at the last step.
type failingStore struct{ Store }

func (failingStore) OpenCartWithReceipt(context.Context, *gateway.Cart, *gateway.Receipt) (gateway.RTOutcome, error) {
	return 0, errors.New("connection reset by peer")
}

// TestReceiptStoreFailure: Ponte failing to store a receipt answers a SOAP
// Server fault, which the node retries (a KO would end its deliveries),
// without the cause; the retry, once the store is back, is stored.
func TestReceiptStoreFailure(t *testing.T) {
	h := newHarness(t, "sqlite")
	d, nav := h.dovuto(900)
	log := slog.New(slog.DiscardHandler)
	svc, err := New(Config{Store: failingStore{h.db}, Clock: gateway.FixedClock{T: tNow}, Logger: log})
	must(t, err)
	ep := soap.NewEndpoint("NODO", soap.DefaultServerConfig(), nil, log)
	svc.Register(ep)
	srv := httptest.NewServer(ep)
	defer srv.Close()
	good := h.srv
	h.srv = srv
	rcpt := receipt("fail0000000000000000000000000000", nav, d.IUV, 900)
	a := h.call("paSendRTV2", sendRTV2Req(tDominio, rcpt))
	h.srv = good
	if a.Status != http.StatusInternalServerError || !strings.Contains(string(a.Raw), "<faultcode>soapenv:Server</faultcode>") ||
		strings.Contains(string(a.Raw), "connection reset") {
		t.Fatalf("store failure: %d %s", a.Status, a.Raw)
	}
	h.call("paSendRTV2", sendRTV2Req(tDominio, rcpt)).wantOK(t)
}
