package cf

import "github.com/ponte-pagopa/ponte/gateway"

// Anonimo is the placeholder codice fiscale accepted for tipi dovuto that
// allow anonymous payers.
const Anonimo = "ANONIMO"

// ValidateSoggetto applies MyPay's check on a soggetto pagatore
// (tipoIdentificativoUnivoco, codiceIdentificativoUnivoco) and returns ""
// when valid, else the fault code:
//   - "ANONIMO" with anonimoAllowed and a tipo other than G: valid;
//   - G (legal person): a valid partita IVA, else gateway.CodePIVANonValido;
//   - F (natural person): a valid codice fiscale (16-char, or 11-digit) or
//     partita IVA, else gateway.CodeCodiceFiscaleNonValido; "ANONIMO" not
//     allowed lands here too;
//   - any other tipo: gateway.CodeSystemError, as MyPay throws (the XSD
//     already restricts tipo to F and G).
//
// The comparison with "ANONIMO" is case-sensitive, as in MyPay; for
// paaSILImportaDovuto the caller upper-cases the code first, as MyPay does.
func ValidateSoggetto(tipo, id string, anonimoAllowed bool) (code string) {
	if anonimoAllowed && id == Anonimo && tipo != "G" {
		return ""
	}
	switch tipo {
	case "G":
		if ValidPartitaIVA(id) {
			return ""
		}
		return gateway.CodePIVANonValido
	case "F":
		if ValidCodiceFiscale(id) || ValidPartitaIVA(id) {
			return ""
		}
		return gateway.CodeCodiceFiscaleNonValido
	}
	return gateway.CodeSystemError
}
