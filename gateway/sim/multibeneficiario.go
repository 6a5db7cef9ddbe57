package sim

import (
	"regexp"

	"github.com/ponte-pagopa/ponte/generated/rptrt"
)

// idCarrello of a multi-beneficiary cart: idDominio(11) numeroAvviso(18)
// "-" progressivo(5).
var mbCarrello = regexp.MustCompile(`^([0-9]{11})([0-9]{18})-[0-9]{5}$`)

// Descriptions the node returns with PPT_MULTI_BENEFICIARIO.
const (
	mbNotWISP      = "Flag multibeneficiario non disponibile per pagamenti diversi da WISP2"
	mbTwoRPT       = "Il carrello non contiene solo 2 RPT"
	mbSecondOne    = "La seconda RPT non contiene solo 1 versamento"
	mbMaxFive      = "Il carrello deve avere massimo 5 versamenti totali"
	mbCarrelloID   = "L’idCarrello deve contenere idDominio e corrispondere al dominio della prima rpt"
	mbOneRPTEach   = "Lo stesso Ente deve essere presente con una sola RPT"
	mbSameIUV      = "Lo IUV non è identico per ogni RPT"
	mbSameDate     = "Il dato dataEsecuzionePagamento non è il medesimo per tutte le RPT"
	mbCCPCarrello  = "I CCP delle RPT devono contenere l’idCarrello"
	mbOwnIBAN      = "Ogni RPT deve contenere solo iban dell’Ente riferito all’interno della RPT"
	mbStationV2    = "Il numero Avviso deve contenere la stazione versione 2"
	mbNoMarcaBollo = "Nessuna RPT deve contienere marca da bollo" // sic, as the node writes it
)

// checkMulti applies the multi-beneficiary rules in the node's order.
func (n *Node) checkMulti(idCarrello, canale string, rpts []*rptrt.RPT) *pptError {
	mb := func(d string) *pptError { return &pptError{code: PPTMultiBeneficiario, desc: d} }
	if canale != n.cfg.WISPChannel {
		return fail(PPTSemantica, "%s", mbNotWISP)
	}
	if len(rpts) != 2 {
		return mb(mbTwoRPT)
	}
	if len(rpts[1].DatiVersamento.DatiSingoloVersamento) != 1 {
		return mb(mbSecondOne)
	}
	if len(rpts[0].DatiVersamento.DatiSingoloVersamento)+1 > 5 {
		return mb(mbMaxFive)
	}
	first, second := rpts[0], rpts[1]
	m := mbCarrello.FindStringSubmatch(idCarrello)
	if m == nil || m[1] != string(first.Dominio.IdentificativoDominio) {
		return mb(mbCarrelloID)
	}
	if first.Dominio.IdentificativoDominio == second.Dominio.IdentificativoDominio {
		return mb(mbOneRPTEach)
	}
	if first.DatiVersamento.IdentificativoUnivocoVersamento != second.DatiVersamento.IdentificativoUnivocoVersamento {
		return mb(mbSameIUV)
	}
	if first.DatiVersamento.DataEsecuzionePagamento != second.DatiVersamento.DataEsecuzionePagamento {
		return mb(mbSameDate)
	}
	for _, r := range rpts {
		if string(r.DatiVersamento.CodiceContestoPagamento) != idCarrello {
			return mb(mbCCPCarrello)
		}
	}
	for _, r := range rpts {
		dom := string(r.Dominio.IdentificativoDominio)
		own := n.reg.domini[dom]
		for _, v := range r.DatiVersamento.DatiSingoloVersamento {
			for _, iban := range []rptrt.StIBANIdentifier{v.IbanAccredito, v.IbanAppoggio} {
				if iban == "" {
					continue
				}
				owner, known := n.reg.ibanOwner[string(iban)]
				if (known && owner != dom) || (len(own.IBANs) > 0 && !own.hasIBAN(string(iban))) {
					return mb(mbOwnIBAN)
				}
			}
		}
	}
	if !n.noticeOnV2Station(m[1], m[2]) {
		return mb(mbStationV2)
	}
	for _, r := range rpts {
		for _, v := range r.DatiVersamento.DatiSingoloVersamento {
			if v.DatiMarcaBolloDigitale != nil {
				return mb(mbNoMarcaBollo)
			}
		}
	}
	return nil
}

// noticeOnV2Station reports whether the numero avviso nav of dominio dom
// points (segregation code for aux digit 3, application code for aux digit
// 0) at one of its stations with primitive version 2.
func (n *Node) noticeOnV2Station(dom, nav string) bool {
	code := nav[1:3]
	for _, id := range n.reg.domini[dom].Stazioni {
		st := n.reg.stazioni[id]
		if st.PrimitiveVersion != 2 {
			continue
		}
		if (nav[0] == '3' && st.SegregationCode == code) || (nav[0] == '0' && st.ApplicationCode == code) {
			return true
		}
	}
	return false
}
