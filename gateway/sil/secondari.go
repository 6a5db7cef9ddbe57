package sil

import "github.com/ponte-pagopa/ponte/gateway"

// checkSecondari applies MyPay's listaDovutiEntiSecondari rules for azioni
// I and M: at most one secondary ente, whose document must be valid; it is
// attached to d. MyPay also checks the taxonomy code of its
// datiSpecificiRiscossione against its tassonomia table, which Ponte does
// not have yet: that check is skipped.
func (s *Service) checkSecondari(texts [][]byte, codIpa string, d *gateway.Dovuto) *gateway.Error {
	switch len(texts) {
	case 0:
		return nil
	case 1:
		sec, gerr := s.decodeSecondario(texts[0], opImporta, codIpa)
		if gerr != nil {
			return gerr
		}
		d.Secondary = sec
		return nil
	}
	return gateway.Errorf(gateway.CodeLimitazioneEntiSecondari, "XML dei dovuti Enti secondari supera il limite consentito da PagoPA.").
		WithDescription("XML ricevuto per paaSILImportaDovuto non conforme all' XSD per enti secondari [" + gateway.CodeLimitazioneEntiSecondari + "]")
}
