package pafornode

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
)

// node is any element as received. Decoding into it never fails on
// content (the SOAP decoder feeds tokens, so raw inner XML cannot be
// kept); standalone writes it back for the schema to judge.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
	Text    string     `xml:",chardata"`
}

// decode reads the body of req into v after validating it against
// paForNode.xsd. A body that is not XML is a SOAP fault (returned as
// *soap.Fault); a body the schema refuses is PAA_SINTASSI_EXTRAXSD.
func (s *Service) decode(req *soap.Request, v any) error {
	invalid, err := s.decodeLenient(req, v)
	if err != nil {
		return err
	}
	return invalid
}

// decodeLenient is decode for receipts, which must not be lost to a
// schema detail: a body the schema refuses is still decoded into v, and
// the refusal returned as invalid for the caller to weigh. err is a body
// that could not be decoded at all.
func (s *Service) decodeLenient(req *soap.Request, v any) (invalid, err error) {
	var raw node
	if err := req.DecodeBody(&raw); err != nil {
		return nil, err
	}
	return s.check(&raw, v)
}

// check is decodeLenient after the SOAP decoder: the element rebuilt,
// validated and decoded into v.
func (s *Service) check(raw *node, v any) (invalid, err error) {
	doc := standalone(raw)
	if verr := s.schema.ValidateBytes(doc); verr != nil {
		var ve *xsdvalid.ValidationError
		if !errors.As(verr, &ve) {
			return nil, fault(CodeSintassiExtraXSD, "richiesta non leggibile: "+verr.Error())
		}
		invalid = fault(CodeSintassiExtraXSD, "richiesta non valida rispetto a paForNode.xsd: "+ve.Error())
	}
	if err := xml.Unmarshal(doc, v); err != nil {
		return nil, fault(CodeSintassiExtraXSD, "richiesta non leggibile: "+err.Error())
	}
	return invalid, nil
}

// standalone writes the operation element as a document of its own, in
// paForNode's namespace whichever of the accepted ones it came in (see
// Register). Unqualified children stay unqualified; anything qualified
// keeps its namespace, declared where it is used, so the schema refuses
// it as it should.
func standalone(root *node) []byte {
	var b bytes.Buffer
	b.WriteString(`<p:` + root.XMLName.Local + ` xmlns:p="` + NS + `"`)
	writeAttrs(&b, root.Attrs)
	b.WriteByte('>')
	writeContent(&b, root)
	b.WriteString(`</p:` + root.XMLName.Local + `>`)
	return b.Bytes()
}

func writeContent(b *bytes.Buffer, n *node) {
	xml.EscapeText(b, []byte(n.Text))
	for i := range n.Nodes {
		c := &n.Nodes[i]
		name := c.XMLName.Local
		b.WriteByte('<')
		if c.XMLName.Space != "" {
			name = "q:" + name
			b.WriteString(name + ` xmlns:q="`)
			xml.EscapeText(b, []byte(c.XMLName.Space))
			b.WriteByte('"')
		} else {
			b.WriteString(name)
		}
		writeAttrs(b, c.Attrs)
		b.WriteByte('>')
		writeContent(b, c)
		b.WriteString(`</` + name + `>`)
	}
}

// writeAttrs keeps the attributes that are not namespace declarations
// (the schema allows none, so any is reported).
func writeAttrs(b *bytes.Buffer, attrs []xml.Attr) {
	for i, a := range attrs {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		b.WriteByte(' ')
		if a.Name.Space != "" {
			pfx := "a" + strconv.Itoa(i)
			b.WriteString(`xmlns:` + pfx + `="`)
			xml.EscapeText(b, []byte(a.Name.Space))
			b.WriteString(`" ` + pfx + `:`)
		}
		b.WriteString(a.Name.Local + `="`)
		xml.EscapeText(b, []byte(a.Value))
		b.WriteByte('"')
	}
}

// trim is the text of an identifier as the checks compare it.
func trim[T ~string](v T) string { return strings.TrimSpace(string(v)) }
