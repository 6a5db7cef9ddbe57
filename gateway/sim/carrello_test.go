package sim

import (
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

func five(t *testing.T) []*rptrt.RPT {
	var out []*rptrt.RPT
	for i := 0; i < 5; i++ {
		d := tDom
		if i%2 == 1 {
			d = tDom2 // a multi-ente cart: same intermediario, two enti
		}
		out = append(out, newRPT(d, randIUV(), "CCD01", 150, 150, 150, 150, 150))
	}
	return out
}

// T001 (SunnyDay/T001_CarrelloRPT-5RPT5versamenti): a cart of 5 RPTs of 5
// versamenti each is accepted as a whole; a sixth RPT breaks the schema.
func TestCarrelloCinqueESei(t *testing.T) {
	h := newHarness(t)
	rpts := five(t)
	hdr, body := carrello(t, "CART-"+randIUV(), rpts...)
	resp := h.sendCart(hdr, body)
	if resp.EsitoComplessivoOperazione != "OK" || resp.Fault != nil || resp.ListaErroriRPT != nil {
		t.Fatalf("answer %+v fault %+v", resp, resp.Fault)
	}
	si, _ := h.node.Session(sessionOf(t, resp.Url))
	if len(si.RPTs) != 5 || si.Carrello != string(hdr.IdentificativoCarrello) || si.Dominio != "" {
		t.Fatalf("session %+v", si)
	}
	six := append(five(t), newRPT(tDom, randIUV(), "CCD01"))
	hdr6, body6 := carrello(t, "CART-"+randIUV(), six...)
	r6 := h.sendCart(hdr6, body6)
	faultOf(t, r6.Fault, PPTSintassiExtraXSD)
	if r6.EsitoComplessivoOperazione != "KO" || r6.Url != "" {
		t.Errorf("6 RPTs: %+v", r6)
	}
	if s := h.node.Stats(); s.CartsAccepted != 1 || s.RPTsAccepted != 5 {
		t.Errorf("stats %+v", s)
	}
}

// CRPTSEM/CRPTSIN: the cart's refusals; those about one RPT carry its
// position in serial and in listaErroriRPT.
func TestCarrelloChecks(t *testing.T) {
	h := newHarness(t)
	accepted := newRPT(tDom, randIUV(), "CCD01")
	hdr0, body0 := carrello(t, "CART-USED", accepted)
	if r := h.sendCart(hdr0, body0); r.EsitoComplessivoOperazione != "OK" {
		t.Fatalf("setup: %+v", r.Fault)
	}
	for _, c := range []struct {
		name    string
		id      string
		rpts    func() []*rptrt.RPT
		mod     func(*nodoperpa.IntestazioneCarrelloPPT, *nodoperpa.NodoInviaCarrelloRPT)
		code    string
		serial  int
		faultID string
	}{
		{name: "CRPTSIN requireLightPayment=4", mod: func(_ *nodoperpa.IntestazioneCarrelloPPT, b *nodoperpa.NodoInviaCarrelloRPT) {
			b.RequireLightPayment = "4"
		}, code: PPTSintassiExtraXSD},
		{name: "CRPTSIN RPT 2 not valid", rpts: func() []*rptrt.RPT {
			r := five(t)[:3]
			r[1].AutenticazioneSoggetto = "XXX"
			return r
		}, code: PPTSintassiXSD, serial: 2},
		{name: "password errata", mod: func(_ *nodoperpa.IntestazioneCarrelloPPT, b *nodoperpa.NodoInviaCarrelloRPT) {
			b.Password = "wrongpassword"
		}, code: PPTAutenticazione},
		{name: "dominio 3 sconosciuto", rpts: func() []*rptrt.RPT {
			r := five(t)[:3]
			r[2] = newRPT("12312312312", randIUV(), "CCD01")
			return r
		}, code: PPTDominioSconosciuto, serial: 3},
		{name: "dominio of another intermediario", rpts: func() []*rptrt.RPT {
			return []*rptrt.RPT{newRPT(tDom, randIUV(), "CCD01"), newRPT(tDomOther, randIUV(), "CCD01")}
		}, code: PPTSemantica, serial: 2},
		{name: "CRPTSEM1 identificativoCarrello reused", id: "CART-USED", code: PPTIDCarrelloDuplicato},
		{name: "CRPTSEM22 RPT already sent", rpts: func() []*rptrt.RPT {
			return []*rptrt.RPT{newRPT(tDom, randIUV(), "CCD01"), accepted}
		}, code: PPTRPTDuplicata, serial: 2, faultID: WISPPSP},
		{name: "same RPT twice in the cart", rpts: func() []*rptrt.RPT {
			r := newRPT(tDom, randIUV(), "CCD01")
			return []*rptrt.RPT{r, r}
		}, code: PPTRPTDuplicata, serial: 2, faultID: WISPPSP},
		{name: "element differs from its RPT", mod: func(_ *nodoperpa.IntestazioneCarrelloPPT, b *nodoperpa.NodoInviaCarrelloRPT) {
			b.ListaRPT.ElementoListaRPT[1].CodiceContestoPagamento = "OTHER"
		}, code: PPTSemantica, serial: 2},
		{name: "versante differs", rpts: func() []*rptrt.RPT {
			r := five(t)[:2]
			r[1].SoggettoVersante.IdentificativoUnivocoVersante.CodiceIdentificativoUnivoco = "VRDGPP80A01H501X"
			return r
		}, code: PPTSemantica, serial: 2},
		{name: "IBAN not registered", rpts: func() []*rptrt.RPT {
			r := five(t)[:2]
			r[1].DatiVersamento.DatiSingoloVersamento[3].IbanAccredito = "IT02L1234512345123456789012"
			return r
		}, code: PPTIBANNonCensito, serial: 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			rpts := five(t)[:2]
			if c.rpts != nil {
				rpts = c.rpts()
			}
			id := c.id
			if id == "" {
				id = "CART-" + randIUV()
			}
			hdr, body := carrello(t, id, rpts...)
			if c.mod != nil {
				c.mod(&hdr, &body)
			}
			resp := h.sendCart(hdr, body)
			if resp.EsitoComplessivoOperazione != "KO" || resp.Url != "" {
				t.Errorf("answer %+v", resp)
			}
			faultOf(t, resp.Fault, c.code)
			want := c.faultID
			if want == "" {
				want = NodoID
			}
			if resp.Fault.Id != want {
				t.Errorf("faultBean.id %q, want %q", resp.Fault.Id, want)
			}
			if c.serial == 0 {
				if resp.Fault.Serial != nil || resp.ListaErroriRPT != nil {
					t.Errorf("serial %v lista %+v", resp.Fault.Serial, resp.ListaErroriRPT)
				}
				return
			}
			if resp.Fault.Serial == nil || int(*resp.Fault.Serial) != c.serial {
				t.Errorf("serial %v, want %d", resp.Fault.Serial, c.serial)
			}
			if resp.ListaErroriRPT == nil || len(resp.ListaErroriRPT.Fault) != 1 ||
				resp.ListaErroriRPT.Fault[0].FaultCode != c.code || int(*resp.ListaErroriRPT.Fault[0].Serial) != c.serial {
				t.Errorf("listaErroriRPT %+v", resp.ListaErroriRPT)
			}
		})
	}
	if s := h.node.Stats(); s.CartsAccepted != 1 {
		t.Errorf("refused carts stored: %+v", s)
	}
}

// mbCart is a valid multi-beneficiary cart: the primary ente with n
// versamenti and a secondary ente with one, same IUV, CCP = idCarrello.
func mbCart(t *testing.T, n int) (string, []*rptrt.RPT) {
	iuv := randIUV()
	id := tDom + "3" + iuv + "-00001"
	amounts := make([]gateway.Cents, n)
	for i := range amounts {
		amounts[i] = 100
	}
	return id, []*rptrt.RPT{newRPT(tDom, iuv, id, amounts...), newRPT(tDom2, iuv, id, 250)}
}

func mbSend(t *testing.T, h *harness, id string, rpts []*rptrt.RPT, mod func(*nodoperpa.NodoInviaCarrelloRPT)) nodoperpa.NodoInviaCarrelloRPTRisposta {
	hdr, body := carrello(t, id, rpts...)
	yes := true
	body.MultiBeneficiario = &yes
	if mod != nil {
		mod(&body)
	}
	return h.sendCart(hdr, body)
}

// Mod1MB nodoInviaCarrelloRPT_semantic_ok and nodoInviaCarrelloMB_NN_processo:
// a valid multi-beneficiary cart is accepted; each rule has its refusal.
func TestCarrelloMultiBeneficiario(t *testing.T) {
	h := newHarness(t)
	id, rpts := mbCart(t, 2)
	resp := mbSend(t, h, id, rpts, nil)
	if resp.EsitoComplessivoOperazione != "OK" {
		t.Fatalf("valid MB cart: %+v", resp.Fault)
	}
	si, _ := h.node.Session(sessionOf(t, resp.Url))
	if !si.MultiBeneficiario || len(si.RPTs) != 2 {
		t.Fatalf("session %+v", si)
	}

	for _, c := range []struct {
		name string
		mod  func(id *string, rpts *[]*rptrt.RPT, b *nodoperpa.NodoInviaCarrelloRPT)
		code string
		desc string
	}{
		{name: "not the WISP channel", mod: func(_ *string, _ *[]*rptrt.RPT, b *nodoperpa.NodoInviaCarrelloRPT) {
			b.IdentificativoCanale = "97735020584_03"
		},
			code: PPTSemantica, desc: mbNotWISP},
		{name: "three RPTs", mod: func(id *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			third := newRPT(tDom, string((*r)[0].DatiVersamento.IdentificativoUnivocoVersamento), "x")
			third.DatiVersamento.CodiceContestoPagamento = rptrt.StText35(*id)
			third.Dominio.IdentificativoDominio = tDom2
			third.DatiVersamento.IdentificativoUnivocoVersamento = "01000000000000001"
			*r = append(*r, third)
		}, code: PPTMultiBeneficiario, desc: mbTwoRPT},
		{name: "second RPT with two versamenti", mod: func(id *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			(*r)[1] = newRPT(tDom2, string((*r)[0].DatiVersamento.IdentificativoUnivocoVersamento), *id, 100, 100)
		}, code: PPTMultiBeneficiario, desc: mbSecondOne},
		{name: "six versamenti", mod: func(id *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			(*r)[0] = newRPT(tDom, string((*r)[0].DatiVersamento.IdentificativoUnivocoVersamento), *id, 1, 2, 3, 4, 5)
		}, code: PPTMultiBeneficiario, desc: mbMaxFive},
		{name: "idCarrello of another dominio", mod: func(id *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			*id = tDom2 + (*id)[11:]
			for _, x := range *r {
				x.DatiVersamento.CodiceContestoPagamento = rptrt.StText35(*id)
			}
		}, code: PPTMultiBeneficiario, desc: mbCarrelloID},
		{name: "same ente twice", mod: func(_ *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			(*r)[1].Dominio.IdentificativoDominio = tDom
			(*r)[1].EnteBeneficiario.IdentificativoUnivocoBeneficiario.CodiceIdentificativoUnivoco = tDom
			(*r)[1].DatiVersamento.IdentificativoUnivocoVersamento = "01000000000000002"
		}, code: PPTMultiBeneficiario, desc: mbOneRPTEach},
		{name: "different IUV", mod: func(_ *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			(*r)[1].DatiVersamento.IdentificativoUnivocoVersamento = "01000000000000003"
		}, code: PPTMultiBeneficiario, desc: mbSameIUV},
		{name: "different dataEsecuzionePagamento", mod: func(_ *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			(*r)[1].DatiVersamento.DataEsecuzionePagamento = "2026-11-24"
		}, code: PPTMultiBeneficiario, desc: mbSameDate},
		{name: "CCP is not the idCarrello", mod: func(_ *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			(*r)[1].DatiVersamento.CodiceContestoPagamento = "CCD01"
		}, code: PPTMultiBeneficiario, desc: mbCCPCarrello},
		{name: "IBAN of the other ente", mod: func(_ *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			(*r)[1].DatiVersamento.DatiSingoloVersamento[0].IbanAccredito = tIBAN
		}, code: PPTMultiBeneficiario, desc: mbOwnIBAN},
		{name: "notice of a version-1 station", mod: func(id *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			iuv := "02" + string((*r)[0].DatiVersamento.IdentificativoUnivocoVersamento)[2:]
			*id = tDom + "3" + iuv + "-00001"
			for _, x := range *r {
				x.DatiVersamento.IdentificativoUnivocoVersamento = rptrt.StText35(iuv)
				x.DatiVersamento.CodiceContestoPagamento = rptrt.StText35(*id)
			}
		}, code: PPTMultiBeneficiario, desc: mbStationV2},
		{name: "marca da bollo", mod: func(_ *string, r *[]*rptrt.RPT, _ *nodoperpa.NodoInviaCarrelloRPT) {
			v := &(*r)[0].DatiVersamento.DatiSingoloVersamento[1]
			v.IbanAccredito = ""
			v.DatiMarcaBolloDigitale = &rptrt.CtDatiMarcaBolloDigitale{TipoBollo: "01", HashDocumento: []byte("hash"), ProvinciaResidenza: "RM"}
		}, code: PPTMultiBeneficiario, desc: mbNoMarcaBollo},
	} {
		t.Run(c.name, func(t *testing.T) {
			id, rpts := mbCart(t, 2)
			var body nodoperpa.NodoInviaCarrelloRPT
			c.mod(&id, &rpts, &body)
			canale := body.IdentificativoCanale
			resp := mbSend(t, h, id, rpts, func(b *nodoperpa.NodoInviaCarrelloRPT) {
				if canale != "" {
					b.IdentificativoCanale = canale
				}
			})
			faultOf(t, resp.Fault, c.code)
			if resp.Fault.Description != c.desc {
				t.Errorf("description %q, want %q", resp.Fault.Description, c.desc)
			}
		})
	}
}

// The node suite's multi-beneficiary request, filled as the suite does
// (one creditor_institution_code for both RPTs, two IUVs), is refused by
// the multi-beneficiary rules; filled with a second ente and one IUV it is
// accepted.
func TestCarrelloMultiBeneficiarioSample(t *testing.T) {
	h := newHarness(t)
	iuv := randIUV()
	id := tDom + "3" + iuv + "-00001"
	fill := map[string]string{"#id_station#": tStaz, "$1carrello": id, "#psp#": WISPPSP, "#canale#": WISPCanale}
	rpt1 := sample(t, "RPT1_multibeneficiario.xml", merge(fill, map[string]string{"#creditor_institution_code#": tDom, "$1iuv": iuv}))
	rpt2 := sample(t, "RPT2_multibeneficiario.xml", merge(fill, map[string]string{"#creditor_institution_code#": tDom2, "$2iuv": iuv}))
	// The sample's second IBAN stands for the secondary ente's.
	rpt2 = []byte(strings.ReplaceAll(string(rpt2), tIBAN, tIBAN2))
	env := string(sample(t, "nodoInviaCarrelloRPT_multibeneficiario.xml", merge(fill, map[string]string{
		"#creditor_institution_code#": tInt, "$1iuv": iuv, "$2iuv": iuv, "$rptAttachment": b64(rpt1), "$rpt2Attachment": b64(rpt2)})))
	env = strings.Replace(env, "<identificativoIntermediarioPSP>"+WISPPSP, "<identificativoIntermediarioPSP>"+WISPIntermediarioPSP, 1)
	// The list's second element belongs to the secondary ente.
	second := strings.Index(env, "<identificativoDominio>"+tInt+"</identificativoDominio>\n<identificativoUnivocoVersamento>"+iuv+"</identificativoUnivocoVersamento>\n<codiceContestoPagamento>"+id+"</codiceContestoPagamento>\n<rpt>"+b64(rpt2))
	if second < 0 {
		t.Fatalf("sample layout changed:\n%s", env)
	}
	env = env[:second] + strings.Replace(env[second:], tInt, tDom2, 1)
	var resp nodoperpa.NodoInviaCarrelloRPTRisposta
	h.call([]byte(env), OpInviaCarrelloRPT, &resp)
	if resp.EsitoComplessivoOperazione != "OK" {
		t.Fatalf("fault %+v", resp.Fault)
	}
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
