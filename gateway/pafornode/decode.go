package pafornode

import (
	"encoding/xml"
	"errors"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
)

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
	var raw soap.Tree
	if err := req.DecodeBody(&raw); err != nil {
		return nil, err
	}
	return s.check(&raw, v)
}

// check is decodeLenient after the SOAP decoder: the element rebuilt in
// paForNode's namespace, whichever of the accepted ones it came in (see
// Register), validated and decoded into v.
func (s *Service) check(raw *soap.Tree, v any) (invalid, err error) {
	raw.XMLName.Space = NS
	doc := raw.Document()
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

// trim is the text of an identifier as the checks compare it.
func trim[T ~string](v T) string { return strings.TrimSpace(string(v)) }
