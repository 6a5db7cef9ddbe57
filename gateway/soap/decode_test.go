package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

const nsEnte = "http://www.regione.veneto.it/pagamenti/ente/"

// chiediPagati is a test copy of an SIL request: wrapper qualified,
// children unqualified.
type chiediPagati struct {
	XMLName    xml.Name `xml:"http://www.regione.veneto.it/pagamenti/ente/ paaSILChiediPagati"`
	CodIpaEnte string   `xml:"codIpaEnte"`
	Password   string   `xml:"password"`
	IDSession  string   `xml:"idSession"`
}

const validEnvelope = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/"
    xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead">
  <soapenv:Header>
    <ppthead:intestazionePPT>
      <codIpaEnte> C_H501 </codIpaEnte>
    </ppthead:intestazionePPT>
    <wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing" soapenv:mustUnderstand="0">urn:x</wsa:To>
  </soapenv:Header>
  <soapenv:Body>
    <ppt:paaSILChiediPagati>
      <codIpaEnte>C_H501</codIpaEnte>
      <password>segreto123</password>
      <idSession>abc-123</idSession>
    </ppt:paaSILChiediPagati>
  </soapenv:Body>
</soapenv:Envelope>
`

// anyNode decodes any element, for tests that do not care about the type.
type anyNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []anyNode  `xml:",any"`
}

func mustDecode(t *testing.T, s string) *Request {
	t.Helper()
	req, err := Decode(strings.NewReader(s), Limits{})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return req
}

func TestDecodeValid(t *testing.T) {
	req := mustDecode(t, validEnvelope)
	if want := (xml.Name{Space: nsEnte, Local: "paaSILChiediPagati"}); req.Operation != want {
		t.Fatalf("Operation = %v, want %v", req.Operation, want)
	}
	if req.Header == nil || req.Header.CodIpaEnte != "C_H501" || req.Header.Name.Local != "intestazionePPT" {
		t.Fatalf("Header = %+v", req.Header)
	}
	if got := req.HeaderText(NSPPTHead, "intestazionePPT", "codIpaEnte"); got != "C_H501" {
		t.Fatalf("HeaderText = %q", got)
	}
	if len(req.HeaderElements) != 2 {
		t.Fatalf("HeaderElements = %d", len(req.HeaderElements))
	}
	var body chiediPagati
	if err := req.DecodeBody(&body); err != nil {
		t.Fatal(err)
	}
	if body.CodIpaEnte != "C_H501" || body.Password != "segreto123" || body.IDSession != "abc-123" {
		t.Fatalf("body = %+v", body)
	}
}

// The re-encoded header children must parse alone and keep their QNames,
// including names and attributes whose prefixes were declared on the
// Envelope.
func TestHeaderElementsRawStandalone(t *testing.T) {
	req := mustDecode(t, validEnvelope)
	for _, el := range req.HeaderElements {
		dec := xml.NewDecoder(bytes.NewReader(el.Raw))
		var names []xml.Name
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			if se, ok := tok.(xml.StartElement); ok {
				names = append(names, se.Name)
				for _, a := range se.Attr {
					if a.Name.Local == "mustUnderstand" && a.Name.Space != NSEnvelope {
						t.Errorf("%s: attribute namespace lost: %v", el.Raw, a.Name)
					}
				}
			}
		}
		if err := xml.Unmarshal(el.Raw, new(struct{})); err != nil {
			t.Fatalf("%s: %v", el.Raw, err)
		}
		if names[0] != el.Name {
			t.Errorf("root of %s = %v, want %v", el.Raw, names[0], el.Name)
		}
	}
	raw := string(req.HeaderElements[0].Raw)
	if !strings.Contains(raw, `<codIpaEnte> C_H501 </codIpaEnte>`) {
		t.Errorf("child lost or qualified: %s", raw)
	}
}

func TestHeaderDefaultNamespaceAndShadowing(t *testing.T) {
	const env = `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:outer"><e:Header>` +
		`<intestazionePPT xmlns="http://www.regione.veneto.it/pagamenti/ente/ppthead"><codIpaEnte xmlns="">X1</codIpaEnte></intestazionePPT>` +
		`<p:a><p:b xmlns:p="urn:inner" p:k="v"/><p:c/></p:a>` +
		`</e:Header><e:Body><op xmlns="urn:op"/></e:Body></e:Envelope>`
	req := mustDecode(t, env)
	if req.Header == nil || req.Header.CodIpaEnte != "X1" {
		t.Fatalf("Header = %+v", req.Header)
	}
	type b struct {
		K string `xml:"urn:inner k,attr"`
	}
	var a struct {
		XMLName xml.Name  `xml:"urn:outer a"`
		B       b         `xml:"urn:inner b"`
		C       *struct{} `xml:"urn:outer c"`
	}
	if err := xml.Unmarshal(req.HeaderElements[1].Raw, &a); err != nil {
		t.Fatalf("%s: %v", req.HeaderElements[1].Raw, err)
	}
	if a.B.K != "v" || a.C == nil {
		t.Fatalf("%s decoded as %+v", req.HeaderElements[1].Raw, a)
	}
	if req.Operation != (xml.Name{Space: "urn:op", Local: "op"}) {
		t.Fatalf("Operation = %v", req.Operation)
	}
}

// An undeclared prefix gets a generated one that must not capture an
// existing binding.
func TestHeaderUndeclaredPrefix(t *testing.T) {
	const env = `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="urn:a"><e:Header>` +
		`<foo:h ns1:k="v"><ns1:c/></foo:h></e:Header><e:Body><op/></e:Body></e:Envelope>`
	req := mustDecode(t, env)
	var n struct {
		XMLName xml.Name
		K       string    `xml:"urn:a k,attr"`
		C       *struct{} `xml:"urn:a c"`
	}
	raw := req.HeaderElements[0].Raw
	if err := xml.Unmarshal(raw, &n); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if n.XMLName != (xml.Name{Space: "foo", Local: "h"}) || n.K != "v" || n.C == nil {
		t.Fatalf("%s decoded as %+v", raw, n)
	}
}

func TestDecodeLatin1(t *testing.T) {
	env := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>" +
		"<ppt:paaSILChiediPagati xmlns:ppt=\"http://www.regione.veneto.it/pagamenti/ente/\"><codIpaEnte>Citt\xe0</codIpaEnte></ppt:paaSILChiediPagati></s:Body></s:Envelope>"
	req := mustDecode(t, env)
	var body chiediPagati
	if err := req.DecodeBody(&body); err != nil {
		t.Fatal(err)
	}
	if body.CodIpaEnte != "Città" {
		t.Fatalf("got %q", body.CodIpaEnte)
	}
}

func TestDecodeBOM(t *testing.T) {
	mustDecode(t, "\xEF\xBB\xBF"+validEnvelope)
}

func faultOf(t *testing.T, err error) *Fault {
	t.Helper()
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("error %v (%T) is not a *Fault", err, err)
	}
	return f
}

func TestDecodeRejects(t *testing.T) {
	deep := validEnvelope[:strings.Index(validEnvelope, "<soapenv:Body>")] + "<soapenv:Body>" +
		strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</soapenv:Body></soapenv:Envelope>"
	tests := []struct {
		name, in, code, msg string
		body                bool // error shows up only in DecodeBody
	}{
		{"empty", "", FaultClient, "vuoto", false},
		{"blanks", "  \n ", FaultClient, "vuoto", false},
		{"not xml", "hello world", FaultClient, "non è XML", false},
		{"json", `{"a":1}`, FaultClient, "non è XML", false},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>`, FaultClient, "DOCTYPE", false},
		{"external entity", `<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&xxe;</soapenv:Body></soapenv:Envelope>`, FaultClient, "DOCTYPE", false},
		{"undeclared entity", strings.Replace(validEnvelope, "segreto123", "&lol;", 1), FaultClient, "XML non valido", true},
		{"soap12", `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>`, FaultVersionMismatch, "SOAP 1.1", false},
		{"other envelope ns", `<Envelope xmlns="urn:x"><Body/></Envelope>`, FaultVersionMismatch, "namespace", false},
		{"wrong root", `<foo/>`, FaultClient, "atteso soapenv:Envelope", false},
		{"no body", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"></s:Envelope>`, FaultClient, "Body mancante", false},
		{"empty body", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body> </s:Body></s:Envelope>`, FaultClient, "Body vuoto", false},
		{"truncated in header", validEnvelope[:200], FaultClient, "", false},
		{"truncated in body", validEnvelope[:strings.Index(validEnvelope, "<idSession>")], FaultClient, "", true},
		{"truncated after body", validEnvelope[:strings.Index(validEnvelope, "</soapenv:Body>")], FaultClient, "troncato", true},
		{"truncated mid tag", validEnvelope[:strings.Index(validEnvelope, "</soapenv:Body>")+5], FaultClient, "", true},
		{"junk after envelope", validEnvelope + "<x/>", FaultClient, "dopo la fine", true},
		{"mismatched tags", strings.Replace(validEnvelope, "</idSession>", "</idSessione>", 1), FaultClient, "XML non valido", true},
		{"deep nesting", deep, FaultClient, "annidamento", true},
		{"utf16", `<?xml version="1.0" encoding="UTF-16"?><x/>`, FaultClient, "codifica", false},
		{"text in envelope", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">hi<s:Body/></s:Envelope>`, FaultClient, "testo", false},
		{"bad utf8", "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><a>\xff</a></s:Body></s:Envelope>", FaultClient, "XML non valido", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Decode(strings.NewReader(tt.in), Limits{})
			if tt.body {
				if err != nil {
					t.Fatalf("Decode failed early: %v", err)
				}
				err = req.DecodeBody(new(anyNode))
			}
			if err == nil {
				t.Fatal("accepted")
			}
			f := faultOf(t, err)
			if f.Code != tt.code || !strings.Contains(f.String, tt.msg) {
				t.Fatalf("fault = %s / %q, want %s / …%s…", f.Code, f.String, tt.code, tt.msg)
			}
		})
	}
}

// finish catches a truncated tail when the handler never decoded the body.
func TestFinishWithoutDecodeBody(t *testing.T) {
	req := mustDecode(t, validEnvelope[:strings.Index(validEnvelope, "</soapenv:Body>")])
	if err := req.finish(); err == nil {
		t.Fatal("truncated tail accepted")
	}
	req = mustDecode(t, validEnvelope)
	if err := req.finish(); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeLimits(t *testing.T) {
	big := strings.Replace(validEnvelope, "abc-123", strings.Repeat("x", 5000), 1)
	cases := []struct {
		name string
		lim  Limits
		in   string
		msg  string
	}{
		{"bytes", Limits{MaxBytes: 100}, validEnvelope, MsgTooLarge},
		{"token bytes", Limits{MaxTokenBytes: 1000}, big, "testo XML troppo grande"},
		{"tokens", Limits{MaxTokens: 10}, validEnvelope, "troppi elementi"},
		{"attrs", Limits{MaxAttrs: 2}, validEnvelope, "troppi attributi"},
		{"attr bytes", Limits{MaxTokenBytes: 1000}, strings.Replace(validEnvelope, `soapenv:mustUnderstand="0"`, `a="`+strings.Repeat("y", 2000)+`"`, 1), "attributi"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := Decode(strings.NewReader(c.in), c.lim)
			if err == nil {
				err = req.DecodeBody(new(chiediPagati))
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if f := faultOf(t, err); !strings.Contains(f.String, c.msg) {
				t.Fatalf("fault %q, want …%s…", f.String, c.msg)
			}
		})
	}
	// An exact fit passes the byte cap.
	if _, err := Decode(strings.NewReader(validEnvelope), Limits{MaxBytes: int64(len(validEnvelope))}); err != nil {
		t.Fatal(err)
	}
	req, err := Decode(strings.NewReader(validEnvelope), Limits{MaxBytes: int64(len(validEnvelope))})
	if err != nil || req.DecodeBody(new(chiediPagati)) != nil {
		t.Fatal("exact-size message refused")
	}
}
