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

// RPTRef names one RPT at the node: the request of nodoChiediStatoRPT and
// nodoChiediCopiaRT.
type RPTRef struct {
	Station Station
	Dominio string
	IUV     string
	CCP     string
	Info    CallInfo
}

func (r RPTRef) info() CallInfo {
	i := r.Info
	i.IUV = or(i.IUV, r.IUV)
	i.CCP = or(i.CCP, r.CCP)
	return i
}

// StatoRPT is the node's view of an RPT. Stato is one of the RPT_* / RT_*
// states of pagopa-node.md §3.5. Redirect and URL repeat what nodoInviaRPT
// answered, so a lost answer can be recovered.
type StatoRPT struct {
	Stato             string
	Redirect          bool
	URL               string
	StoricoRPT        []StoricoRPT
	StoricoVersamenti []StoricoVersamento
}

// StoricoRPT is one past state. Data is zero when the node sent an
// unreadable timestamp (history must not make the state unreadable).
type StoricoRPT struct {
	Data        time.Time
	Stato       string
	Descrizione string
}

// StoricoVersamento is one past state of a single versamento.
type StoricoVersamento struct {
	Progressivo int
	Data        time.Time
	Stato       string
	Descrizione string
}

// ChiediStatoRPT asks the node for the state of one RPT. An unknown RPT is
// a *NodeFault with PPT_RPT_SCONOSCIUTA.
func (cl *Client) ChiediStatoRPT(ctx context.Context, r RPTRef) (*StatoRPT, error) {
	c := call{
		op:      "nodoChiediStatoRPT",
		timeout: cl.cfg.QueryTimeout,
		info:    r.info(),
		body: nodoperpa.NodoChiediStatoRPT{
			IdentificativoIntermediarioPA:         nodoperpa.StText35(r.Station.IntermediarioPA),
			IdentificativoStazioneIntermediarioPA: nodoperpa.StText35(r.Station.StazionePA),
			Password:                              nodoperpa.StPassword(r.Station.Password),
			IdentificativoDominio:                 nodoperpa.StText35(r.Dominio),
			IdentificativoUnivocoVersamento:       nodoperpa.StText35(r.IUV),
			CodiceContestoPagamento:               nodoperpa.StText35(r.CCP),
		},
	}
	var w nodoperpa.NodoChiediStatoRPTRisposta
	err := cl.do(ctx, c, &w, func(int) error {
		if w.Fault != nil {
			return koFault(w.Fault, "")
		}
		if strings.TrimSpace(w.Esito.Stato) == "" {
			return fmt.Errorf("%w: stato mancante", ErrMalformed)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	e := w.Esito
	out := &StatoRPT{
		Stato:    strings.TrimSpace(e.Stato),
		Redirect: e.Redirect != nil && *e.Redirect == 1,
		URL:      strings.TrimSpace(e.Url),
	}
	for _, s := range e.ElementoStoricoRPT {
		out.StoricoRPT = append(out.StoricoRPT, StoricoRPT{Data: nodeTime(s.Data), Stato: strings.TrimSpace(s.Stato), Descrizione: s.Descrizione})
	}
	for _, s := range e.ElementoStoricoVersamento {
		out.StoricoVersamenti = append(out.StoricoVersamenti, StoricoVersamento{
			Progressivo: int(s.Progressivo), Data: nodeTime(s.Data), Stato: strings.TrimSpace(s.Stato), Descrizione: s.Descrizione,
		})
	}
	return out, nil
}

// nodeTime reads a node dateTime; without a zone it is Italian time.
func nodeTime(d wire.DateTime) time.Time {
	t, err := d.Time(gateway.Rome)
	if err != nil {
		return time.Time{}
	}
	return t
}
