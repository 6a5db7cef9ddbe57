package sim

import (
	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// RPTReceipts makes RTs with gateway/rpt, as wisp-converter writes them:
// the RPT's data echoed, every versamento paid in full (Outcome.Code "0")
// or none ("Annullato da WISP"), the PSP as istitutoAttestante. It is the
// ReceiptMaker New uses when given none.
type RPTReceipts struct{}

// MakeRT implements ReceiptMaker.
func (RPTReceipts) MakeRT(raw []byte, o Outcome) ([]byte, error) {
	req, err := rpt.ParseRPT(raw)
	if err != nil {
		return nil, err
	}
	ro := rpt.Outcome{Esito: rpt.EsitoNonEseguito, At: o.When}
	if o.PSP != "" {
		ro.PSP = rpt.Attestante{Tipo: "G", Codice: o.PSP, Denominazione: o.PSPName}
	}
	if o.Paid() {
		ro.Esito = rpt.EsitoEseguito
		if o.IUR != "" {
			ro.IURs = make([]string, len(req.Items))
			for i := range ro.IURs {
				ro.IURs[i] = o.IUR
			}
		}
	}
	return rpt.BuildRT(req, ro)
}
