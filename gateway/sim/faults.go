package sim

import (
	"fmt"

	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

// PPT_* fault codes the simulator emits.
const (
	PPTSintassiExtraXSD            = "PPT_SINTASSI_EXTRAXSD"
	PPTSintassiXSD                 = "PPT_SINTASSI_XSD"
	PPTIntermediarioSconosciuto    = "PPT_INTERMEDIARIO_PA_SCONOSCIUTO"
	PPTIntermediarioDisabilitato   = "PPT_INTERMEDIARIO_PA_DISABILITATO"
	PPTStazioneSconosciuta         = "PPT_STAZIONE_INT_PA_SCONOSCIUTA"
	PPTStazioneDisabilitata        = "PPT_STAZIONE_INT_PA_DISABILITATA"
	PPTAutenticazione              = "PPT_AUTENTICAZIONE"
	PPTAutorizzazione              = "PPT_AUTORIZZAZIONE"
	PPTDominioSconosciuto          = "PPT_DOMINIO_SCONOSCIUTO"
	PPTDominioDisabilitato         = "PPT_DOMINIO_DISABILITATO"
	PPTPSPSconosciuto              = "PPT_PSP_SCONOSCIUTO"
	PPTPSPDisabilitato             = "PPT_PSP_DISABILITATO"
	PPTIntermediarioPSPSconosciuto = "PPT_INTERMEDIARIO_PSP_SCONOSCIUTO"
	PPTCanaleSconosciuto           = "PPT_CANALE_SCONOSCIUTO"
	PPTRPTDuplicata                = "PPT_RPT_DUPLICATA"
	PPTIDCarrelloDuplicato         = "PPT_ID_CARRELLO_DUPLICATO"
	PPTSemantica                   = "PPT_SEMANTICA"
	PPTIBANNonCensito              = "PPT_IBAN_NON_CENSITO"
	PPTMultiBeneficiario           = "PPT_MULTI_BENEFICIARIO"
	PPTRPTSconosciuta              = "PPT_RPT_SCONOSCIUTA"
	PPTRTSconosciuta               = "PPT_RT_SCONOSCIUTA"
	PPTRTNonDisponibile            = "PPT_RT_NONDISPONIBILE"
	PPTSuperamentoSoglia           = "PPT_SUPERAMENTOSOGLIA"
	PPTSystemError                 = "PPT_SYSTEM_ERROR"
)

// faultStrings are the fixed texts that go 1:1 with the codes.
var faultStrings = map[string]string{
	PPTSintassiExtraXSD:                  "Errore di sintassi extra XSD.",
	PPTSintassiXSD:                       "Errore di sintassi XSD.",
	PPTIntermediarioSconosciuto:          "Identificativo intermediario PA sconosciuto.",
	PPTIntermediarioDisabilitato:         "Intermediario PA disabilitato.",
	PPTStazioneSconosciuta:               "IdentificativoStazioneRichiedente sconosciuto.",
	PPTStazioneDisabilitata:              "Stazione disabilitata.",
	PPTAutenticazione:                    "Errore di autenticazione.",
	PPTAutorizzazione:                    "Il richiedente non ha i diritti per l'operazione.",
	PPTDominioSconosciuto:                "IdentificativoDominio sconosciuto.",
	PPTDominioDisabilitato:               "Dominio disabilitato.",
	PPTPSPSconosciuto:                    "PSP sconosciuto.",
	PPTPSPDisabilitato:                   "PSP conosciuto ma disabilitato da configurazione.",
	PPTIntermediarioPSPSconosciuto:       "Identificativo intermediario PSP sconosciuto.",
	"PPT_INTERMEDIARIO_PSP_DISABILITATO": "Intermediario PSP disabilitato.",
	PPTCanaleSconosciuto:                 "Canale sconosciuto.",
	"PPT_CANALE_DISABILITATO":            "Canale conosciuto ma disabilitato da configurazione.",
	PPTRPTDuplicata:                      "RPT duplicata.",
	PPTIDCarrelloDuplicato:               "Identificativo Carrello RPT duplicato.",
	PPTSemantica:                         "Errore semantico.",
	PPTIBANNonCensito:                    "Il codice IBAN indicato dall'EC non è presente nella lista degli IBAN comunicati a pagoPA.",
	PPTMultiBeneficiario:                 "Errore nel carrello multibeneficiario.",
	PPTRPTSconosciuta:                    "RPT sconosciuta.",
	PPTRTSconosciuta:                     "RT sconosciuta.",
	PPTRTNonDisponibile:                  "RT non ancora pronta.",
	PPTSuperamentoSoglia:                 "Una soglia fissata per PPT è temporaneamente superata.",
	PPTSystemError:                       "Errore generico.",
	PPTStazioneTimeout:                   "Timeout risposta dalla Stazione.",
	PPTStazioneIrraggiungibile:           "Stazione irraggiungibile.",
	PPTStazioneErroreResponse:            "Errore nella response dalla Stazione.",
}

// FaultString returns the fixed faultString of code ("Errore generico."
// style text for codes the simulator does not know, e.g. injected ones).
func FaultString(code string) string {
	if s, ok := faultStrings[code]; ok {
		return s
	}
	return code
}

// pptError is a refusal on the way through the checks.
type pptError struct {
	code   string
	desc   string
	serial int    // 1-based position in a cart; 0 = whole request
	id     string // faultBean.id; NodoID when empty
}

func (e *pptError) Error() string { return e.code + ": " + e.desc }

func fail(code, format string, args ...any) *pptError {
	return &pptError{code: code, desc: fmt.Sprintf(format, args...)}
}

func (e *pptError) at(serial int) *pptError { e.serial = serial; return e }

func (e *pptError) bean() *nodoperpa.FaultBean {
	id := e.id
	if id == "" {
		id = NodoID
	}
	b := &nodoperpa.FaultBean{FaultCode: e.code, FaultString: FaultString(e.code), Id: id, Description: e.desc}
	if e.serial > 0 {
		s := int32(e.serial)
		b.Serial = &s
	}
	return b
}
