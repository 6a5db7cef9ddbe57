package papernodo

import "github.com/ponte-pagopa/ponte/gateway"

// Namespaces of PaPerNodo.wsdl on the wire.
const (
	NS     = "http://ws.pagamenti.telematici.gov/"
	NSHead = "http://ws.pagamenti.telematici.gov/ppthead"
)

// Fault codes an ente answers the node with (pagopa-node.md §6.2). The
// string is the wire faultCode: never rename one.
const (
	CodeIDDominioErrato       = "PAA_ID_DOMINIO_ERRATO"
	CodeIDIntermediarioErrato = "PAA_ID_INTERMEDIARIO_ERRATO"
	CodeStazioneIntErrata     = "PAA_STAZIONE_INT_ERRATA"
	CodeRPTSconosciuta        = "PAA_RPT_SCONOSCIUTA"
	CodeRTDuplicata           = "PAA_RT_DUPLICATA"
	CodeTipoFirmaSconosciuto  = "PAA_TIPOFIRMA_SCONOSCIUTO"
	CodeSintassiXSD           = "PAA_SINTASSI_XSD"
	CodeSintassiExtraXSD      = "PAA_SINTASSI_EXTRAXSD"
	CodeSemantica             = "PAA_SEMANTICA"
	CodeSystemError           = gateway.CodeSystemError

	// paaVerificaRPT and paaAttivaRPT (modello 3).
	CodePagamentoSconosciuto = "PAA_PAGAMENTO_SCONOSCIUTO"
	CodePagamentoDuplicato   = "PAA_PAGAMENTO_DUPLICATO"
	CodePagamentoInCorso     = "PAA_PAGAMENTO_IN_CORSO"
	CodePagamentoAnnullato   = "PAA_PAGAMENTO_ANNULLATO"
	CodePagamentoScaduto     = "PAA_PAGAMENTO_SCADUTO"
	CodeImportoNonValido     = "PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO"
)

// faultStrings are the fixed texts paired one to one with each code
// (SANP tabella dei codici di errore); the detail goes in description.
var faultStrings = map[string]string{
	CodeIDDominioErrato:       "La PAA non corrisponde al Dominio indicato",
	CodeIDIntermediarioErrato: "Identificativo intermediario non corrispondente",
	CodeStazioneIntErrata:     "Stazione intermediario non corrispondente",
	CodeRPTSconosciuta:        "La RPT risulta sconosciuta",
	CodeRTDuplicata:           "La RT è già stata accettata",
	CodeTipoFirmaSconosciuto:  "Il campo tipoFirma non corrisponde ad alcun valore previsto",
	CodeSintassiXSD:           "Errore di sintassi XSD",
	CodeSintassiExtraXSD:      "Errore di sintassi extra XSD",
	CodeSemantica:             "Errore semantico",
	CodeSystemError:           "Errore generico",
	CodePagamentoSconosciuto:  "Pagamento in attesa risulta sconosciuto all'Ente Creditore",
	CodePagamentoDuplicato:    "Pagamento in attesa risulta concluso all'Ente Creditore",
	CodePagamentoInCorso:      "Pagamento in attesa risulta in corso all'Ente Creditore",
	CodePagamentoAnnullato:    "Pagamento in attesa risulta annullato all'Ente Creditore",
	CodePagamentoScaduto:      "Pagamento in attesa risulta scaduto all'Ente Creditore",
	CodeImportoNonValido:      "L'importo del pagamento in attesa non è congruente con il dato indicato dal PSP",
}

// fault builds the *gateway.Error for code: the fixed faultString and a
// description that says what exactly was wrong.
func fault(code, description string) *gateway.Error {
	s, ok := faultStrings[code]
	if !ok {
		s = code
	}
	return &gateway.Error{Code: code, String: s, Description: truncate(description, maxDescription)}
}

// maxDescription bounds the description, which may quote a validator's
// message about a hostile document.
const maxDescription = 1024

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
