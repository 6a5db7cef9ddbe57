package sim

import (
	"context"
	"encoding/xml"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

// NodoPerPa operation names.
const (
	OpInviaRPT               = "nodoInviaRPT"
	OpInviaCarrelloRPT       = "nodoInviaCarrelloRPT"
	OpChiediStatoRPT         = "nodoChiediStatoRPT"
	OpChiediCopiaRT          = "nodoChiediCopiaRT"
	OpChiediListaPendentiRPT = "nodoChiediListaPendentiRPT"
)

// unsupported are the other NodoPerPa operations: they answer
// PPT_SYSTEM_ERROR. The value tells whether the answer requires esito.
var unsupported = map[string]bool{
	"nodoChiediElencoFlussiRendicontazione": false,
	"nodoChiediFlussoRendicontazione":       false,
	"nodoChiediInformativaPSP":              false,
	"nodoPAChiediInformativaPA":             false,
	"nodoChiediSceltaWISP":                  false,
	"nodoChiediElencoQuadraturePA":          false,
	"nodoChiediQuadraturaPA":                false,
	"nodoInviaRichiestaStorno":              true,
	"nodoInviaRispostaRevoca":               true,
}

// bareRisposta answers the operations the simulator does not implement.
type bareRisposta struct {
	Fault *nodoperpa.FaultBean `xml:"fault"`
	Esito string               `xml:"esito,omitempty"`
}

// koResponse is the KO answer of op carrying e.
func koResponse(op string, e *pptError) any {
	f := e.bean()
	switch op {
	case OpInviaRPT:
		return &nodoperpa.NodoInviaRPTRisposta{Risposta: nodoperpa.Risposta{Fault: f}, Esito: "KO"}
	case OpInviaCarrelloRPT:
		r := &nodoperpa.NodoInviaCarrelloRPTRisposta{Risposta: nodoperpa.Risposta{Fault: f}, EsitoComplessivoOperazione: "KO"}
		if e.serial > 0 {
			r.ListaErroriRPT = &nodoperpa.ListaErroriRPT{Fault: []nodoperpa.FaultBean{*e.bean()}}
		}
		return r
	case OpChiediStatoRPT:
		return &nodoperpa.NodoChiediStatoRPTRisposta{Risposta: nodoperpa.Risposta{Fault: f}}
	case OpChiediCopiaRT:
		return &nodoperpa.NodoChiediCopiaRTRisposta{Risposta: nodoperpa.Risposta{Fault: f}}
	case OpChiediListaPendentiRPT:
		return &nodoperpa.NodoChiediListaPendentiRPTRisposta{Risposta: nodoperpa.Risposta{Fault: f}}
	}
	r := &bareRisposta{Fault: f}
	if unsupported[op] {
		r.Esito = "KO"
	}
	return r
}

// Register routes every NodoPerPa operation of ep to the node.
func (n *Node) Register(ep *soap.Endpoint) {
	ops := map[string]func(context.Context, *soap.Request) (any, *pptError){
		OpInviaRPT:               n.inviaRPT,
		OpInviaCarrelloRPT:       n.inviaCarrello,
		OpChiediStatoRPT:         n.chiediStato,
		OpChiediCopiaRT:          n.chiediCopiaRT,
		OpChiediListaPendentiRPT: n.chiediListaPendenti,
	}
	for op := range unsupported {
		ops[op] = func(context.Context, *soap.Request) (any, *pptError) {
			return nil, fail(PPTSystemError, "operazione %s non supportata dal simulatore", op)
		}
	}
	for op, h := range ops {
		ep.Register(xml.Name{Space: NSPPT, Local: op}, n.handler(op, h))
	}
}

// handler counts the call, applies a forced fault and turns a refusal into
// the operation's KO answer (HTTP 200).
func (n *Node) handler(op string, h func(context.Context, *soap.Request) (any, *pptError)) soap.Handler {
	name := xml.Name{Space: NSPPT, Local: op + "Risposta"}
	return func(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
		n.mu.Lock()
		n.stats.Calls[op]++
		n.mu.Unlock()
		ev := soap.EventFrom(ctx)
		e := n.forced(op)
		var resp any
		if e == nil {
			resp, e = h(ctx, req)
		}
		if e != nil {
			n.mu.Lock()
			n.stats.Faults[e.code]++
			n.mu.Unlock()
			ev.Esito, ev.FaultCode = "KO", e.code
			if resp == nil {
				resp = koResponse(op, e)
			}
			return resp, name, nil
		}
		ev.Esito = "OK"
		return resp, name, nil
	}
}
