package sil

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	gensil "github.com/ponte-pagopa/ponte/generated/sil"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

var idSessionRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]+$`)

func TestIDSessionFormat(t *testing.T) {
	id := newIDSession(testNow)
	if !idSessionRE.MatchString(id) {
		t.Fatalf("idSession %q", id)
	}
	// The last group is yyMMddHHmmssSSS in hex.
	if got := id[strings.LastIndex(id, "-")+1:]; mustHex(t, got) != 250615100000000 {
		t.Errorf("timestamp group %q", got)
	}
	if a, b := newToken(), newToken(); a == b || len(a) != 32 {
		t.Error("tokens")
	}
}

func mustHex(t *testing.T, s string) int64 {
	var n int64
	for _, c := range s {
		n *= 16
		switch {
		case c >= '0' && c <= '9':
			n += int64(c - '0')
		case c >= 'a' && c <= 'f':
			n += int64(c-'a') + 10
		default:
			t.Fatalf("not hex: %q", s)
		}
	}
	return n
}

func goodDovuti(items ...dov) string {
	return b64(dovutiXML("F", goodCF, goodEmail, "ALL", "", items...))
}

func TestInviaDovuti(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.ente.RedirectURL = "https://ente.example.org/ritorno"
		must(t, h.db.UpdateEnte(ctx, h.ente))

		a := h.post(t, inviaEnv(testCodIpa, testPassword, goodDovuti(dov{IUD: "INV-1"}, dov{IUD: "INV-2", Importo: "10.50"}), "", ""))
		p := wantOK(t, a)
		if a.Name != "paaSILInviaDovutiRisposta" || a.Esito != "OK" || p.Redirect != "1" || !idSessionRE.MatchString(p.IDSession) {
			t.Fatalf("answer %s", a.Raw)
		}
		c, err := h.svc.carts.FindCart(ctx, p.IDSession)
		must(t, err)
		if p.URL != "https://ponte.example.org/public/landing/inviaDovuti?id="+c.Token || len(c.Token) != 32 || c.Token == p.IDSession {
			t.Errorf("url %q token %q", p.URL, c.Token)
		}
		if c.Kind != gateway.CartEsterno || c.State != gateway.CartPredisposto || c.ShowMyPay != ShowMyPayShort ||
			c.ReturnURL != h.ente.RedirectURL || c.Email != "mario.rossi@example.org" || c.CodIpa != testCodIpa ||
			!c.ExpiresAt.Equal(testNow.Add(time.Hour)) || len(c.Payments) != 1 {
			t.Fatalf("cart %+v", c)
		}
		pm := c.Payments[0]
		if pm.Dominio != h.ente.CodiceFiscale || pm.Amount != 3550 || len(pm.Items) != 2 || pm.Items[1].IUD != "INV-2" || pm.IUV != "" {
			t.Errorf("payment %+v", pm)
		}

		// showMyPay NONE and the request's return URL.
		a = h.post(t, inviaEnv(testCodIpa, testPassword, goodDovuti(dov{IUD: "INV-3"}), "NONE", "https://gestionale.example.org/esito"))
		p = wantOK(t, a)
		c, err = h.svc.carts.FindCart(ctx, p.IDSession)
		must(t, err)
		if c.ShowMyPay != ShowMyPayNone || c.ReturnURL != "https://gestionale.example.org/esito" {
			t.Errorf("cart %+v", c)
		}

		must(t, h.db.InsertDovuto(ctx, &gateway.Dovuto{EnteID: h.ente.ID, IUD: "USED-1", TipoDovuto: "TARI", Amount: 100, State: gateway.DovutoDaPagare,
			Causale: "x", DatiSpecificiRiscossione: "9/0201102IM/", Payer: &gateway.Payer{Type: "F", ID: goodCF, Name: "X"}}))
		for _, c := range []struct{ name, codIpa, pw, dovuti, show, code, str string }{
			{"unknown ente", "c_zzz999", testPassword, goodDovuti(dov{}), "", gateway.CodeEnteNonValido, "codice IPA Ente [c_zzz999] non valido"},
			{"ente inserito", testInserito, testPassword, goodDovuti(dov{}), "", gateway.CodeStatoEnteNonValido, "Stato Ente Non Valido"},
			{"wrong password", testCodIpa, "sbagliata1", goodDovuti(dov{}), "", gateway.CodeEnteNonValido, "Password non valida per ente [c_x000]"},
			{"xml", testCodIpa, testPassword, b64("<Dovuti/>"), "", gateway.CodeXMLNonValido, "XML dei dovuti non valido"},
			{"IUD used", testCodIpa, testPassword, goodDovuti(dov{IUD: "USED-1"}), "", gateway.CodeIUDDuplicato, "IUD [USED-1] già inviato"},
			{"NONE anagrafica", testCodIpa, testPassword, b64(dovutiXML("F", goodCF, "", "ALL", "", dov{})), "NONE", gateway.CodeAnagraficaNonValida, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := h.post(t, inviaEnv(c.codIpa, c.pw, c.dovuti, c.show, ""))
				wantFault(t, a, c.code, c.codIpa, true)
				if c.str != "" && a.Fault.FaultString != c.str {
					t.Errorf("faultString %q, want %q", a.Fault.FaultString, c.str)
				}
				if p := pay(t, a); p.IDSession != "" || p.URL != "" {
					t.Errorf("session in a fault: %s", a.Raw)
				}
			})
		}
	})
}

func secondarioXML(cf, iban, importo string) string {
	return `<DovutiEntiSecondari xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>` +
		`<datiVersamentoEntiSecondari><codiceFiscaleBeneficiario>` + cf + `</codiceFiscaleBeneficiario><denominazioneBeneficiario>Provincia</denominazioneBeneficiario>` +
		`<ibanAccreditoBeneficiario>` + iban + `</ibanAccreditoBeneficiario><causaleVersamento>Quota provincia</causaleVersamento>` +
		`<datiSpecificiRiscossione>9/0101100IM/</datiSpecificiRiscossione><importoSingoloVersamento>` + importo + `</importoSingoloVersamento>` +
		`</datiVersamentoEntiSecondari></DovutiEntiSecondari>`
}

const (
	cf2       = "00000000002"
	cf3       = "00000000003"
	secCF     = "80000000002"
	secIBAN   = "IT60X0542811101000000123456"
	wrongIBAN = "IT61X0542811101000000123456"
)

func TestInviaCarrello(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		e2 := addEnte(t, h, "c_x002", cf2, "02")
		addEnte(t, h, "c_x003", cf3, "03")
		three := []elem{
			{testCodIpa, cartHash(h.ente.CodiceFiscale), goodDovuti(dov{IUD: "C-1"}, dov{IUD: "C-2"})},
			{"c_x002", strings.ToUpper(cartHash(cf2)), goodDovuti(dov{IUD: "C-1", Importo: "5.00"})}, // same IUD, other ente: fine
			{"c_x003", cartHash(cf3), goodDovuti(dov{IUD: "C-3"})},
		}
		a := h.post(t, carrelloEnv(testCodIpa, testPassword, three, nil))
		p := wantOK(t, a)
		if a.Esito != "OK" || !idSessionRE.MatchString(p.IDSessionCarrello) || p.Redirect != "1" || !strings.HasPrefix(p.URL, "https://ponte.example.org/public/landing/inviaDovuti?id=") {
			t.Fatalf("answer %s", a.Raw)
		}
		c, err := h.svc.carts.FindCart(ctx, p.IDSessionCarrello)
		must(t, err)
		if c.Kind != gateway.CartEsternoMultiente || len(c.Payments) != 3 || c.MultiBeneficiary || c.ShowMyPay != ShowMyPayShort {
			t.Fatalf("cart %+v", c)
		}
		if q := c.Payments[1]; q.EnteID != e2.ID || q.CodIpa != "c_x002" || q.Dominio != cf2 || q.Amount != 500 || q.Position != 2 ||
			q.Items[0].Flusso != "_c_x002_ESTERNO-ANONIMO_MULTIENTE" {
			t.Errorf("payment 2 %+v", q)
		}

		// Multi-beneficiary: one element with one item, one secondary.
		t.Run("multi-beneficiary", func(t *testing.T) {
			needSecondaryPayments(t, h)
			a := h.post(t, carrelloEnv(testCodIpa, testPassword, []elem{{testCodIpa, cartHash(h.ente.CodiceFiscale), goodDovuti(dov{IUD: "MB-1", Importo: "30.00"})}},
				[]string{b64(secondarioXML(secCF, secIBAN, "20.00"))}))
			p := wantOK(t, a)
			c, err := h.svc.carts.FindCart(ctx, p.IDSessionCarrello)
			must(t, err)
			if !c.MultiBeneficiary || len(c.Payments) != 2 {
				t.Fatalf("cart %+v", c)
			}
			if s := c.Payments[1]; s.Dominio != secCF || s.EnteID != 0 || s.CodIpa != "" || s.Amount != 2000 || len(s.Items) != 1 ||
				s.Items[0].IUD != "MB-1" || s.Items[0].Secondary == nil || s.Items[0].Secondary.IBAN != secIBAN || s.Items[0].Causale != "Quota provincia" {
				t.Errorf("secondary payment %+v", s)
			}
		})

		one := func(iud string) elem {
			return elem{testCodIpa, cartHash(h.ente.CodiceFiscale), goodDovuti(dov{IUD: iud})}
		}
		six := []elem{}
		for i := range 6 {
			six = append(six, one("SIX-"+string(rune('a'+i))))
		}
		for _, c := range []struct {
			name, codIpa, pw string
			elems            []elem
			sec              []string
			code, str        string
		}{
			{"unknown caller", "c_zzz999", testPassword, three, nil, gateway.CodeEnteNonValido, "codice IPA Ente [c_zzz999] non valido"},
			{"caller password", testCodIpa, "sbagliata1", three, nil, gateway.CodeEnteNonValido, "Password non valida per ente [c_x000]"},
			{"inserito accepted, bad hash", testInserito, testPassword, []elem{{testInserito, "00", goodDovuti(dov{})}}, nil, gateway.CodeEnteNonValido, "Password non valida per ente [c_ins000]"},
			{"element ente", testCodIpa, testPassword, []elem{{"c_nope", "x", goodDovuti(dov{})}}, nil, gateway.CodeEnteNonValido, "codice IPA Ente [c_nope] non valido"},
			{"element hash", testCodIpa, testPassword, []elem{{"c_x002", cartHash(cf3), goodDovuti(dov{})}}, nil, gateway.CodeEnteNonValido, "Password non valida per ente [c_x002]"},
			{"IUD twice in input", testCodIpa, testPassword, []elem{one("D-9"), one("D-9")}, nil, gateway.CodeIUDDuplicato, "IUD [D-9] duplicato in input per ente"},
			{"IUD already sent", testCodIpa, testPassword, []elem{one("USED-2")}, nil, gateway.CodeIUDDuplicato, "IUD [USED-2] gia' inviato"},
			{"xml", testCodIpa, testPassword, []elem{{testCodIpa, cartHash(h.ente.CodiceFiscale), b64("<x/>")}}, nil, gateway.CodeXMLNonValido, "XML dei dovuti non valido"},
			{"six payments", testCodIpa, testPassword, six, nil, gateway.CodeXMLNonValido, ""},
			{"MB two elements", testCodIpa, testPassword, []elem{one("M-1"), one("M-2")}, []string{b64(secondarioXML(secCF, secIBAN, "1.00"))}, codeLimiteMultibeneficiari, "Numero dovuti Ente primario [2] non valido"},
			{"MB two items", testCodIpa, testPassword, []elem{{testCodIpa, cartHash(h.ente.CodiceFiscale), goodDovuti(dov{IUD: "M-3"}, dov{IUD: "M-4"})}},
				[]string{b64(secondarioXML(secCF, secIBAN, "1.00"))}, codeLimiteMultibeneficiari, "Numero dati singolo versamento Ente primario [2] non valido"},
			{"MB two secondari", testCodIpa, testPassword, []elem{one("M-5")}, []string{b64(secondarioXML(secCF, secIBAN, "1.00")), b64(secondarioXML(secCF, secIBAN, "1.00"))},
				codeLimiteEntiSecondari, "Numero di Dovuti Ente Secondario superiore ai consentiti da pagopa [2]"},
			{"MB bad IBAN", testCodIpa, testPassword, []elem{one("M-6")}, []string{b64(secondarioXML(secCF, wrongIBAN, "1.00"))}, codeEnteSecondario, "IBAN accredito Ente secondario non valido [" + wrongIBAN + "]"},
			{"MB bad CF", testCodIpa, testPassword, []elem{one("M-7")}, []string{b64(secondarioXML("80000000001", secIBAN, "1.00"))}, codeEnteSecondario, "Codice Fiscale o Partita Iva Ente secondario non valido [80000000001]"},
			{"MB same ente", testCodIpa, testPassword, []elem{one("M-8")}, []string{b64(secondarioXML(h.ente.CodiceFiscale, secIBAN, "1.00"))}, codeEnteSecondario, ""},
			{"MB secondary xml", testCodIpa, testPassword, []elem{one("M-9")}, []string{b64("<x/>")}, gateway.CodeXMLNonValido, "XML dei dovuti non valido"},
		} {
			t.Run(c.name, func(t *testing.T) {
				if c.name == "IUD already sent" {
					must(t, h.db.InsertDovuto(ctx, &gateway.Dovuto{EnteID: h.ente.ID, IUD: "USED-2", TipoDovuto: "TARI", Amount: 100, State: gateway.DovutoDaPagare,
						Causale: "x", DatiSpecificiRiscossione: "9/0201102IM/", Payer: &gateway.Payer{Type: "F", ID: goodCF, Name: "X"}}))
				}
				a := h.post(t, carrelloEnv(c.codIpa, c.pw, c.elems, c.sec))
				wantFault(t, a, c.code, c.codIpa, true)
				if c.str != "" && a.Fault.FaultString != c.str {
					t.Errorf("faultString %q, want %q", a.Fault.FaultString, c.str)
				}
			})
		}
	})
}

func TestVerificaAvviso(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		ins := func(iud, iuv, tipo, due string, st gateway.DovutoState) *gateway.Dovuto {
			d := &gateway.Dovuto{EnteID: h.ente.ID, IUD: iud, IUV: iuv, TipoDovuto: tipo, Amount: 4200, State: st, DueDate: due,
				Causale: "Avviso", DatiSpecificiRiscossione: "9/0201102IM/", Payer: &gateway.Payer{Type: "F", ID: goodCF, Name: "MARIO ROSSI", Email: "m@example.org"}}
			must(t, h.db.InsertDovuto(ctx, d))
			return d
		}
		d := ins("AV-1", "01000000000000144", "TARI", "", gateway.DovutoDaPagare)
		a := h.post(t, avvisoEnv(testCodIpa, testPassword, d.IUV))
		p := wantOK(t, a)
		c, err := h.svc.carts.FindCart(ctx, p.IDSession)
		must(t, err)
		if c.Kind != gateway.CartAvviso || len(c.Payments) != 1 || c.Payments[0].IUV != d.IUV || c.Payments[0].Amount != 4200 ||
			c.Payments[0].Items[0].ID != d.ID || c.Email != "m@example.org" {
			t.Fatalf("cart %+v", c)
		}

		ins("AV-2", "01000000000000245", "SPENTO", "", gateway.DovutoDaPagare)
		ins("AV-3", "01000000000000346", "SCAD", "2025-06-14", gateway.DovutoDaPagare)
		ins("AV-4", "01000000000000447", "SCAD", "2025-06-15", gateway.DovutoDaPagare) // today: payable
		for _, c := range []struct{ name, codIpa, pw, iuv, code, str, desc string }{
			{"unknown ente", "c_zzz999", testPassword, d.IUV, gateway.CodeEnteNonValido, "Password non valida per ente [c_zzz999]", ""},
			{"ente inserito", testInserito, testPassword, d.IUV, gateway.CodeEnteNonValido, "Stato Ente non valido: c_ins000", ""},
			{"unknown IUV", testCodIpa, testPassword, "01999999999999999", gateway.CodeIUVNonValido, "Error nessun dovuto trovato per IUV [01999999999999999] ed ente [c_x000]", ""},
			{"disabled tipo", testCodIpa, testPassword, "01000000000000245", gateway.CodeIUVNonValido, "Error nessun dovuto trovato per IUV [01000000000000245] ed ente [c_x000]",
				"il dovuto [SPENTO] associato allo IUV risulta disabilitato o non presente"},
			{"past due", testCodIpa, testPassword, "01000000000000346", codeIUVScaduto, "alcuni dovuti sono scaduti per il dato IUV [01000000000000346]", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := h.post(t, avvisoEnv(c.codIpa, c.pw, c.iuv))
				wantFault(t, a, c.code, c.codIpa, true)
				if a.Fault.FaultString != c.str || a.Fault.Description != c.desc {
					t.Errorf("fault %q / %q", a.Fault.FaultString, a.Fault.Description)
				}
			})
		}
		wantOK(t, h.post(t, avvisoEnv(testCodIpa, testPassword, "01000000000000447")))

		// Once the cart is sent the dovuto is no longer payable.
		sendCart(t, h, p.IDSession)
		a = h.post(t, avvisoEnv(testCodIpa, testPassword, d.IUV))
		wantFault(t, a, gateway.CodeIUVNonValido, testCodIpa, true)
		if a.Fault.FaultString != "non ci sono dovuti pagabili per il dato IUV [01000000000000144]" {
			t.Errorf("faultString %q", a.Fault.FaultString)
		}
	})
}

func chiediPagatiEnv(codIpa, pw, id string) string {
	return chiediEnv(opChiediPagati, codIpa, pw, "<idSession>"+id+"</idSession>")
}

func TestChiediPagatiStates(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		newSession := func(iud string) string {
			return wantOK(t, h.post(t, inviaEnv(testCodIpa, testPassword, goodDovuti(dov{IUD: iud, Importo: "12.34"}, dov{IUD: iud + "b"}), "", ""))).IDSession
		}
		ask := func(id, code, str string) {
			t.Helper()
			a := h.post(t, chiediPagatiEnv(testCodIpa, testPassword, id))
			if a.Name != "paaSILChiediPagatiRisposta" {
				t.Fatalf("response %s", a.Name)
			}
			wantFault(t, a, code, testCodIpa, false)
			if str != "" && a.Fault.FaultString != str {
				t.Errorf("faultString %q, want %q", a.Fault.FaultString, str)
			}
			if pay(t, a).Pagati != "" {
				t.Error("pagati in a fault")
			}
		}
		ask("nessuna", codeIDSessionNonValido, "idSession [nessuna] non valido per l Ente specificato")

		id := newSession("S-1")
		ask(id, codePagamentoNonIniziato, "Pagamento non iniziato per idSession specificato ["+id+"]")
		h.svc.clock = gateway.FixedClock{T: testNow.Add(time.Hour)}
		ask(id, codePagamentoScaduto, "Pagamento scaduto per idSession specificato ["+id+"]")
		h.svc.clock = gateway.FixedClock{T: testNow}

		c := sendCart(t, h, id)
		ask(id, codePagamentoInCorso, "Pagamento in corso per idSession specificato ["+id+"]")
		receive(t, h, c, rpt.EsitoEseguito)
		a := h.post(t, chiediPagatiEnv(testCodIpa, testPassword, id))
		p := wantOK(t, a)
		doc := pagatiOfAnswer(t, p)
		pm := c.Payments[0]
		sent, err := rpt.ParseRPT(pm.RPT)
		must(t, err)
		d := doc.DatiPagamento
		if d.CodiceEsitoPagamento != "0" || d.ImportoTotalePagato.Cents() != 3734 || string(d.IdentificativoUnivocoVersamento) != pm.IUV ||
			string(d.CodiceContestoPagamento) != pm.CCP || len(d.DatiSingoloPagamento) != 2 {
			t.Fatalf("datiPagamento %+v", d)
		}
		if r := d.DatiSingoloPagamento[0]; r.IdentificativoUnivocoDovuto != "S-1" || r.SingoloImportoPagato.Cents() != 1234 ||
			r.EsitoSingoloPagamento != rpt.EsitoSingoloEseguito || r.DataEsitoSingoloPagamento != "2025-06-15" ||
			string(r.CausaleVersamento) != sent.Items[0].Causale || r.DatiSpecificiRiscossione != "9/0201102IM/" || r.IdentificativoUnivocoRiscossione == "" {
			t.Errorf("row %+v", r)
		}
		if d.DatiSingoloPagamento[1].IdentificativoUnivocoDovuto != "S-1b" {
			t.Errorf("second IUD %s", d.DatiSingoloPagamento[1].IdentificativoUnivocoDovuto)
		}
		if doc.Dominio.IdentificativoDominio != gensil.StText35(h.ente.CodiceFiscale) || doc.RiferimentoMessaggioRichiesta != gensil.StText35(pm.MessageID) ||
			doc.DataOraMessaggioRicevuta != "2025-06-15T10:10:00" || doc.RiferimentoDataRichiesta != "2025-06-15" ||
			doc.IstitutoAttestante.DenominazioneAttestante != "Banca Test" || doc.IstitutoAttestante.IdentificativoUnivocoAttestante.TipoIdentificativoUnivoco != "B" ||
			doc.SoggettoPagatore.IdentificativoUnivocoPagatore.CodiceIdentificativoUnivoco != goodCF || doc.SoggettoPagatore.ProvinciaPagatore != "VE" ||
			doc.EnteBeneficiario.IdentificativoUnivocoBeneficiario.CodiceIdentificativoUnivoco != gensil.StText35(h.ente.CodiceFiscale) {
			t.Errorf("header %+v", doc.CtPagati)
		}

		// Negative outcome: NON_PAGATO still answers pagati, with esito 1.
		id = newSession("S-2")
		c = sendCart(t, h, id)
		receive(t, h, c, rpt.EsitoNonEseguito)
		doc = pagatiOfAnswer(t, wantOK(t, h.post(t, chiediPagatiEnv(testCodIpa, testPassword, id))))
		if doc.DatiPagamento.CodiceEsitoPagamento != "1" || doc.DatiPagamento.ImportoTotalePagato.Cents() != 0 {
			t.Errorf("negative %+v", doc.DatiPagamento)
		}

		for _, st := range []struct {
			state      gateway.CartState
			code, str  string
			descPrefix string
		}{
			{gateway.CartAbort, codePagamentoAnnullato, "Pagamento annullato per idSession specificato [%s]", ""},
			{gateway.CartScaduto, codePagamentoScaduto, "Pagamento scaduto per idSession specificato [%s]", ""},
			{gateway.CartNonInviabile, gateway.CodeSystemError, "PAA SYSTEM ERROR", "Errore interno per idSession: "},
		} {
			id := newSession("F-" + string(st.state))
			c, err := h.svc.carts.FindCart(ctx, id)
			must(t, err)
			must(t, h.svc.carts.MarkCartFailed(ctx, c.ID, st.state, "test"))
			a := h.post(t, chiediPagatiEnv(testCodIpa, testPassword, id))
			str := strings.Replace(st.str, "%s", id, 1)
			ask(id, st.code, str)
			if st.descPrefix != "" && a.Fault.Description != st.descPrefix+id {
				t.Errorf("description %q", a.Fault.Description)
			}
		}

		// verificaEnte: unknown ente reads as a wrong password.
		a = h.post(t, chiediPagatiEnv("c_zzz999", testPassword, id))
		wantFault(t, a, gateway.CodeEnteNonValido, "c_zzz999", false)
		if a.Fault.FaultString != "Password non valida per ente [c_zzz999]" {
			t.Errorf("faultString %q", a.Fault.FaultString)
		}
	})
}

func ricevutaEnv(codIpa, pw, id, iuv, iud string) string {
	return chiediEnv(opChiediPagatiConRicevuta, codIpa, pw, opt("idSession", id)+opt("identificativoUnivocoVersamento", iuv)+opt("identificativoUnivocoDovuto", iud))
}

func TestChiediPagatiConRicevuta(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		id := wantOK(t, h.post(t, inviaEnv(testCodIpa, testPassword, goodDovuti(dov{IUD: "R-1"}, dov{IUD: "R-2", Importo: "7.00"}), "", ""))).IDSession

		a := h.post(t, ricevutaEnv(testCodIpa, testPassword, "", "", "R-1"))
		wantFault(t, a, codePagamentoNonIniziato, testCodIpa, false) // the cart is not even prepared
		c := sendCart(t, h, id)
		pm := c.Payments[0]
		a = h.post(t, ricevutaEnv(testCodIpa, testPassword, "", pm.IUV, ""))
		wantFault(t, a, codePagamentoInCorso, testCodIpa, false)
		if a.Fault.FaultString != "Pagamento in corso per ente [ c_x000 ], IUV ["+pm.IUV+"]" {
			t.Errorf("faultString %q", a.Fault.FaultString)
		}
		receive(t, h, c, rpt.EsitoEseguito)
		c, err := h.svc.carts.FindCart(context.Background(), id)
		must(t, err)
		pm = c.Payments[0]

		for _, q := range []struct {
			name, id, iuv, iud string
			rows               int
		}{{"idSession", id, "", "", 2}, {"IUV", "", pm.IUV, "", 2}, {"IUD", "", "", "R-2", 1}} {
			t.Run(q.name, func(t *testing.T) {
				p := wantOK(t, h.post(t, ricevutaEnv(testCodIpa, testPassword, q.id, q.iuv, q.iud)))
				var doc gensil.PagatiConRicevuta
				decodePagati(t, p.Pagati, &doc)
				rows := doc.DatiPagamento.DatiSingoloPagamento
				if len(rows) != q.rows || doc.DatiPagamento.IdentificativoUnivocoVersamento != gensil.StText35(pm.IUV) {
					t.Fatalf("rows %+v", rows)
				}
				last := rows[len(rows)-1]
				if q.iud != "" && (last.IdentificativoUnivocoDovuto != "R-2" || last.SingoloImportoPagato.Cents() != 700 || *last.IndiceDatiSingoloPagamento != 2) {
					t.Errorf("IUD row %+v", last)
				}
				if q.iud == "" && *rows[0].IndiceDatiSingoloPagamento != 1 {
					t.Errorf("indice %v", *rows[0].IndiceDatiSingoloPagamento)
				}
				if rt := mustB64(t, p.RT); string(rt) != string(pm.Receipt.RT) {
					t.Errorf("rt is not the RT as received (single base64)")
				}
			})
		}

		for _, c := range []struct{ name, codIpa, id, iuv, iud, code, str, desc string }{
			{"unknown ente", "c_zzz999", "", pm.IUV, "", gateway.CodeEnteNonValido, "codice IPA Ente [c_zzz999] non valido o password errata", ""},
			{"two selectors", testCodIpa, id, pm.IUV, "", gateway.CodeSystemError, "PAA SYSTEM ERROR",
				"Errore, è stato specificato più di un paramero tra idSession, identificativoUnivocoVersamento e identificativoUnivocoDovuto."},
			{"none", testCodIpa, "", "", "", gateway.CodeSystemError, "PAA SYSTEM ERROR",
				"Nessun campo di input (idSession, identificativoUnivocoVersamento, identificativoUnivocoDovuto) valorizzato per ente [ c_x000 ]."},
			{"unknown IUV", testCodIpa, "", "01999999999999999", "", gateway.CodeIUVNonValido, "IUV non valido per ente [ c_x000 ]", ""},
			{"unknown IUD", testCodIpa, "", "", "NOPE", gateway.CodeIUDNonValido, "IUD non valido per ente [ c_x000 ].", ""},
			{"unknown session", testCodIpa, "nessuna", "", "", codeIDSessionNonValido, "idSession [nessuna] non valido per l Ente specificato", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				a := h.post(t, ricevutaEnv(c.codIpa, testPassword, c.id, c.iuv, c.iud))
				wantFault(t, a, c.code, c.codIpa, false)
				if a.Fault.FaultString != c.str || a.Fault.Description != c.desc {
					t.Errorf("fault %q / %q", a.Fault.FaultString, a.Fault.Description)
				}
			})
		}
	})
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	var out gensil.StBase64
	if err := out.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return out
}

func esitoEnv(codIpa, pw, id string) string {
	return chiediEnv(opChiediEsitoCarrello, codIpa, pw, "<idSessionCarrello>"+id+"</idSessionCarrello>")
}

func TestChiediEsitoCarrello(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		addEnte(t, h, "c_x002", cf2, "02")
		addEnte(t, h, "c_x003", cf3, "03")
		a := h.post(t, carrelloEnv(testCodIpa, testPassword, []elem{
			{testCodIpa, cartHash(h.ente.CodiceFiscale), goodDovuti(dov{IUD: "E-1"}, dov{IUD: "E-2"})},
			{"c_x002", cartHash(cf2), goodDovuti(dov{IUD: "E-3"})},
			{"c_x003", cartHash(cf3), goodDovuti(dov{IUD: "E-4"})},
		}, nil))
		id := wantOK(t, a).IDSessionCarrello

		p := wantOK(t, h.post(t, esitoEnv(testCodIpa, testPassword, id)))
		if len(p.Carrelli) != 4 || p.Carrelli[0].Esito != "PREDISPOSTO" || p.Carrelli[2].CodIpa != "c_x002" || p.Carrelli[3].CodIpa != "c_x003" || p.Carrelli[0].Pagati != "" {
			t.Fatalf("predisposto %+v", p.Carrelli)
		}
		h.svc.clock = gateway.FixedClock{T: testNow.Add(2 * time.Hour)}
		p = wantOK(t, h.post(t, esitoEnv(testCodIpa, testPassword, id)))
		if len(p.Carrelli) != 1 || p.Carrelli[0].Esito != "SCADUTO" || p.Carrelli[0].CodIpa != testCodIpa {
			t.Fatalf("expired %+v", p.Carrelli)
		}
		h.svc.clock = gateway.FixedClock{T: testNow}

		c := sendCart(t, h, id)
		p = wantOK(t, h.post(t, esitoEnv(testCodIpa, testPassword, id)))
		if len(p.Carrelli) != 3 || p.Carrelli[1].Esito != "PAGAMENTO IN CORSO" || p.Carrelli[1].IDCarrello != c.IDCarrello {
			t.Fatalf("in corso %+v", p.Carrelli)
		}
		receive(t, h, c, rpt.EsitoEseguito)
		p = wantOK(t, h.post(t, esitoEnv(testCodIpa, testPassword, id)))
		if len(p.Carrelli) != 3 {
			t.Fatalf("paid %+v", p.Carrelli)
		}
		for i, r := range p.Carrelli {
			if r.Esito != "PAGATO" || r.CodIpa != c.Payments[i].CodIpa || r.IDCarrello != c.IDCarrello || r.RT == "" {
				t.Errorf("entry %d %+v", i, r)
			}
			var doc gensil.PagatiConRicevuta
			decodePagati(t, r.Pagati, &doc)
			if doc.DatiPagamento.IdentificativoUnivocoVersamento != gensil.StText35(c.Payments[i].IUV) || doc.Dominio.IdentificativoDominio != gensil.StText35(c.Payments[i].Dominio) {
				t.Errorf("entry %d pagati %+v", i, doc.DatiPagamento)
			}
		}

		// An unknown session: id n/a and, as MyPay, no listaCarrelli (the one
		// schema complaint allowed, see TestNotAvailable).
		a = h.post(t, esitoEnv(testCodIpa, testPassword, "nessuna"))
		if a.Fault == nil || a.Fault.FaultCode != codeIDSessionNonValido || a.Fault.ID != "n/a" || a.Fault.FaultString != "idSession [nessuna] non valido" ||
			strings.Contains(string(a.Body), "listaCarrelli") {
			t.Errorf("fault %s", a.Body)
		}
		for _, schema := range []string{xsdtest.Path("pa-per-ente-types.xsd"), referenceSchema(t)} {
			if schema == "" {
				continue
			}
			if err := xsdtest.Check(schema, a.Body); err == nil || !strings.Contains(err.Error(), "Missing child element(s)") || strings.Count(err.Error(), "validity error") != 1 {
				t.Errorf("%s: %v", schema, err)
			}
		}
	})
}
