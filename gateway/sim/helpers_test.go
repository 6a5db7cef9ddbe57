package sim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
	"github.com/ponte-pagopa/ponte/generated/wire"
	"github.com/ponte-pagopa/ponte/xsd"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// The registry of the tests, after the node suite's global data.
const (
	tInt       = "66666666666"
	tStaz      = "66666666666_01"
	tStazV2    = "66666666666_08" // version 2, segregation code 01
	tPwd       = "pwdpwdpwd"
	tDom       = "66666666666"
	tDom2      = "77777777777" // second ente, same intermediario
	tDomOther  = "88888888888" // known, served by another intermediario
	tIBAN      = "IT45R0760103200000000001016"
	tIBAN1     = "IT96R0123454321000000012345"
	tIBAN2     = "IT60X0542811101000000123456"
	tRedirect  = "https://ente.example/ritorno"
	tStazOther = "99999999999_01"
)

func testConfig() Config {
	return Config{
		BaseURL:      "http://sim.example",
		Intermediari: []IntermediarioPA{{ID: tInt}, {ID: "99999999999"}, {ID: "55555555555", Disabled: true}},
		Stazioni: []Stazione{
			{ID: tStaz, Intermediario: tInt, Password: tPwd, RedirectURL: tRedirect, PaPerNodoURL: "http://ente.example/ws", PrimitiveVersion: 1},
			{ID: tStazV2, Intermediario: tInt, Password: tPwd, PrimitiveVersion: 2, SegregationCode: "01"},
			{ID: tStazOther, Intermediario: "99999999999", Password: tPwd},
			{ID: "66666666666_99", Intermediario: tInt, Password: tPwd, Disabled: true},
		},
		Domini: []Dominio{
			{ID: tDom, Name: "Comune di Prova", Stazioni: []string{tStaz, tStazV2}, IBANs: []string{tIBAN, tIBAN1}},
			{ID: tDom2, Name: "Ente Secondo", Stazioni: []string{tStaz}, IBANs: []string{tIBAN2}},
			{ID: tDomOther, Stazioni: []string{tStazOther}},
			{ID: "44444444444", Stazioni: []string{tStaz}, Disabled: true},
		},
		PSPs:  []PSP{{ID: WISPPSP, Name: "pagoPA WISP", Intermediario: WISPIntermediarioPSP, Canali: []string{WISPCanale, "97735020584_03"}}},
		Clock: gateway.FixedClock{T: time.Date(2026, 11, 23, 17, 13, 30, 0, gateway.Rome)},
	}
}

// harness is a node served over real HTTP.
type harness struct {
	t    *testing.T
	node *Node
	srv  *httptest.Server
	sink *memSink
}

func newHarness(t *testing.T, mod ...func(*Config)) *harness {
	t.Helper()
	cfg := testConfig()
	for _, m := range mod {
		m(&cfg)
	}
	node, err := New(cfg, testReceiptMaker(t))
	if err != nil {
		t.Fatal(err)
	}
	sink := &memSink{}
	node.SetSink(sink)
	e := soap.NewEcho(soap.ServerConfig{}, cfg.withDefaults().Log)
	node.Mount(e, DefaultSOAPPath)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return &harness{t: t, node: node, srv: srv, sink: sink}
}

type memSink struct{ got []Receipt }

func (m *memSink) RTGenerated(_ context.Context, r Receipt) { m.got = append(m.got, r) }

// envelope wraps a header (nil for none) and a body in a SOAP 1.1 envelope.
func envelope(t *testing.T, header, body any) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header>`)
	if header != nil {
		h, err := xml.Marshal(header)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(h)
	}
	b.WriteString(`</soapenv:Header><soapenv:Body>`)
	bb, err := xml.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	b.Write(bb)
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes()
}

// post sends a SOAP request as the node suite does and returns status and body.
func (h *harness) post(env []byte, action string) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+DefaultSOAPPath, bytes.NewReader(env))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("SOAPAction", action)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// call posts env, requires HTTP 200, validates the answer against the
// NodoPerPa schema with xmllint and decodes it into out.
func (h *harness) call(env []byte, action string, out any) {
	h.t.Helper()
	status, body := h.post(env, action)
	if status != http.StatusOK {
		h.t.Fatalf("%s: HTTP %d: %s", action, status, body)
	}
	payload := bodyPayload(h.t, body)
	xsdtest.Validate(h.t, xsdtest.Path("nodoperpa-types.xsd"), payload)
	if err := xml.Unmarshal(payload, out); err != nil {
		h.t.Fatalf("decoding %s answer: %v\n%s", action, err, payload)
	}
}

// bodyPayload cuts the Body's only child out of an answer: the encoder
// declares its namespace on it, so it stands alone.
func bodyPayload(t *testing.T, env []byte) []byte {
	t.Helper()
	s := string(env)
	i, j := strings.Index(s, "<soapenv:Body>"), strings.LastIndex(s, "</soapenv:Body>")
	if i < 0 || j < i {
		t.Fatalf("no Body in %s", env)
	}
	return []byte(s[i+len("<soapenv:Body>") : j])
}

// faultOf checks a KO answer's fault: code, node id and fixed string.
func faultOf(t *testing.T, f *nodoperpa.FaultBean, code string) {
	t.Helper()
	if f == nil {
		t.Fatalf("no fault, want %s", code)
	}
	if f.FaultCode != code {
		t.Fatalf("faultCode %s (%s), want %s", f.FaultCode, f.Description, code)
	}
	if f.FaultString != FaultString(code) {
		t.Errorf("faultString %q", f.FaultString)
	}
}

// randIUV returns a fresh 17-digit IUV with segregation code 01.
func randIUV() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return fmt.Sprintf("01%015d", v%1_000_000_000_000_000)
}

// newRPT is a valid BBT RPT of dominio d with one versamento per amount.
func newRPT(d, iuv, ccp string, amounts ...gateway.Cents) *rptrt.RPT {
	if len(amounts) == 0 {
		amounts = []gateway.Cents{1050}
	}
	r := &rptrt.RPT{}
	r.VersioneOggetto = "6.2.0"
	r.Dominio = rptrt.CtDominio{IdentificativoDominio: rptrt.StText35(d), IdentificativoStazioneRichiedente: tStaz}
	r.IdentificativoMessaggioRichiesta = rptrt.StText35("MSG" + iuv)
	r.DataOraMessaggioRichiesta = "2026-11-23T17:13:30"
	r.AutenticazioneSoggetto = "N/A"
	r.SoggettoVersante = &rptrt.CtSoggettoVersante{
		IdentificativoUnivocoVersante: rptrt.CtIdentificativoUnivocoPersonaFG{TipoIdentificativoUnivoco: "F", CodiceIdentificativoUnivoco: "RSSMRA80A01H501U"},
		AnagraficaVersante:            "Mario Rossi"}
	r.SoggettoPagatore = rptrt.CtSoggettoPagatore{
		IdentificativoUnivocoPagatore: rptrt.CtIdentificativoUnivocoPersonaFG{TipoIdentificativoUnivoco: "F", CodiceIdentificativoUnivoco: "RSSMRA80A01H501U"},
		AnagraficaPagatore:            "Mario Rossi", EmailPagatore: "mario.rossi@example.it"}
	r.EnteBeneficiario = rptrt.CtEnteBeneficiario{
		IdentificativoUnivocoBeneficiario: rptrt.CtIdentificativoUnivocoPersonaG{TipoIdentificativoUnivoco: "G", CodiceIdentificativoUnivoco: rptrt.StCodiceIdentificativoUnivoco(d)},
		DenominazioneBeneficiario:         "Ente " + rptrt.StText70(d)}
	iban := tIBAN
	if d == tDom2 {
		iban = tIBAN2
	}
	var tot gateway.Cents
	var dsv []rptrt.CtDatiSingoloVersamentoRPT
	for i, a := range amounts {
		tot += a
		dsv = append(dsv, rptrt.CtDatiSingoloVersamentoRPT{
			ImportoSingoloVersamento: wire.AmountOf(a), IbanAccredito: rptrt.StIBANIdentifier(iban),
			CausaleVersamento:        rptrt.StText140(fmt.Sprintf("/RFB/%s/%s/TXT/voce %d", iuv, a, i+1)),
			DatiSpecificiRiscossione: "9/0101100IM/"})
	}
	r.DatiVersamento = rptrt.CtDatiVersamentoRPT{
		DataEsecuzionePagamento: "2026-11-23", ImportoTotaleDaVersare: wire.AmountOf(tot), TipoVersamento: "BBT",
		IdentificativoUnivocoVersamento: rptrt.StText35(iuv), CodiceContestoPagamento: rptrt.StText35(ccp),
		FirmaRicevuta: "0", DatiSingoloVersamento: dsv}
	return r
}

func rptBytes(t *testing.T, r *rptrt.RPT) []byte {
	t.Helper()
	b, err := xml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// inviaRPT is a nodoInviaRPT request for r through the WISP PSP.
func inviaRPT(t *testing.T, r *rptrt.RPT) (nodoperpa.IntestazionePPT, nodoperpa.NodoInviaRPT) {
	h := nodoperpa.IntestazionePPT{
		IdentificativoIntermediarioPA: tInt, IdentificativoStazioneIntermediarioPA: tStaz,
		IdentificativoDominio:           nodoperpa.StText35(r.Dominio.IdentificativoDominio),
		IdentificativoUnivocoVersamento: nodoperpa.StText35(r.DatiVersamento.IdentificativoUnivocoVersamento),
		CodiceContestoPagamento:         nodoperpa.StText35(r.DatiVersamento.CodiceContestoPagamento)}
	b := nodoperpa.NodoInviaRPT{Password: tPwd, IdentificativoPSP: WISPPSP, IdentificativoIntermediarioPSP: WISPIntermediarioPSP,
		IdentificativoCanale: WISPCanale, Rpt: rptBytes(t, r)}
	return h, b
}

func (h *harness) sendRPT(hdr nodoperpa.IntestazionePPT, body nodoperpa.NodoInviaRPT) nodoperpa.NodoInviaRPTRisposta {
	h.t.Helper()
	var out nodoperpa.NodoInviaRPTRisposta
	h.call(envelope(h.t, hdr, body), OpInviaRPT, &out)
	return out
}

// carrello is a nodoInviaCarrelloRPT request for rpts.
func carrello(t *testing.T, id string, rpts ...*rptrt.RPT) (nodoperpa.IntestazioneCarrelloPPT, nodoperpa.NodoInviaCarrelloRPT) {
	h := nodoperpa.IntestazioneCarrelloPPT{IdentificativoIntermediarioPA: tInt, IdentificativoStazioneIntermediarioPA: tStaz,
		IdentificativoCarrello: nodoperpa.StIdentificativoCarrello(id)}
	b := nodoperpa.NodoInviaCarrelloRPT{Password: tPwd, IdentificativoPSP: WISPPSP, IdentificativoIntermediarioPSP: WISPIntermediarioPSP,
		IdentificativoCanale: WISPCanale}
	for _, r := range rpts {
		b.ListaRPT.ElementoListaRPT = append(b.ListaRPT.ElementoListaRPT, nodoperpa.TipoElementoListaRPT{
			IdentificativoDominio:           nodoperpa.StText35(r.Dominio.IdentificativoDominio),
			IdentificativoUnivocoVersamento: nodoperpa.StText35(r.DatiVersamento.IdentificativoUnivocoVersamento),
			CodiceContestoPagamento:         nodoperpa.StText35(r.DatiVersamento.CodiceContestoPagamento),
			Rpt:                             rptBytes(t, r)})
	}
	return h, b
}

func (h *harness) sendCart(hdr nodoperpa.IntestazioneCarrelloPPT, body nodoperpa.NodoInviaCarrelloRPT) nodoperpa.NodoInviaCarrelloRPTRisposta {
	h.t.Helper()
	var out nodoperpa.NodoInviaCarrelloRPTRisposta
	h.call(envelope(h.t, hdr, body), OpInviaCarrelloRPT, &out)
	return out
}

func (h *harness) stato(k RPTKey) nodoperpa.NodoChiediStatoRPTRisposta {
	h.t.Helper()
	var out nodoperpa.NodoChiediStatoRPTRisposta
	h.call(envelope(h.t, nil, nodoperpa.NodoChiediStatoRPT{IdentificativoIntermediarioPA: tInt, IdentificativoStazioneIntermediarioPA: tStaz,
		Password: tPwd, IdentificativoDominio: nodoperpa.StText35(k.Dominio), IdentificativoUnivocoVersamento: nodoperpa.StText35(k.IUV),
		CodiceContestoPagamento: nodoperpa.StText35(k.CCP)}), OpChiediStatoRPT, &out)
	return out
}

func (h *harness) copiaRT(k RPTKey) nodoperpa.NodoChiediCopiaRTRisposta {
	h.t.Helper()
	var out nodoperpa.NodoChiediCopiaRTRisposta
	h.call(envelope(h.t, nil, nodoperpa.NodoChiediCopiaRT{IdentificativoIntermediarioPA: tInt, IdentificativoStazioneIntermediarioPA: tStaz,
		Password: tPwd, IdentificativoDominio: nodoperpa.StText35(k.Dominio), IdentificativoUnivocoVersamento: nodoperpa.StText35(k.IUV),
		CodiceContestoPagamento: nodoperpa.StText35(k.CCP)}), OpChiediCopiaRT, &out)
	return out
}

// api calls the control API and decodes its JSON answer into out.
func (h *harness) api(method, path, body string, out any) int {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+APIPrefix+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode
}

// sessionOf extracts idSession from a redirect URL.
func sessionOf(t *testing.T, u string) string {
	t.Helper()
	const p = "http://sim.example" + WISPPath + "?idSession="
	if !strings.HasPrefix(u, p) {
		t.Fatalf("url %q, want prefix %q", u, p)
	}
	return strings.TrimPrefix(u, p)
}

// testReceiptMaker builds schema-valid RTs with the generated types,
// standing in for gateway/rpt.
func testReceiptMaker(t *testing.T) ReceiptMaker {
	schema, err := xsdvalid.Compile(xsd.FS, "PagInf_RPT_RT_6_2_0.xsd")
	if err != nil {
		t.Fatal(err)
	}
	return ReceiptMakerFunc(func(raw []byte, o Outcome) ([]byte, error) {
		var r rptrt.RPT
		if err := xml.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		var id [16]byte
		_, _ = rand.Read(id[:])
		rt := rptrt.RT{}
		rt.VersioneOggetto = r.VersioneOggetto
		rt.Dominio = r.Dominio
		rt.IdentificativoMessaggioRicevuta = rptrt.StText35(hex.EncodeToString(id[:]))
		rt.DataOraMessaggioRicevuta = wire.DateTimeOf(o.When)
		rt.RiferimentoMessaggioRichiesta = r.IdentificativoMessaggioRichiesta
		rt.RiferimentoDataRichiesta = wire.Date(string(r.DataOraMessaggioRichiesta)[:10])
		rt.IstitutoAttestante = rptrt.CtIstitutoAttestante{
			IdentificativoUnivocoAttestante: rptrt.CtIdentificativoUnivoco{TipoIdentificativoUnivoco: "G", CodiceIdentificativoUnivoco: rptrt.StCodiceIdentificativoUnivoco(o.PSP)},
			DenominazioneAttestante:         rptrt.StText70(o.PSPName)}
		rt.EnteBeneficiario, rt.SoggettoVersante, rt.SoggettoPagatore = r.EnteBeneficiario, r.SoggettoVersante, r.SoggettoPagatore
		dp := rptrt.CtDatiVersamentoRT{CodiceEsitoPagamento: rptrt.StCodiceEsitoPagamento(o.Code),
			IdentificativoUnivocoVersamento: r.DatiVersamento.IdentificativoUnivocoVersamento,
			CodiceContestoPagamento:         r.DatiVersamento.CodiceContestoPagamento}
		var tot gateway.Cents
		for _, v := range r.DatiVersamento.DatiSingoloVersamento {
			paid := gateway.Cents(0)
			if o.Paid() {
				paid = v.ImportoSingoloVersamento.Cents()
			}
			tot += paid
			dp.DatiSingoloPagamento = append(dp.DatiSingoloPagamento, rptrt.CtDatiSingoloPagamentoRT{
				SingoloImportoPagato: wire.AmountOf(paid), EsitoSingoloPagamento: rptrt.StText35(o.Reason),
				DataEsitoSingoloPagamento: wire.DateOf(o.When), IdentificativoUnivocoRiscossione: rptrt.StText35(o.IUR),
				CausaleVersamento: v.CausaleVersamento, DatiSpecificiRiscossione: v.DatiSpecificiRiscossione})
		}
		dp.ImportoTotalePagato = wire.AmountOf(tot)
		rt.DatiPagamento = dp
		b, err := xml.Marshal(rt)
		if err != nil {
			return nil, err
		}
		if err := schema.ValidateBytes(b); err != nil {
			return nil, fmt.Errorf("test RT not valid: %w", err)
		}
		return b, nil
	})
}

// sample reads a node-suite sample with its placeholders filled; it skips
// the test when the reference tree is absent.
func sample(t *testing.T, name string, fill map[string]string) []byte {
	t.Helper()
	p := xsdtest.RefPath("pagopa/samples/pagopa-nodo-dei-pagamenti-test/" + name)
	if p == "" {
		t.Skipf("reference sample %s not available", name)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	// Longest placeholders first, so "$2iuv" is not eaten by "$2".
	for _, k := range sortedByLen(fill) {
		s = strings.ReplaceAll(s, k, fill[k])
	}
	s = strings.ReplaceAll(s, "#timedate#", "2026-11-23T17:13:30")
	s = strings.ReplaceAll(s, "#date#", "2026-11-23")
	return []byte(s)
}

func sortedByLen(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if len(keys[j]) > len(keys[i]) || (len(keys[j]) == len(keys[i]) && keys[j] < keys[i]) {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

func b64(b []byte) string {
	s, _ := wire.Base64(b).MarshalText()
	return string(s)
}
