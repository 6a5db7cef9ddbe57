package sim

import (
	"context"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

// firstErr returns the first refusal of a list of checks.
func firstErr(es ...*pptError) *pptError {
	for _, e := range es {
		if e != nil {
			return e
		}
	}
	return nil
}

// redirects reports whether an RPT sends the person to WISP: model 2 (AD)
// and model 3 (PO) payments answer OK without a URL.
func redirects(r *rptrt.RPT) bool {
	t := r.DatiVersamento.TipoVersamento
	return t != rptrt.StTipoVersamentoAD && t != rptrt.StTipoVersamentoPO
}

func (n *Node) inviaRPT(ctx context.Context, req *soap.Request) (any, *pptError) {
	var body nodoperpa.NodoInviaRPT
	if e := n.decodeBody(req, &body); e != nil {
		return nil, e
	}
	var h nodoperpa.IntestazionePPT
	if e := n.decodeHeader(req, "intestazionePPT", &h); e != nil {
		return nil, e
	}
	key := RPTKey{string(h.IdentificativoDominio), string(h.IdentificativoUnivocoVersamento), string(h.CodiceContestoPagamento)}
	stazione := string(h.IdentificativoStazioneIntermediarioPA)
	ev := soap.EventFrom(ctx)
	ev.CodIpa, ev.IUV, ev.CCP = key.Dominio, key.IUV, key.CCP
	n.mu.Lock()
	n.receivedLocked(key)
	n.mu.Unlock()

	rpt, e := n.parseRPT(body.Rpt)
	if e != nil {
		return nil, e
	}
	if e := n.checkCaller(string(h.IdentificativoIntermediarioPA), stazione, string(body.Password)); e != nil {
		return nil, e
	}
	d, e := n.checkDominio(key.Dominio)
	if e != nil {
		return nil, e
	}
	if !d.servedBy(stazione) {
		return nil, fail(PPTSemantica, "il dominio %s non è associato alla stazione %s", key.Dominio, stazione)
	}
	if e := n.checkPSP(string(body.IdentificativoPSP), string(body.IdentificativoIntermediarioPSP), string(body.IdentificativoCanale)); e != nil {
		return nil, e
	}
	sem := firstErr(checkKey(key, stazione, rpt), checkRPT(rpt), checkIBANs(rpt, d))

	now := n.now()
	s := &session{id: newID(), dominio: key.Dominio, stazione: stazione, created: now, keys: []RPTKey{key}, status: SessionOpen}
	if redirects(rpt) {
		s.url = n.wispURL(s.id)
	}
	rec := n.record(key, body.Rpt, rpt, stazione, string(body.IdentificativoPSP), s.id, now)

	n.mu.Lock()
	defer n.mu.Unlock()
	if _, dup := n.rpts[key]; dup {
		n.stats.DuplicatesRefused++
		return nil, fail(PPTRPTDuplicata, "RPT %s già ricevuta", key)
	}
	if sem != nil {
		return nil, sem
	}
	n.addSessionLocked(s, []*rptRecord{rec})
	ev.IDSession = s.id
	resp := &nodoperpa.NodoInviaRPTRisposta{Esito: "OK", Url: s.url}
	redirect := int32(0)
	if s.url != "" {
		redirect = 1
	}
	resp.Redirect = &redirect
	return resp, nil
}

// record builds the stored form of an accepted RPT.
func (n *Node) record(key RPTKey, raw []byte, rpt *rptrt.RPT, stazione, psp, sessionID string, now time.Time) *rptRecord {
	r := &rptRecord{key: key, rpt: append([]byte(nil), raw...), tipo: string(rpt.DatiVersamento.TipoVersamento),
		importo: importo(rpt), stazione: stazione, psp: psp, session: sessionID, received: now}
	r.move(now, RPTRicevutaNodo, "RPT ricevuta")
	r.move(now, RPTAccettataNodo, "RPT accettata dal nodo")
	return r
}
