package node

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway/soap"
)

const (
	envOpen    = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + soap.NSEnvelope + `">`
	envClose   = `</soapenv:Envelope>`
	bodyOpen   = `<soapenv:Body>`
	bodyClose  = `</soapenv:Body>`
	headerNone = `<soapenv:Header/>`
)

// writeEnvelope writes a SOAP 1.1 request: header (nil for none) inside
// soapenv:Header, body inside soapenv:Body. The generated types bind their
// own prefix on the root and keep the children unqualified, as NodoPerPa's
// schemas (no elementFormDefault) require. The header is per call, never
// client state.
func writeEnvelope(buf *bytes.Buffer, header, body any) error {
	buf.WriteString(envOpen)
	enc := xml.NewEncoder(buf)
	if header == nil {
		buf.WriteString(headerNone)
	} else {
		buf.WriteString(`<soapenv:Header>`)
		if err := enc.Encode(header); err != nil {
			return fmt.Errorf("codifica header: %w", err)
		}
		if err := enc.Flush(); err != nil {
			return err
		}
		buf.WriteString(`</soapenv:Header>`)
	}
	buf.WriteString(bodyOpen)
	if err := enc.Encode(body); err != nil {
		return fmt.Errorf("codifica body: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	buf.WriteString(bodyClose)
	buf.WriteString(envClose)
	return nil
}
