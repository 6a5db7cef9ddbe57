package sim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strconv"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

// Namespaces of NodoPerPa.
const (
	NSPPT     = "http://ws.pagamenti.telematici.gov/"
	NSPPTHead = "http://ws.pagamenti.telematici.gov/ppthead"
)

// rawElement captures the operation element as a standalone document, each
// qualified name bound to a prefix declared where it is used, so that the
// schema can check it and the generated types can decode it.
type rawElement struct{ doc []byte }

func (r *rawElement) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var b bytes.Buffer
	gen := 0
	qname := func(n xml.Name, decl *bytes.Buffer) string {
		if n.Space == "" {
			return n.Local
		}
		if n.Space == "http://www.w3.org/XML/1998/namespace" {
			return "xml:" + n.Local
		}
		gen++
		p := "n" + strconv.Itoa(gen)
		decl.WriteString(" xmlns:" + p + `="`)
		xml.EscapeText(decl, []byte(n.Space))
		decl.WriteByte('"')
		return p + ":" + n.Local
	}
	var names []string
	for t := xml.Token(start); ; {
		switch t := t.(type) {
		case xml.StartElement:
			var decl, attrs bytes.Buffer
			name := qname(t.Name, &decl)
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				attrs.WriteString(" " + qname(a.Name, &decl) + `="`)
				xml.EscapeText(&attrs, []byte(a.Value))
				attrs.WriteByte('"')
			}
			names = append(names, name)
			b.WriteString("<" + name)
			b.Write(decl.Bytes())
			b.Write(attrs.Bytes())
			b.WriteByte('>')
		case xml.EndElement:
			b.WriteString("</" + names[len(names)-1] + ">")
			names = names[:len(names)-1]
			if len(names) == 0 {
				r.doc = b.Bytes()
				return nil
			}
		case xml.CharData:
			xml.EscapeText(&b, t)
		}
		var err error
		if t, err = d.Token(); err != nil {
			return err
		}
	}
}

// decodeBody checks the operation element against the NodoPerPa schema
// and decodes it into v. A bad rpt payload (not base64) is a fault of the
// carried document, PPT_SINTASSI_XSD; anything else PPT_SINTASSI_EXTRAXSD.
func (n *Node) decodeBody(req *soap.Request, v any) *pptError {
	var raw rawElement
	if err := req.DecodeBody(&raw); err != nil {
		return fail(PPTSintassiExtraXSD, "messaggio non ben formato: %v", err)
	}
	if err := n.types.ValidateBytes(raw.doc); err != nil {
		var ve *xsdvalid.ValidationError
		if errors.As(err, &ve) && ve.Element == "rpt" {
			return fail(PPTSintassiXSD, "rpt: %v", err)
		}
		return fail(PPTSintassiExtraXSD, "%v", err)
	}
	if err := xml.Unmarshal(raw.doc, v); err != nil {
		return fail(PPTSintassiExtraXSD, "%v", err)
	}
	return nil
}

// decodeHeader finds the ppthead header local, checks it against its
// schema and decodes it into v.
func (n *Node) decodeHeader(req *soap.Request, local string, v any) *pptError {
	for _, e := range req.HeaderElements {
		if e.Name.Space != NSPPTHead || e.Name.Local != local {
			continue
		}
		if err := n.head.ValidateBytes(e.Raw); err != nil {
			return fail(PPTSintassiExtraXSD, "%s: %v", local, err)
		}
		if err := xml.Unmarshal(e.Raw, v); err != nil {
			return fail(PPTSintassiExtraXSD, "%s: %v", local, err)
		}
		return nil
	}
	return fail(PPTSintassiExtraXSD, "header %s mancante", local)
}

// parseRPT validates an RPT document and decodes it.
func (n *Node) parseRPT(b []byte) (*rptrt.RPT, *pptError) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fail(PPTSintassiXSD, "rpt vuota")
	}
	if err := n.rptXS.ValidateBytes(b); err != nil {
		return nil, fail(PPTSintassiXSD, "RPT non valida: %v", err)
	}
	var r rptrt.RPT
	if err := xml.Unmarshal(b, &r); err != nil {
		return nil, fail(PPTSintassiXSD, "RPT non valida: %v", err)
	}
	return &r, nil
}
