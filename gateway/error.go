package gateway

import (
	"errors"
	"fmt"
)

// Fault codes of the SIL (MyPay) contract. The string is what goes on the
// wire as faultCode, so never rename one.
const (
	CodeSystemError                     = "PAA_SYSTEM_ERROR"
	CodeEnteNonValido                   = "PAA_ENTE_NON_VALIDO"
	CodeStatoEnteNonValido              = "PAA_STATO_ENTE_NON_VALIDO"
	CodeXMLNonValido                    = "PAA_XML_NON_VALIDO"
	CodeIUVNonValido                    = "PAA_IUV_NON_VALIDO"
	CodeIUDNonValido                    = "PAA_IUD_NON_VALIDO"
	CodeIUDDuplicato                    = "PAA_IUD_DUPLICATO"
	CodeTipoVersamentoNonValido         = "PAA_TIPO_VERSAMENTO_NON_VALIDO"
	CodeCodiceFiscaleNonValido          = "PAA_CODICE_FISCALE_NON_VALIDO"
	CodePIVANonValido                   = "PAA_P_IVA_NON_VALIDO"
	CodeTipoDovutoNonValido             = "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_VALIDO"
	CodeTipoDovutoNonAbilitato          = "PAA_IDENTIFICATIVO_TIPO_DOVUTO_NON_ABILITATO"
	CodeTipoDovutoNonPresente           = "PAA_IDENT_TIPO_DOVUTO_NON_PRESENTE"
	CodeImportoMarcaBolloNonValida      = "PAA_IMPORTO_MARCA_BOLLO_DIGITALE_NON_VALIDA"
	CodeMarcaBolloNonValida             = "PAA_MARCA_BOLLO_DIGITALE_NON_VALIDA"
	CodeDatiSpecificiNonValido          = "PAA_DATI_SPECIFICI_RISCOSSIONE_NON_VALIDO"
	CodeImportoNonValido                = "PAA_IMPORTO_SINGOLO_VERSAMENTO_NON_VALIDO"
	CodeImportoBilancioNonValido        = "PAA_IMPORTO_BILANCIO_NON_VALIDO"
	CodeCausaleNonPresente              = "PAA_CAUSALE_NON_PRESENTE"
	CodeAnagraficaNonValida             = "PAA_ANAGRAFICA_NON_VALIDA"
	CodeSoggPagNonValorizzato           = "PAA_SOGG_PAG_NON_VALORIZZATO"
	CodeAzioneNonValido                 = "PAA_AZIONE_NON_VALIDO"
	CodeLimitazioneEntiSecondari        = "PAA_LIMITAZIONE_ENTI_SECONDARI_ERROR"
	CodeImportTipoDovutoInesistente     = "PAA_IMPORT_COD_TIPO_DOVUTO_INESISTENTE"
	CodeImportDataScadenzaObbligatoria  = "PAA_IMPORT_DATA_SCADENZA_PAGAMENTO_OBBLIGATORIA"
	CodeImportIUDDuplicato              = "PAA_IMPORT_IUD_DUPLICATO"
	CodeImportIUVDuplicato              = "PAA_IMPORT_IUV_DUPLICATO"
	CodeImportDovutoNonPresente         = "PAA_IMPORT_DOVUTO_NON_PRESENTE"
	CodeImportTipoDovutoNonModificabile = "PAA_IMPORT_TIPO_DOVUTO_NON_MODIFICABILE"
)

// Error is Ponte's one application error. Code is a faultCode above; String
// is the faultString; Description and Serial fill the optional faultBean
// fields. Err, when set, is the cause: logged, never sent to the caller.
type Error struct {
	Code        string
	String      string
	Description string
	Serial      *int
	Err         error
}

func (e *Error) Error() string {
	s := e.Code + ": " + e.String
	if e.Description != "" {
		s += " (" + e.Description + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted faultString.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, String: fmt.Sprintf(format, args...)}
}

// WithDescription returns e with Description set.
func (e *Error) WithDescription(d string) *Error { e.Description = d; return e }

// WithSerial returns e with Serial set.
func (e *Error) WithSerial(n int) *Error { e.Serial = &n; return e }

// ErrorCode returns the fault code of err, CodeSystemError for anything that
// is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeSystemError
}

// Sentinels returned by stores; callers map them to the operation's code.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)
