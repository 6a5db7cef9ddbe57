package node

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

var simpleRPT = InviaRPTRequest{Station: station, Dominio: "80007580279", IUV: "IUV1", CCP: "CCP1", RPT: []byte(rptDoc)}

// The harness must catch a qualified child and a missing element, or the
// schema checks of every other test prove nothing.
func TestHarnessValidates(t *testing.T) {
	bad := []string{
		`<ppt:nodoChiediStatoRPT xmlns:ppt="` + nsPPT + `"><ppt:identificativoIntermediarioPA>1</ppt:identificativoIntermediarioPA></ppt:nodoChiediStatoRPT>`,
		`<ppt:nodoInviaRPT xmlns:ppt="` + nsPPT + `"><password>pwdpwdpwd</password></ppt:nodoInviaRPT>`,
	}
	schemas := []string{xsdtest.Path("nodoperpa-types.xsd")}
	if refTypes != "" {
		schemas = append(schemas, refTypes)
	} else {
		t.Log("reference tree absent: only our schema checked")
	}
	for _, s := range schemas {
		for _, doc := range bad {
			if err := xsdtest.Check(s, []byte(doc)); err == nil || errors.Is(err, xsdtest.ErrNoXmllint) {
				t.Errorf("%s accepted %s (%v)", s, doc, err)
			}
		}
	}
	if refHead != "" {
		xsdtest.Validate(t, refHead, []byte(`<h:intestazioneCarrelloPPT xmlns:h="http://ws.pagamenti.telematici.gov/ppthead"><identificativoIntermediarioPA>1</identificativoIntermediarioPA><identificativoStazioneIntermediarioPA>1</identificativoStazioneIntermediarioPA><identificativoCarrello>1</identificativoCarrello></h:intestazioneCarrelloPPT>`))
	}
}

func TestSOAPFault500(t *testing.T) {
	cases := map[string]struct {
		fault        soap.Fault
		raw          string
		code, soapFC string
		str, desc    string
	}{
		"plain": {fault: soap.Fault{Code: soap.FaultServer, String: "errore interno", Detail: "db giù"},
			soapFC: "soapenv:Server", str: "errore interno", desc: "db giù"},
		"faultBean in detail": {raw: `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>Errore</faultstring><detail><ppt:faultBean xmlns:ppt="` + nsPPT + `"><faultCode>PPT_SYSTEM_ERROR</faultCode><faultString>Errore generico</faultString><id>NodoDeiPagamentiSPC</id><description>riprovare</description></ppt:faultBean></detail></soapenv:Fault>`,
			code: "PPT_SYSTEM_ERROR", soapFC: "soapenv:Server", str: "Errore generico", desc: "riprovare"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := fakeNode(t, func(w http.ResponseWriter, r nodeReq) {
				if tc.raw != "" {
					writeRaw(w, 500, "text/xml; charset=utf-8", strings.Replace(envelope(tc.raw), "<soapenv:Body>", "<soapenv:Header/><soapenv:Body>", 1))
					return
				}
				soap.WriteFault(w, tc.fault)
			})
			rec := &recorder{}
			c := newClient(t, Config{URL: srv.URL}, rec)
			_, err := c.InviaRPT(context.Background(), simpleRPT)
			var nf *NodeFault
			if !errors.As(err, &nf) {
				t.Fatalf("err %T %v", err, err)
			}
			if nf.HTTPStatus != 500 || nf.SOAPFaultCode != tc.soapFC || nf.FaultCode != tc.code || nf.FaultString != tc.str || nf.Description != tc.desc {
				t.Errorf("fault %+v", nf)
			}
			want := tc.code
			if want == "" {
				want = tc.soapFC
			}
			if nf.Code() != want {
				t.Errorf("Code() = %q, want %q", nf.Code(), want)
			}
			if ev := rec.events(); len(ev) != 1 || ev[0].FaultCode != want || ev[0].Esito != "KO" {
				t.Errorf("journal %+v", ev)
			}
		})
	}
}

// A proxy's error page, garbage on 200, the wrong element, a SOAP 1.2
// envelope: all TransportErrors wrapping ErrMalformed, with a hint of what
// came back.
func TestMalformedAnswers(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		status            int
		snippet           string
	}{
		{"html 502", "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", 502, "502 Bad Gateway"},
		{"text 502", "text/plain", "upstream connect error", 502, "upstream connect error"},
		{"empty 503", "text/plain", "", 503, ""},
		{"json 200", "application/json", `{"error":"x"}`, 200, `{"error":"x"}`},
		{"other element", "text/xml", envelope(`<ppt:nodoInviaCarrelloRPTRisposta xmlns:ppt="` + nsPPT + `"><esitoComplessivoOperazione>OK</esitoComplessivoOperazione></ppt:nodoInviaCarrelloRPTRisposta>`), 200, "Envelope"},
		{"wrong namespace", "text/xml", envelope(`<x:nodoInviaRPTRisposta xmlns:x="urn:other"><esito>OK</esito></x:nodoInviaRPTRisposta>`), 200, "Envelope"},
		{"soap 1.2", "application/soap+xml", `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>`, 500, "Envelope"},
		{"truncated", "text/xml", envelope(`<ppt:nodoInviaRPTRisposta xmlns:ppt="` + nsPPT + `"><esito>OK</esito></ppt:nodoInviaRPTRisposta>`)[:150], 200, "Envelope"},
		{"ok on 500", "text/xml", envelope(`<ppt:nodoInviaRPTRisposta xmlns:ppt="` + nsPPT + `"><esito>OK</esito><url>u</url></ppt:nodoInviaRPTRisposta>`), 500, ""},
		{"doctype", "text/xml", `<!DOCTYPE x [<!ENTITY a "b">]>` + envelope(`<ppt:nodoInviaRPTRisposta xmlns:ppt="`+nsPPT+`"><esito>OK</esito></ppt:nodoInviaRPTRisposta>`), 200, "DOCTYPE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeNode(t, func(w http.ResponseWriter, r nodeReq) { writeRaw(w, tc.status, tc.ctype, tc.body) })
			rec := &recorder{}
			c := newClient(t, Config{URL: srv.URL}, rec)
			res, err := c.InviaRPT(context.Background(), simpleRPT)
			var te *TransportError
			if !errors.As(err, &te) {
				t.Fatalf("res %+v err %T %v", res, err, err)
			}
			if !errors.Is(err, ErrMalformed) || te.StatusCode != tc.status || !te.Sent || te.Timeout() {
				t.Errorf("error %+v", te)
			}
			if !strings.Contains(te.Snippet, tc.snippet) {
				t.Errorf("snippet %q, want it to contain %q", te.Snippet, tc.snippet)
			}
			ev := rec.events()
			if len(ev) != 1 || ev[0].Esito != "KO" || ev[0].FaultCode != "" || ev[0].Response != tc.body && tc.body != "" {
				t.Errorf("journal %+v", ev)
			}
		})
	}
}

func TestOversizedAnswer(t *testing.T) {
	const max = 64 << 10
	big := envelope(`<ppt:nodoInviaRPTRisposta xmlns:ppt="` + nsPPT + `"><esito>OK</esito><url>` + strings.Repeat("x", max) + `</url></ppt:nodoInviaRPTRisposta>`)
	for _, chunked := range []bool{false, true} {
		srv := fakeNode(t, func(w http.ResponseWriter, r nodeReq) {
			w.Header().Set("Content-Type", "text/xml")
			if chunked {
				w.(http.Flusher).Flush() // no Content-Length: the cap must hold while reading
			}
			w.Write([]byte(big))
		})
		rec := &recorder{}
		c := newClient(t, Config{URL: srv.URL, MaxResponseBytes: max}, rec)
		_, err := c.InviaRPT(context.Background(), simpleRPT)
		var te *TransportError
		if !errors.As(err, &te) || !errors.Is(err, ErrTooLarge) || te.StatusCode != 200 {
			t.Errorf("chunked=%v: err %v", chunked, err)
		}
		if ev := rec.events(); len(ev) != 1 || len(ev[0].Response) > max {
			t.Errorf("chunked=%v: journaled %d events, response of %d bytes", chunked, len(ev), len(ev[0].Response))
		}
	}
	// Right at the cap is fine.
	ok := envelope(`<ppt:nodoInviaRPTRisposta xmlns:ppt="` + nsPPT + `"><esito>OK</esito></ppt:nodoInviaRPTRisposta>`)
	srv := fakeNode(t, func(w http.ResponseWriter, r nodeReq) { writeRaw(w, 200, "text/xml", ok) })
	c := newClient(t, Config{URL: srv.URL, MaxResponseBytes: int64(len(ok))}, nil)
	if _, err := c.InviaRPT(context.Background(), simpleRPT); err != nil {
		t.Errorf("answer of exactly the cap: %v", err)
	}
}

func TestDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := fakeNode(t, func(w http.ResponseWriter, r nodeReq) {
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	})
	defer close(release)
	c := newClient(t, Config{URL: srv.URL, Timeout: 150 * time.Millisecond, QueryTimeout: 5 * time.Second}, nil)

	began := time.Now()
	_, err := c.InviaRPT(context.Background(), simpleRPT)
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout() || !errors.Is(err, context.DeadlineExceeded) || !te.Sent || te.StatusCode != 0 {
		t.Fatalf("err %#v", err)
	}
	if d := time.Since(began); d > 4*time.Second {
		t.Errorf("gave up after %v", d)
	}

	// The caller's earlier deadline wins over QueryTimeout.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	began = time.Now()
	_, err = c.ChiediStatoRPT(ctx, RPTRef{Station: station, Dominio: "D", IUV: "I", CCP: "C"})
	if !errors.As(err, &te) || !te.Timeout() || time.Since(began) > 4*time.Second {
		t.Errorf("err %v after %v", err, time.Since(began))
	}
}

// A node that is down never saw the request: Sent is false, so the caller
// knows nothing can have been accepted.
func TestNodeDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	rec := &recorder{}
	c := newClient(t, Config{URL: "http://" + addr + "/nodo-per-pa/v1"}, rec)
	_, err = c.InviaRPT(context.Background(), simpleRPT)
	var te *TransportError
	if !errors.As(err, &te) || te.Sent || te.StatusCode != 0 || te.Timeout() {
		t.Fatalf("err %#v", err)
	}
	ev := rec.events()
	if len(ev) != 1 || ev[0].Esito != "KO" || !strings.HasPrefix(ev[0].Response, "[nodo: nodoInviaRPT:") {
		t.Errorf("journal %+v", ev)
	}
}

func TestKeepAlive(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(nodeHandler(t, func(w http.ResponseWriter, r nodeReq) {
		respond(t, w, nodoperpa.NodoInviaRPTRisposta{Esito: "OK", Redirect: int32p(1), Url: "u"}, r.Op)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newClient(t, Config{URL: srv.URL}, nil)
	for i := range 10 {
		if _, err := c.InviaRPT(context.Background(), simpleRPT); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// An unusable answer, fully read, does not cost the connection.
	if _, err := c.ChiediStatoRPT(context.Background(), RPTRef{Station: station, Dominio: "D", IUV: "I", CCP: "C"}); err == nil {
		t.Error("stato answered by an InviaRPT response accepted")
	}
	if _, err := c.InviaRPT(context.Background(), simpleRPT); err != nil {
		t.Fatal(err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 12 sequential calls, want 1", n)
	}
}

func TestSubscriptionKey(t *testing.T) {
	var got atomic.Value
	srv := fakeNode(t, func(w http.ResponseWriter, r nodeReq) {
		got.Store(r.SubKey)
		respond(t, w, nodoperpa.NodoChiediListaPendentiRPTRisposta{}, r.Op)
	})
	for _, key := range []string{"", "0123456789abcdef"} {
		c := newClient(t, Config{URL: srv.URL, SubscriptionKey: key}, nil)
		if _, err := c.ChiediListaPendentiRPT(context.Background(), ListaPendentiRequest{Station: station, Size: 1}); err != nil {
			t.Fatal(err)
		}
		if got.Load() != key {
			t.Errorf("sent key %q, want %q", got.Load(), key)
		}
	}
}

func TestJournal(t *testing.T) {
	srv := fakeNode(t, func(w http.ResponseWriter, r nodeReq) {
		switch r.Op {
		case "nodoInviaRPT":
			respond(t, w, nodoperpa.NodoInviaRPTRisposta{Esito: "OK", Redirect: int32p(1), Url: "https://wisp/?idSession=n1"}, r.Op)
		case "nodoInviaCarrelloRPT":
			respond(t, w, nodoperpa.NodoInviaCarrelloRPTRisposta{EsitoComplessivoOperazione: "KO", Risposta: nodoperpa.Risposta{Fault: &nodoperpa.FaultBean{
				FaultCode: "PPT_ID_CARRELLO_DUPLICATO", FaultString: "Identificativo Carrello RPT duplicato", Id: "NodoDeiPagamentiSPC"}}}, r.Op)
		}
	})
	rec := &recorder{}
	c := newClient(t, Config{URL: srv.URL}, rec)
	req := simpleRPT
	req.Info = CallInfo{CodIpa: "C_A123", IDSession: "sess-1"}
	before := time.Now()
	if _, err := c.InviaRPT(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	rpt := CarrelloRPT{Dominio: "80007580279", IUV: "IUV9", CCP: "CART", RPT: []byte(rptDoc)}
	_, err := c.InviaCarrelloRPT(context.Background(), InviaCarrelloRPTRequest{
		Station: station, IDCarrello: "CART", RPTs: []CarrelloRPT{rpt, rpt}, Info: CallInfo{CodIpa: "C_A123", IDSession: "sess-2"},
	})
	if err == nil {
		t.Fatal("duplicate cart accepted")
	}
	ev := rec.events()
	if len(ev) != 2 {
		t.Fatalf("%d events", len(ev))
	}
	e := ev[0]
	if e.Direction != "OUT" || e.Component != "NODO" || e.Operation != "nodoInviaRPT" || e.CodIpa != "C_A123" || e.IUV != "IUV1" || e.CCP != "CCP1" ||
		e.IDSession != "sess-1" || e.Esito != "OK" || e.FaultCode != "" || e.Remote != srv.URL || e.Time.Before(before) || e.DurationMS < 0 {
		t.Errorf("event %+v", e)
	}
	// Bodies are the exchanged envelopes; the journal writer masks the password.
	if !strings.Contains(e.Request, "<password>pwdpwdpwd</password>") || !strings.Contains(e.Request, "intestazionePPT") ||
		!strings.Contains(e.Response, "idSession=n1") {
		t.Errorf("bodies:\n%s\n%s", e.Request, e.Response)
	}
	e = ev[1]
	if e.Operation != "nodoInviaCarrelloRPT" || e.Esito != "KO" || e.FaultCode != "PPT_ID_CARRELLO_DUPLICATO" || e.IUV != "" || e.IDSession != "sess-2" {
		t.Errorf("event %+v", e)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, u := range []string{"", "nodo.example", "ftp://nodo.example/x", "http://"} {
		if _, err := New(Config{URL: u}, nil, nil); err == nil {
			t.Errorf("URL %q accepted", u)
		}
	}
	cert := generateCerts(t).client
	if _, err := New(Config{URL: "http://nodo.example/x", ClientCert: &cert}, nil, nil); err == nil {
		t.Error("client certificate over plain http accepted")
	}
}
