package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/admin"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/checkout"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// The payment flow end to end, as `ponte serve --demo` runs it: the ente's
// SIL request, the citizen's pages, the simulated node's payment page and
// its RT delivery (paaInviaRT back to the same server), and the ente's
// paaSILChiediPagati, on both stores.

const (
	e2eReturnURL  = "https://gestionale.example.org/ritorno"
	e2eCartSecret = "segreto-intermediario-e2e"
	e2eEmail      = "mario.rossi@example.org"
	e2eWait       = 5 * time.Second

	// A second ente of Ponte, for multi-ente carts, and a secondary
	// beneficiary that is no ente of Ponte, for multi-beneficiary carts.
	enteDue        = "ENTE_DUE"
	cfDue          = "09876543217"
	ibanDue        = "IT05X0542811101000000222222"
	cfSecondario   = "80000000002"
	ibanSecondario = "IT24X0542811101000000333333"
)

// TestPaymentsEndToEnd runs the single-ente cases through the simulator
// `ponte serve --demo` embeds.
func TestPaymentsEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		e := startE2E(t, cfg, nil)

		t.Run("one dovuto paid", func(t *testing.T) {
			idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "E2E-PAGATO-1", Importo: "150.00"})
			sess := e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)

			var si sim.SessionInfo
			e.api(t, http.MethodGet, "/sessions/"+sess, "", &si)
			if si.Status != sim.SessionPaid || si.Esito != "OK" || len(si.RPTs) != 1 || si.RPTs[0].RTs != 1 || si.RPTs[0].Importo != 15000 {
				t.Fatalf("node session %+v", si)
			}
			a := e.waitPagati(t, idSession)
			if a.Fault != nil || a.Pagati == "" {
				t.Fatalf("paaSILChiediPagati: %+v", a.Fault)
			}
			p := decodePagatiE2E(t, a.Pagati)
			c := e.cart(t, idSession)
			pm := c.Payments[0]
			if p.Esito != "0" || p.Totale != "150.00" || p.Dominio != sim.DemoDominio || p.IUV != pm.IUV || p.CCP != pm.CCP ||
				len(p.Singoli) != 1 || p.Singoli[0].IUD != "E2E-PAGATO-1" || p.Singoli[0].Importo != "150.00" {
				t.Errorf("pagati %+v (payment IUV %s CCP %s)", p, pm.IUV, pm.CCP)
			}
			if c.State != gateway.CartPagato || pm.State != gateway.PaymentReceived || pm.Receipt == nil || pm.Receipt.Esito != gateway.EsitoEseguito ||
				pm.Receipt.Amount != 15000 || !bytes.Equal(pm.Receipt.RT, si.RPTs[0].RT) {
				t.Errorf("cart %s, payment %s, receipt %+v", c.State, pm.State, pm.Receipt)
			}
			if ds := e.waitDelivered(t, keyOf(pm), 1); ds.Attempts != 1 || ds.Accepted != 1 {
				t.Errorf("paaInviaRT deliveries %+v", ds)
			}
			// The landing link cannot start a second payment.
			resp, body := e.get(t, landing)
			if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("Pagamento già eseguito")) {
				t.Errorf("landing after payment: %d\n%s", resp.StatusCode, body)
			}
		})

		t.Run("five dovuti in one RPT", func(t *testing.T) {
			before := e.stats(t)
			items := []dovutoE2E{
				{IUD: "E2E-5-1", Importo: "10.00"}, {IUD: "E2E-5-2", Importo: "20.50", Tipo: "MENSA"},
				{IUD: "E2E-5-3", Importo: "0.99"}, {IUD: "E2E-5-4", Importo: "100.00", Tipo: "MENSA"}, {IUD: "E2E-5-5", Importo: "1.01"},
			}
			idSession, landing := e.inviaDovuti(t, items...)
			sess := e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)
			after := e.stats(t)
			if n := after.Calls[sim.OpInviaRPT] - before.Calls[sim.OpInviaRPT]; n != 1 {
				t.Errorf("%d nodoInviaRPT, want 1", n)
			}
			if n := after.Calls[sim.OpInviaCarrelloRPT] - before.Calls[sim.OpInviaCarrelloRPT]; n != 0 {
				t.Errorf("%d nodoInviaCarrelloRPT, want 0", n)
			}
			si, _ := e.node.Session(sess)
			if len(si.RPTs) != 1 || si.RPTs[0].Importo != 13250 {
				t.Fatalf("node session %+v", si)
			}
			sent, err := rpt.ParseRPT(si.RPTs[0].RPT)
			if err != nil || len(sent.Items) != 5 {
				t.Fatalf("RPT: %v, %d items", err, len(sent.Items))
			}
			a := e.waitPagati(t, idSession)
			if a.Fault != nil {
				t.Fatalf("paaSILChiediPagati: %+v", a.Fault)
			}
			p := decodePagatiE2E(t, a.Pagati)
			if p.Esito != "0" || p.Totale != "132.50" || len(p.Singoli) != 5 {
				t.Fatalf("pagati %+v", p)
			}
			for i, it := range items {
				if p.Singoli[i].IUD != it.IUD || p.Singoli[i].Importo != it.Importo {
					t.Errorf("datiSingoloPagamento %d: %+v, want %+v", i+1, p.Singoli[i], it)
				}
			}
			if c := e.cart(t, idSession); c.State != gateway.CartPagato || len(c.Payments) != 1 || len(c.Payments[0].Items) != 5 {
				t.Errorf("cart %s, %d payments", c.State, len(c.Payments))
			}
		})

		t.Run("cancelled on the node's page", func(t *testing.T) {
			idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "E2E-ANNULLATO-1", Importo: "42.00"})
			sess := e.payFlow(t, idSession, landing, sim.AzioneAnnulla, "", "ERROR", nil)
			if si, _ := e.node.Session(sess); si.Status != sim.SessionCancelled {
				t.Errorf("node session %s", si.Status)
			}
			// The node makes a negative RT: the cart ends NON_PAGATO and the
			// ente reads codiceEsitoPagamento 1, nothing paid.
			a := e.waitPagati(t, idSession)
			if a.Fault != nil || a.Pagati == "" {
				t.Fatalf("paaSILChiediPagati: %+v", a.Fault)
			}
			p := decodePagatiE2E(t, a.Pagati)
			if p.Esito != "1" || p.Totale != "0.00" || len(p.Singoli) != 1 || p.Singoli[0].IUD != "E2E-ANNULLATO-1" || p.Singoli[0].Importo != "0.00" {
				t.Errorf("pagati %+v", p)
			}
			c := e.cart(t, idSession)
			if c.State != gateway.CartNonPagato || c.Payments[0].Receipt == nil || c.Payments[0].Receipt.Esito != gateway.EsitoNonEseguito {
				t.Errorf("cart %s, receipt %+v", c.State, c.Payments[0].Receipt)
			}
			if ds := e.waitDelivered(t, keyOf(c.Payments[0]), 1); ds.Accepted != 1 {
				t.Errorf("paaInviaRT deliveries %+v", ds)
			}
		})

		t.Run("RT never arriving", func(t *testing.T) {
			var g sim.GlobalDelivery
			e.api(t, http.MethodPost, "/delivery", `{"mode":"never","count":1}`, &g)
			if g.Mode != sim.DeliverNever || g.Count != 1 {
				t.Fatalf("delivery mode %+v", g)
			}
			idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "E2E-MAI-1", Importo: "7.00"})
			sess := e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)
			e.api(t, http.MethodGet, "/delivery", "", &g)
			if g.Mode != sim.DeliverNormal {
				t.Errorf("delivery mode after the one session: %+v", g)
			}
			// The browser said OK, but only an RT decides: in corso, and it
			// stays so.
			for range 3 {
				a := e.chiediPagati(t, idSession)
				if a.Fault == nil || a.Fault.Code != "PAA_PAGAMENTO_IN_CORSO" || a.Pagati != "" ||
					a.Fault.String != "Pagamento in corso per idSession specificato ["+idSession+"]" {
					t.Fatalf("paaSILChiediPagati: %+v, pagati %q", a.Fault, a.Pagati)
				}
				time.Sleep(50 * time.Millisecond)
			}
			c := e.cart(t, idSession)
			if c.State != gateway.CartInCorso || c.Payments[0].State != gateway.PaymentSent || c.Payments[0].Receipt != nil {
				t.Errorf("cart %s, payment %s", c.State, c.Payments[0].State)
			}
			if ds := e.node.Deliveries(keyOf(c.Payments[0])); ds.Attempts != 0 {
				t.Errorf("paaInviaRT sent in mode never: %+v", ds)
			}
			// The node sends it later (nodoChiediCopiaRT has it all along):
			// then it is paid.
			var resent map[string][]sim.Receipt
			e.api(t, http.MethodPost, "/sessions/"+sess+"/resend", "", &resent)
			if len(resent["resent"]) != 1 {
				t.Fatalf("resend %+v", resent)
			}
			if a := e.waitPagati(t, idSession); a.Fault != nil || decodePagatiE2E(t, a.Pagati).Esito != "0" {
				t.Errorf("paaSILChiediPagati after the late RT: %+v", a.Fault)
			}
		})

		t.Run("RT delivered twice", func(t *testing.T) {
			idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "E2E-DOPPIA-1", Importo: "12.34"})
			e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", func(sess string) {
				e.api(t, http.MethodPost, "/sessions/"+sess+"/delivery", `{"mode":"twice"}`, nil)
			})
			c := e.cart(t, idSession)
			ds := e.waitDelivered(t, keyOf(c.Payments[0]), 2)
			if ds.Attempts != 2 || ds.Accepted != 1 || ds.Refused != 1 || ds.LastFault != "PAA_RT_DUPLICATA" || ds.Retried != 0 {
				t.Errorf("paaInviaRT deliveries %+v: want the copy refused PAA_RT_DUPLICATA", ds)
			}
			c = e.cart(t, idSession)
			if pm := c.Payments[0]; c.State != gateway.CartPagato || pm.Receipt == nil || pm.Receipt.Esito != gateway.EsitoEseguito || pm.Receipt.Amount != 1234 {
				t.Errorf("cart %s, receipt %+v", c.State, pm.Receipt)
			}
			a := e.chiediPagati(t, idSession)
			if a.Fault != nil || decodePagatiE2E(t, a.Pagati).Totale != "12.34" {
				t.Errorf("paaSILChiediPagati: %+v", a.Fault)
			}
		})

		t.Run("negative then positive RT", func(t *testing.T) {
			idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "E2E-NEGPOS-1", Importo: "55.00"})
			e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", func(sess string) {
				e.api(t, http.MethodPost, "/sessions/"+sess+"/delivery", `{"mode":"negative-then-positive"}`, nil)
			})
			c := e.cart(t, idSession)
			if ds := e.waitDelivered(t, keyOf(c.Payments[0]), 2); ds.Attempts != 2 || ds.Accepted != 2 || ds.Refused != 0 {
				t.Errorf("paaInviaRT deliveries %+v: want both RTs accepted", ds)
			}
			c = e.cart(t, idSession)
			if pm := c.Payments[0]; c.State != gateway.CartPagato || pm.Receipt == nil || pm.Receipt.Esito != gateway.EsitoEseguito {
				t.Errorf("cart %s, receipt %+v", c.State, pm.Receipt)
			}
			a := e.chiediPagati(t, idSession)
			if a.Fault != nil {
				t.Fatalf("paaSILChiediPagati: %+v", a.Fault)
			}
			if p := decodePagatiE2E(t, a.Pagati); p.Esito != "0" || p.Totale != "55.00" {
				t.Errorf("pagati %+v", p)
			}
		})

		t.Run("node down at nodoInviaRPT", func(t *testing.T) {
			idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "E2E-GIU-1", Importo: "9.00"})
			before := e.stats(t)
			e.api(t, http.MethodPost, "/faults", `{"down":true}`, nil)
			resp, body := e.confirm(t, landing)
			e.api(t, http.MethodPost, "/faults", `{}`, nil)

			// An error page for a person: HTML, the documented 502, a link
			// back to the ente with esito=ERROR.
			if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
				bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) || !bytes.Contains(body, []byte("Non è stato possibile avviare il pagamento")) {
				t.Fatalf("page: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			m := reBackLink.FindSubmatch(body)
			if m == nil {
				t.Fatalf("no link back to the ente:\n%s", body)
			}
			checkReturn(t, html.UnescapeString(string(m[1])), idSession, "ERROR")

			after := e.stats(t)
			if after.RefusedDown <= before.RefusedDown || after.Sessions != before.Sessions || after.Calls[sim.OpInviaRPT] != before.Calls[sim.OpInviaRPT] {
				t.Errorf("node stats: refusedDown %d→%d, sessions %d→%d", before.RefusedDown, after.RefusedDown, before.Sessions, after.Sessions)
			}
			// IMPOSSIBILE_INVIARE_RP is one of MyPay's "other states".
			a := e.chiediPagati(t, idSession)
			if a.Fault == nil || a.Fault.Code != gateway.CodeSystemError || a.Fault.String != "PAA SYSTEM ERROR" ||
				a.Fault.Description != "Errore interno per idSession: "+idSession || a.Fault.ID != "ENTE_DEMO" || a.Pagati != "" {
				t.Errorf("paaSILChiediPagati: %+v", a.Fault)
			}
			c := e.cart(t, idSession)
			if c.State != gateway.CartNonInviabile || c.NodeURL != "" || c.NodeSession != "" || !strings.Contains(c.Error, "503") {
				t.Errorf("cart %s, node %q %q, error %q", c.State, c.NodeURL, c.NodeSession, c.Error)
			}
			for _, pm := range c.Payments {
				if pm.State != gateway.PaymentRefused || pm.Receipt != nil {
					t.Errorf("payment %s, receipt %+v", pm.State, pm.Receipt)
				}
			}
			// No second attempt from the same link.
			resp, body = e.get(t, landing)
			if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("Pagamento non avviato")) {
				t.Errorf("landing after the failure: %d\n%s", resp.StatusCode, body)
			}
		})

		t.Run("every RPT and RT", func(t *testing.T) { e.checkExchanges(t) })
	})
}

// TestMultiEntePaymentsEndToEnd pays carts of two RPTs. The demo registry
// of the embedded simulator knows one dominio only, so the test mounts a
// simulator whose registry adds the second ente and the secondary
// beneficiary, on the same server, as PONTE_NODE_URL.
func TestMultiEntePaymentsEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		e := startMultiEnte(t, cfg)

		t.Run("multi-ente cart", func(t *testing.T) {
			before := e.stats(t)
			idSession, landing := e.inviaCarrello(t, []elementoE2E{
				{"ENTE_DEMO", sim.DemoDominio, []dovutoE2E{{IUD: "E2E-ME-1", Importo: "30.00"}, {IUD: "E2E-ME-2", Importo: "5.00", Tipo: "MENSA"}}},
				{enteDue, cfDue, []dovutoE2E{{IUD: "E2E-ME-1", Importo: "70.00"}}},
			}, "")
			sess := e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)
			after := e.stats(t)
			if n := after.Calls[sim.OpInviaCarrelloRPT] - before.Calls[sim.OpInviaCarrelloRPT]; n != 1 || after.Calls[sim.OpInviaRPT] != before.Calls[sim.OpInviaRPT] {
				t.Errorf("%d nodoInviaCarrelloRPT, want 1 and no nodoInviaRPT", n)
			}
			si, _ := e.node.Session(sess)
			if si.Carrello == "" || si.MultiBeneficiario || len(si.RPTs) != 2 || si.RPTs[0].Dominio != sim.DemoDominio || si.RPTs[1].Dominio != cfDue ||
				si.RPTs[0].Importo != 3500 || si.RPTs[1].Importo != 7000 {
				t.Fatalf("node session %+v", si)
			}
			c := e.cart(t, idSession)
			for _, pm := range c.Payments {
				e.waitDelivered(t, keyOf(pm), 1)
			}
			a := e.waitPagati(t, idSession)
			if a.Fault != nil {
				t.Fatalf("paaSILChiediPagati: %+v", a.Fault)
			}
			// MyPay answers with the first ente's carrello.
			if p := decodePagatiE2E(t, a.Pagati); p.Esito != "0" || p.Dominio != sim.DemoDominio || p.Totale != "35.00" || len(p.Singoli) != 2 {
				t.Errorf("pagati %+v", p)
			}
			c = e.cart(t, idSession)
			if c.State != gateway.CartPagato || c.Kind != gateway.CartEsternoMultiente || len(c.Payments) != 2 {
				t.Fatalf("cart %s %s, %d payments", c.State, c.Kind, len(c.Payments))
			}
			for _, pm := range c.Payments {
				if pm.Receipt == nil || pm.Receipt.Esito != gateway.EsitoEseguito || pm.Receipt.Amount != pm.Amount {
					t.Errorf("payment %s/%s: receipt %+v", pm.Dominio, pm.IUV, pm.Receipt)
				}
			}
			if c.Payments[1].Dominio != cfDue || c.Payments[1].CodIpa != enteDue {
				t.Errorf("second payment %s %s", c.Payments[1].CodIpa, c.Payments[1].Dominio)
			}
		})

		t.Run("every RPT and RT", func(t *testing.T) { e.checkExchanges(t) })
	})
}

// TestMultiBeneficiaryPaymentEndToEnd pays a multi-beneficiary cart
// (listaDovutiEntiSecondari): two RPTs with the same IUV, the second for a
// beneficiary that is no ente of Ponte. The node delivers the RTs of both
// to the requesting station (pagopa-node.md §3.4), so Ponte must take the
// secondary's RT too for the cart to end PAGATO.
func TestMultiBeneficiaryPaymentEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		e := startMultiEnte(t, cfg)
		idSession, landing := e.inviaCarrello(t, []elementoE2E{
			{"ENTE_DEMO", sim.DemoDominio, []dovutoE2E{{IUD: "E2E-MB-1", Importo: "30.00"}}},
		}, secondarioE2E(cfSecondario, ibanSecondario, "20.00"))
		sess := e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)
		si, _ := e.node.Session(sess)
		if !si.MultiBeneficiario || len(si.RPTs) != 2 || si.RPTs[0].Dominio != sim.DemoDominio || si.RPTs[1].Dominio != cfSecondario ||
			si.RPTs[0].IUV != si.RPTs[1].IUV || si.RPTs[0].CCP != si.Carrello || si.RPTs[1].Importo != 2000 {
			t.Fatalf("node session %+v", si)
		}
		c := e.cart(t, idSession)
		for _, pm := range c.Payments {
			if ds := e.waitDelivered(t, keyOf(pm), 1); ds.Accepted != 1 {
				t.Errorf("paaInviaRT of %s: %+v", pm.Dominio, ds)
			}
		}
		a := e.waitPagati(t, idSession)
		if a.Fault != nil {
			t.Fatalf("paaSILChiediPagati: %+v", a.Fault)
		}
		if p := decodePagatiE2E(t, a.Pagati); p.Esito != "0" || p.Dominio != sim.DemoDominio || p.Totale != "30.00" || len(p.Singoli) != 1 || p.Singoli[0].IUD != "E2E-MB-1" {
			t.Errorf("pagati %+v", p)
		}
		c = e.cart(t, idSession)
		if c.State != gateway.CartPagato || !c.MultiBeneficiary || len(c.Payments) != 2 {
			t.Errorf("cart %s, multi %v, %d payments", c.State, c.MultiBeneficiary, len(c.Payments))
		}
		e.checkExchanges(t)
	})
}

// startMultiEnte is startE2E with a second ente, ENTE_DUE, in Ponte and in
// the node's registry, and a secondary beneficiary known to the node only.
func startMultiEnte(t *testing.T, cfg *Config) *e2e {
	t.Helper()
	e := startE2E(t, cfg, func(c *sim.Config) {
		c.Domini = append(c.Domini,
			sim.Dominio{ID: cfDue, Name: "Comune di Ponte Due", Stazioni: []string{sim.DemoStazione}, IBANs: []string{ibanDue}},
			sim.Dominio{ID: cfSecondario, Name: "Provincia di Ponte", IBANs: []string{ibanSecondario}})
	})
	err := admin.Apply(context.Background(), e.a.db, &admin.Seed{Enti: []admin.EnteSeed{{
		CodIpa: enteDue, CodiceFiscale: cfDue, Denominazione: "Comune di Ponte Due", Password: "duepass123",
		IBAN: ibanDue, SegregationCode: "01", ApplicationCode: "01",
		Intermediario: sim.DemoIntermediario, Stazione: sim.DemoStazione, PasswordStazione: sim.DemoPassword,
		TipiDovuto: []admin.TipoSeed{{Codice: "TARI", Descrizione: "Tassa sui rifiuti", CodiceTassonomico: "0101100IM"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}

	return e
}

// e2e is a running `ponte serve --demo` and its node simulator.
type e2e struct {
	a      *app
	node   *sim.Node
	deliv  *sim.Deliverer
	base   string
	client *http.Client
	seen   []string // node sessions of the carts the node accepted
}

// startE2E serves newApp on a real listener whose address is the public
// URL, so the simulator's station points back at the same server. With
// extend nil the simulator is the one newApp embeds; otherwise a simulator
// with the demo registry changed by extend is mounted on the app and set
// as the node URL.
func startE2E(t *testing.T, cfg *Config, extend func(*sim.Config)) *e2e {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg.Demo = true
	cfg.CartSecret = e2eCartSecret
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	if extend != nil {
		cfg.NodeURL = cfg.PublicURL + sim.DefaultSOAPPath
		cfg.CheckoutURL = cfg.PublicURL + sim.CheckoutAPIBase
	}
	a, err := newApp(context.Background(), cfg, quietLog(t))
	if err != nil {
		srv.Listener.Close()
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	e := &e2e{a: a, node: a.sim, deliv: a.simDelivery, base: cfg.PublicURL, client: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	if extend != nil {
		sc := sim.DemoRegistry(cfg.PublicURL)
		extend(&sc)
		n, err := sim.New(sc, nil)
		if err != nil {
			srv.Listener.Close()
			t.Fatal(err)
		}
		d := n.StartDelivery(sim.DeliveryConfig{Retry: sim.RetryPolicy{Attempts: 3, Backoff: 100 * time.Millisecond}, Timeout: 5 * time.Second})
		t.Cleanup(func() { d.Close(context.Background()) })
		n.Mount(a.echo, "")
		e.node, e.deliv = n, d
	}
	if e.node == nil {
		srv.Listener.Close()
		t.Fatal("ponte serve --demo without PONTE_NODE_URL embeds no simulator")
	}
	srv.Config.Handler = a.echo
	srv.Start()
	t.Cleanup(srv.Close)
	return e
}

// --- the ente's side: SOAP on the SIL endpoint ---

type dovutoE2E struct{ IUD, Importo, Tipo string }

// dovutiB64 is a Dovuti document (base64) of MARIO ROSSI for the items;
// Tipo defaults to TARI.
func dovutiB64(items ...dovutoE2E) string {
	var b strings.Builder
	b.WriteString(`<Dovuti xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>` +
		`<soggettoPagatore><identificativoUnivocoPagatore><tipoIdentificativoUnivoco>F</tipoIdentificativoUnivoco>` +
		`<codiceIdentificativoUnivoco>RSSMRA80A01H501U</codiceIdentificativoUnivoco></identificativoUnivocoPagatore>` +
		`<anagraficaPagatore>MARIO ROSSI</anagraficaPagatore><indirizzoPagatore>Via Roma</indirizzoPagatore><civicoPagatore>1</civicoPagatore>` +
		`<capPagatore>30100</capPagatore><localitaPagatore>Venezia</localitaPagatore><provinciaPagatore>VE</provinciaPagatore>` +
		`<nazionePagatore>IT</nazionePagatore><e-mailPagatore>` + e2eEmail + `</e-mailPagatore></soggettoPagatore>` +
		`<datiVersamento><tipoVersamento>ALL</tipoVersamento>`)
	for _, it := range items {
		tipo, dsr := "TARI", "9/0101100IM/"
		if it.Tipo == "MENSA" {
			tipo, dsr = "MENSA", "9/0201102IM/"
		}
		fmt.Fprintf(&b, `<datiSingoloVersamento><identificativoUnivocoDovuto>%s</identificativoUnivocoDovuto>`+
			`<importoSingoloVersamento>%s</importoSingoloVersamento><identificativoTipoDovuto>%s</identificativoTipoDovuto>`+
			`<causaleVersamento>%s %s</causaleVersamento><datiSpecificiRiscossione>%s</datiSpecificiRiscossione></datiSingoloVersamento>`,
			it.IUD, it.Importo, tipo, tipo, it.IUD, dsr)
	}
	b.WriteString(`</datiVersamento></Dovuti>`)
	return base64.StdEncoding.EncodeToString([]byte(b.String()))
}

// secondarioE2E is a DovutiEntiSecondari document (base64).
func secondarioE2E(cf, iban, importo string) string {
	return base64.StdEncoding.EncodeToString([]byte(`<DovutiEntiSecondari xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/">` +
		`<versioneOggetto>6.2.0</versioneOggetto><datiVersamentoEntiSecondari><codiceFiscaleBeneficiario>` + cf + `</codiceFiscaleBeneficiario>` +
		`<denominazioneBeneficiario>Provincia di Ponte</denominazioneBeneficiario><ibanAccreditoBeneficiario>` + iban + `</ibanAccreditoBeneficiario>` +
		`<causaleVersamento>Quota provincia</causaleVersamento><datiSpecificiRiscossione>9/0101100IM/</datiSpecificiRiscossione>` +
		`<importoSingoloVersamento>` + importo + `</importoSingoloVersamento></datiVersamentoEntiSecondari></DovutiEntiSecondari>`))
}

// silAnswer holds the fields of the SIL answers these tests read.
type silAnswer struct {
	XMLName           xml.Name
	IDSession         string `xml:"idSession"`
	IDSessionCarrello string `xml:"idSessionCarrello"`
	URL               string `xml:"url"`
	Pagati            string `xml:"pagati"`
	URLFileAvviso     string `xml:"urlFileAvviso"`
	Fault             *struct {
		Code        string `xml:"faultCode"`
		String      string `xml:"faultString"`
		ID          string `xml:"id"`
		Description string `xml:"description"`
	} `xml:"fault"`
}

// sil posts one SIL operation (with the ppthead header when codIpa is
// set) and returns its schema-valid answer.
func (e *e2e) sil(t *testing.T, codIpa, op string) *silAnswer {
	t.Helper()
	head := ""
	if codIpa != "" {
		head = `<soapenv:Header><ppthead:intestazionePPT><codIpaEnte>` + codIpa + `</codIpaEnte></ppthead:intestazionePPT></soapenv:Header>`
	}
	env := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead"` +
		` xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/">` + head + `<soapenv:Body>` + op + `</soapenv:Body></soapenv:Envelope>`
	resp, err := e.client.Post(e.base+SILPath, "text/xml; charset=utf-8", strings.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SIL: HTTP %d\n%s", resp.StatusCode, raw)
	}
	inner := innerBody(t, raw)
	xsdtest.Validate(t, xsdtest.Path("pa-per-ente-types.xsd"), inner)
	var a silAnswer
	if err := xml.Unmarshal(inner, &a); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return &a
}

// inviaDovuti is ENTE_DEMO's paaSILInviaDovuti with showMyPay SHORT; it
// returns the idSession and the landing URL.
func (e *e2e) inviaDovuti(t *testing.T, items ...dovutoE2E) (string, string) {
	t.Helper()
	a := e.sil(t, "ENTE_DEMO", `<ppt:paaSILInviaDovuti><password>demopass123</password><dovuti>`+dovutiB64(items...)+`</dovuti>`+
		`<enteSILInviaRispostaPagamentoUrl>`+e2eReturnURL+`</enteSILInviaRispostaPagamentoUrl><showMyPay>SHORT</showMyPay></ppt:paaSILInviaDovuti>`)
	if a.Fault != nil || a.IDSession == "" || !strings.HasPrefix(a.URL, e.base+checkout.LandingPath+"?id=") {
		t.Fatalf("paaSILInviaDovuti: %+v fault %+v", a, a.Fault)
	}
	return a.IDSession, a.URL
}

type elementoE2E struct {
	CodIpa, CF string
	Dovuti     []dovutoE2E
}

// inviaCarrello is ENTE_DEMO's paaSILInviaCarrelloDovuti, with a
// secondary beneficiary's document when secondario is set.
func (e *e2e) inviaCarrello(t *testing.T, elems []elementoE2E, secondario string) (string, string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(`<ppt:paaSILInviaCarrelloDovuti><password>demopass123</password><listaDovuti>`)
	for _, el := range elems {
		fmt.Fprintf(&b, `<elementoListaDovuti><codIpaEnte>%s</codIpaEnte><password>%s</password><dovuti>%s</dovuti></elementoListaDovuti>`,
			el.CodIpa, auth.CartHash(e2eCartSecret, el.CF), dovutiB64(el.Dovuti...))
	}
	b.WriteString(`</listaDovuti>`)
	if secondario != "" {
		b.WriteString(`<listaDovutiEntiSecondari><elementoListaDovutiEntiSecondari><dovutiEntiSecondari>` + secondario +
			`</dovutiEntiSecondari></elementoListaDovutiEntiSecondari></listaDovutiEntiSecondari>`)
	}
	b.WriteString(`<enteSILInviaRispostaPagamentoUrl>` + e2eReturnURL + `</enteSILInviaRispostaPagamentoUrl></ppt:paaSILInviaCarrelloDovuti>`)
	a := e.sil(t, "ENTE_DEMO", b.String())
	if a.Fault != nil || a.IDSessionCarrello == "" || !strings.HasPrefix(a.URL, e.base+checkout.LandingPath+"?id=") {
		t.Fatalf("paaSILInviaCarrelloDovuti: %+v fault %+v", a, a.Fault)
	}
	return a.IDSessionCarrello, a.URL
}

// chiediPagati is ENTE_DEMO's paaSILChiediPagati.
func (e *e2e) chiediPagati(t *testing.T, idSession string) *silAnswer {
	t.Helper()
	return e.sil(t, "", `<ppt:paaSILChiediPagati><codIpaEnte>ENTE_DEMO</codIpaEnte><password>demopass123</password>`+
		`<idSession>`+idSession+`</idSession></ppt:paaSILChiediPagati>`)
}

// waitPagati asks paaSILChiediPagati until it no longer answers
// PAA_PAGAMENTO_IN_CORSO, for at most e2eWait.
func (e *e2e) waitPagati(t *testing.T, idSession string) *silAnswer {
	t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		a := e.chiediPagati(t, idSession)
		if a.Fault == nil || a.Fault.Code != "PAA_PAGAMENTO_IN_CORSO" || time.Now().After(deadline) {
			return a
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pagatiDoc is what the tests read of a Pagati document.
type pagatiDoc struct {
	Dominio string `xml:"dominio>identificativoDominio"`
	Esito   string `xml:"datiPagamento>codiceEsitoPagamento"`
	Totale  string `xml:"datiPagamento>importoTotalePagato"`
	IUV     string `xml:"datiPagamento>identificativoUnivocoVersamento"`
	CCP     string `xml:"datiPagamento>codiceContestoPagamento"`
	Singoli []struct {
		IUD     string `xml:"identificativoUnivocoDovuto"`
		Importo string `xml:"singoloImportoPagato"`
	} `xml:"datiPagamento>datiSingoloPagamento"`
}

// decodePagatiE2E decodes pagati (base64 twice), validates the document
// against Ponte's payload schema and MyPay's, and reads it.
func decodePagatiE2E(t *testing.T, text string) *pagatiDoc {
	t.Helper()
	once, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		t.Fatalf("pagati, first base64: %v", err)
	}
	doc, err := base64.StdEncoding.DecodeString(string(once))
	if err != nil {
		t.Fatalf("pagati, second base64: %v", err)
	}
	xsdtest.Validate(t, xsdtest.Path("PagInf_Dovuti_Pagati_6_2_0.xsd"), doc)
	if ref := refPagatiSchema(t); ref != "" {
		xsdtest.Validate(t, ref, doc)
	}
	var p pagatiDoc
	if err := xml.Unmarshal(doc, &p); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	return &p
}

// refPagatiSchema is a temporary copy of MyPay's Pagati schema that
// libxml2 compiles (it refuses the escaped slash of two patterns, the same
// character unescaped), or "" without the reference tree.
func refPagatiSchema(t *testing.T) string {
	t.Helper()
	src := xsdtest.RefPath("mypay/wsdl/pa/PagInf_Dovuti_Pagati_6_2_0.xsd")
	if src == "" {
		return ""
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(p, bytes.ReplaceAll(b, []byte(`\/`), []byte("/")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// --- the citizen's side: browser requests, one redirect at a time ---

var (
	reFormID   = regexp.MustCompile(`name="id" value="([^"]*)"`)
	reFormCSRF = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	reBackLink = regexp.MustCompile(`<a class="pulsante primario" href="([^"]*)"`)
)

func (e *e2e) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("%s %s: HTTP %d\n%s", req.Method, req.URL, resp.StatusCode, body)
	}
	return resp, body
}

func (e *e2e) get(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e.do(t, req)
}

func (e *e2e) postForm(t *testing.T, u string, v url.Values) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// What a browser sends for a form of the same site.
	req.Header.Set("Origin", e.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.do(t, req)
}

// confirm opens the landing page (SHORT: the confirmation form) and
// submits it with azione=paga.
func (e *e2e) confirm(t *testing.T, landing string) (*http.Response, []byte) {
	t.Helper()
	resp, body := e.get(t, landing)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("landing: HTTP %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	id, csrf := reFormID.FindSubmatch(body), reFormCSRF.FindSubmatch(body)
	if id == nil || csrf == nil {
		t.Fatalf("no id or csrf in the confirmation form:\n%s", body)
	}
	return e.postForm(t, e.base+checkout.LandingPath, url.Values{
		"id":     {html.UnescapeString(string(id[1]))},
		"csrf":   {html.UnescapeString(string(csrf[1]))},
		"email":  {e2eEmail},
		"azione": {"paga"},
	})
}

// payFlow takes a cart from its landing URL to the ente's return URL:
// confirmation, 303 to the node's page, azione (esito) there, 302 back to
// Ponte, 302 on to the ente with idSession and want as esito. before, if
// set, runs with the node's session before the node's page is submitted.
// It returns the node's idSession.
func (e *e2e) payFlow(t *testing.T, idSession, landing, azione, esito, want string, before func(nodeSession string)) string {
	t.Helper()
	resp, body := e.confirm(t, landing)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.base+sim.WISPPath+"?idSession=") {
		t.Fatalf("confirmation: HTTP %d to %q, want 303 to the node's page\n%s", resp.StatusCode, loc, body)
	}
	u, _ := url.Parse(loc)
	sess := u.Query().Get("idSession")
	e.seen = append(e.seen, sess)
	if c := e.cart(t, idSession); c.State != gateway.CartInCorso || c.NodeSession != sess || c.NodeURL != loc {
		t.Fatalf("cart sent: %s, node session %q, URL %q", c.State, c.NodeSession, c.NodeURL)
	}
	if before != nil {
		before(sess)
	}

	resp, body = e.get(t, loc)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`name="idSession" value="`+sess+`"`)) {
		t.Fatalf("node's page: HTTP %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.postForm(t, e.base+sim.WISPPath, url.Values{"idSession": {sess}, "azione": {azione}, "esito": {esito}})
	loc = resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, e.base+checkout.EsitoPath+"?") {
		t.Fatalf("node's page submitted: HTTP %d to %q\n%s", resp.StatusCode, loc, body)
	}
	if u, _ := url.Parse(loc); u.Query().Get("idSession") != sess || u.Query().Get("esito") != want {
		t.Errorf("node's redirect %q: want idSession %s, esito %s", loc, sess, want)
	}

	resp, body = e.get(t, loc)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("esitoPagamento: HTTP %d\n%s", resp.StatusCode, body)
	}
	checkReturn(t, resp.Header.Get("Location"), idSession, want)
	return sess
}

// checkReturn checks a URL back to the ente: its return URL with MyPay's
// idSession and esito.
func checkReturn(t *testing.T, loc, idSession, esito string) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil || u.Scheme+"://"+u.Host+u.Path != e2eReturnURL || u.Query().Get("idSession") != idSession || u.Query().Get("esito") != esito {
		t.Errorf("back to the ente at %q, want %s?idSession=%s&esito=%s", loc, e2eReturnURL, idSession, esito)
	}
}

// --- the node's side: control API and delivery ---

// api calls the simulator's control API and decodes its JSON answer.
func (e *e2e) api(t *testing.T, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, e.base+sim.APIPrefix+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, raw := e.do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

func (e *e2e) stats(t *testing.T) sim.Stats {
	t.Helper()
	var s sim.Stats
	e.api(t, http.MethodGet, "/stats", "", &s)
	return s
}

func keyOf(p *gateway.Payment) sim.RPTKey {
	return sim.RPTKey{Dominio: p.Dominio, IUV: p.IUV, CCP: p.CCP}
}

// waitDelivered waits until the node has sent at least n paaInviaRT for
// key and has nothing left to deliver, and returns its delivery counters.
func (e *e2e) waitDelivered(t *testing.T, key sim.RPTKey, n int) sim.DeliveryStats {
	t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		ds := e.node.Deliveries(key)
		if ds.Attempts >= n && e.deliv.Pending() == 0 {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("paaInviaRT for %s: %+v, %d pending after %s", key, ds, e.deliv.Pending(), e2eWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *e2e) cart(t *testing.T, idSession string) *gateway.Cart {
	t.Helper()
	c, err := e.a.db.FindCart(context.Background(), idSession)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// checkExchanges validates every RPT the node accepted and every RT it
// made against the RPT/RT schema (Ponte's copy and pagoPA's), and checks
// that each paaInviaRT was answered: accepted, or refused only as a
// duplicate.
func (e *e2e) checkExchanges(t *testing.T) {
	t.Helper()
	schemas := []string{xsdtest.Path("PagInf_RPT_RT_6_2_0.xsd")}
	if ref := xsdtest.RefPath("pagopa/pagopa-api/gad/xsd/PagInf_RPT_RT_6_2_0.xsd"); ref != "" {
		schemas = append(schemas, ref)
	} else {
		t.Log("reference tree absent: RPTs checked against Ponte's schema only")
	}
	deliveries := e.stats(t).Deliveries
	rpts := 0
	for _, id := range e.seen {
		si, ok := e.node.Session(id)
		if !ok {
			t.Fatalf("node session %s forgotten", id)
		}
		for _, r := range si.RPTs {
			rpts++
			for _, s := range schemas {
				xsdtest.Validate(t, s, r.RPT)
				xsdtest.Validate(t, s, r.RT)
			}
			ds := deliveries[r.RPTKey.String()]
			if ds.Accepted < 1 || ds.Accepted+ds.Refused != ds.Attempts || (ds.Refused > 0 && ds.LastFault != "PAA_RT_DUPLICATA") ||
				ds.SendErrors+ds.Unknown+ds.Abandoned != 0 {
				t.Errorf("paaInviaRT of %s: %+v", r.RPTKey, ds)
			}
		}
	}
	if rpts == 0 {
		t.Fatal("no RPT reached the node")
	}
}
