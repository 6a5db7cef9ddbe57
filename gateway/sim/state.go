package sim

import (
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// State is an RPT state as nodoChiediStatoRPT reports it.
type State string

// RPT and RT states of the node (SANP 2.1 and the node's test suite).
const (
	RPTRicevutaNodo      State = "RPT_RICEVUTA_NODO"
	RPTRifiutataNodo     State = "RPT_RIFIUTATA_NODO"
	RPTAccettataNodo     State = "RPT_ACCETTATA_NODO"
	RPTParcheggiataNodo  State = "RPT_PARCHEGGIATA_NODO"
	RPTInviataAPSP       State = "RPT_INVIATA_A_PSP"
	RPTAccettataPSP      State = "RPT_ACCETTATA_PSP"
	RPTRifiutataPSP      State = "RPT_RIFIUTATA_PSP"
	RPTAnnullataWISP     State = "RPT_ANNULLATA_WISP"
	RPTDecorsiTermini    State = "RPT_DECORSI_TERMINI"
	RTRicevutaNodo       State = "RT_RICEVUTA_NODO"
	RTGenerataNodo       State = "RT_GENERATA_NODO"
	RTAccettataNodo      State = "RT_ACCETTATA_NODO"
	RTInviataPA          State = "RT_INVIATA_PA"
	RTAccettataPA        State = "RT_ACCETTATA_PA"
	RTRifiutataPA        State = "RT_RIFIUTATA_PA"
	RTEsitoSconosciutoPA State = "RT_ESITO_SCONOSCIUTO_PA"
	RTErroreInvioAPA     State = "RT_ERRORE_INVIO_A_PA"
)

// deliveryStates are the states RT delivery may set through SetRTState.
var deliveryStates = map[State]bool{
	RTInviataPA: true, RTAccettataPA: true, RTRifiutataPA: true,
	RTEsitoSconosciutoPA: true, RTErroreInvioAPA: true,
}

// pending reports whether an RPT in state s still waits for its RT.
func (s State) pending() bool {
	switch s {
	case RPTRicevutaNodo, RPTAccettataNodo, RPTParcheggiataNodo, RPTInviataAPSP, RPTAccettataPSP:
		return true
	}
	return false
}

// RPTKey identifies a payment attempt in the node.
type RPTKey struct {
	Dominio string `json:"idDominio"`
	IUV     string `json:"iuv"`
	CCP     string `json:"ccp"`
}

func (k RPTKey) String() string { return k.Dominio + "/" + k.IUV + "/" + k.CCP }

// Step is one entry of an RPT's history.
type Step struct {
	Time        time.Time `json:"data"`
	State       State     `json:"stato"`
	Description string    `json:"descrizione"`
}

// rptRecord is one accepted RPT.
type rptRecord struct {
	key      RPTKey
	rpt      []byte
	tipo     string // tipoVersamento
	stazione string
	psp      string
	session  string
	received time.Time
	state    State
	history  []Step
	rts      [][]byte // every RT made, last is current
	importo  gateway.Cents
}

func (r *rptRecord) move(t time.Time, s State, descr string) {
	r.state = s
	r.history = append(r.history, Step{Time: t, State: s, Description: descr})
}

// Session status values.
const (
	SessionOpen      = "OPEN"
	SessionPaid      = "PAID"
	SessionFailed    = "FAILED"
	SessionCancelled = "CANCELLED"
)

// session is one nodoInviaRPT or nodoInviaCarrelloRPT accepted together:
// the person pays or cancels it as a whole.
type session struct {
	id        string
	url       string
	carrello  string // "" for nodoInviaRPT
	dominio   string // set for nodoInviaRPT: the return URL carries it
	stazione  string
	multi     bool
	created   time.Time
	keys      []RPTKey
	status    string
	closing   bool
	returnURL string
	mode      DeliveryMode // set by SetSessionDeliveryMode or at completion
}
