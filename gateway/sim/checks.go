package sim

import (
	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

// checkCaller verifies intermediario, stazione and password, in this order.
func (n *Node) checkCaller(intermediario, stazione, password string) *pptError {
	in, ok := n.reg.intermediari[intermediario]
	switch {
	case !ok:
		return fail(PPTIntermediarioSconosciuto, "intermediario %s sconosciuto", intermediario)
	case in.Disabled:
		return fail(PPTIntermediarioDisabilitato, "intermediario %s disabilitato", intermediario)
	}
	st, ok := n.reg.stazioni[stazione]
	switch {
	case !ok:
		return fail(PPTStazioneSconosciuta, "stazione %s sconosciuta", stazione)
	case st.Disabled:
		return fail(PPTStazioneDisabilitata, "stazione %s disabilitata", stazione)
	case st.Intermediario != intermediario:
		return fail(PPTAutorizzazione, "la stazione %s non appartiene all'intermediario %s", stazione, intermediario)
	case st.Password != password:
		return fail(PPTAutenticazione, "password errata per la stazione %s", stazione)
	}
	return nil
}

// checkDominio verifies a dominio is known and enabled.
func (n *Node) checkDominio(id string) (Dominio, *pptError) {
	d, ok := n.reg.domini[id]
	switch {
	case !ok:
		return d, fail(PPTDominioSconosciuto, "dominio %s sconosciuto", id)
	case d.Disabled:
		return d, fail(PPTDominioDisabilitato, "dominio %s disabilitato", id)
	}
	return d, nil
}

// checkPSP verifies the counterpart chosen by the ente.
func (n *Node) checkPSP(psp, intermediarioPSP, canale string) *pptError {
	p, ok := n.reg.psps[psp]
	switch {
	case !ok:
		return fail(PPTPSPSconosciuto, "PSP %s sconosciuto", psp)
	case p.Disabled:
		return fail(PPTPSPDisabilitato, "PSP %s disabilitato", psp)
	case !n.reg.intPSP[intermediarioPSP]:
		return fail(PPTIntermediarioPSPSconosciuto, "intermediario PSP %s sconosciuto", intermediarioPSP)
	case !n.reg.canali[canale]:
		return fail(PPTCanaleSconosciuto, "canale %s sconosciuto", canale)
	case p.Intermediario != intermediarioPSP || !contains(p.Canali, canale):
		return fail(PPTAutorizzazione, "PSP %s non raggiungibile con intermediario %s e canale %s", psp, intermediarioPSP, canale)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkKey compares the identifiers given outside the RPT (header or cart
// element) with its content.
func checkKey(k RPTKey, stazione string, r *rptrt.RPT) *pptError {
	dv := r.DatiVersamento
	switch {
	case string(r.Dominio.IdentificativoDominio) != k.Dominio:
		return fail(PPTSemantica, "identificativoDominio %s diverso da quello della RPT (%s)", k.Dominio, r.Dominio.IdentificativoDominio)
	case string(dv.IdentificativoUnivocoVersamento) != k.IUV:
		return fail(PPTSemantica, "identificativoUnivocoVersamento %s diverso da quello della RPT (%s)", k.IUV, dv.IdentificativoUnivocoVersamento)
	case string(dv.CodiceContestoPagamento) != k.CCP:
		return fail(PPTSemantica, "codiceContestoPagamento %s diverso da quello della RPT (%s)", k.CCP, dv.CodiceContestoPagamento)
	case r.Dominio.IdentificativoStazioneRichiedente != "" && string(r.Dominio.IdentificativoStazioneRichiedente) != stazione:
		return fail(PPTSemantica, "identificativoStazioneRichiedente %s diverso dalla stazione chiamante %s", r.Dominio.IdentificativoStazioneRichiedente, stazione)
	}
	return nil
}

// checkRPT applies the node's semantic rules on one RPT's content.
func checkRPT(r *rptrt.RPT) *pptError {
	dv := r.DatiVersamento
	var sum gateway.Cents
	for i, v := range dv.DatiSingoloVersamento {
		sum += v.ImportoSingoloVersamento.Cents()
		if v.DatiMarcaBolloDigitale == nil && v.IbanAccredito == "" {
			return fail(PPTSemantica, "ibanAccredito mancante nel versamento %d", i+1)
		}
	}
	switch {
	case sum != dv.ImportoTotaleDaVersare.Cents():
		return fail(PPTSemantica, "importoTotaleDaVersare %s diverso dalla somma dei versamenti %s", dv.ImportoTotaleDaVersare, sum)
	case dv.TipoVersamento == rptrt.StTipoVersamentoAD && dv.IbanAddebito == "":
		return fail(PPTSemantica, "tipoVersamento AD senza ibanAddebito")
	case dv.TipoVersamento == rptrt.StTipoVersamentoPO && len(dv.DatiSingoloVersamento) > 1:
		return fail(PPTSemantica, "tipoVersamento PO con più di un versamento")
	}
	return nil
}

// checkIBANs refuses accredit IBANs not registered for the dominio (when
// the dominio has a registry).
func checkIBANs(r *rptrt.RPT, d Dominio) *pptError {
	if len(d.IBANs) == 0 {
		return nil
	}
	for i, v := range r.DatiVersamento.DatiSingoloVersamento {
		if v.IbanAccredito != "" && !d.hasIBAN(string(v.IbanAccredito)) {
			return fail(PPTIBANNonCensito, "ibanAccredito %s del versamento %d non censito per il dominio %s", v.IbanAccredito, i+1, d.ID)
		}
	}
	return nil
}

// sameVersante reports whether two RPTs name the same versante (or none).
func sameVersante(a, b *rptrt.RPT) bool {
	va, vb := a.SoggettoVersante, b.SoggettoVersante
	if va == nil || vb == nil {
		return va == vb
	}
	return va.IdentificativoUnivocoVersante == vb.IdentificativoUnivocoVersante
}

func importo(r *rptrt.RPT) gateway.Cents { return r.DatiVersamento.ImportoTotaleDaVersare.Cents() }
