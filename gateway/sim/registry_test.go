package sim

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// demoHarness serves a node on DemoRegistry (RTs made by the default
// RPTReceipts) whose "Ponte" is st.
func demoHarness(t *testing.T, st *station) (*harness, *Deliverer) {
	cfg := DemoRegistry(st.srv.URL + "/")
	node, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := soap.NewEcho(soap.ServerConfig{}, slog.New(slog.DiscardHandler))
	node.Mount(e, "")
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	h := &harness{t: t, node: node, srv: srv}
	d := node.StartDelivery(fastRetry)
	t.Cleanup(func() { d.Close(context.Background()) })
	return h, d
}

// demoRPT is an RPT of the demo ente as Ponte would send it.
func demoRPT(t *testing.T, iuv string) *rptrt.RPT {
	r := newRPT(DemoDominio, iuv, "CCP-"+iuv, 1200, 300, 45)
	r.Dominio.IdentificativoStazioneRichiedente = DemoStazione
	for i := range r.DatiVersamento.DatiSingoloVersamento {
		r.DatiVersamento.DatiSingoloVersamento[i].IbanAccredito = DemoIBAN
	}
	return r
}

func TestDemoRegistryWithRPTReceipts(t *testing.T) {
	st := newStation(t)
	h, d := demoHarness(t, st)
	if h.node.cfg.BaseURL != st.srv.URL {
		t.Errorf("BaseURL %q", h.node.cfg.BaseURL)
	}
	for _, pay := range []bool{true, false} {
		iuv := randIUV()
		r := demoRPT(t, iuv)
		hdr, body := inviaRPT(t, r)
		hdr.IdentificativoIntermediarioPA, hdr.IdentificativoStazioneIntermediarioPA = DemoIntermediario, DemoStazione
		body.Password = DemoPassword
		resp := h.sendRPT(hdr, body)
		if resp.Esito != "OK" {
			t.Fatalf("demo RPT refused: %+v", resp.Fault)
		}
		id := strings.TrimPrefix(resp.Url, st.srv.URL+WISPPath+"?idSession=")
		azione := AzionePaga
		if !pay {
			azione = AzioneAnnulla
		}
		code, loc := h.wispPost(url.Values{"idSession": {id}, "azione": {azione}})
		esito := map[bool]string{true: "OK", false: "ERROR"}[pay]
		if code != http.StatusFound || loc != st.srv.URL+PonteRedirectPath+"?esito="+esito+"&idDominio="+DemoDominio+"&idSession="+id {
			t.Fatalf("HTTP %d Location %q", code, loc)
		}
		key := RPTKey{DemoDominio, iuv, "CCP-" + iuv}
		settle(t, d, func() bool { return h.node.Deliveries(key).Accepted == 1 })
		reqs := st.requests()
		sent := reqs[len(reqs)-1]
		if sent.Head.IdentificativoIntermediarioPA != DemoIntermediario || sent.Head.IdentificativoStazioneIntermediarioPA != DemoStazione {
			t.Errorf("header %+v", sent.Head)
		}
		xsdtest.Validate(t, xsdtest.Path("PagInf_RPT_RT_6_2_0.xsd"), sent.Req.Rt)
		rt, err := rpt.ParseRT(sent.Req.Rt)
		if err != nil {
			t.Fatal(err)
		}
		if err := rpt.Check(parsedRPT(t, r), rt); err != nil {
			t.Errorf("RT does not answer its RPT: %v", err)
		}
		wantEsito, wantTot := rpt.EsitoEseguito, int64(1545)
		if !pay {
			wantEsito, wantTot = rpt.EsitoNonEseguito, 0
		}
		if rt.Esito != wantEsito || int64(rt.ImportoTotalePagato) != wantTot || rt.IstitutoAttestante.Codice != WISPPSP ||
			len(rt.Payments) != 3 || (pay && rt.Payments[2].IUR != rt.Payments[0].IUR) {
			t.Errorf("RT esito %d total %d attestante %+v payments %+v", rt.Esito, rt.ImportoTotalePagato, rt.IstitutoAttestante, rt.Payments)
		}
	}
	// A multi-beneficiary notice of the demo ente needs its v2 station.
	if !h.node.noticeOnV2Station(DemoDominio, "301000000000000012") {
		t.Error("demo station does not carry multi-beneficiary notices")
	}
}

func TestLoadRegistry(t *testing.T) {
	const yml = `
intermediari:
  - id: "12345678903"
stazioni:
  - id: 12345678903_01
    intermediario: "12345678903"
    password: demostation1
    paPerNodoUrl: http://ponte.example/ws/nodo/PaPerNodo
    redirectUrl: http://ponte.example/public/landing/esitoPagamento
    versionePrimitive: 2
    segregationCode: "01"
    applicationCode: "01"
  - id: 12345678903_02
    intermediario: "12345678903"
    password: demostation1
    paForNodeUrl: http://ponte.example/ws/nodo/paForNode
    redirectUrl: http://ponte.example/public/landing/esitoPagamento
    versionePrimitive: 2
    segregationCode: "01"
    applicationCode: "01"
domini:
  - id: "12345678903"
    nome: Comune di Ponte Demo
    stazioni: [12345678903_01]
    iban: [IT60X0542811101000000123456]
  - id: "01234567897"
    nome: Comune di Ponte Demo MU
    stazioni: [12345678903_02]
    iban: [IT60X0542811101000000123456]
`
	c, err := LoadRegistry(strings.NewReader(yml))
	if err != nil {
		t.Fatal(err)
	}
	want := DemoRegistry("http://ponte.example")
	want.BaseURL = ""
	if !reflect.DeepEqual(c, want) {
		t.Errorf("loaded %+v\nwant   %+v", c, want)
	}
	for _, bad := range []struct{ yml, msg string }{
		{"intermediari:\n  - id: X\n    colore: blu\n", "colore"},
		{"intermediari:\n  - id: X\n  - id: X\n", "ripetuto"},
		{"intermediari:\n  - id: X\nstazioni:\n  - id: S\n    intermediario: X\n", "senza password"},
		{"intermediari:\n  - id: X\nstazioni:\n  - id: S\n    intermediario: Y\n    password: p\n", "not configured"},
		{"domini:\n  - id: D\n    stazioni: [S]\n", "not configured"},
	} {
		if _, err := LoadRegistry(strings.NewReader(bad.yml)); err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%q: %v, want %q", bad.yml, err, bad.msg)
		}
	}
}
