package node

import (
	"context"
	"fmt"
	"strings"

	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

// MaxCarrello is the most RPTs one nodoInviaCarrelloRPT may carry.
const MaxCarrello = 5

// CarrelloRPT is one elementoListaRPT.
type CarrelloRPT struct {
	Dominio   string
	IUV       string
	CCP       string
	RPT       []byte // the RPT XML document; base64 on the wire
	TipoFirma string // deprecated; empty leaves the element out
}

// InviaCarrelloRPTRequest is one nodoInviaCarrelloRPT: 1 to 5 RPTs under
// one identificativoCarrello (intestazioneCarrelloPPT header).
type InviaCarrelloRPTRequest struct {
	Station    Station
	IDCarrello string
	PSP        PSP // zero: WISP
	RPTs       []CarrelloRPT
	// MultiBeneficiario marks the two-RPT multi-beneficiary cart
	// (pagopa-node.md §3.4); false leaves the element out.
	MultiBeneficiario bool
	// RequireLightPayment sends requireLightPayment=1; false leaves it out.
	RequireLightPayment bool
	CodiceConvenzione   string // optional PSP convention code (5..35)
	Info                CallInfo
}

// InviaCarrelloRPTResponse is a positive answer: the URL the citizen is
// sent to.
type InviaCarrelloRPTResponse struct {
	URL string
}

// InviaCarrelloRPT sends a cart; the node accepts or refuses it whole. A
// refusal is a *NodeFault whose RPTErrors carries listaErroriRPT.
func (cl *Client) InviaCarrelloRPT(ctx context.Context, r InviaCarrelloRPTRequest) (*InviaCarrelloRPTResponse, error) {
	const op = "nodoInviaCarrelloRPT"
	if n := len(r.RPTs); n == 0 || n > MaxCarrello {
		return nil, &TransportError{Op: op, URL: cl.cfg.URL, Err: fmt.Errorf("%w: carrello di %d RPT (ammesse 1..%d)", ErrInvalidRequest, n, MaxCarrello)}
	}
	psp := r.PSP.orWISP()
	body := nodoperpa.NodoInviaCarrelloRPT{
		Password:                       nodoperpa.StPassword(r.Station.Password),
		IdentificativoPSP:              nodoperpa.StText35(psp.ID),
		IdentificativoIntermediarioPSP: nodoperpa.StText35(psp.Intermediario),
		IdentificativoCanale:           nodoperpa.StText35(psp.Canale),
		CodiceConvenzione:              nodoperpa.StConvenzione(r.CodiceConvenzione),
	}
	for i, e := range r.RPTs {
		if len(e.RPT) == 0 {
			return nil, &TransportError{Op: op, URL: cl.cfg.URL, Err: fmt.Errorf("%w: RPT %d vuota", ErrInvalidRequest, i+1)}
		}
		body.ListaRPT.ElementoListaRPT = append(body.ListaRPT.ElementoListaRPT, nodoperpa.TipoElementoListaRPT{
			IdentificativoDominio:           nodoperpa.StText35(e.Dominio),
			IdentificativoUnivocoVersamento: nodoperpa.StText35(e.IUV),
			CodiceContestoPagamento:         nodoperpa.StText35(e.CCP),
			TipoFirma:                       e.TipoFirma,
			Rpt:                             e.RPT,
		})
	}
	if r.RequireLightPayment {
		body.RequireLightPayment = nodoperpa.StZeroUno1
	}
	if r.MultiBeneficiario {
		t := true
		body.MultiBeneficiario = &t
	}
	info := r.Info
	if len(r.RPTs) == 1 {
		info.IUV = or(info.IUV, r.RPTs[0].IUV)
		info.CCP = or(info.CCP, r.RPTs[0].CCP)
	}
	c := call{
		op:      op,
		timeout: cl.cfg.Timeout,
		info:    info,
		header: nodoperpa.IntestazioneCarrelloPPT{
			IdentificativoIntermediarioPA:         nodoperpa.StText35(r.Station.IntermediarioPA),
			IdentificativoStazioneIntermediarioPA: nodoperpa.StText35(r.Station.StazionePA),
			IdentificativoCarrello:                nodoperpa.StIdentificativoCarrello(r.IDCarrello),
		},
		body: body,
	}
	var w nodoperpa.NodoInviaCarrelloRPTRisposta
	err := cl.do(ctx, c, &w, func(int) error { return carrelloFault(&w) })
	if err != nil {
		return nil, err
	}
	return &InviaCarrelloRPTResponse{URL: strings.TrimSpace(w.Url)}, nil
}

// carrelloFault: a KO may carry its reasons only in listaErroriRPT; the
// first of them then stands for the whole cart.
func carrelloFault(w *nodoperpa.NodoInviaCarrelloRPTRisposta) error {
	var list []FaultBean
	if w.ListaErroriRPT != nil {
		for i := range w.ListaErroriRPT.Fault {
			list = append(list, fromWire(&w.ListaErroriRPT.Fault[i]))
		}
	}
	esito := strings.TrimSpace(w.EsitoComplessivoOperazione)
	if w.Fault == nil && len(list) > 0 {
		return &NodeFault{FaultBean: list[0], RPTErrors: list}
	}
	err := koFault(w.Fault, esito)
	if nf, ok := err.(*NodeFault); ok {
		nf.RPTErrors = list
	}
	return err
}
