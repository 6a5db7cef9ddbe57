package sim

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/papernodo"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// Behaviours of the fake station, one per paaInviaRT received.
const (
	answerOK        = "ok"
	answerKO        = "ko"        // esito KO with PAA_RT_DUPLICATA
	answerMalformed = "malformed" // <esito>malformata</esito>
	answerSOAPFault = "soapfault" // HTTP 500 with a SOAP Fault
	answerTimeout   = "timeout"   // answers after the deliverer's timeout
)

// stationReq is one paaInviaRT the station received.
type stationReq struct {
	Action string
	Header []byte // intestazionePPT, standalone
	Body   []byte // paaInviaRT, standalone
	Head   papernodo.IntestazionePPT
	Req    papernodo.PaaInviaRT
}

// station is an ente's PaPerNodo endpoint answering from a script (the
// last entry repeats; empty means ok).
type station struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	script []string
	got    []stationReq
}

func newStation(t *testing.T, script ...string) *station {
	st := &station{t: t, script: script}
	st.srv = httptest.NewServer(http.HandlerFunc(st.serve))
	t.Cleanup(st.srv.Close)
	return st
}

func (st *station) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rq := stationReq{Action: r.Header.Get("SOAPAction")}
	s := string(raw)
	if i, j := strings.Index(s, "<soapenv:Header>"), strings.Index(s, "</soapenv:Header>"); i >= 0 && j > i {
		rq.Header = []byte(s[i+len("<soapenv:Header>") : j])
		_ = xml.Unmarshal(rq.Header, &rq.Head)
	}
	if i, j := strings.Index(s, "<soapenv:Body>"), strings.Index(s, "</soapenv:Body>"); i >= 0 && j > i {
		rq.Body = []byte(s[i+len("<soapenv:Body>") : j])
	}
	if req, err := soap.Decode(bytes.NewReader(raw), soap.Limits{}); err == nil {
		_ = req.DecodeBody(&rq.Req)
	}
	st.mu.Lock()
	answer := answerOK
	if n := len(st.got); n < len(st.script) {
		answer = st.script[n]
	} else if len(st.script) > 0 {
		answer = st.script[len(st.script)-1]
	}
	st.got = append(st.got, rq)
	st.mu.Unlock()

	esito := `<esito>OK</esito>`
	switch answer {
	case answerKO:
		esito = `<fault><faultCode>PAA_RT_DUPLICATA</faultCode><faultString>RT duplicata</faultString><id>` + tDom + `</id><description>già ricevuta</description></fault><esito>KO</esito>`
	case answerMalformed:
		esito = `<esito>malformata</esito>`
	case answerSOAPFault:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>boom</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
		return
	case answerTimeout:
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ppt:paaInviaRTRisposta xmlns:ppt="http://ws.pagamenti.telematici.gov/"><paaInviaRTRisposta>`+esito+`</paaInviaRTRisposta></ppt:paaInviaRTRisposta></soapenv:Body></soapenv:Envelope>`)
}

func (st *station) requests() []stationReq {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]stationReq(nil), st.got...)
}

// refusedURL is an address where nothing listens.
func refusedURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/ws"
}

// fastRetry is a policy for tests: three attempts, milliseconds apart.
var fastRetry = DeliveryConfig{Retry: RetryPolicy{Attempts: 3, Backoff: 5 * time.Millisecond, Factor: 1}, Timeout: 150 * time.Millisecond}

// deliveringHarness is a harness whose station tStaz delivers to url with
// a Deliverer closed at cleanup.
func deliveringHarness(t *testing.T, url string, cfg DeliveryConfig) (*harness, *Deliverer) {
	h := newHarness(t, func(c *Config) { c.Stazioni[0].PaPerNodoURL = url })
	d := h.node.StartDelivery(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := d.Close(ctx); err != nil {
			t.Errorf("closing deliverer: %v", err)
		}
	})
	return h, d
}

// settle waits until the deliverer has nothing pending and cond holds.
func settle(t *testing.T, d *Deliverer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if d.Pending() == 0 && (cond == nil || cond()) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("deliveries not settled: %d pending", d.Pending())
}

// refSchemasPaPerNodo extracts the inline schemas of the reference
// PaPerNodo.wsdl into dir, each with the WSDL root's namespace
// declarations; "" when the reference tree is absent.
func refSchemasPaPerNodo(t *testing.T) (types, head string) {
	t.Helper()
	wsdl := xsdtest.RefPath("pagopa/pagopa-api/gad/wsdl/PaPerNodo.wsdl")
	if wsdl == "" {
		return "", ""
	}
	doc, err := os.ReadFile(wsdl)
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	root := s[strings.Index(s, "<wsdl:definitions"):]
	root = root[:strings.Index(root, ">")]
	decls := regexp.MustCompile(`xmlns:\w+="[^"]*"`).FindAllString(root, -1)
	tnsRE := regexp.MustCompile(`targetNamespace="([^"]*)"`)
	dir := t.TempDir()
	for rest := s; ; {
		a := strings.Index(rest, "<xsd:schema")
		if a < 0 {
			break
		}
		b := a + strings.Index(rest[a:], "</xsd:schema>") + len("</xsd:schema>")
		text := rest[a:b]
		rest = rest[b:]
		open := text[:strings.Index(text, ">")]
		var extra []string
		for _, d := range decls {
			if !strings.Contains(open, strings.SplitN(d, "=", 2)[0]+"=") {
				extra = append(extra, d)
			}
		}
		text = "<xsd:schema " + strings.Join(extra, " ") + text[len("<xsd:schema"):]
		file := filepath.Join(dir, "types.xsd")
		if tnsRE.FindStringSubmatch(open)[1] == NSPPT+"ppthead" {
			file = filepath.Join(dir, "head.xsd")
			head = file
		} else {
			types = file
		}
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return types, head
}
