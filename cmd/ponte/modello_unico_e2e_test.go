package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/avvisi"
	"github.com/ponte-pagopa/ponte/gateway/checkout"
	"github.com/ponte-pagopa/ponte/gateway/sim"
)

// The demo ente whose station is on the modello unico.
const (
	enteMU = "ENTE_DEMO_MU"
	cfMU   = "01234567897"
)

// silMU posts a SIL operation as ENTE_DEMO_MU.
func (e *e2e) silMU(t *testing.T, op string) *silAnswer {
	t.Helper()
	return e.sil(t, enteMU, op)
}

// inviaDovutiMU is ENTE_DEMO_MU's paaSILInviaDovuti (showMyPay SHORT).
func (e *e2e) inviaDovutiMU(t *testing.T, items ...dovutoE2E) (string, string) {
	t.Helper()
	a := e.silMU(t, `<ppt:paaSILInviaDovuti><password>demopass123</password><dovuti>`+dovutiB64(items...)+`</dovuti>`+
		`<enteSILInviaRispostaPagamentoUrl>`+e2eReturnURL+`</enteSILInviaRispostaPagamentoUrl><showMyPay>SHORT</showMyPay></ppt:paaSILInviaDovuti>`)
	if a.Fault != nil || a.IDSession == "" || !strings.HasPrefix(a.URL, e.base+checkout.LandingPath+"?id=") {
		t.Fatalf("paaSILInviaDovuti: %+v fault %+v", a, a.Fault)
	}
	return a.IDSession, a.URL
}

// checkoutFlow takes a cart of ENTE_DEMO_MU from its landing URL through
// pagoPA Checkout (the simulator's page, azione paga, annulla or errore)
// and back to the ente, whose return URL gets esito want.
func (e *e2e) checkoutFlow(t *testing.T, idSession, landing, azione, want string) string {
	t.Helper()
	resp, body := e.confirm(t, landing)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.base+sim.CheckoutPagePath+"/") {
		t.Fatalf("confirmation: HTTP %d to %q, want 303 to pagoPA Checkout (cart: %s)", resp.StatusCode, loc, e.cart(t, idSession).Error)
	}
	if c := e.cart(t, idSession); c.State != gateway.CartInCorso || c.NodeURL != loc {
		t.Fatalf("cart opened on Checkout: %s, URL %q", c.State, c.NodeURL)
	}
	resp, body = e.get(t, loc)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Checkout page: HTTP %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.postForm(t, loc, url.Values{"azione": {azione}})
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(back, e.base+checkout.OutcomePath+"/") {
		t.Fatalf("Checkout page submitted: HTTP %d to %q\n%s", resp.StatusCode, back, body)
	}
	resp, body = e.get(t, back)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("outcome: HTTP %d\n%s", resp.StatusCode, body)
	}
	checkReturn(t, resp.Header.Get("Location"), idSession, want)
	return loc
}

// chiediPagatiMU asks ENTE_DEMO_MU's paaSILChiediPagati until it no
// longer answers PAA_PAGAMENTO_IN_CORSO.
func (e *e2e) chiediPagatiMU(t *testing.T, idSession string) *silAnswer {
	t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		a := e.sil(t, "", `<ppt:paaSILChiediPagati><codIpaEnte>`+enteMU+`</codIpaEnte><password>demopass123</password>`+
			`<idSession>`+idSession+`</idSession></ppt:paaSILChiediPagati>`)
		if a.Fault == nil || a.Fault.Code != "PAA_PAGAMENTO_IN_CORSO" || time.Now().After(deadline) {
			return a
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// importaMU stores a dovuto of ENTE_DEMO_MU through paaSILImportaDovuto
// with a generated IUV and returns the IUV and the urlFileAvviso.
func (e *e2e) importaMU(t *testing.T, iud, importo string) (string, string) {
	t.Helper()
	return e.importa(t, enteMU, iud, importo)
}

// importa stores a dovuto of the demo ente codIpa through
// paaSILImportaDovuto with a generated IUV and returns the IUV and the
// urlFileAvviso.
func (e *e2e) importa(t *testing.T, codIpa, iud, importo string) (string, string) {
	t.Helper()
	doc := `<Versamento xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>` +
		`<soggettoPagatore><identificativoUnivocoPagatore><tipoIdentificativoUnivoco>F</tipoIdentificativoUnivoco>` +
		`<codiceIdentificativoUnivoco>RSSMRA80A01H501U</codiceIdentificativoUnivoco></identificativoUnivocoPagatore>` +
		`<anagraficaPagatore>Mario Rossi</anagraficaPagatore></soggettoPagatore>` +
		`<datiVersamento><dataEsecuzionePagamento>2099-12-31</dataEsecuzionePagamento><tipoVersamento>ALL</tipoVersamento>` +
		`<identificativoUnivocoDovuto>` + iud + `</identificativoUnivocoDovuto><importoSingoloVersamento>` + importo + `</importoSingoloVersamento>` +
		`<identificativoTipoDovuto>TARI</identificativoTipoDovuto><causaleVersamento>TARI 2026 ` + iud + `</causaleVersamento>` +
		`<datiSpecificiRiscossione>9/0101100IM/</datiSpecificiRiscossione></datiVersamento><azione>I</azione></Versamento>`
	a := e.sil(t, codIpa, `<ppt:paaSILImportaDovuto><password>demopass123</password><dovuto>`+base64.StdEncoding.EncodeToString([]byte(doc))+`</dovuto><flagGeneraIuv>true</flagGeneraIuv></ppt:paaSILImportaDovuto>`)
	if a.Fault != nil {
		t.Fatalf("paaSILImportaDovuto: %+v", a.Fault)
	}
	c := e.a.db
	ente, err := c.FindEnte(context.Background(), codIpa)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.FindDovutoByIUD(context.Background(), ente.ID, iud)
	if err != nil || len(d.IUV) != 17 {
		t.Fatalf("imported dovuto %+v: %v", d, err)
	}
	return d.IUV, a.URLFileAvviso
}

// TestModelloUnicoEndToEnd runs the modello unico through a real server on
// each store: online payments through pagoPA Checkout (one notice, five
// notices, cancelled, Checkout timing out) and avvisi paid at the PSP
// desk (paid, repeated receipt, verify of a paid notice), every answer
// back through the SIL.
func TestModelloUnicoEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.NodeTimeout = 2 * time.Second
		e := startE2E(t, cfg, nil)

		t.Run("one notice paid on Checkout", func(t *testing.T) {
			idSession, landing := e.inviaDovutiMU(t, dovutoE2E{IUD: "MU-ONLINE-1", Importo: "42.50"})
			e.checkoutFlow(t, idSession, landing, "paga", "OK")
			a := e.chiediPagatiMU(t, idSession)
			if a.Fault != nil || a.Pagati == "" {
				t.Fatalf("paaSILChiediPagati: %+v", a.Fault)
			}
			p := decodePagatiE2E(t, a.Pagati)
			c := e.cart(t, idSession)
			pm := c.Payments[0]
			if c.State != gateway.CartPagato || p.Esito != "0" || p.Totale != "42.50" || p.Dominio != cfMU || p.IUV != pm.IUV ||
				len(p.Singoli) != 1 || p.Singoli[0].IUD != "MU-ONLINE-1" || p.Singoli[0].Importo != "42.50" {
				t.Errorf("cart %s, pagati %+v", c.State, p)
			}
			rs := e.node.ReceiptsV2(cfMU, "3"+pm.IUV)
			if len(rs) != 1 || !rs[0].Delivered() || p.CCP != rs[0].ReceiptID {
				t.Errorf("receipts at the node: %+v (pagati CCP %s)", rs, p.CCP)
			}
		})

		t.Run("five notices in one cart", func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`<ppt:paaSILInviaCarrelloDovuti><password>demopass123</password><listaDovuti>`)
			for i := 1; i <= 5; i++ {
				fmt.Fprintf(&b, `<elementoListaDovuti><codIpaEnte>%s</codIpaEnte><password>%s</password><dovuti>%s</dovuti></elementoListaDovuti>`,
					enteMU, auth.CartHash(e2eCartSecret, cfMU), dovutiB64(dovutoE2E{IUD: fmt.Sprintf("MU-CART-%d", i), Importo: fmt.Sprintf("%d.00", 10*i)}))
			}
			b.WriteString(`</listaDovuti><enteSILInviaRispostaPagamentoUrl>` + e2eReturnURL + `</enteSILInviaRispostaPagamentoUrl></ppt:paaSILInviaCarrelloDovuti>`)
			a := e.silMU(t, b.String())
			if a.Fault != nil || a.IDSessionCarrello == "" {
				t.Fatalf("paaSILInviaCarrelloDovuti: %+v", a.Fault)
			}
			e.checkoutFlow(t, a.IDSessionCarrello, a.URL, "paga", "OK")
			deadline := time.Now().Add(e2eWait)
			for e.cart(t, a.IDSessionCarrello).State == gateway.CartInCorso && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			c := e.cart(t, a.IDSessionCarrello)
			if c.State != gateway.CartPagato || len(c.Payments) != 5 {
				t.Fatalf("cart %s with %d payments", c.State, len(c.Payments))
			}
			for i, p := range c.Payments {
				if p.Receipt == nil || p.Receipt.Esito != gateway.EsitoEseguito || p.Receipt.Amount != gateway.Cents(1000*(i+1)) {
					t.Errorf("payment %d: receipt %+v", i+1, p.Receipt)
				}
			}
		})

		t.Run("cancelled on Checkout", func(t *testing.T) {
			idSession, landing := e.inviaDovutiMU(t, dovutoE2E{IUD: "MU-ANNULLA-1", Importo: "5.00"})
			e.checkoutFlow(t, idSession, landing, "annulla", "ERROR")
			a := e.chiediPagatiMU(t, idSession)
			if a.Fault == nil || a.Fault.Code != "PAA_PAGAMENTO_ANNULLATO" {
				t.Errorf("paaSILChiediPagati after a cancel: %+v", a.Fault)
			}
		})

		t.Run("Checkout timing out", func(t *testing.T) {
			e.node.SetFaults(sim.Faults{Carts: &sim.HTTPFault{DelayMS: 4000, Count: 1}})
			defer e.node.SetFaults(sim.Faults{})
			idSession, landing := e.inviaDovutiMU(t, dovutoE2E{IUD: "MU-TIMEOUT-1", Importo: "7.00"})
			resp, body := e.confirm(t, landing)
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "Non è stato possibile avviare il pagamento") {
				t.Fatalf("confirmation with Checkout hanging: HTTP %d\n%s", resp.StatusCode, body)
			}
			if c := e.cart(t, idSession); c.State != gateway.CartNonInviabile {
				t.Errorf("cart %s after the timeout", c.State)
			}
		})

		t.Run("avviso paid at the PSP desk", func(t *testing.T) {
			iuvCode, link := e.importaMU(t, "MU-AVVISO-1", "88.00")
			nav := "3" + iuvCode
			// The avviso the citizen prints, through urlFileAvviso.
			if !strings.HasPrefix(link, e.base+avvisi.DownloadPath+"?id="+iuvCode+"&securityToken=") {
				t.Fatalf("urlFileAvviso %q", link)
			}
			resp, pdf := e.get(t, link)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
				t.Fatalf("avviso download: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if resp, _ := e.get(t, strings.Replace(link, "id="+iuvCode, "id=01000000000000999", 1)); resp.StatusCode != http.StatusForbidden {
				t.Errorf("avviso link for another IUV: HTTP %d", resp.StatusCode)
			}
			res, err := e.node.PayNotice(context.Background(), cfMU, nav, sim.PayOptions{Sync: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != "PAID" || res.Verify.Amount != 8800 || res.Receipt == nil || !res.Receipt.Delivered() {
				t.Fatalf("PSP desk: %+v", res)
			}
			a := e.sil(t, "", `<ppt:paaSILChiediPagatiConRicevuta><codIpaEnte>`+enteMU+`</codIpaEnte><password>demopass123</password>`+
				`<identificativoUnivocoVersamento>`+iuvCode+`</identificativoUnivocoVersamento></ppt:paaSILChiediPagatiConRicevuta>`)
			if a.Fault != nil || a.Pagati == "" {
				t.Fatalf("paaSILChiediPagatiConRicevuta: %+v", a.Fault)
			}
			// The avviso the ente prints for it, from the command line.
			var out strings.Builder
			pdfFile := t.TempDir() + "/avviso.pdf"
			env := map[string]string{"PONTE_DATA_DIR": cfg.DataDir, "PONTE_DATABASE_URL": cfg.DatabaseURL}
			if err := run(t.Context(), []string{"avviso", "--ente", enteMU, "--iuv", iuvCode, "-o", pdfFile}, strings.NewReader(""), &out, &out,
				func(k string) string { return env[k] }); err != nil || !strings.Contains(out.String(), avvisi.FormatNAV(nav)) {
				t.Errorf("ponte avviso: %v\n%s", err, out.String())
			}
			p := decodePagatiE2E(t, a.Pagati)
			if p.Esito != "0" || p.Totale != "88.00" || p.IUV != iuvCode || p.CCP != res.ReceiptID ||
				len(p.Singoli) != 1 || p.Singoli[0].IUD != "MU-AVVISO-1" {
				t.Errorf("pagati %+v", p)
			}

			// The node delivering the same receipt again: acknowledged
			// as a duplicate, stored once.
			if _, err := e.node.ResendReceipt(res.ReceiptID); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(e2eWait)
			for e.node.ReceiptsPending() > 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			info, _ := e.node.ReceiptV2(res.ReceiptID)
			if len(info.Deliveries) != 1 || info.Deliveries[0].Sends != 2 || !info.Delivered() {
				t.Errorf("resent receipt: %+v", info)
			}
			if ps, err := e.a.db.FindPayments(context.Background(), cfMU, iuvCode); err != nil || len(ps) != 1 {
				t.Errorf("%d payments for the avviso after the duplicate (%v)", len(ps), err)
			}
			// A second payment attempt at a PSP: the notice is paid.
			again, err := e.node.PayNotice(context.Background(), cfMU, nav, sim.PayOptions{Sync: true})
			if err != nil {
				t.Fatal(err)
			}
			if again.Outcome != "VERIFY_KO" || again.Verify.FaultCode != "PAA_PAGAMENTO_DUPLICATO" {
				t.Errorf("second payment: %+v", again)
			}
			// A paid avviso is no longer served.
			if resp, _ := e.get(t, link); resp.StatusCode != http.StatusGone {
				t.Errorf("avviso download after payment: HTTP %d", resp.StatusCode)
			}
		})
	})
}

// TestModelloUnicoMultiBeneficiaryEndToEnd: a multi-beneficiary cart of
// ENTE_DEMO_MU is one Checkout notice whose second transfer pays the
// secondary beneficiary; its one receipt settles the cart.
func TestModelloUnicoMultiBeneficiaryEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		e := startMultiEnte(t, cfg)
		a := e.silMU(t, `<ppt:paaSILInviaCarrelloDovuti><password>demopass123</password><listaDovuti>`+
			`<elementoListaDovuti><codIpaEnte>`+enteMU+`</codIpaEnte><password>`+auth.CartHash(e2eCartSecret, cfMU)+`</password><dovuti>`+
			dovutiB64(dovutoE2E{IUD: "MU-MB-1", Importo: "30.00"})+`</dovuti></elementoListaDovuti></listaDovuti>`+
			`<listaDovutiEntiSecondari><elementoListaDovutiEntiSecondari><dovutiEntiSecondari>`+secondarioE2E(cfSecondario, ibanSecondario, "20.00")+
			`</dovutiEntiSecondari></elementoListaDovutiEntiSecondari></listaDovutiEntiSecondari>`+
			`<enteSILInviaRispostaPagamentoUrl>`+e2eReturnURL+`</enteSILInviaRispostaPagamentoUrl></ppt:paaSILInviaCarrelloDovuti>`)
		if a.Fault != nil || a.IDSessionCarrello == "" {
			t.Fatalf("paaSILInviaCarrelloDovuti: %+v", a.Fault)
		}
		page := e.checkoutFlow(t, a.IDSessionCarrello, a.URL, "paga", "OK")
		p := e.chiediPagatiMU(t, a.IDSessionCarrello)
		if p.Fault != nil {
			t.Fatalf("paaSILChiediPagati: %+v", p.Fault)
		}
		doc := decodePagatiE2E(t, p.Pagati)
		c := e.cart(t, a.IDSessionCarrello)
		if c.State != gateway.CartPagato || len(c.Payments) != 2 || doc.Totale != "50.00" ||
			len(doc.Singoli) != 1 || doc.Singoli[0].IUD != "MU-MB-1" || doc.Singoli[0].Importo != "30.00" {
			t.Fatalf("cart %s (%d payments), pagati %+v", c.State, len(c.Payments), doc)
		}
		id := page[strings.LastIndex(page, "/")+1:]
		info, ok := e.node.Cart(id)
		if !ok || len(info.Request.PaymentNotices) != 1 || info.Request.PaymentNotices[0].Amount != 5000 {
			t.Errorf("Checkout cart %+v", info)
		}
		rs := e.node.ReceiptsV2(cfMU, "3"+c.Payments[0].IUV)
		if len(rs) != 1 {
			t.Fatalf("receipts %+v", rs)
		}
		if len(rs[0].Deliveries) != 1 || rs[0].Deliveries[0].IDPA != cfMU {
			// The secondary beneficiary has no station at the node: only the
			// primary's receives the receipt.
			t.Errorf("deliveries %+v", rs[0].Deliveries)
		}
	})
}

// TestLegacyAvvisoAtPSPEndToEnd: an avviso of ENTE_DEMO, whose station is
// on RPT/RT, paid at the PSP desk: paaVerificaRPT, paaAttivaRPT answered
// at once, the RPT sent by Ponte's sender, the RT back by paaInviaRT;
// then the SIL reports it and a second PSP finds it paid.
func TestLegacyAvvisoAtPSPEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		e := startE2E(t, cfg, nil)
		iuvCode, _ := e.importa(t, "ENTE_DEMO", "LEGACY-AVVISO-1", "64.00")
		nav := "3" + iuvCode
		res, err := e.node.PayNotice(context.Background(), sim.DemoDominio, nav, sim.PayOptions{Sync: true})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Legacy || res.Outcome != "PAID" || res.RT == nil || !res.RT.Delivered() {
			t.Fatalf("PSP desk: %+v", res)
		}
		a := e.sil(t, "", `<ppt:paaSILChiediPagatiConRicevuta><codIpaEnte>ENTE_DEMO</codIpaEnte><password>demopass123</password>`+
			`<identificativoUnivocoVersamento>`+iuvCode+`</identificativoUnivocoVersamento></ppt:paaSILChiediPagatiConRicevuta>`)
		if a.Fault != nil || a.Pagati == "" {
			t.Fatalf("paaSILChiediPagatiConRicevuta: %+v", a.Fault)
		}
		p := decodePagatiE2E(t, a.Pagati)
		if p.Esito != "0" || p.Totale != "64.00" || p.IUV != iuvCode || p.CCP != res.CCP || len(p.Singoli) != 1 || p.Singoli[0].IUD != "LEGACY-AVVISO-1" {
			t.Errorf("pagati %+v (CCP at the PSP %s)", p, res.CCP)
		}
		again, err := e.node.PayNotice(context.Background(), sim.DemoDominio, nav, sim.PayOptions{Sync: true})
		if err != nil || again.Outcome != "VERIFY_KO" || again.Verify.FaultCode != "PAA_PAGAMENTO_DUPLICATO" {
			t.Errorf("second payment: %+v %v", again, err)
		}
	})
}

// TestLegacyFiveNoticeCartEndToEnd: a cart of five dovuti on the legacy
// model is five RPTs sent with one nodoInviaCarrelloRPT; their five RTs
// settle it PAGATO.
func TestLegacyFiveNoticeCartEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		e := startE2E(t, cfg, nil)
		var elems []elementoE2E
		for i := 1; i <= 5; i++ {
			elems = append(elems, elementoE2E{"ENTE_DEMO", sim.DemoDominio, []dovutoE2E{{IUD: fmt.Sprintf("V1-CART-%d", i), Importo: fmt.Sprintf("%d.00", i)}}})
		}
		idSession, landing := e.inviaCarrello(t, elems, "")
		e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)
		deadline := time.Now().Add(e2eWait)
		for e.cart(t, idSession).State == gateway.CartInCorso && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		c := e.cart(t, idSession)
		if c.State != gateway.CartPagato || len(c.Payments) != 5 || e.stats(t).CartsAccepted != 1 {
			t.Fatalf("cart %s with %d payments, node carts %d", c.State, len(c.Payments), e.stats(t).CartsAccepted)
		}
		for i, p := range c.Payments {
			if p.Receipt == nil || p.Receipt.Amount != gateway.Cents(100*(i+1)) {
				t.Errorf("payment %d: receipt %+v", i+1, p.Receipt)
			}
		}
	})
}

// TestCheckoutCartExpiry: a Checkout payment that ends in error leaves the
// cart in progress (the receipt alone decides); without a receipt it ends
// SCADUTO after PONTE_CHECKOUT_EXPIRY, which the SIL then reports.
func TestCheckoutCartExpiry(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.CheckoutExpiry, cfg.RecoverySweep = 300*time.Millisecond, 100*time.Millisecond
		e := startE2E(t, cfg, nil)
		idSession, landing := e.inviaDovutiMU(t, dovutoE2E{IUD: "MU-EXPIRY", Importo: "8.00"})
		e.checkoutFlow(t, idSession, landing, "errore", "ERROR")
		if c := e.cart(t, idSession); c.State != gateway.CartInCorso {
			t.Fatalf("right after the error: %s", c.State)
		}
		deadline := time.Now().Add(5 * time.Second)
		for e.cart(t, idSession).State != gateway.CartScaduto {
			if time.Now().After(deadline) {
				t.Fatalf("cart %s", e.cart(t, idSession).State)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if a := e.chiediPagatiMU(t, idSession); a.Fault == nil || a.Fault.Code != "PAA_PAGAMENTO_SCADUTO" {
			t.Errorf("paaSILChiediPagati: %+v", a.Fault)
		}
	})
}
