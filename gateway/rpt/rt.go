package rpt

import (
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// PagoPA is the istitutoAttestante of receipts the platform writes itself
// (negative RTs on cancel or timeout) and the default for BuildRT.
var PagoPA = Attestante{Tipo: "G", Codice: "15376371009", Denominazione: "PagoPA S.p.A."}

// Texts of esitoSingoloPagamento in the RTs BuildRT writes. The first two
// are wisp-converter's.
const (
	EsitoSingoloEseguito   = "ESEGUITO"
	EsitoSingoloAnnullato  = "Annullato da WISP"
	EsitoSingoloNonPagato  = "NON ESEGUITO"
	EsitoSingoloDecorrenza = "DECORRENZA TERMINI"
)

// Outcome is what happened to an RPT, as the node simulator decides it.
type Outcome struct {
	Esito Esito
	// PSP is the istitutoAttestante; zero means PagoPA.
	PSP Attestante
	// MessageID is identificativoMessaggioRicevuta; empty means NewMessageID.
	MessageID string
	// At is dataOraMessaggioRicevuta and, as a date, dataEsitoSingoloPagamento.
	At time.Time
	// IURs are the identificativoUnivocoRiscossione of the items, by
	// position; empty means MessageID for every paid item (wisp-converter
	// uses the receipt id for all transfers).
	IURs []string
	// Fees are commissioniApplicatePSP by item; empty leaves them out.
	Fees []gateway.Cents
	// Paid says which items were paid, for EsitoParziale and
	// EsitoDecorrenzaParziale only.
	Paid []bool
}

// ReceiptFor builds the RT the node (wisp-converter) would send for rpt with
// outcome o (pagopa-node.md §7.3): header, subjects and ente echo the RPT;
// esito 0 pays every item in full; esito 1 (cancelled) and 3 (decorrenza
// termini) pay 0.00, with one zero datiSingoloPagamento per versamento;
// esito 2 and 4 pay the items o.Paid marks. Causale and datiSpecifici are
// copied unchanged, so rpt should be the RPT as sent (ParseRPT's result, not
// the Request given to Build, whose causali Build rewrites).
func ReceiptFor(rpt *Request, o Outcome) (*Receipt, error) {
	if rpt == nil {
		return nil, invalid("RT", "rpt", "missing")
	}
	if o.At.IsZero() {
		return nil, invalid("RT", "dataOraMessaggioRicevuta", "outcome time missing")
	}
	n := len(rpt.Items)
	if n < 1 || n > MaxItems {
		return nil, invalid("RT", "datiSingoloPagamento", "the RPT has %d versamenti", n)
	}
	if len(o.IURs) != 0 && len(o.IURs) != n {
		return nil, invalid("RT", "identificativoUnivocoRiscossione", "%d IURs for %d versamenti", len(o.IURs), n)
	}
	if len(o.Fees) != 0 && len(o.Fees) != n {
		return nil, invalid("RT", "commissioniApplicatePSP", "%d fees for %d versamenti", len(o.Fees), n)
	}
	paid := make([]bool, n)
	switch o.Esito {
	case EsitoEseguito:
		for i := range paid {
			paid[i] = true
		}
	case EsitoNonEseguito, EsitoDecorrenza:
	case EsitoParziale, EsitoDecorrenzaParziale:
		if len(o.Paid) != n {
			return nil, invalid("RT", "codiceEsitoPagamento", "partial outcome needs Paid for each of %d versamenti", n)
		}
		k := 0
		for i, p := range o.Paid {
			paid[i] = p
			if p {
				k++
			}
		}
		if k == 0 || k == n {
			return nil, invalid("RT", "codiceEsitoPagamento", "partial outcome with %d of %d versamenti paid", k, n)
		}
	default:
		return nil, invalid("RT", "codiceEsitoPagamento", "%d is not 0 to 4", int(o.Esito))
	}
	psp := o.PSP
	if psp.Codice == "" {
		psp = PagoPA
	}
	id := o.MessageID
	if id == "" {
		id = NewMessageID()
	}
	rt := &Receipt{
		Versione:                        Versione,
		Dominio:                         rpt.Dominio,
		Stazione:                        rpt.Stazione,
		IdentificativoMessaggioRicevuta: id,
		DataOra:                         o.At,
		RiferimentoMessaggioRichiesta:   rpt.IdentificativoMessaggioRichiesta,
		RiferimentoDataRichiesta:        rpt.DataOra.In(gateway.Rome),
		IstitutoAttestante:              psp,
		EnteBeneficiario:                rpt.EnteBeneficiario,
		Pagatore:                        rpt.Pagatore,
		Esito:                           o.Esito,
		IUV:                             rpt.IUV,
		CCP:                             rpt.CCP,
		Payments:                        make([]Payment, n),
	}
	if rpt.Versante != nil {
		v := *rpt.Versante
		rt.Versante = &v
	}
	day := o.At.In(gateway.Rome)
	for i, it := range rpt.Items {
		p := Payment{
			DataEsito:     day,
			Causale:       truncate(it.Causale, MaxCausale),
			DatiSpecifici: it.DatiSpecificiRiscossione,
		}
		switch {
		case paid[i]:
			p.SingoloImportoPagato = it.Amount
			p.Esito = EsitoSingoloEseguito
			p.IUR = id
			if len(o.IURs) == n {
				p.IUR = o.IURs[i]
			}
			if len(o.Fees) == n {
				fee := o.Fees[i]
				p.CommissioniPSP = &fee
			}
			rt.ImportoTotalePagato += it.Amount
		case o.Esito == EsitoNonEseguito:
			p.Esito, p.IUR = EsitoSingoloAnnullato, "0"
		case o.Esito == EsitoDecorrenza || o.Esito == EsitoDecorrenzaParziale:
			p.Esito, p.IUR = EsitoSingoloDecorrenza, "n/a"
		default:
			p.Esito, p.IUR = EsitoSingoloNonPagato, "n/a"
		}
		if p.Causale == "" {
			p.Causale = CausaleVersamento(rpt.IUV, it.Amount, "")
		}
		rt.Payments[i] = p
	}
	return rt, nil
}

// EncodeRT writes rt as it is, without checking it against any RPT (the
// simulator uses it to send deliberately wrong receipts). The result is
// schema-valid or an error.
func EncodeRT(rt *Receipt) ([]byte, error) {
	if rt == nil {
		return nil, invalid("RT", "receipt", "missing")
	}
	if rt.Esito < EsitoEseguito || rt.Esito > EsitoDecorrenzaParziale {
		return nil, invalid("RT", "codiceEsitoPagamento", "%d is not 0 to 4", int(rt.Esito))
	}
	if len(rt.Payments) > MaxItems {
		return nil, invalid("RT", "datiSingoloPagamento", "%d, at most %d", len(rt.Payments), MaxItems)
	}
	if rt.DataOra.IsZero() {
		return nil, invalid("RT", "dataOraMessaggioRicevuta", "missing")
	}
	c := *rt
	if c.Versione == "" {
		c.Versione = Versione
	}
	return encode("RT", receiptOut(&c))
}

// BuildRT is ReceiptFor followed by EncodeRT.
func BuildRT(rpt *Request, o Outcome) ([]byte, error) {
	rt, err := ReceiptFor(rpt, o)
	if err != nil {
		return nil, err
	}
	b, err := EncodeRT(rt)
	if err != nil {
		return nil, fmt.Errorf("rpt: RT for IUV %s: %w", rpt.IUV, err)
	}
	return b, nil
}
