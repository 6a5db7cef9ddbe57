package pafornode

import "github.com/ponte-pagopa/ponte/gateway"

// NS is paForNode's target namespace.
const NS = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"

// Fault codes a station answers the node with (pagopa-node.md §6.2).
const (
	CodeIDDominioErrato       = "PAA_ID_DOMINIO_ERRATO"
	CodeIDIntermediarioErrato = "PAA_ID_INTERMEDIARIO_ERRATO"
	CodeStazioneIntErrata     = "PAA_STAZIONE_INT_ERRATA"
	CodePagamentoSconosciuto  = "PAA_PAGAMENTO_SCONOSCIUTO"
	CodePagamentoDuplicato    = "PAA_PAGAMENTO_DUPLICATO"
	CodePagamentoInCorso      = "PAA_PAGAMENTO_IN_CORSO"
	CodePagamentoAnnullato    = "PAA_PAGAMENTO_ANNULLATO"
	CodePagamentoScaduto      = "PAA_PAGAMENTO_SCADUTO"
	CodeReceiptDuplicata      = "PAA_RECEIPT_DUPLICATA"
	CodeSintassiExtraXSD      = "PAA_SINTASSI_EXTRAXSD"
	CodeSemantica             = "PAA_SEMANTICA"
	CodeSystemError           = gateway.CodeSystemError
)

// faultStrings pair each code with its fixed text (SANP tabella dei
// codici di errore); the detail goes in description.
var faultStrings = map[string]string{
	CodeIDDominioErrato:       "La PAA non corrisponde al Dominio indicato",
	CodeIDIntermediarioErrato: "Identificativo intermediario non corrispondente",
	CodeStazioneIntErrata:     "Stazione intermediario non corrispondente",
	CodePagamentoSconosciuto:  "Pagamento in attesa risulta sconosciuto all'Ente Creditore",
	CodePagamentoDuplicato:    "Pagamento in attesa risulta concluso all'Ente Creditore",
	CodePagamentoInCorso:      "Pagamento in attesa risulta in corso all'Ente Creditore",
	CodePagamentoAnnullato:    "Pagamento in attesa risulta annullato all'Ente Creditore",
	CodePagamentoScaduto:      "Pagamento in attesa risulta scaduto all'Ente Creditore",
	CodeReceiptDuplicata:      "La ricevuta è già stata acquisita",
	CodeSintassiExtraXSD:      "Errore di sintassi extra XSD",
	CodeSemantica:             "Errore semantico",
	CodeSystemError:           "Errore generico",
}

// fault builds the error answered for code.
func fault(code, description string) *gateway.Error {
	s, ok := faultStrings[code]
	if !ok {
		s = code
	}
	if len(description) > maxDescription {
		description = description[:maxDescription]
		for len(description) > 0 && description[len(description)-1]&0xC0 == 0x80 {
			description = description[:len(description)-1]
		}
	}
	return &gateway.Error{Code: code, String: s, Description: description}
}

// maxDescription bounds a description that may quote hostile input.
const maxDescription = 1024
