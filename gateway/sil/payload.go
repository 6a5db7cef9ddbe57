package sil

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"sync"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/wsdl"
)

// payloadSchemaFile is the SIL payload schema MyPay validates the base64
// documents against (Dovuti, Versamento, DovutiEntiSecondari).
const payloadSchemaFile = "PagInf_Dovuti_Pagati_6_2_0.xsd"

var (
	payloadSchemaOnce sync.Once
	payloadSchema     *xsdvalid.Schema
	payloadSchemaErr  error
)

// loadPayloadSchema compiles the schema once per process.
func loadPayloadSchema() (*xsdvalid.Schema, error) {
	payloadSchemaOnce.Do(func() {
		payloadSchema, payloadSchemaErr = xsdvalid.Compile(wsdl.FS, payloadSchemaFile)
	})
	return payloadSchema, payloadSchemaErr
}

// payloadError builds MyPay's PAA_XML_NON_VALIDO for a payload document.
// what is the faultString ("XML dei dovuti non valido"…); detail the parser
// or validator message.
func payloadError(op, codIpa, what, detail string) *gateway.Error {
	return gateway.Errorf(gateway.CodeXMLNonValido, "%s", what).WithDescription(
		"XML ricevuto per " + op + " non conforme all' XSD per ente [" + codIpa + "]  XML Error: \n" + detail)
}

// decodePayload turns the base64 text of a payload element into the
// document XML, validates it against the payload schema and decodes it
// into v. It is the one place where MyPay's payload rules live:
//   - base64 decoded once; if the result is itself base64 (and so cannot be
//     XML), decoded again: clients send single or double base64;
//   - no DOCTYPE;
//   - XSD validation, its message as the fault description;
//   - encoding/xml decoding into the generated type.
//
// Errors are PAA_XML_NON_VALIDO with faultString what.
func decodePayload(text []byte, op, codIpa, what string, v any) *gateway.Error {
	doc, ok := decodeBase64(text)
	if !ok {
		return payloadError(op, codIpa, what, "contenuto base64 non valido")
	}
	if isBase64(doc) {
		if again, ok := decodeBase64(doc); ok {
			doc = again
		}
	}
	if len(bytes.TrimSpace(doc)) == 0 {
		return payloadError(op, codIpa, what, "documento vuoto")
	}
	if !utf8.Valid(doc) {
		return payloadError(op, codIpa, what, "il documento non è UTF-8 valido")
	}
	if bytes.Contains(doc, []byte("<!DOCTYPE")) || bytes.Contains(doc, []byte("<!doctype")) {
		return payloadError(op, codIpa, what, "DOCTYPE non ammesso")
	}
	schema, err := loadPayloadSchema()
	if err != nil {
		return systemError(err)
	}
	if err := schema.ValidateBytes(doc); err != nil {
		return payloadError(op, codIpa, what, err.Error())
	}
	if err := xml.Unmarshal(doc, v); err != nil {
		// The schema accepted it, so this is a mapping limit of ours.
		return payloadError(op, codIpa, what, err.Error())
	}
	return nil
}

// decodeBase64 decodes standard base64, ignoring whitespace, and tolerates
// missing padding and the URL-safe alphabet as commons-codec does.
func decodeBase64(text []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(text))
	for _, c := range text {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '-':
			c = '+'
		case '_':
			c = '/'
		}
		clean = append(clean, c)
	}
	clean = bytes.TrimRight(clean, "=")
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// isBase64 mirrors commons-codec Base64.isBase64(byte[]): only alphabet
// characters, padding and whitespace, and at least one character. XML
// always has a '<', which is none of those.
func isBase64(b []byte) bool {
	seen := false
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '+', c == '/', c == '-', c == '_', c == '=':
			seen = true
		case c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			return false
		}
	}
	return seen
}
