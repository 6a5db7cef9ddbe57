package papernodo

import (
	"context"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestVerificaRPT(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d := h.newAvviso()
		a := h.verifica(noticeHead(d.IUV, "CCP-V1"))
		if a.Esito != esitoOK || a.Dati == nil {
			t.Fatalf("payable: %s", a.Body)
		}
		dp := a.Dati
		if dp.ImportoSingoloVersamento.Cents() != 12050 || string(dp.IbanAccredito) != h.ente.IBAN ||
			string(dp.CausaleVersamento) != "/RFB/"+d.IUV+"/120.50/TXT/TARI 2026 rata unica" ||
			dp.EnteBeneficiario == nil || string(dp.EnteBeneficiario.IdentificativoUnivocoBeneficiario.CodiceIdentificativoUnivoco) != testDominio {
			t.Fatalf("datiPagamentoPA %s", a.Body)
		}
		if h.dovutoState(d) != gateway.DovutoDaPagare {
			t.Fatal("verifica changed the dovuto")
		}

		wantPSPFault(t, h.verifica(noticeHead("01999999999999999", "CCP-V2")), CodePagamentoSconosciuto)

		paid := h.newAvviso()
		h.setDovutoState(paid, gateway.DovutoCompletato)
		wantPSPFault(t, h.verifica(noticeHead(paid.IUV, "CCP-V3")), CodePagamentoDuplicato)

		annulled := h.newAvviso()
		must(t, h.db.AnnulDovuto(ctx, h.ente.ID, annulled.IUD))
		wantPSPFault(t, h.verifica(noticeHead(annulled.IUV, "CCP-V4")), CodePagamentoAnnullato)

		expired := h.newAvviso()
		h.setDovutoState(expired, gateway.DovutoScaduto)
		wantPSPFault(t, h.verifica(noticeHead(expired.IUV, "CCP-V5")), CodePagamentoScaduto)

		// A past due date binds only on a tipo that says so.
		must(t, h.db.UpsertTipoDovuto(ctx, &gateway.TipoDovuto{EnteID: h.ente.ID, Code: "MENSA", Description: "Mensa",
			Enabled: true, DueDateMandatory: true}))
		late := h.newAvviso(func(d *gateway.Dovuto) { d.TipoDovuto, d.DueDate = "MENSA", "2026-11-22" })
		wantPSPFault(t, h.verifica(noticeHead(late.IUV, "CCP-V6")), CodePagamentoScaduto)
		lateTARI := h.newAvviso(func(d *gateway.Dovuto) { d.DueDate = "2026-11-22" })
		if a := h.verifica(noticeHead(lateTARI.IUV, "CCP-V7")); a.Esito != esitoOK {
			t.Fatalf("late TARI: %s", a.Body)
		}
		today := h.newAvviso(func(d *gateway.Dovuto) { d.TipoDovuto, d.DueDate = "MENSA", "2026-11-23" })
		if a := h.verifica(noticeHead(today.IUV, "CCP-V8")); a.Esito != esitoOK {
			t.Fatalf("due today: %s", a.Body)
		}

		// In an online cart sent to the node.
		online := h.newAvviso()
		h.setDovutoState(online, gateway.DovutoIniziato)
		wantPSPFault(t, h.verifica(noticeHead(online.IUV, "CCP-V9")), CodePagamentoInCorso)

		// The header against Ponte's configuration.
		n := noticeHead(d.IUV, "CCP-V10")
		n.Dominio = "12345678901"
		a = h.verifica(n)
		if a.code() != CodeIDDominioErrato || a.Fault.Id != "12345678901" {
			t.Fatalf("unknown dominio: %s", a.Body)
		}
		n = noticeHead(d.IUV, "CCP-V10")
		n.Interm = "99999999999"
		wantPSPFault(t, h.verifica(n), CodeIDIntermediarioErrato)
		n = noticeHead(d.IUV, "CCP-V10")
		n.Stazione = "80007580279_99"
		wantPSPFault(t, h.verifica(n), CodeStazioneIntErrata)
	})
}

// An ente on the modello unico is not paid through the legacy primitives.
func TestVerificaRPTModelloUnico(t *testing.T) {
	h := newHarness(t, "sqlite")
	h.ente.StationVersion = gateway.StationUnico
	must(t, h.db.UpdateEnte(context.Background(), h.ente))
	d := h.newAvviso()
	a := h.verifica(noticeHead(d.IUV, "CCP-U1"))
	wantPSPFault(t, a, CodeStazioneIntErrata)
	wantPSPFault(t, h.attiva(noticeHead(d.IUV, "CCP-U1"), "120.50"), CodeStazioneIntErrata)
}

func TestVerificaRPTSyntax(t *testing.T) {
	h := newHarness(t, "sqlite")
	d := h.newAvviso()
	// identificativoPSP qualified: the schema wants it unqualified.
	body := `<ws:paaVerificaRPT><ws:identificativoPSP>` + testPSP + `</ws:identificativoPSP></ws:paaVerificaRPT>`
	wantPSPFault(t, h.call("paaVerificaRPT", pspEnvelope(noticeHead(d.IUV, "CCP-S1"), body)), CodeSintassiExtraXSD)
	// Activation without the channel.
	body = attivaBody("120.50")
	body = body[:len(body)-len(`<identificativoCanalePSP>`+testCanale+`</identificativoCanalePSP></ws:paaAttivaRPT>`)] + `</ws:paaAttivaRPT>`
	wantPSPFault(t, h.call("paaAttivaRPT", pspEnvelope(noticeHead(d.IUV, "CCP-S1"), body)), CodeSintassiExtraXSD)
	if h.dovutoState(d) != gateway.DovutoDaPagare {
		t.Fatal("refused activation changed the dovuto")
	}
}

// The whole modello 3 flow against the simulated node: activation, the
// RPT sent afterwards with the PSP's channel, the RT through paaInviaRT.
func TestAttivaRPTEndToEnd(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		ns := h.startNode(SenderConfig{Backoff: 20 * time.Millisecond})
		d := h.newAvviso()
		n := noticeHead(d.IUV, "CCP-E1")

		a := h.attiva(n, "120.50")
		if a.Esito != esitoOK || a.Dati == nil || string(a.Dati.IbanAccredito) != h.ente.IBAN {
			t.Fatalf("attiva: %s", a.Body)
		}
		if h.dovutoState(d) != gateway.DovutoIniziato {
			t.Fatalf("dovuto %s after attiva", h.dovutoState(d))
		}
		p, err := h.db.FindPayment(ctx, testDominio, d.IUV, "CCP-E1")
		must(t, err)
		if p.State != gateway.PaymentNew {
			t.Fatalf("payment %s before the sender ran", p.State)
		}
		key := sim.RPTKey{Dominio: testDominio, IUV: d.IUV, CCP: "CCP-E1"}
		if ns.node.Received(key) != 0 {
			t.Fatal("RPT sent inside the activation answer")
		}
		// The RPT is the dovuto's, modello 3, paid by the PSP's pagatore.
		sent, err := rpt.ParseRPT(p.RPT)
		must(t, err)
		if sent.TipoVersamento != "PO" || sent.CCP != "CCP-E1" || sent.Total() != 12050 ||
			sent.Pagatore.Codice != "BNCGVN80A01H501X" || sent.Items[0].IBANAccredito != h.ente.IBAN {
			t.Fatalf("RPT %+v", sent)
		}

		// A verifica meanwhile: in progress.
		wantPSPFault(t, h.verifica(noticeHead(d.IUV, "CCP-E2")), CodePagamentoInCorso)
		// The same activation again answers OK and only queues the RPT.
		if a := h.attiva(n, "120.50"); a.Esito != esitoOK {
			t.Fatalf("repeated attiva: %s", a.Body)
		}
		if ps, _ := h.db.FindPayments(ctx, testDominio, d.IUV); len(ps) != 1 {
			t.Fatalf("%d payments after a repeated activation", len(ps))
		}
		if got, err := ns.sender.Round(ctx); err != nil || got != 1 {
			t.Fatalf("round: %d, %v", got, err)
		}
		if ns.node.Received(key) != 1 || ns.node.Stats().RPTsAccepted != 1 {
			t.Fatalf("node received %d, accepted %d", ns.node.Received(key), ns.node.Stats().RPTsAccepted)
		}
		// Repeated after the RPT went: sent again, the node's duplicate
		// tolerated, still one RPT at the node.
		if a := h.attiva(n, "120.50"); a.Esito != esitoOK {
			t.Fatalf("attiva after send: %s", a.Body)
		}
		if _, err := ns.sender.Round(ctx); err != nil {
			t.Fatal(err)
		}
		st := ns.node.Stats()
		if st.RPTsAccepted != 1 || st.DuplicatesRefused != 1 {
			t.Fatalf("node stats %+v", st)
		}
		p, _ = h.db.FindPayment(ctx, testDominio, d.IUV, "CCP-E1")
		if p.State != gateway.PaymentSent {
			t.Fatalf("payment %s after PPT_RPT_DUPLICATA", p.State)
		}
		// Another PSP attempt while this one runs.
		wantPSPFault(t, h.attiva(noticeHead(d.IUV, "CCP-E3"), "120.50"), CodePagamentoInCorso)

		// The PSP pays; the node delivers the RT to Ponte's paaInviaRT.
		_, err = ns.node.Pay(ns.session(t, d.IUV, "CCP-E1"), sim.Outcome{})
		must(t, err)
		eventually(t, "dovuto COMPLETATO", func() bool { return h.dovutoState(d) == gateway.DovutoCompletato })
		c, err := h.db.FindCartByID(ctx, p.CartID)
		must(t, err)
		if c.Kind != gateway.CartAttivatoPSP || c.State != gateway.CartPagato {
			t.Fatalf("cart %s %s", c.Kind, c.State)
		}
		// Ponte commits before it answers: the node counts the delivery a
		// moment after the dovuto is complete.
		eventually(t, "one delivery accepted", func() bool { return ns.node.Deliveries(key).Accepted == 1 })
		wantPSPFault(t, h.verifica(noticeHead(d.IUV, "CCP-E4")), CodePagamentoDuplicato)
		wantPSPFault(t, h.attiva(n, "120.50"), CodePagamentoDuplicato)
	})
}

func TestAttivaRPTWrongAmount(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		d := h.newAvviso()
		wantPSPFault(t, h.attiva(noticeHead(d.IUV, "CCP-A1"), "120.00"), CodeImportoNonValido)
		if ps, _ := h.db.FindPayments(context.Background(), testDominio, d.IUV); len(ps) != 0 || h.dovutoState(d) != gateway.DovutoDaPagare {
			t.Fatalf("%d payments, dovuto %s", len(ps), h.dovutoState(d))
		}
		wantPSPFault(t, h.attiva(noticeHead("01999999999999998", "CCP-A2"), "120.50"), CodePagamentoSconosciuto)
	})
}

// The activation never waits for the node: answered at once while the
// node is slow, then down; the Sender retries and records why.
func TestAttivaRPTNodeUnavailable(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ns := h.startNode(SenderConfig{Backoff: 50 * time.Millisecond, Every: 20 * time.Millisecond})
		ns.node.SetFaults(sim.Faults{DelayMS: 1500})
		h.svc.nudge = ns.sender.Nudge
		done := make(chan struct{})
		go func() { ns.sender.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()

		d := h.newAvviso()
		began := time.Now()
		if a := h.attiva(noticeHead(d.IUV, "CCP-N1"), "120.50"); a.Esito != esitoOK {
			t.Fatalf("attiva: %s", a.Body)
		}
		if took := time.Since(began); took > 500*time.Millisecond {
			t.Fatalf("activation answered in %s while the node is slow", took)
		}
		// The slow call times out (client timeout 1 s): retried later.
		ns.node.SetFaults(sim.Faults{Down: true})
		key := sim.RPTKey{Dominio: testDominio, IUV: d.IUV, CCP: "CCP-N1"}
		eventually(t, "a failed attempt recorded", func() bool {
			p, err := h.db.FindPayment(ctx, testDominio, d.IUV, "CCP-N1")
			return err == nil && p.State == gateway.PaymentNew && h.sendAttempts(p.ID) >= 2
		})
		ns.node.SetFaults(sim.Faults{})
		eventually(t, "RPT sent once the node is back", func() bool {
			p, err := h.db.FindPayment(ctx, testDominio, d.IUV, "CCP-N1")
			return err == nil && p.State == gateway.PaymentSent
		})
		if ns.node.Stats().RPTsAccepted != 1 {
			t.Fatalf("node accepted %d RPTs (received %d)", ns.node.Stats().RPTsAccepted, ns.node.Received(key))
		}
	})
}

// A refusal no retry can fix ends the activation and frees the dovuto;
// PPT_SYSTEM_ERROR is retried.
func TestAttivaRPTRefusedByNode(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		ns := h.startNode(SenderConfig{Backoff: time.Millisecond})
		d := h.newAvviso()
		if a := h.attiva(noticeHead(d.IUV, "CCP-R1"), "120.50"); a.Esito != esitoOK {
			t.Fatalf("attiva: %s", a.Body)
		}
		ns.node.SetFaults(sim.Faults{Next: &sim.ForcedFault{Code: "PPT_SYSTEM_ERROR", Operation: "nodoInviaRPT"}})
		if _, err := ns.sender.Round(ctx); err != nil {
			t.Fatal(err)
		}
		p, _ := h.db.FindPayment(ctx, testDominio, d.IUV, "CCP-R1")
		if p.State != gateway.PaymentNew || h.sendLast(p.ID) == "" {
			t.Fatalf("after PPT_SYSTEM_ERROR: %s, last %q", p.State, h.sendLast(p.ID))
		}
		ns.node.SetFaults(sim.Faults{Next: &sim.ForcedFault{Code: "PPT_CANALE_DISABILITATO", Operation: "nodoInviaRPT"}})
		time.Sleep(5 * time.Millisecond)
		if n, err := ns.sender.Round(ctx); err != nil || n != 1 {
			t.Fatalf("round: %d, %v", n, err)
		}
		p, _ = h.db.FindPayment(ctx, testDominio, d.IUV, "CCP-R1")
		c, err := h.db.FindCartByID(ctx, p.CartID)
		must(t, err)
		if p.State != gateway.PaymentRefused || c.State != gateway.CartNonInviabile || h.dovutoState(d) != gateway.DovutoDaPagare {
			t.Fatalf("after refusal: payment %s, cart %s, dovuto %s", p.State, c.State, h.dovutoState(d))
		}
		// The avviso can be taken again, with a new CCP.
		if a := h.attiva(noticeHead(d.IUV, "CCP-R2"), "120.50"); a.Esito != esitoOK {
			t.Fatalf("attiva again: %s", a.Body)
		}
	})
}

// The reference schema the answers are checked against is not lax: an
// answer with esito before fault, or without faultBean.id, fails it.
func TestReferencePSPSchemaIsStrict(t *testing.T) {
	ref := refPSPSchema(t)
	if ref == "" {
		t.Skip("reference tree absent")
	}
	for _, doc := range []string{
		`<ppt:paaVerificaRPTRisposta xmlns:ppt="` + NS + `"><paaVerificaRPTRisposta><esito>KO</esito><fault><faultCode>X</faultCode><faultString>x</faultString><id>1</id></fault></paaVerificaRPTRisposta></ppt:paaVerificaRPTRisposta>`,
		`<ppt:paaAttivaRPTRisposta xmlns:ppt="` + NS + `"><paaAttivaRPTRisposta><fault><faultCode>X</faultCode><faultString>x</faultString></fault><esito>KO</esito></paaAttivaRPTRisposta></ppt:paaAttivaRPTRisposta>`,
	} {
		err := xsdtest.Check(ref, []byte(doc))
		if err == xsdtest.ErrNoXmllint {
			t.Skip(err)
		}
		if err == nil {
			t.Errorf("reference schema accepted %s", doc)
		}
	}
}
