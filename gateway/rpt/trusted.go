package rpt

import (
	"encoding/xml"
	"fmt"

	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

// DecodeTrustedRPT decodes an RPT without validating it against the
// schema. It is only for documents Ponte itself produced with Build and
// stored (Build validates its output), such as the RPT of a payment read
// back when its RT arrives; schema validation there would only repeat work
// done when the RPT was built. Anything from outside Ponte goes through
// ParseRPT.
//
// Decoding still fails, with a plain error, on bytes that are not an RPT
// or whose content the Request cannot hold (an importoTotaleDaVersare that
// is not the sum of the versamenti is an *InvalidError, as in ParseRPT).
func DecodeTrustedRPT(b []byte) (*Request, error) {
	var w rptrt.RPT
	if err := xml.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("rpt: decode stored RPT: %w", err)
	}
	r, err := requestIn(&w)
	if err != nil {
		return nil, fmt.Errorf("rpt: decode stored RPT: %w", err)
	}
	return r, nil
}
