package sim

import (
	"context"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

func (n *Node) inviaCarrello(ctx context.Context, req *soap.Request) (any, *pptError) {
	var body nodoperpa.NodoInviaCarrelloRPT
	if e := n.decodeBody(req, &body); e != nil {
		return nil, e
	}
	var h nodoperpa.IntestazioneCarrelloPPT
	if e := n.decodeHeader(req, "intestazioneCarrelloPPT", &h); e != nil {
		return nil, e
	}
	carrello := string(h.IdentificativoCarrello)
	stazione, intermediario := string(h.IdentificativoStazioneIntermediarioPA), string(h.IdentificativoIntermediarioPA)
	multi := body.MultiBeneficiario != nil && *body.MultiBeneficiario
	els := body.ListaRPT.ElementoListaRPT
	keys := make([]RPTKey, len(els))
	n.mu.Lock()
	for i, el := range els {
		keys[i] = RPTKey{string(el.IdentificativoDominio), string(el.IdentificativoUnivocoVersamento), string(el.CodiceContestoPagamento)}
		n.receivedLocked(keys[i])
	}
	n.mu.Unlock()
	ev := soap.EventFrom(ctx)
	if len(keys) > 0 {
		ev.CodIpa, ev.IUV, ev.CCP = keys[0].Dominio, keys[0].IUV, keys[0].CCP
	}

	// Syntax of the carried RPTs.
	rpts := make([]*rptrt.RPT, len(els))
	for i, el := range els {
		r, e := n.parseRPT(el.Rpt)
		if e != nil {
			return nil, e.at(i + 1)
		}
		rpts[i] = r
	}
	// Caller, its domini, the counterpart.
	if e := n.checkCaller(intermediario, stazione, string(body.Password)); e != nil {
		return nil, e
	}
	doms := make([]Dominio, len(els))
	for i, k := range keys {
		d, e := n.checkDominio(k.Dominio)
		if e != nil {
			return nil, e.at(i + 1)
		}
		doms[i] = d
		switch {
		case multi && i == 0 && !d.servedBy(stazione):
			return nil, fail(PPTSemantica, "il dominio %s non è associato alla stazione %s", k.Dominio, stazione).at(i + 1)
		case !multi && !n.reg.underIntermediario(d, intermediario):
			return nil, fail(PPTSemantica, "il dominio %s non è servito dall'intermediario %s", k.Dominio, intermediario).at(i + 1)
		}
	}
	if e := n.checkPSP(string(body.IdentificativoPSP), string(body.IdentificativoIntermediarioPSP), string(body.IdentificativoCanale)); e != nil {
		return nil, e
	}
	sem := n.cartSemantics(keys, rpts, doms, stazione, carrello, string(body.IdentificativoCanale), multi)

	now := n.now()
	s := &session{id: newID(), carrello: carrello, stazione: stazione, multi: multi, created: now, keys: keys, status: SessionOpen}
	s.url = n.wispURL(s.id)
	recs := make([]*rptRecord, len(els))
	for i := range els {
		recs[i] = n.record(keys[i], els[i].Rpt, rpts[i], stazione, string(body.IdentificativoPSP), s.id, now)
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	if _, dup := n.carts[carrello]; dup {
		return nil, fail(PPTIDCarrelloDuplicato, "identificativoCarrello %s già utilizzato", carrello)
	}
	seen := map[RPTKey]bool{}
	for i, k := range keys {
		if _, dup := n.rpts[k]; dup || seen[k] {
			n.stats.DuplicatesRefused++
			e := fail(PPTRPTDuplicata, "RPT %s già ricevuta", k).at(i + 1)
			e.id = string(body.IdentificativoPSP) // SANP 2.1 §8.2.1.2
			return nil, e
		}
		seen[k] = true
	}
	if sem != nil {
		return nil, sem
	}
	n.addSessionLocked(s, recs)
	n.stats.CartsAccepted++
	ev.IDSession = s.id
	return &nodoperpa.NodoInviaCarrelloRPTRisposta{EsitoComplessivoOperazione: "OK", Url: s.url}, nil
}

// cartSemantics checks each RPT against its list element and the cart's
// rules: one versante, then the multi-beneficiary rules or the IBAN
// registry.
func (n *Node) cartSemantics(keys []RPTKey, rpts []*rptrt.RPT, doms []Dominio, stazione, carrello, canale string, multi bool) *pptError {
	for i, r := range rpts {
		if e := firstErr(checkKey(keys[i], stazione, r), checkRPT(r)); e != nil {
			return e.at(i + 1)
		}
		if !sameVersante(rpts[0], r) {
			return fail(PPTSemantica, "il soggettoVersante deve essere lo stesso in tutte le RPT del carrello").at(i + 1)
		}
	}
	if multi {
		return n.checkMulti(carrello, canale, rpts)
	}
	for i, r := range rpts {
		if e := checkIBANs(r, doms[i]); e != nil {
			return e.at(i + 1)
		}
	}
	return nil
}
