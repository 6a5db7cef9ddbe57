package rpt

import (
	"encoding/xml"
	"fmt"

	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

// DecodeTrustedRT decodes an RT without validating it against the schema.
// It is only for RTs Ponte already accepted through ParseRT and stored,
// such as the receipt a store reads back to fill its export rows.
// A modello-unico receipt (IsReceiptV2) is mapped to the same form.
func DecodeTrustedRT(b []byte) (*Receipt, error) {
	if IsReceiptV2(b) {
		return decodeStoredV2(b)
	}
	var w rptrt.RT
	if err := xml.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("rpt: decode stored RT: %w", err)
	}
	rt, err := receiptIn(&w)
	if err != nil {
		return nil, fmt.Errorf("rpt: decode stored RT: %w", err)
	}
	return rt, nil
}
