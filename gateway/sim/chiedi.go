package sim

import (
	"context"
	"sort"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

// maxPendenti caps one nodoChiediListaPendentiRPT answer.
const maxPendenti = 10_000

// checkQuery runs the caller checks of the read operations: the dominio
// must be served by the calling station.
func (n *Node) checkQuery(intermediario, stazione, password, dominio string) *pptError {
	if e := n.checkCaller(intermediario, stazione, password); e != nil {
		return e
	}
	d, e := n.checkDominio(dominio)
	if e != nil {
		return e
	}
	if !d.servedBy(stazione) {
		return fail(PPTAutorizzazione, "la stazione %s non serve il dominio %s", stazione, dominio)
	}
	return nil
}

// rptQuery journals the RPT a read operation asks about and checks the
// caller may ask it.
func (n *Node) rptQuery(ctx context.Context, intermediario, stazione, password string, key RPTKey) (RPTKey, *pptError) {
	ev := soap.EventFrom(ctx)
	ev.CodIpa, ev.IUV, ev.CCP = key.Dominio, key.IUV, key.CCP
	return key, n.checkQuery(intermediario, stazione, password, key.Dominio)
}

func (n *Node) chiediStato(ctx context.Context, req *soap.Request) (any, *pptError) {
	var b nodoperpa.NodoChiediStatoRPT
	if e := n.decodeBody(req, &b); e != nil {
		return nil, e
	}
	key, e := n.rptQuery(ctx, string(b.IdentificativoIntermediarioPA), string(b.IdentificativoStazioneIntermediarioPA),
		string(b.Password), RPTKey{string(b.IdentificativoDominio), string(b.IdentificativoUnivocoVersamento), string(b.CodiceContestoPagamento)})
	if e != nil {
		return nil, e
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.rpts[key]
	if r == nil {
		return nil, fail(PPTRPTSconosciuta, "RPT %s sconosciuta", key)
	}
	esito := nodoperpa.EsitoChiediStatoRPT{Stato: string(r.state)}
	if s := n.sessions[r.session]; s != nil && s.status == SessionOpen && s.url != "" {
		one := int32(1)
		esito.Redirect, esito.Url = &one, s.url
	}
	for _, st := range r.history {
		esito.ElementoStoricoRPT = append(esito.ElementoStoricoRPT, nodoperpa.TipoStoricoRPT{
			Data: wire.DateTimeOf(st.Time), Stato: string(st.State), Descrizione: st.Description})
	}
	return &nodoperpa.NodoChiediStatoRPTRisposta{Esito: esito}, nil
}

func (n *Node) chiediCopiaRT(ctx context.Context, req *soap.Request) (any, *pptError) {
	var b nodoperpa.NodoChiediCopiaRT
	if e := n.decodeBody(req, &b); e != nil {
		return nil, e
	}
	key, e := n.rptQuery(ctx, string(b.IdentificativoIntermediarioPA), string(b.IdentificativoStazioneIntermediarioPA),
		string(b.Password), RPTKey{string(b.IdentificativoDominio), string(b.IdentificativoUnivocoVersamento), string(b.CodiceContestoPagamento)})
	if e != nil {
		return nil, e
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.rpts[key]
	switch {
	case r == nil:
		return nil, fail(PPTRTSconosciuta, "nessuna RPT %s", key)
	case len(r.rts) == 0:
		return nil, fail(PPTRTNonDisponibile, "RT di %s non ancora disponibile (stato %s)", key, r.state)
	}
	return &nodoperpa.NodoChiediCopiaRTRisposta{Rt: wire.Base64(r.rts[len(r.rts)-1])}, nil
}

func (n *Node) chiediListaPendenti(ctx context.Context, req *soap.Request) (any, *pptError) {
	var b nodoperpa.NodoChiediListaPendentiRPT
	if e := n.decodeBody(req, &b); e != nil {
		return nil, e
	}
	stazione, dominio := string(b.IdentificativoStazioneIntermediarioPA), string(b.IdentificativoDominio)
	var e *pptError
	if dominio != "" {
		e = n.checkQuery(string(b.IdentificativoIntermediarioPA), stazione, string(b.Password), dominio)
	} else {
		e = n.checkCaller(string(b.IdentificativoIntermediarioPA), stazione, string(b.Password))
	}
	if e != nil {
		return nil, e
	}
	from, err := b.RangeDa.Time(gateway.Rome)
	if b.RangeDa != "" && err != nil {
		return nil, fail(PPTSintassiExtraXSD, "rangeDa non valido: %v", err)
	}
	to, err := b.RangeA.Time(gateway.Rome)
	if b.RangeA != "" && err != nil {
		return nil, fail(PPTSintassiExtraXSD, "rangeA non valido: %v", err)
	}
	if b.RangeDa != "" && b.RangeA != "" && to.Before(from) {
		return nil, fail(PPTSemantica, "rangeA precede rangeDa")
	}
	limit := int(min(b.DimensioneLista, maxPendenti))

	n.mu.Lock()
	var found []*rptRecord
	for _, r := range n.rpts {
		if r.stazione != stazione || (dominio != "" && r.key.Dominio != dominio) || !r.state.pending() ||
			(b.RangeDa != "" && r.received.Before(from)) || (b.RangeA != "" && r.received.After(to)) {
			continue
		}
		found = append(found, r)
	}
	sort.Slice(found, func(i, j int) bool {
		if !found[i].received.Equal(found[j].received) {
			return found[i].received.Before(found[j].received)
		}
		return found[i].key.String() < found[j].key.String()
	})
	if len(found) > limit {
		found = found[:limit]
	}
	lista := &nodoperpa.TipoListaRPTPendenti{TotRestituiti: int32(len(found))}
	for _, r := range found {
		lista.RptPendente = append(lista.RptPendente, nodoperpa.TipoRPTPendente{
			IdentificativoDominio:           nodoperpa.StText35(r.key.Dominio),
			IdentificativoUnivocoVersamento: nodoperpa.StText35(r.key.IUV),
			CodiceContestoPagamento:         nodoperpa.StText35(r.key.CCP),
			Stato:                           string(r.state)})
	}
	n.mu.Unlock()
	return &nodoperpa.NodoChiediListaPendentiRPTRisposta{ListaRPTPendenti: lista}, nil
}
