package node

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

// ListaPendentiRequest is one nodoChiediListaPendentiRPT.
type ListaPendentiRequest struct {
	Station Station
	Dominio string    // optional
	From    time.Time // optional (zero: no lower bound)
	To      time.Time // optional
	Size    int       // dimensioneLista, at least 1
	Info    CallInfo
}

// RPTPendente is an RPT sent to a PSP that has no RT yet.
type RPTPendente struct {
	Dominio string
	IUV     string
	CCP     string
	Stato   string
}

// ListaPendenti is the node's answer; Total is its totRestituiti.
type ListaPendenti struct {
	Total int
	RPTs  []RPTPendente
}

// ChiediListaPendentiRPT lists the RPTs still waiting for an RT.
func (cl *Client) ChiediListaPendentiRPT(ctx context.Context, r ListaPendentiRequest) (*ListaPendenti, error) {
	const op = "nodoChiediListaPendentiRPT"
	if r.Size < 1 {
		return nil, &TransportError{Op: op, URL: cl.cfg.URL, Err: fmt.Errorf("%w: dimensioneLista %d", ErrInvalidRequest, r.Size)}
	}
	body := nodoperpa.NodoChiediListaPendentiRPT{
		IdentificativoIntermediarioPA:         nodoperpa.StText35(r.Station.IntermediarioPA),
		IdentificativoStazioneIntermediarioPA: nodoperpa.StText35(r.Station.StazionePA),
		Password:                              nodoperpa.StPassword(r.Station.Password),
		IdentificativoDominio:                 nodoperpa.StText35(r.Dominio),
		DimensioneLista:                       int64(r.Size),
	}
	// The node reads zone-less times as Italian time.
	if !r.From.IsZero() {
		body.RangeDa = wire.DateTimeOf(r.From.In(gateway.Rome))
	}
	if !r.To.IsZero() {
		body.RangeA = wire.DateTimeOf(r.To.In(gateway.Rome))
	}
	c := call{op: op, timeout: cl.cfg.QueryTimeout, info: r.Info, body: body}
	var w nodoperpa.NodoChiediListaPendentiRPTRisposta
	err := cl.do(ctx, c, &w, func(int) error {
		if w.Fault != nil {
			return koFault(w.Fault, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &ListaPendenti{}
	if l := w.ListaRPTPendenti; l != nil {
		out.Total = int(l.TotRestituiti)
		for _, p := range l.RptPendente {
			out.RPTs = append(out.RPTs, RPTPendente{
				Dominio: strings.TrimSpace(string(p.IdentificativoDominio)),
				IUV:     strings.TrimSpace(string(p.IdentificativoUnivocoVersamento)),
				CCP:     strings.TrimSpace(string(p.CodiceContestoPagamento)),
				Stato:   strings.TrimSpace(p.Stato),
			})
		}
	}
	return out, nil
}
