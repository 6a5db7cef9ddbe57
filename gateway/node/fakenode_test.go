package node

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// refTypes and refHead are the inline schemas of the reference
// NodoPerPa.wsdl, extracted once; "" when the reference tree is absent.
var refTypes, refHead string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nodeclient")
	if err != nil {
		panic(err)
	}
	refTypes, refHead = extractRefSchemas(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	xmlnsAttr  = regexp.MustCompile(`xmlns:(\w+)="([^"]*)"`)
	schemaTNS  = regexp.MustCompile(`targetNamespace="([^"]*)"`)
	relSchemaL = regexp.MustCompile(`schemaLocation="(\.\./[^"]*)"`)
)

// extractRefSchemas writes each <xsd:schema> of NodoPerPa.wsdl to a file
// of its own, with the WSDL root's namespace declarations and absolute
// schemaLocations, as xsd/refschemas_test.go does for the conformance test.
func extractRefSchemas(dir string) (types, head string) {
	wsdl := xsdtest.RefPath("pagopa/pagopa-api/gad/wsdl/NodoPerPa.wsdl")
	if wsdl == "" {
		return "", ""
	}
	doc, err := os.ReadFile(wsdl)
	if err != nil {
		panic(err)
	}
	s := string(doc)
	rootStart := strings.Index(s, "<wsdl:definitions")
	rootTag := s[rootStart : rootStart+strings.Index(s[rootStart:], ">")]
	decls := xmlnsAttr.FindAllString(rootTag, -1)
	for i := 0; ; {
		a := strings.Index(s[i:], "<xsd:schema")
		if a < 0 {
			break
		}
		a += i
		b := a + strings.Index(s[a:], "</xsd:schema>") + len("</xsd:schema>")
		text := s[a:b]
		tagEnd := strings.Index(text, ">")
		var extra []string
		for _, d := range decls {
			if !strings.Contains(text[:tagEnd], strings.SplitN(d, "=", 2)[0]+"=") {
				extra = append(extra, d)
			}
		}
		text = "<xsd:schema " + strings.Join(extra, " ") + text[len("<xsd:schema"):]
		text = relSchemaL.ReplaceAllStringFunc(text, func(m string) string {
			rel := relSchemaL.FindStringSubmatch(m)[1]
			return `schemaLocation="` + filepath.Join(filepath.Dir(wsdl), rel) + `"`
		})
		tns := schemaTNS.FindStringSubmatch(text[:strings.Index(text, ">")])[1]
		var file string
		if tns == nsPPT {
			file, types = filepath.Join(dir, "ppt.xsd"), filepath.Join(dir, "ppt.xsd")
		} else {
			file, head = filepath.Join(dir, "ppthead.xsd"), filepath.Join(dir, "ppthead.xsd")
		}
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			panic(err)
		}
		i = b
	}
	return types, head
}

// nodeReq is what the fake node saw of one call.
type nodeReq struct {
	Action      string
	ContentType string
	SubKey      string
	UserAgent   string
	Op          string
	Header      []byte // first SOAP header child, standalone; nil if none
	Body        []byte // body element, standalone
	Envelope    []byte
}

// decodeInto decodes the body element into v (a generated request type).
func (r nodeReq) decodeInto(t *testing.T, v any) {
	t.Helper()
	if err := xml.Unmarshal(r.Body, v); err != nil {
		t.Errorf("decoding %s: %v", r.Op, err)
	}
}

// anyElement is a generic element tree: soap.Decode reads through a token
// decoder, where ",innerxml" is not available.
type anyElement struct {
	XMLName xml.Name
	Attrs   []xml.Attr   `xml:",any,attr"`
	Nodes   []anyElement `xml:",any"`
	Text    string       `xml:",chardata"`
}

// standalone re-encodes the operation element with a prefixed root, so its
// children keep the namespace (normally none) they came with.
func (e anyElement) standalone() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<ppt:` + e.XMLName.Local + ` xmlns:ppt="` + e.XMLName.Space + `">`)
	for _, n := range e.Nodes {
		c, err := xml.Marshal(n)
		if err != nil {
			return nil, err
		}
		b.Write(c)
	}
	b.WriteString(`</ppt:` + e.XMLName.Local + `>`)
	return b.Bytes(), nil
}

// fakeNode stands in for the node: it decodes each request, validates its
// header and body against our schemas and the reference WSDL's, checks the
// transport headers, and hands the request to answer.
func fakeNode(t *testing.T, answer func(w http.ResponseWriter, r nodeReq)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(nodeHandler(t, answer))
	t.Cleanup(srv.Close)
	return srv
}

func nodeHandler(t *testing.T, answer func(w http.ResponseWriter, r nodeReq)) http.HandlerFunc {
	return func(w http.ResponseWriter, hr *http.Request) {
		env, err := io.ReadAll(hr.Body)
		if err != nil {
			t.Errorf("reading request: %v", err)
			return
		}
		r := nodeReq{
			Action:      hr.Header.Get("SOAPAction"),
			ContentType: hr.Header.Get("Content-Type"),
			SubKey:      hr.Header.Get("Ocp-Apim-Subscription-Key"),
			UserAgent:   hr.Header.Get("User-Agent"),
			Envelope:    env,
		}
		req, err := soap.Decode(bytes.NewReader(env), soap.Limits{})
		if err != nil {
			t.Errorf("request is no SOAP envelope: %v\n%s", err, env)
			return
		}
		r.Op = req.Operation.Local
		if req.Operation.Space != nsPPT {
			t.Errorf("body element in namespace %q", req.Operation.Space)
		}
		if r.Action != r.Op {
			t.Errorf("SOAPAction %q for body %s", r.Action, r.Op)
		}
		if hr.Method != http.MethodPost || !strings.HasPrefix(r.ContentType, "text/xml") || !strings.Contains(r.ContentType, "utf-8") {
			t.Errorf("%s with Content-Type %q", hr.Method, r.ContentType)
		}
		if len(req.HeaderElements) > 0 {
			r.Header = req.HeaderElements[0].Raw
			checkSchema(t, "nodoperpa-ppthead.xsd", refHead, r.Header)
		}
		var el anyElement
		if err := req.DecodeBody(&el); err != nil {
			t.Errorf("request body: %v", err)
			return
		}
		if r.Body, err = el.standalone(); err != nil {
			t.Errorf("re-encoding body: %v", err)
			return
		}
		checkSchema(t, "nodoperpa-types.xsd", refTypes, r.Body)
		answer(w, r)
	}
}

// checkSchema validates doc against our schema and, when present, the
// reference one. It runs on the server goroutine, so it reports with Errorf.
func checkSchema(t *testing.T, ours, ref string, doc []byte) {
	t.Helper()
	for _, p := range []string{xsdtest.Path(ours), ref} {
		if p == "" {
			continue
		}
		if err := xsdtest.Check(p, doc); err != nil && !errors.Is(err, xsdtest.ErrNoXmllint) {
			t.Errorf("against %s: %v\n%s", filepath.Base(p), err, doc)
		}
	}
}

// respond sends v (a generated response type) in an envelope with HTTP
// 200, after checking that the fixture itself is schema-valid.
func respond(t *testing.T, w http.ResponseWriter, v any, op string) {
	t.Helper()
	b, err := xml.Marshal(v)
	if err != nil {
		t.Errorf("marshal fixture: %v", err)
		return
	}
	checkSchema(t, "nodoperpa-types.xsd", refTypes, b)
	sendUnchecked(t, w, v, op)
}

// sendUnchecked sends v without validating it: for answers a node should
// not send but might.
func sendUnchecked(t *testing.T, w http.ResponseWriter, v any, op string) {
	t.Helper()
	if err := soap.WriteResponse(w, v, xml.Name{Space: nsPPT, Local: op + "Risposta"}, "ppt"); err != nil {
		t.Errorf("writing response: %v", err)
	}
}

// writeRaw sends a literal body.
func writeRaw(w http.ResponseWriter, status int, contentType, body string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// recorder keeps journaled events.
type recorder struct {
	mu  sync.Mutex
	evs []gateway.Event
}

func (r *recorder) Record(ev *gateway.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, *ev)
}

func (r *recorder) events() []gateway.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]gateway.Event(nil), r.evs...)
}

var station = Station{IntermediarioPA: "80007580279", StazionePA: "80007580279_01", Password: "pwdpwdpwd"}

// newClient builds a client for srv with rec journaling.
func newClient(t *testing.T, cfg Config, rec Recorder) *Client {
	t.Helper()
	c, err := New(cfg, rec, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func xmlDecode(r io.Reader, v any) error { return xml.NewDecoder(r).Decode(v) }
