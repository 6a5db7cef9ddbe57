package soap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

const soapPath = "/ws/pa/PagamentiTelematiciDovutiPagati"

var opChiediPagati = xml.Name{Space: nsEnte, Local: "paaSILChiediPagati"}

// testLogger logs through t.Log until the test ends.
func testLogger(t *testing.T) *slog.Logger {
	var done atomic.Bool
	t.Cleanup(func() { done.Store(true) })
	return slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		if !done.Load() {
			t.Log(strings.TrimSpace(string(p)))
		}
		return len(p), nil
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

type memRecorder struct {
	mu  sync.Mutex
	evs []gateway.Event
}

func (m *memRecorder) Record(ev *gateway.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evs = append(m.evs, *ev)
}

func (m *memRecorder) last(t *testing.T) gateway.Event {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.evs) == 0 {
		t.Fatal("no event recorded")
	}
	return m.evs[len(m.evs)-1]
}

// chiediPagatiHandler behaves according to idSession, so one handler
// covers the endpoint's error paths.
func chiediPagatiHandler(ctx context.Context, req *Request) (any, xml.Name, error) {
	var in chiediPagati
	if err := req.DecodeBody(&in); err != nil {
		return nil, xml.Name{}, err
	}
	ev := EventFrom(ctx)
	ev.CodIpa, ev.IDSession = in.CodIpaEnte, in.IDSession
	switch in.IDSession {
	case "panic":
		panic("boom")
	case "error":
		return nil, xml.Name{}, errors.New("db password=hunter2 unreachable")
	case "fault":
		return nil, xml.Name{}, &Fault{Code: FaultClient, String: "Operazione non disponibile al momento"}
	case "wait":
		<-ctx.Done()
		return nil, xml.Name{}, ctx.Err()
	case "deadline":
		dl, ok := ctx.Deadline()
		if !ok {
			return risposta{Esito: "KO"}, rispostaName, nil
		}
		return risposta{Esito: "OK", Pagati: time.Until(dl).String()}, rispostaName, nil
	}
	ev.Esito = "OK"
	return risposta{Esito: "OK", Pagati: in.CodIpaEnte + "/" + req.HeaderText(NSPPTHead, "intestazionePPT", "codIpaEnte")}, rispostaName, nil
}

const testWSDL = `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">
  <wsdl:service name="S"><wsdl:port name="P" binding="b">
    <soap:address location="http://localhost:8080/ws/pa/PagamentiTelematiciDovutiPagati"/>
  </wsdl:port></wsdl:service>
</wsdl:definitions>
`

var testFS = fstest.MapFS{
	"wsdl/PagamentiTelematiciDovutiPagati.wsdl": {Data: []byte(testWSDL)},
	"wsdl/Tipi.xsd":  {Data: []byte(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>`)},
	"wsdl/notes.txt": {Data: []byte("not served")},
}

func testConfig() ServerConfig {
	cfg := DefaultServerConfig()
	cfg.MaxBodyBytes = 4 << 10
	cfg.ReadHeaderTimeout = 300 * time.Millisecond
	cfg.ReadTimeout = 2 * time.Second
	cfg.WriteTimeout = 2 * time.Second
	cfg.IdleTimeout = 2 * time.Second
	cfg.RequestTimeout = 700 * time.Millisecond
	return cfg
}

func startServer(t *testing.T, cfg ServerConfig, rec Recorder) *httptest.Server {
	t.Helper()
	log := testLogger(t)
	e := NewEcho(cfg, log)
	var r Recorder
	if rec != nil {
		r = rec
	}
	ep := NewEndpoint("SIL", cfg, r, log)
	ep.Register(opChiediPagati, chiediPagatiHandler)
	e.POST(soapPath, ep.ServeSOAP)
	if err := MountWSDL(e, testFS, "wsdl/PagamentiTelematiciDovutiPagati.wsdl", "https://ponte.example.it/", soapPath); err != nil {
		t.Fatal(err)
	}
	e.GET("/health", func(c echo.Context) error { return c.String(200, "ok") })

	srv := httptest.NewUnstartedServer(e)
	srv.Config = NewHTTPServer(cfg, e)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, contentType string, body io.Reader, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func envelope(idSession string) string {
	return strings.Replace(validEnvelope, "abc-123", idSession, 1)
}

func TestDispatch(t *testing.T) {
	rec := &memRecorder{}
	srv := startServer(t, testConfig(), rec)
	for _, ct := range []string{"text/xml; charset=utf-8", "text/xml", "application/xml", `text/xml;charset="UTF-8"`} {
		for _, action := range []string{`"paaSILChiediPagati"`, "paaSILChiediPagati", "", `""`, "urn:whatever"} {
			t.Run(ct+"/"+action, func(t *testing.T) {
				hdr := map[string]string{}
				if action != "" {
					hdr["SOAPAction"] = action
				}
				resp, b := post(t, srv.URL+soapPath, ct, strings.NewReader(envelope("s1")), hdr)
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentType {
					t.Fatalf("status %d type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
				}
				req, err := Decode(bytes.NewReader(b), Limits{})
				if err != nil {
					t.Fatal(err)
				}
				var out risposta
				if err := req.DecodeBody(&out); err != nil {
					t.Fatal(err)
				}
				if out.Esito != "OK" || out.Pagati != "C_H501/C_H501" {
					t.Fatalf("answer %+v", out)
				}
			})
		}
	}
	ev := rec.last(t)
	if ev.Direction != gateway.Inbound || ev.Component != "SIL" || ev.Operation != "paaSILChiediPagati" ||
		ev.CodIpa != "C_H501" || ev.IDSession != "s1" || ev.Esito != "OK" || ev.FaultCode != "" ||
		ev.Remote != "127.0.0.1" || ev.Time.IsZero() || ev.DurationMS < 0 {
		t.Fatalf("event %+v", ev)
	}
	if ev.Request != envelope("s1") || !strings.Contains(ev.Response, "paaSILChiediPagatiRisposta") {
		t.Fatalf("bodies not journaled: %q / %q", ev.Request, ev.Response)
	}
}

// chunked hides the length so the client sends Transfer-Encoding: chunked.
type chunked struct{ io.Reader }

func TestHostileRequestsGetSOAPFaults(t *testing.T) {
	rec := &memRecorder{}
	srv := startServer(t, testConfig(), rec)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
		`<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&lol3;</soapenv:Body></soapenv:Envelope>`
	xxe := `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ppt:paaSILChiediPagati xmlns:ppt="` + nsEnte + `"><codIpaEnte>&xxe;</codIpaEnte></ppt:paaSILChiediPagati></soapenv:Body></soapenv:Envelope>`
	soap12 := `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><ppt:paaSILChiediPagati xmlns:ppt="` + nsEnte + `"/></env:Body></env:Envelope>`
	unknown := strings.ReplaceAll(validEnvelope, "paaSILChiediPagati", "paaSILNonEsiste")
	big := strings.Replace(validEnvelope, "abc-123", strings.Repeat("x", 8<<10), 1)

	tests := []struct {
		name, method, path, ct string
		body                   io.Reader
		code, msg              string
	}{
		{"truncated", "POST", soapPath, "text/xml", strings.NewReader(validEnvelope[:len(validEnvelope)/2]), FaultClient, "troncato"},
		{"truncated tail", "POST", soapPath, "text/xml", strings.NewReader(validEnvelope[:strings.Index(validEnvelope, "</soapenv:Body>")]), FaultClient, "troncato"},
		{"billion laughs", "POST", soapPath, "text/xml", strings.NewReader(laughs), FaultClient, "DOCTYPE"},
		{"external entity", "POST", soapPath, "text/xml", strings.NewReader(xxe), FaultClient, "DOCTYPE"},
		{"json content type", "POST", soapPath, "application/json", strings.NewReader(validEnvelope), FaultClient, "Content-Type"},
		{"no content type", "POST", soapPath, "", strings.NewReader(validEnvelope), FaultClient, "Content-Type"},
		{"soap12 content type", "POST", soapPath, "application/soap+xml; charset=utf-8", strings.NewReader(soap12), FaultVersionMismatch, "SOAP 1.2"},
		{"soap12 namespace", "POST", soapPath, "text/xml", strings.NewReader(soap12), FaultVersionMismatch, "SOAP 1.1"},
		{"unknown operation", "POST", soapPath, "text/xml", strings.NewReader(unknown), FaultClient, "operazione sconosciuta {" + nsEnte + "}paaSILNonEsiste"},
		{"not xml", "POST", soapPath, "text/xml", strings.NewReader("ciao, sono un PDF"), FaultClient, "non è XML"},
		{"empty body", "POST", soapPath, "text/xml", strings.NewReader(""), FaultClient, "vuoto"},
		{"too large, content-length", "POST", soapPath, "text/xml", strings.NewReader(big), FaultClient, MsgTooLarge},
		{"too large, chunked", "POST", soapPath, "text/xml", chunked{strings.NewReader(big)}, FaultClient, MsgTooLarge},
		{"handler error", "POST", soapPath, "text/xml", strings.NewReader(envelope("error")), FaultServer, MsgInternal},
		{"handler panic", "POST", soapPath, "text/xml", strings.NewReader(envelope("panic")), FaultServer, MsgInternal},
		{"handler fault", "POST", soapPath, "text/xml", strings.NewReader(envelope("fault")), FaultClient, "Operazione non disponibile al momento"},
		{"handler past deadline", "POST", soapPath, "text/xml", strings.NewReader(envelope("wait")), FaultServer, MsgInternal},
		{"GET on SOAP path", "GET", soapPath, "", nil, FaultClient, "usare POST"},
		{"PUT on SOAP path", "PUT", soapPath, "text/xml", strings.NewReader(validEnvelope), FaultClient, "usare POST"},
		{"unknown path under /ws/", "POST", "/ws/pa/Altro", "text/xml", strings.NewReader(validEnvelope), FaultClient, "non trovato"},
		{"unknown file under /ws/", "GET", "/ws/pa/nope.xsd", "", nil, FaultClient, "non trovato"},
		{"unknown dir under /ws/", "GET", "/ws/altro/x", "", nil, FaultClient, "non trovato"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ct != "" {
				req.Header.Set("Content-Type", tt.ct)
			}
			if _, ok := tt.body.(chunked); ok {
				req.ContentLength = -1
			}
			resp, b := do(t, req)
			if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Type") != ContentType {
				t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
			if _, ok := tt.body.(chunked); ok && len(resp.TransferEncoding) > 0 {
				t.Logf("response transfer-encoding %v", resp.TransferEncoding)
			}
			f := parseFault(t, b)
			if f.Code != tt.code || !strings.Contains(f.String, tt.msg) {
				t.Fatalf("fault %s %q, want %s …%s…", f.Code, f.String, tt.code, tt.msg)
			}
			if strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "boom") || strings.Contains(string(b), "root:") {
				t.Fatalf("internals leaked: %s", b)
			}
		})
	}
	// Exchanges the endpoint handled are journaled as KO with the fault code.
	ev := rec.last(t)
	if ev.Esito != "KO" || ev.FaultCode != FaultServer || ev.Operation != "paaSILChiediPagati" {
		t.Fatalf("event %+v", ev)
	}
}

func TestPlainErrorsOutsideWS(t *testing.T) {
	srv := startServer(t, testConfig(), nil)
	resp, b := do(t, mustRequest(t, "GET", srv.URL+"/nowhere"))
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || strings.Contains(string(b), "{") {
		t.Fatalf("status %d type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	resp, b = do(t, mustRequest(t, "POST", srv.URL+"/health"))
	if resp.StatusCode != 405 || strings.Contains(string(b), "{") {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestWSDL(t *testing.T) {
	srv := startServer(t, testConfig(), nil)
	for _, p := range []string{soapPath + "?wsdl", soapPath + "?WSDL", soapPath + ".wsdl"} {
		resp, b := do(t, mustRequest(t, "GET", srv.URL+p))
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != ContentType {
			t.Fatalf("%s: status %d", p, resp.StatusCode)
		}
		if !strings.Contains(string(b), `<soap:address location="https://ponte.example.it/ws/pa/PagamentiTelematiciDovutiPagati"/>`) ||
			strings.Contains(string(b), "localhost") {
			t.Fatalf("%s: address not rewritten:\n%s", p, b)
		}
	}
	resp, b := do(t, mustRequest(t, "GET", srv.URL+"/ws/pa/Tipi.xsd"))
	if resp.StatusCode != 200 || !strings.Contains(string(b), "xs:schema") {
		t.Fatalf("xsd: %d %s", resp.StatusCode, b)
	}
	resp, _ = do(t, mustRequest(t, "GET", srv.URL+"/ws/pa/notes.txt"))
	if resp.StatusCode != 500 {
		t.Fatalf("non-xsd sibling served: %d", resp.StatusCode)
	}
	// The bare handler works under a wildcard route too.
	e := NewEcho(testConfig(), testLogger(t))
	h, err := WSDLHandler(testFS, "wsdl/PagamentiTelematiciDovutiPagati.wsdl", "http://a.b", "/ws/x/S")
	if err != nil {
		t.Fatal(err)
	}
	e.GET("/ws/x/*", h)
	for p, want := range map[string]int{"/ws/x/S?wsdl": 200, "/ws/x/S.wsdl": 200, "/ws/x/Tipi.xsd": 200, "/ws/x/S": 500, "/ws/x/no.xsd": 500} {
		rr := httptest.NewRecorder()
		e.ServeHTTP(rr, httptest.NewRequest("GET", p, nil))
		if rr.Code != want || rr.Header().Get("Content-Type") != ContentType {
			t.Errorf("%s: %d %q", p, rr.Code, rr.Header().Get("Content-Type"))
		}
	}
	if _, err := WSDLHandler(fstest.MapFS{"a.wsdl": {Data: []byte("<definitions/>")}}, "a.wsdl", "http://x", soapPath); err == nil {
		t.Fatal("WSDL without soap:address accepted")
	}
}

func TestDeadlineReachesHandler(t *testing.T) {
	srv := startServer(t, testConfig(), nil)
	resp, b := post(t, srv.URL+soapPath, "text/xml", strings.NewReader(envelope("deadline")), nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	req, _ := Decode(bytes.NewReader(b), Limits{})
	var out risposta
	if err := req.DecodeBody(&out); err != nil || out.Esito != "OK" {
		t.Fatalf("no deadline in handler: %+v %v", out, err)
	}
	left, err := time.ParseDuration(out.Pagati)
	if err != nil || left <= 0 || left > 700*time.Millisecond {
		t.Fatalf("deadline %q, want within RequestTimeout", out.Pagati)
	}
}

// A client that dribbles its headers is cut once ReadHeaderTimeout passes.
func TestSlowLorisCut(t *testing.T) {
	srv := startServer(t, testConfig(), nil)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\n", soapPath); err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(bufio.NewReader(conn))
		closed <- err
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-closed:
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("cut after %v", d)
			}
			return
		case <-tick.C:
			fmt.Fprintf(conn, "X-Slow-%d: y\r\n", i) // never the blank line
			if time.Since(start) > 5*time.Second {
				t.Fatal("slow client still connected after 5s")
			}
		}
	}
}

func TestJournalBodyCap(t *testing.T) {
	rec := &memRecorder{}
	cfg := testConfig()
	cfg.JournalBodyCap = 100
	srv := startServer(t, cfg, rec)
	post(t, srv.URL+soapPath, "text/xml", strings.NewReader(envelope("s1")), nil)
	ev := rec.last(t)
	if ev.Request != validEnvelope[:100]+cutMarker || !strings.HasSuffix(ev.Response, cutMarker) || len(ev.Response) != 100+len(cutMarker) {
		t.Fatalf("bodies not cut: %q / %q", ev.Request, ev.Response)
	}
}

func TestEventFromOutsideEndpoint(t *testing.T) {
	ev := EventFrom(context.Background())
	if ev == nil {
		t.Fatal("nil event")
	}
	ev.IUV = "x" // must not panic
}

// The project's own WSDL keeps its XSD import resolvable and gets the
// public address.
func TestProjectWSDL(t *testing.T) {
	dir := os.DirFS("../../wsdl")
	if _, err := fs.Stat(dir, "PagamentiTelematiciDovutiPagati.wsdl"); err != nil {
		t.Skip("wsdl/ not present")
	}
	e := NewEcho(testConfig(), testLogger(t))
	if err := MountWSDL(e, dir, "PagamentiTelematiciDovutiPagati.wsdl", "https://pagamenti.example.it", soapPath); err != nil {
		t.Fatal(err)
	}
	rr := httptest.NewRecorder()
	e.ServeHTTP(rr, httptest.NewRequest("GET", soapPath+".wsdl", nil))
	if rr.Code != 200 || !strings.Contains(rr.Body.String(), `location="https://pagamenti.example.it`+soapPath+`"`) {
		t.Fatalf("status %d, address not rewritten", rr.Code)
	}
	xmllintWellFormed(t, rr.Body.Bytes())
	rr = httptest.NewRecorder()
	e.ServeHTTP(rr, httptest.NewRequest("GET", "/ws/pa/PagInf_Dovuti_Pagati_6_2_0.xsd", nil))
	if rr.Code != 200 || !strings.Contains(rr.Body.String(), "schema") {
		t.Fatalf("xsd: status %d", rr.Code)
	}
}

// The journal keeps the address the request came from: a forged
// X-Forwarded-For or X-Real-IP header does not replace it.
func TestJournalRemoteIgnoresForwardingHeaders(t *testing.T) {
	rec := &memRecorder{}
	srv := startServer(t, testConfig(), rec)
	resp, _ := post(t, srv.URL+"/ws/pa/PagamentiTelematiciDovutiPagati", "text/xml", strings.NewReader(envelope("s2")),
		map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9"})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ev := rec.last(t); ev.Remote != "127.0.0.1" {
		t.Fatalf("journaled remote %q, want the peer 127.0.0.1", ev.Remote)
	}
}
