package node

import (
	"context"
	"strings"

	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

// CopiaRT is the RT the node holds for an RPT.
type CopiaRT struct {
	TipoFirma string // deprecated, usually empty
	// RT is the decoded RT XML document; nil if the node sent none
	// without a fault (it normally answers PPT_RT_SCONOSCIUTA or
	// PPT_RT_NONDISPONIBILE instead).
	RT []byte
}

// ChiediCopiaRT asks the node for a copy of the RT of one RPT.
func (cl *Client) ChiediCopiaRT(ctx context.Context, r RPTRef) (*CopiaRT, error) {
	c := call{
		op:      "nodoChiediCopiaRT",
		timeout: cl.cfg.QueryTimeout,
		info:    r.info(),
		body: nodoperpa.NodoChiediCopiaRT{
			IdentificativoIntermediarioPA:         nodoperpa.StText35(r.Station.IntermediarioPA),
			IdentificativoStazioneIntermediarioPA: nodoperpa.StText35(r.Station.StazionePA),
			Password:                              nodoperpa.StPassword(r.Station.Password),
			IdentificativoDominio:                 nodoperpa.StText35(r.Dominio),
			IdentificativoUnivocoVersamento:       nodoperpa.StText35(r.IUV),
			CodiceContestoPagamento:               nodoperpa.StText35(r.CCP),
		},
	}
	var w nodoperpa.NodoChiediCopiaRTRisposta
	err := cl.do(ctx, c, &w, func(int) error {
		if w.Fault != nil {
			return koFault(w.Fault, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &CopiaRT{TipoFirma: strings.TrimSpace(w.TipoFirma)}
	if len(w.Rt) > 0 {
		out.RT = []byte(w.Rt)
	}
	return out, nil
}
