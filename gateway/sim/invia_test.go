package sim

import (
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

// T016 (Mod1/flows/SunnyDay/T016_nodoInviaRPT_Mod1_BBT): a BBT RPT is
// accepted with a redirect URL, and the node keeps it in RPT_ACCETTATA_NODO.
func TestInviaRPTSunnyDay(t *testing.T) {
	h := newHarness(t)
	iuv := randIUV()
	hdr, body := inviaRPT(t, newRPT(tDom, iuv, "CCP01"))
	resp := h.sendRPT(hdr, body)
	if resp.Esito != "OK" || resp.Fault != nil {
		t.Fatalf("answer %+v, fault %+v", resp, resp.Fault)
	}
	if resp.Redirect == nil || *resp.Redirect != 1 {
		t.Fatalf("redirect %v, want 1", resp.Redirect)
	}
	id := sessionOf(t, resp.Url)
	si, ok := h.node.Session(id)
	if !ok || si.Status != SessionOpen || len(si.RPTs) != 1 || si.RPTs[0].State != RPTAccettataNodo {
		t.Fatalf("session %+v", si)
	}
	if si.RPTs[0].Importo != 1050 {
		t.Errorf("importo %d", si.RPTs[0].Importo)
	}
	st := h.stato(RPTKey{tDom, iuv, "CCP01"})
	if st.Fault != nil || st.Esito.Stato != string(RPTAccettataNodo) {
		t.Fatalf("stato %+v fault %+v", st.Esito, st.Fault)
	}
	if st.Esito.Redirect == nil || *st.Esito.Redirect != 1 || st.Esito.Url != resp.Url {
		t.Errorf("chiediStato must give the redirect URL back: %+v", st.Esito)
	}
	if n := len(st.Esito.ElementoStoricoRPT); n != 2 || st.Esito.ElementoStoricoRPT[0].Stato != string(RPTRicevutaNodo) {
		t.Errorf("storico %+v", st.Esito.ElementoStoricoRPT)
	}
	stats := h.node.Stats()
	if stats.RPTsAccepted != 1 || stats.Sessions != 1 || stats.Calls[OpInviaRPT] != 1 {
		t.Errorf("stats %+v", stats)
	}
}

// The node's checks on nodoInviaRPT, one refusal per row, in the node's
// order (IRPTSIN, IRPTSEM, RPT_semantic_ko of the node suite).
func TestInviaRPTChecks(t *testing.T) {
	h := newHarness(t)
	type req struct {
		hdr  *nodoperpa.IntestazionePPT
		body *nodoperpa.NodoInviaRPT
		rpt  *rptrt.RPT
	}
	for _, c := range []struct {
		name string
		mod  func(r *req)
		raw  func(env string) string // edits the envelope text
		code string
	}{
		// IRPTSIN: envelope syntax.
		{name: "IRPTSIN password of 7 chars", mod: func(r *req) { r.body.Password = "pwdpwdp" }, code: PPTSintassiExtraXSD},
		{name: "IRPTSIN password of 16 chars", mod: func(r *req) { r.body.Password = "pwdpwdpwdpwdpwdp" }, code: PPTSintassiExtraXSD},
		{name: "IRPTSIN identificativoPSP empty", mod: func(r *req) { r.body.IdentificativoPSP = "" }, code: PPTSintassiExtraXSD},
		{name: "IRPTSIN identificativoCanale too long", mod: func(r *req) { r.body.IdentificativoCanale = nodoperpa.StText35(strings.Repeat("1", 36)) }, code: PPTSintassiExtraXSD},
		{name: "IRPTSIN header IUV too long", mod: func(r *req) { r.hdr.IdentificativoUnivocoVersamento = nodoperpa.StText35(strings.Repeat("1", 36)) }, code: PPTSintassiExtraXSD},
		{name: "IRPTSIN header missing", raw: func(env string) string {
			i, j := strings.Index(env, "<soapenv:Header>"), strings.Index(env, "</soapenv:Header>")
			return env[:i] + "<soapenv:Header>" + env[j:]
		}, code: PPTSintassiExtraXSD},
		{name: "IRPTSIN unexpected element", raw: func(env string) string {
			return strings.Replace(env, "<password>", "<pippo>1</pippo><password>", 1)
		}, code: PPTSintassiExtraXSD},
		{name: "IRPTSIN rpt empty", mod: func(r *req) { r.body.Rpt = nil }, code: PPTSintassiXSD},
		{name: "IRPTSIN rpt not base64", raw: func(env string) string {
			i, j := strings.Index(env, "<rpt>"), strings.Index(env, "</rpt>")
			return env[:i] + "<rpt>@@@notbase64@@@" + env[j:]
		}, code: PPTSintassiXSD},
		{name: "RPT_syntax_ko RPT not valid", mod: func(r *req) { r.rpt.DatiVersamento.FirmaRicevuta = "1" }, code: PPTSintassiXSD},
		// IRPTSEM: caller configuration.
		{name: "IRPTSEM intermediario sconosciuto", mod: func(r *req) { r.hdr.IdentificativoIntermediarioPA = "12345678901" }, code: PPTIntermediarioSconosciuto},
		{name: "IRPTSEM intermediario disabilitato", mod: func(r *req) { r.hdr.IdentificativoIntermediarioPA = "55555555555" }, code: PPTIntermediarioDisabilitato},
		{name: "IRPTSEM stazione sconosciuta", mod: func(r *req) { r.hdr.IdentificativoStazioneIntermediarioPA = "66666666666_42" }, code: PPTStazioneSconosciuta},
		{name: "IRPTSEM stazione disabilitata", mod: func(r *req) { r.hdr.IdentificativoStazioneIntermediarioPA = "66666666666_99" }, code: PPTStazioneDisabilitata},
		{name: "stazione of another intermediario", mod: func(r *req) { r.hdr.IdentificativoStazioneIntermediarioPA = tStazOther }, code: PPTAutorizzazione},
		{name: "IRPTSEM password errata", mod: func(r *req) { r.body.Password = "wrongpassword" }, code: PPTAutenticazione},
		{name: "IRPTSEM dominio sconosciuto", mod: func(r *req) {
			r.hdr.IdentificativoDominio = "12312312312"
			r.rpt.Dominio.IdentificativoDominio = "12312312312"
		}, code: PPTDominioSconosciuto},
		{name: "IRPTSEM dominio disabilitato", mod: func(r *req) {
			r.hdr.IdentificativoDominio = "44444444444"
			r.rpt.Dominio.IdentificativoDominio = "44444444444"
		}, code: PPTDominioDisabilitato},
		{name: "IRPTSEM dominio not served by the stazione", mod: func(r *req) { r.hdr.IdentificativoDominio = tDomOther; r.rpt.Dominio.IdentificativoDominio = tDomOther }, code: PPTSemantica},
		{name: "password checked before dominio", mod: func(r *req) { r.body.Password = "wrongpassword"; r.hdr.IdentificativoDominio = "12312312312" }, code: PPTAutenticazione},
		// IRPTSEM: counterpart.
		{name: "IRPTSEM PSP sconosciuto", mod: func(r *req) { r.body.IdentificativoPSP = "NOTAPSP" }, code: PPTPSPSconosciuto},
		{name: "IRPTSEM intermediario PSP sconosciuto", mod: func(r *req) { r.body.IdentificativoIntermediarioPSP = "00000000000" }, code: PPTIntermediarioPSPSconosciuto},
		{name: "IRPTSEM canale sconosciuto", mod: func(r *req) { r.body.IdentificativoCanale = "97735020584_77" }, code: PPTCanaleSconosciuto},
		{name: "PSP checked before semantics", mod: func(r *req) { r.body.IdentificativoPSP = "NOTAPSP"; r.hdr.CodiceContestoPagamento = "OTHER" }, code: PPTPSPSconosciuto},
		// IRPTSEM7-9: header against the RPT.
		{name: "IRPTSEM7 header dominio differs from RPT", mod: func(r *req) { r.hdr.IdentificativoDominio = tDom2 }, code: PPTSemantica},
		{name: "IRPTSEM8 header IUV differs from RPT", mod: func(r *req) { r.hdr.IdentificativoUnivocoVersamento = "01999999999999999" }, code: PPTSemantica},
		{name: "IRPTSEM9 header CCP differs from RPT", mod: func(r *req) { r.hdr.CodiceContestoPagamento = "OTHER" }, code: PPTSemantica},
		// RPT_semantic_ko.
		{name: "importoTotale differs from the sum", mod: func(r *req) { r.rpt.DatiVersamento.ImportoTotaleDaVersare = 999 }, code: PPTSemantica},
		{name: "RPTSEM ibanAccredito missing", mod: func(r *req) { r.rpt.DatiVersamento.DatiSingoloVersamento[0].IbanAccredito = "" }, code: PPTSemantica},
		{name: "RPTSEM AD without ibanAddebito", mod: func(r *req) { r.rpt.DatiVersamento.TipoVersamento = "AD" }, code: PPTSemantica},
		{name: "RPTSEM16 IBAN not registered", mod: func(r *req) {
			r.rpt.DatiVersamento.DatiSingoloVersamento[0].IbanAccredito = "IT02L1234512345123456789012"
		}, code: PPTIBANNonCensito},
		{name: "IBAN of another ente", mod: func(r *req) { r.rpt.DatiVersamento.DatiSingoloVersamento[0].IbanAccredito = tIBAN2 }, code: PPTIBANNonCensito},
	} {
		t.Run(c.name, func(t *testing.T) {
			rpt := newRPT(tDom, randIUV(), "CCP01")
			r := req{rpt: rpt}
			hdr, body := inviaRPT(t, rpt)
			r.hdr, r.body = &hdr, &body
			if c.mod != nil {
				c.mod(&r)
				r.body.Rpt = nil
				if c.name != "IRPTSIN rpt empty" {
					r.body.Rpt = rptBytes(t, r.rpt)
				}
			}
			env := envelope(t, *r.hdr, *r.body)
			if c.raw != nil {
				env = []byte(c.raw(string(env)))
			}
			var resp nodoperpa.NodoInviaRPTRisposta
			h.call(env, OpInviaRPT, &resp)
			if resp.Esito != "KO" || resp.Url != "" {
				t.Errorf("esito %q url %q", resp.Esito, resp.Url)
			}
			faultOf(t, resp.Fault, c.code)
			if resp.Fault.Id != NodoID {
				t.Errorf("faultBean.id %q", resp.Fault.Id)
			}
		})
	}
	if s := h.node.Stats(); s.RPTsAccepted != 0 || s.Sessions != 0 {
		t.Errorf("refused RPTs were stored: %+v", s)
	}
}

// IRPTSEM22: the same (dominio, IUV, CCP) is refused, also after a
// refusal on other grounds is fixed; a new CCP for the same IUV is a new
// attempt and is accepted.
func TestInviaRPTDuplicata(t *testing.T) {
	h := newHarness(t)
	iuv := randIUV()
	key := RPTKey{tDom, iuv, "CCP01"}
	hdr, body := inviaRPT(t, newRPT(tDom, iuv, "CCP01"))
	if r := h.sendRPT(hdr, body); r.Esito != "OK" {
		t.Fatalf("first: %+v", r.Fault)
	}
	r := h.sendRPT(hdr, body)
	faultOf(t, r.Fault, PPTRPTDuplicata)
	// A duplicate is refused before the semantic checks.
	bad := newRPT(tDom, iuv, "CCP01")
	bad.DatiVersamento.ImportoTotaleDaVersare = 1
	hdr2, body2 := inviaRPT(t, bad)
	faultOf(t, h.sendRPT(hdr2, body2).Fault, PPTRPTDuplicata)

	hdr3, body3 := inviaRPT(t, newRPT(tDom, iuv, "CCP02"))
	if r := h.sendRPT(hdr3, body3); r.Esito != "OK" {
		t.Fatalf("new CCP: %+v", r.Fault)
	}
	s := h.node.Stats()
	if s.Received[key.String()] != 3 || h.node.Received(key) != 3 {
		t.Errorf("received %d, want 3", s.Received[key.String()])
	}
	if s.DuplicatesRefused != 2 || s.Faults[PPTRPTDuplicata] != 2 || s.RPTsAccepted != 2 {
		t.Errorf("stats %+v", s)
	}
}

// T018 / T020: model 2 (AD) and model 3 (PO) RPTs are accepted without a
// redirect URL.
func TestInviaRPTNoRedirect(t *testing.T) {
	h := newHarness(t)
	for _, tipo := range []rptrt.StTipoVersamento{"AD", "PO"} {
		r := newRPT(tDom, randIUV(), "CCP01")
		r.DatiVersamento.TipoVersamento = tipo
		r.DatiVersamento.IbanAddebito = tIBAN
		hdr, body := inviaRPT(t, r)
		resp := h.sendRPT(hdr, body)
		if resp.Esito != "OK" || resp.Url != "" || resp.Redirect == nil || *resp.Redirect != 0 {
			t.Errorf("%s: %+v", tipo, resp)
		}
	}
	// PO with two versamenti is refused.
	r := newRPT(tDom, randIUV(), "CCP01", 100, 200)
	r.DatiVersamento.TipoVersamento = "PO"
	hdr, body := inviaRPT(t, r)
	faultOf(t, h.sendRPT(hdr, body).Fault, PPTSemantica)
}

// The node suite's own request (nodoInviaRPT_T003 with RPT_T003) is
// accepted once its placeholders are filled.
func TestInviaRPTSample(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Domini[0].IBANs = nil // the sample's IBANs are not the test ente's
	})
	iuv := randIUV()
	fill := map[string]string{"#creditor_institution_code#": tDom, "#id_station#": tStaz, "#IUV#": iuv, "#CCP#": "CCD01"}
	rpt := sample(t, "RPT_T003.xml", fill)
	fill["$IUV"], fill["$CCP"], fill["#psp#"], fill["#canale#"] = iuv, "CCD01", WISPPSP, WISPCanale
	fill["$rptAttachment"] = b64(rpt)
	env := sample(t, "nodoInviaRPT_T003.xml", fill)
	// #psp# fills both identificativoPSP and identificativoIntermediarioPSP.
	env = []byte(strings.Replace(string(env), "<identificativoIntermediarioPSP>"+WISPPSP, "<identificativoIntermediarioPSP>"+WISPIntermediarioPSP, 1))
	var resp nodoperpa.NodoInviaRPTRisposta
	h.call(env, OpInviaRPT, &resp)
	if resp.Esito != "OK" {
		t.Fatalf("fault %+v", resp.Fault)
	}
	sessionOf(t, resp.Url)
}
