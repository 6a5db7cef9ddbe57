// Package wiretest round-trips pagoPA sample messages through the generated
// types: decode, re-encode, validate with xmllint, and check that no leaf
// value (amounts, dates, codes) was lost or rewritten on the way.
package wiretest

import (
	"bytes"
	"encoding/xml"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

const soapEnv = "http://schemas.xmlsoap.org/soap/envelope/"

// Sample returns the path of a reference sample, skipping the test when the
// reference tree is absent.
func Sample(t *testing.T, rel string) string {
	t.Helper()
	p := xsdtest.RefPath("pagopa/samples/" + rel)
	if p == "" {
		t.Skipf("reference sample %s not available", rel)
	}
	return p
}

// Schema returns the path of a reference schema, skipping when absent.
func Schema(t *testing.T, rel string) string {
	t.Helper()
	p := xsdtest.RefPath(rel)
	if p == "" {
		t.Skipf("reference schema %s not available", rel)
	}
	return p
}

// placeholders of the test-suite samples, filled with values the schemas
// accept. Other placeholders are plain text and stay.
var placeholders = []struct{ re, with string }{
	{`#timedate#`, "2026-11-23T17:13:30"},
	{`#date#`, "2026-11-23"},
	{`#yesterday_date#`, "2026-11-22T00:00:00"},
	{`\{dataOraMessaggioRichiesta\}`, "2026-11-23"},
	{`\{dataEsecuzionePagamento\}`, "2026-11-23"},
	{`\{amount\}`, "10.50"},
	{`\{tipoVersamento\}`, "PO"},
	{`\{datiSpecificiRiscossione\}`, "9/0101100IM/"},
	{`\{multi\}`, "false"},
	{`#identificativoFlusso#`, "2026-11-23ABI03069-S0001"},
	{`>\$\w*Attachment<`, ">PFJQVC8+<"},
	{`>\$\{?[A-Za-z0-9.]*\}?<`, ">x<"},
	{`>\{rpt\}<`, ">PFJQVC8+<"},
	{`<MBDAttachment>attachment<`, "<MBDAttachment>PE1CRC8+<"},
	{`#fiscalCodePA#`, "80007580279"},
}

// Fill replaces the sample placeholders with valid values.
func Fill(doc []byte) []byte {
	for _, p := range placeholders {
		doc = regexp.MustCompile(p.re).ReplaceAll(doc, []byte(p.with))
	}
	return doc
}

// Payload returns the document element of a sample: the first child of the
// SOAP Body for envelopes, the root otherwise, as a standalone document.
func Payload(t *testing.T, path string) (name xml.Name, doc []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw = Fill(raw)
	dec := xml.NewDecoder(bytes.NewReader(raw))
	envelope, inBody := false, false
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: no payload element: %v", filepath.Base(path), err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Space == soapEnv {
			switch se.Name.Local {
			case "Envelope":
				envelope = true
			case "Body":
				inBody = true
			default:
				if err := dec.Skip(); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		if envelope && !inBody {
			if err := dec.Skip(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var node struct {
			Inner []byte `xml:",innerxml"`
		}
		if err := dec.DecodeElement(&node, &se); err != nil {
			t.Fatal(err)
		}
		return se.Name, standalone(se, node.Inner, raw)
	}
}

// standalone rebuilds the payload element with every namespace declaration
// of the original document, so prefixes inside it still resolve.
func standalone(se xml.StartElement, inner, raw []byte) []byte {
	var b bytes.Buffer
	b.WriteString("<p:" + se.Name.Local + ` xmlns:p="` + se.Name.Space + `"`)
	decls := declarations(raw)
	for _, prefix := range slices.Sorted(maps.Keys(decls)) {
		switch prefix {
		case "p":
		case "":
			b.WriteString(` xmlns="` + decls[prefix] + `"`)
		default:
			b.WriteString(" xmlns:" + prefix + `="` + decls[prefix] + `"`)
		}
	}
	b.WriteString(">")
	b.Write(inner)
	b.WriteString("</p:" + se.Name.Local + ">")
	return b.Bytes()
}

func declarations(raw []byte) map[string]string {
	out := map[string]string{}
	dec := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return out
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				switch {
				case a.Name.Space == "xmlns":
					out[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					out[""] = a.Value
				}
			}
		}
	}
}

// RoundTrip decodes doc into v (a pointer to a generated root type),
// re-encodes it with xml.Marshal, validates the result against schema and
// compares the leaf values of both documents. It returns the encoding.
func RoundTrip(t *testing.T, doc []byte, v any, schema string) []byte {
	t.Helper()
	if err := xml.Unmarshal(doc, v); err != nil {
		t.Fatalf("decode into %T: %v", v, err)
	}
	out, err := xml.Marshal(v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	out = append([]byte(xml.Header), out...)
	if err := xsdtest.Check(schema, doc); err != nil {
		// Some samples miss required elements; the encoding can only be as
		// valid as its input, so check the leaves but not the schema.
		t.Logf("sample itself is not valid, schema check skipped: %v", err)
	} else {
		xsdtest.Validate(t, schema, out)
	}
	want, got := Leaves(t, doc), Leaves(t, out)
	if !reflect.DeepEqual(want, got) {
		t.Errorf("leaf values changed in the round trip of %T\nwant %v\n got %v\n%s", v, want, got, out)
	}
	// Decoding the encoding again must give the same value.
	again := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	if err := xml.Unmarshal(out, again); err != nil {
		t.Fatalf("decode re-encoded %T: %v", v, err)
	}
	if !reflect.DeepEqual(v, again) {
		t.Errorf("%T differs after a second round trip", v)
	}
	return out
}

// Leaves lists "path=value" for every non-empty element without child
// elements, in document order, with whitespace-wrapped values (base64)
// unwrapped and booleans in canonical form. Empty optional elements are not
// kept by the generated types (omitempty), so they are left out here.
func Leaves(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var path []string
	var text strings.Builder
	hasChild := []bool{}
	var out []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if len(hasChild) > 0 {
				hasChild[len(hasChild)-1] = true
			}
			path = append(path, tk.Name.Local)
			hasChild = append(hasChild, false)
			text.Reset()
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			if !hasChild[len(hasChild)-1] {
				v := strings.TrimSpace(text.String())
				if strings.ContainsAny(v, "\n\r") {
					v = strings.Join(strings.Fields(v), "")
				}
				switch v {
				case "1":
					v = "true"
				case "0":
					v = "false"
				}
				if v != "" {
					out = append(out, strings.Join(path[1:], "/")+"="+v)
				}
			}
			path, hasChild = path[:len(path)-1], hasChild[:len(hasChild)-1]
			text.Reset()
		}
	}
}
