package rpt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"sync"

	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
	"github.com/ponte-pagopa/ponte/xsd"
)

// Namespace is the target namespace of PagInf_RPT_RT_6_2_0.
const Namespace = "http://www.digitpa.gov.it/schemas/2011/Pagamenti/"

// schema compiles the embedded schema once; it is immutable afterwards.
var schema = sync.OnceValues(func() (*xsdvalid.Schema, error) {
	return xsdvalid.Compile(xsd.FS, "PagInf_RPT_RT_6_2_0.xsd")
})

// validate checks b against the schema and that its root is {Namespace}root.
// xsdvalid refuses DOCTYPE and other directives.
func validate(doc string, b []byte) error {
	s, err := schema()
	if err != nil {
		return fmt.Errorf("rpt: schema: %w", err)
	}
	if err := s.ValidateBytes(b); err != nil {
		return &SchemaError{Doc: doc, Err: err}
	}
	if name := rootName(b); name.Space != Namespace || name.Local != doc {
		return &SchemaError{Doc: doc, Err: fmt.Errorf("document element is {%s}%s, want %s", name.Space, name.Local, doc)}
	}
	return nil
}

func rootName(b []byte) xml.Name {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.Name{}
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name
		}
	}
}

// ParseRPT validates b against the schema and decodes it. The error is a
// *SchemaError for an invalid document and an *InvalidError when
// importoTotaleDaVersare is not the sum of the versamenti.
func ParseRPT(b []byte) (*Request, error) {
	if err := validate("RPT", b); err != nil {
		return nil, err
	}
	var w rptrt.RPT
	if err := xml.Unmarshal(b, &w); err != nil {
		return nil, &SchemaError{Doc: "RPT", Err: err}
	}
	r, err := requestIn(&w)
	if err != nil {
		var inv *InvalidError
		if errors.As(err, &inv) {
			return nil, err
		}
		return nil, &SchemaError{Doc: "RPT", Err: err}
	}
	return r, nil
}

// ParseRT validates b against the schema and decodes it. Whether it matches
// its RPT is Check's business.
func ParseRT(b []byte) (*Receipt, error) {
	if err := validate("RT", b); err != nil {
		return nil, err
	}
	var w rptrt.RT
	if err := xml.Unmarshal(b, &w); err != nil {
		return nil, &SchemaError{Doc: "RT", Err: err}
	}
	rt, err := receiptIn(&w)
	if err != nil {
		return nil, &SchemaError{Doc: "RT", Err: err}
	}
	return rt, nil
}

// encode marshals a generated root and validates the result, so that no
// builder ever returns a document the node would refuse as PPT_SINTASSI_XSD.
// No XML declaration, as in the node's own samples.
func encode(doc string, v any) ([]byte, error) {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("rpt: encode %s: %w", doc, err)
	}
	if err := validate(doc, out); err != nil {
		return nil, err
	}
	return out, nil
}
