package sil

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	gensil "github.com/ponte-pagopa/ponte/generated/sil"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

var paymentOps = []string{opInviaDovuti, opInviaCarrello, opVerificaAvviso, opChiediPagati, opChiediPagatiConRicevuta, opChiediEsitoCarrello}

const envOpen = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/">`

func header(codIpa string) string {
	return `<soapenv:Header><ppthead:intestazionePPT xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead"><codIpaEnte>` +
		codIpa + `</codIpaEnte></ppthead:intestazionePPT></soapenv:Header>`
}

func opt(tag, v string) string {
	if v == "" {
		return ""
	}
	return "<" + tag + ">" + v + "</" + tag + ">"
}

func inviaEnv(codIpa, pw, dovuti, show, back string) string {
	return envOpen + header(codIpa) + `<soapenv:Body><ppt:paaSILInviaDovuti>` + opt("password", pw) + `<dovuti>` + dovuti + `</dovuti>` +
		opt("enteSILInviaRispostaPagamentoUrl", back) + opt("showMyPay", show) + `</ppt:paaSILInviaDovuti></soapenv:Body></soapenv:Envelope>`
}

type elem struct{ CodIpa, Hash, Dovuti string }

func carrelloEnv(codIpa, pw string, elems []elem, secondari []string) string {
	var b strings.Builder
	b.WriteString(envOpen + header(codIpa) + `<soapenv:Body><ppt:paaSILInviaCarrelloDovuti>` + opt("password", pw) + `<listaDovuti>`)
	for _, e := range elems {
		fmt.Fprintf(&b, `<elementoListaDovuti><codIpaEnte>%s</codIpaEnte><password>%s</password><dovuti>%s</dovuti></elementoListaDovuti>`, e.CodIpa, e.Hash, e.Dovuti)
	}
	b.WriteString(`</listaDovuti>`)
	if secondari != nil {
		b.WriteString(`<listaDovutiEntiSecondari>`)
		for _, s := range secondari {
			fmt.Fprintf(&b, `<elementoListaDovutiEntiSecondari><dovutiEntiSecondari>%s</dovutiEntiSecondari></elementoListaDovutiEntiSecondari>`, s)
		}
		b.WriteString(`</listaDovutiEntiSecondari>`)
	}
	b.WriteString(`</ppt:paaSILInviaCarrelloDovuti></soapenv:Body></soapenv:Envelope>`)
	return b.String()
}

func avvisoEnv(codIpa, pw, iuv string) string {
	return envOpen + header(codIpa) + `<soapenv:Body><ppt:paaSILVerificaAvviso>` + opt("password", pw) +
		`<identificativoUnivocoVersamento>` + iuv + `</identificativoUnivocoVersamento></ppt:paaSILVerificaAvviso></soapenv:Body></soapenv:Envelope>`
}

// chiediEnv builds a body-codIpa request; extra is raw XML after password.
func chiediEnv(op, codIpa, pw, extra string) string {
	h := ""
	for _, o := range operations {
		if o.name == op && o.header {
			h = header(codIpa)
		}
	}
	return envOpen + h + `<soapenv:Body><ppt:` + op + `><codIpaEnte>` + codIpa + `</codIpaEnte>` + opt("password", pw) + extra +
		`</ppt:` + op + `></soapenv:Body></soapenv:Envelope>`
}

// payAnswer reads the fields of the payment responses.
type payAnswer struct {
	IDSession         string `xml:"idSession"`
	IDSessionCarrello string `xml:"idSessionCarrello"`
	Redirect          string `xml:"redirect"`
	URL               string `xml:"url"`
	Pagati            string `xml:"pagati"`
	TipoFirma         string `xml:"tipoFirma"`
	RT                string `xml:"rt"`
	Carrelli          []struct {
		Esito      string `xml:"esito"`
		CodIpa     string `xml:"codIpaEnte"`
		IDCarrello string `xml:"codIdentificativoUnivocoCarrello"`
		Pagati     string `xml:"pagati"`
		RT         string `xml:"rt"`
	} `xml:"listaCarrelli>rispostaCarrello"`
}

func pay(t testing.TB, a *answer) *payAnswer {
	t.Helper()
	var p payAnswer
	if err := xml.Unmarshal(a.Body, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// wantOK checks a fault-free, schema-valid answer.
func wantOK(t testing.TB, a *answer) *payAnswer {
	t.Helper()
	if a.Status != 200 || a.Fault != nil {
		t.Fatalf("HTTP %d, want no fault: %s", a.Status, a.Raw)
	}
	validateBody(t, a.Body)
	return pay(t, a)
}

// decodePagati decodes a pagati element twice, checks the document
// against the payload schema (project and reference) and decodes it.
func decodePagati(t testing.TB, text string, v any) []byte {
	t.Helper()
	once, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		t.Fatalf("first base64: %v", err)
	}
	doc, err := base64.StdEncoding.DecodeString(string(once))
	if err != nil {
		t.Fatalf("second base64 (pagati must be double): %v", err)
	}
	xsdtest.Validate(t, xsdtest.Path("PagInf_Dovuti_Pagati_6_2_0.xsd"), doc)
	if ref := referenceSchema(t); ref != "" {
		xsdtest.Validate(t, strings.Replace(ref, "pa-per-ente.xsd", "PagInf_Dovuti_Pagati_6_2_0.xsd", 1), doc)
	}
	if err := xml.Unmarshal(doc, v); err != nil {
		t.Fatal(err)
	}
	return doc
}

// addEnte registers another ente in service with a TARI tipo.
func addEnte(t testing.TB, h *harness, codIpa, cf, seg string) *gateway.Ente {
	t.Helper()
	ctx := context.Background()
	e := &gateway.Ente{CodIpa: codIpa, CodiceFiscale: cf, Denominazione: "Ente " + codIpa, State: gateway.EnteEsercizio,
		PasswordHash: passwordHash(), IBAN: "IT60X0542811101000000123456", AuxDigit: 3, ApplicationCode: seg, SegregationCode: seg,
		IntermediaryID: "80007580279", StationID: "80007580279_01"}
	must(t, h.db.CreateEnte(ctx, e))
	must(t, h.db.UpsertTipoDovuto(ctx, &gateway.TipoDovuto{EnteID: e.ID, Code: "TARI", Description: "Tassa rifiuti", Enabled: true}))
	return e
}

func cartHash(cf string) string { return auth.CartHash(testCartSecret, cf) }

// sendCart does what the landing and the node client do: IUV, CCP and
// RPT per payment, PrepareCart, MarkCartSent.
func sendCart(t testing.TB, h *harness, idSession string) *gateway.Cart {
	t.Helper()
	ctx := context.Background()
	c, err := h.svc.carts.FindCart(ctx, idSession)
	must(t, err)
	for i, p := range c.Payments {
		if p.IUV == "" {
			code, err := iuv.New17("01", int64(900+i)+c.ID*10)
			must(t, err)
			p.IUV = code
		}
		p.CCP = fmt.Sprintf("CCP%d-%d", c.ID, i+1)
		p.MessageID = rpt.NewMessageID()
		p.RequestedAt = testNow
		req := &rpt.Request{
			Dominio: p.Dominio, Stazione: "80007580279_01", IdentificativoMessaggioRichiesta: p.MessageID, DataOra: testNow,
			Pagatore:         rpt.Soggetto{Tipo: c.Payer.Type, Codice: c.Payer.ID, Anagrafica: c.Payer.Name, Provincia: "VE", Nazione: "IT", Email: c.Email},
			EnteBeneficiario: rpt.Ente{Codice: p.Dominio, Denominazione: "Ente " + p.Dominio},
			DataEsecuzione:   testNow, IUV: p.IUV, CCP: p.CCP,
		}
		for _, it := range p.Items {
			req.Items = append(req.Items, rpt.Item{Amount: it.Amount, IBANAccredito: "IT60X0542811101000000123456",
				Causale: it.Causale, DatiSpecificiRiscossione: it.DatiSpecificiRiscossione})
		}
		p.RPT, err = rpt.Build(req)
		must(t, err)
	}
	if len(c.Payments) > 1 {
		c.IDCarrello = fmt.Sprintf("%s%s-%05d", c.Payments[0].Dominio, "3"+c.Payments[0].IUV, 1)
	}
	must(t, h.svc.carts.PrepareCart(ctx, c))
	must(t, h.svc.carts.MarkCartSent(ctx, c.ID, "https://nodo.example/wisp", "node-"+idSession))
	c, err = h.svc.carts.FindCart(ctx, idSession)
	must(t, err)
	return c
}

// receive records an RT with esito for every payment of the cart.
func receive(t testing.TB, h *harness, c *gateway.Cart, esito rpt.Esito) {
	t.Helper()
	ctx := context.Background()
	for _, p := range c.Payments {
		sent, err := rpt.ParseRPT(p.RPT)
		must(t, err)
		at := testNow.Add(10 * time.Minute)
		b, err := rpt.BuildRT(sent, rpt.Outcome{Esito: esito, At: at, PSP: rpt.Attestante{Tipo: "B", Codice: "ABCDITMMXXX", Denominazione: "Banca Test"}})
		must(t, err)
		parsed, err := rpt.ParseRT(b)
		must(t, err)
		_, err = h.svc.carts.RecordRT(ctx, p.ID, &gateway.Receipt{Esito: fmt.Sprint(int(esito)), Amount: parsed.ImportoTotalePagato,
			MessageID: parsed.IdentificativoMessaggioRicevuta, IssuedAt: at, TipoFirma: "", RT: b, ReceivedAt: at})
		must(t, err)
	}
}

// pagatiOfAnswer decodes the Pagati of a ChiediPagati answer.
func pagatiOfAnswer(t testing.TB, p *payAnswer) *gensil.Pagati {
	t.Helper()
	var doc gensil.Pagati
	decodePagati(t, p.Pagati, &doc)
	return &doc
}

// needSecondaryPayments skips when the store cannot keep a payment for a
// dominio that is no ente of Ponte (EnteID 0: the secondary beneficiary of
// a multi-beneficiary cart).
func needSecondaryPayments(t *testing.T, h *harness) {
	t.Helper()
	c := &gateway.Cart{IDSession: newIDSession(testNow), Token: newToken(), Kind: gateway.CartEsternoMultiente, EnteID: h.ente.ID,
		CodIpa: h.ente.CodIpa, ShowMyPay: ShowMyPayShort, ExpiresAt: testNow.Add(time.Hour)}
	addPayment(c, nil, "80000000002", []*gateway.Dovuto{{IUD: "PROBE", TipoDovuto: "TARI", Amount: 100, Causale: "x",
		DatiSpecificiRiscossione: "9/0101100IM/", State: gateway.DovutoPredisposto}})
	if err := h.svc.carts.CreateCart(context.Background(), c); err != nil {
		t.Skipf("store cannot keep a secondary-beneficiary payment (EnteID 0) yet: %v", err)
	}
}
