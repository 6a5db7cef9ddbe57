package sil

import (
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/cf"
	"github.com/ponte-pagopa/ponte/gateway/normalize"
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

// normalizePayer is step 8 of paaSILImportaDovuto: address and civic
// cleaned, nation kept only when known, province only for IT and when a
// known sigla, CAP only when valid for the nation.
func normalizePayer(p *payer) *gateway.Payer {
	nation := normalize.Nation(p.Nation)
	return &gateway.Payer{
		Type:     p.Type,
		ID:       p.ID,
		Name:     p.Name,
		Address:  normalize.Address(p.Address),
		Civic:    normalize.Civico(p.Civic),
		CAP:      normalize.CAP(nation, p.CAP),
		Locality: p.Locality,
		Province: normalize.Province(nation, p.Province),
		Nation:   nation,
		Email:    p.Email,
	}
}
