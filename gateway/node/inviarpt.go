package node

import (
	"context"
	"fmt"
	"strings"

	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

// InviaRPTRequest is one nodoInviaRPT. Dominio, IUV and CCP go in the
// intestazionePPT header and must match the RPT.
type InviaRPTRequest struct {
	Station Station
	Dominio string
	IUV     string
	CCP     string
	PSP     PSP    // zero: WISP
	RPT     []byte // the RPT XML document; base64 on the wire
	// TipoFirma is deprecated; empty leaves the element out.
	TipoFirma string
	Info      CallInfo
}

// InviaRPTResponse is a positive answer. With Redirect the citizen goes to
// URL (the node's page, with its idSession); RPTs of models 2 and 3 come
// back without a URL.
type InviaRPTResponse struct {
	Redirect bool
	URL      string
}

// InviaRPT sends one RPT. A refusal is a *NodeFault (PPT_RPT_DUPLICATA, …).
func (cl *Client) InviaRPT(ctx context.Context, r InviaRPTRequest) (*InviaRPTResponse, error) {
	const op = "nodoInviaRPT"
	if len(r.RPT) == 0 {
		return nil, &TransportError{Op: op, URL: cl.cfg.URL, Err: fmt.Errorf("%w: RPT vuota", ErrInvalidRequest)}
	}
	psp := r.PSP.orWISP()
	info := r.Info
	info.IUV = or(info.IUV, r.IUV)
	info.CCP = or(info.CCP, r.CCP)
	c := call{
		op:      op,
		timeout: cl.cfg.Timeout,
		info:    info,
		header: nodoperpa.IntestazionePPT{
			IdentificativoIntermediarioPA:         nodoperpa.StText35(r.Station.IntermediarioPA),
			IdentificativoStazioneIntermediarioPA: nodoperpa.StText35(r.Station.StazionePA),
			IdentificativoDominio:                 nodoperpa.StText35(r.Dominio),
			IdentificativoUnivocoVersamento:       nodoperpa.StText35(r.IUV),
			CodiceContestoPagamento:               nodoperpa.StText35(r.CCP),
		},
		body: nodoperpa.NodoInviaRPT{
			Password:                       nodoperpa.StPassword(r.Station.Password),
			IdentificativoPSP:              nodoperpa.StText35(psp.ID),
			IdentificativoIntermediarioPSP: nodoperpa.StText35(psp.Intermediario),
			IdentificativoCanale:           nodoperpa.StText35(psp.Canale),
			TipoFirma:                      r.TipoFirma,
			Rpt:                            r.RPT,
		},
	}
	var w nodoperpa.NodoInviaRPTRisposta
	err := cl.do(ctx, c, &w, func(int) error { return koFault(w.Fault, strings.TrimSpace(w.Esito)) })
	if err != nil {
		return nil, err
	}
	return &InviaRPTResponse{Redirect: w.Redirect != nil && *w.Redirect == 1, URL: strings.TrimSpace(w.Url)}, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
