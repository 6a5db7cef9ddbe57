package sil

// Fault codes of the payment operations that gateway/error.go does not
// list (yet): they exist only in these answers.
const (
	codeIUVScaduto           = "PAA_IUV_SCADUTO"
	codeIDSessionNonValido   = "PAA_ID_SESSION_NON_VALIDO"
	codePagamentoNonIniziato = "PAA_PAGAMENTO_NON_INIZIATO"
	codePagamentoInCorso     = "PAA_PAGAMENTO_IN_CORSO"
	codePagamentoAnnullato   = "PAA_PAGAMENTO_ANNULLATO"
	codePagamentoScaduto     = "PAA_PAGAMENTO_SCADUTO"
)
