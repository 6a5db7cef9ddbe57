package sil

import (
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/cf"
)

// payerIDError builds the fault for a payer id cf.ValidateSoggetto refused.
// format takes the reason and the id: MyPay's texts differ per operation.
func payerIDError(code string, p *payer, format string) *gateway.Error {
	reason := ""
	switch code {
	case gateway.CodeCodiceFiscaleNonValido:
		reason = "Codice fiscale non valido"
	case gateway.CodePIVANonValido:
		reason = "P.IVA non valida"
	default:
		return systemError(fmt.Errorf("tipoIdentificativoUnivoco non valido [%s]", p.Type))
	}
	if p.ID == cf.Anonimo {
		reason = "Funzionalita CF ANONIMO non valida"
	}
	return gateway.Errorf(code, format, reason, p.ID)
}
