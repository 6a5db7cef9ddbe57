package papernodo

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	psp "github.com/ponte-pagopa/ponte/generated/papernodopsp"
)

// handleAttivaRPT serves paaAttivaRPT: the PSP takes the avviso (dominio,
// IUV) with its CCP. Ponte stores the payment and its RPT in one
// transaction and answers at once; the Sender sends the RPT with
// nodoInviaRPT afterwards, never inside this answer (the node's SLA for
// it is one second). The same activation again (same IUV and CCP) only
// queues its RPT again.
func (s *Service) handleAttivaRPT(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	ev := soap.EventFrom(ctx)
	n, headErr := noticeOf(req)
	ev.IUV, ev.CCP = n.IUV, n.CCP
	var body psp.PaaAttivaRPT
	if err := s.decodePSPBody(req, &body); err != nil {
		var sf *soap.Fault
		if errors.As(err, &sf) {
			return nil, nameAttivaRPTRisposta, err
		}
		return s.attivaKO(ctx, err, n, ev)
	}
	if headErr != nil {
		return s.attivaKO(ctx, headErr, n, ev)
	}
	dati, err := s.activate(ctx, n, &body, ev)
	if err != nil {
		return s.attivaKO(ctx, err, n, ev)
	}
	ev.Esito = esitoOK
	return &psp.PaaAttivaRPTRisposta{PaaAttivaRPTRisposta: psp.EsitoAttivaRPT{Esito: esitoOK, DatiPagamentoPA: dati}},
		nameAttivaRPTRisposta, nil
}

func (s *Service) attivaKO(ctx context.Context, err error, n notice, ev *gateway.Event) (any, xml.Name, error) {
	ge := s.pspFaultOf(ctx, "paaAttivaRPT", err, ev)
	ev.Esito, ev.FaultCode = esitoKO, ge.Code
	return &psp.PaaAttivaRPTRisposta{PaaAttivaRPTRisposta: psp.EsitoAttivaRPT{
		Risposta: psp.Risposta{Fault: pspFaultBean(ge, n.Dominio)}, Esito: esitoKO}}, nameAttivaRPTRisposta, nil
}

// activate runs the paaAttivaRPT ladder: the checks of paaVerificaRPT,
// the amount (PAA_ATTIVA_RPT_IMPORTO_NON_VALIDO), the RPT, then the
// activation in the store, committed before the answer.
func (s *Service) activate(ctx context.Context, n notice, body *psp.PaaAttivaRPT, ev *gateway.Event) (*psp.PaaTipoDatiPagamentoPA, error) {
	ente, d, err := s.payable(ctx, n, ev)
	var ge *gateway.Error
	if err != nil && !(d != nil && errors.As(err, &ge) && ge.Code == CodePagamentoInCorso) {
		return nil, err
	}
	// A dovuto in progress may be this very activation repeated: the
	// store tells, by its key.
	inProgress := err
	if got := body.DatiPagamentoPSP.ImportoSingoloVersamento.Cents(); got != d.Amount {
		return nil, fault(CodeImportoNonValido,
			fmt.Sprintf("importoSingoloVersamento %s diverso dall'importo del dovuto con IUV %s (%s)", got, d.IUV, d.Amount))
	}
	dati, err := datiPagamentoPA(ente, d)
	if err != nil {
		return nil, err
	}
	a, err := s.activation(ente, d, n, body)
	if err != nil {
		return nil, err
	}
	outcome, err := s.m3.ActivatePSP(ctx, a)
	if errors.Is(err, gateway.ErrConflict) {
		if inProgress != nil {
			return nil, inProgress
		}
		// The dovuto changed since it was read: say what it is now.
		if _, _, now := s.payable(ctx, n, ev); now != nil {
			return nil, now
		}
		return nil, fault(CodePagamentoInCorso, fmt.Sprintf("il dovuto con IUV %s ha un pagamento in corso", d.IUV))
	}
	if err != nil {
		return nil, err
	}
	s.nudge()
	ev.IDSession = a.Cart.IDSession
	s.log.Info("papernodo: payment activated at PSP", "codIpa", ente.CodIpa, "iuv", n.IUV, "ccp", n.CCP,
		"psp", a.PSP, "canale", a.Channel, "repeated", outcome == gateway.ActivationRepeated)
	return dati, nil
}

// activation builds the cart, payment and RPT of an activation. The RPT
// is a modello 3 one (tipoVersamento PO) of the one dovuto, paid by the
// soggettoPagatore the PSP gives or else the dovuto's.
func (s *Service) activation(ente *gateway.Ente, d *gateway.Dovuto, n notice, body *psp.PaaAttivaRPT) (*gateway.Activation, error) {
	dp := body.DatiPagamentoPSP
	now := s.clock.Now().In(gateway.Rome)
	var pagatore rpt.Soggetto
	switch {
	case dp.SoggettoPagatore != nil:
		pagatore = soggettoPagatore(dp.SoggettoPagatore)
	case d.Payer != nil:
		p := d.Payer
		pagatore = rpt.Soggetto{Tipo: p.Type, Codice: p.ID, Anagrafica: p.Name, Indirizzo: p.Address, Civico: p.Civic,
			CAP: p.CAP, Localita: p.Locality, Provincia: p.Province, Nazione: p.Nation, Email: p.Email}
	default:
		return nil, fault(CodeSemantica, fmt.Sprintf("soggettoPagatore assente e il dovuto con IUV %s non ne ha uno", d.IUV))
	}
	msgID := rpt.NewMessageID()
	req := &rpt.Request{
		Dominio:                          ente.CodiceFiscale,
		Stazione:                         ente.StationID,
		IdentificativoMessaggioRichiesta: msgID,
		DataOra:                          now,
		Versante:                         soggettoVersante(dp.SoggettoVersante),
		Pagatore:                         pagatore,
		EnteBeneficiario:                 rpt.Ente{Codice: ente.CodiceFiscale, Denominazione: cut(ente.Denominazione, 70)},
		DataEsecuzione:                   time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, gateway.Rome),
		TipoVersamento:                   "PO",
		IUV:                              n.IUV,
		CCP:                              n.CCP,
		IBANAddebito:                     string(dp.IbanAddebito),
		BICAddebito:                      string(dp.BicAddebito),
		Items: []rpt.Item{{
			Amount: d.Amount, Commission: d.Commission, IBANAccredito: ente.IBAN,
			IBANAppoggio: string(dp.IbanAppoggio), BICAppoggio: string(dp.BicAppoggio),
			Causale: d.Causale, DatiSpecificiRiscossione: d.DatiSpecificiRiscossione,
		}},
	}
	doc, err := rpt.Build(req)
	if err != nil {
		return nil, fault(CodeSemantica, fmt.Sprintf("RPT del dovuto con IUV %s non costruibile: %v", d.IUV, err))
	}
	payer := &gateway.Payer{Type: pagatore.Tipo, ID: pagatore.Codice, Name: pagatore.Anagrafica, Email: pagatore.Email}
	return &gateway.Activation{
		Cart: &gateway.Cart{
			IDSession: rpt.NewMessageID(), Token: rpt.NewMessageID(),
			EnteID: ente.ID, CodIpa: ente.CodIpa, ShowMyPay: "NONE", Payer: payer, Email: pagatore.Email,
			Payments: []*gateway.Payment{{
				EnteID: ente.ID, CodIpa: ente.CodIpa, Dominio: ente.CodiceFiscale, IUV: n.IUV, CCP: n.CCP,
				MessageID: msgID, RequestedAt: now, Amount: req.Total(), RPT: doc, Items: []*gateway.Dovuto{d},
			}},
		},
		PSP:     string(body.IdentificativoPSP),
		Broker:  string(body.IdentificativoIntermediarioPSP),
		Channel: string(body.IdentificativoCanalePSP),
	}, nil
}

func soggettoPagatore(p *psp.CtSoggettoPagatore) rpt.Soggetto {
	return rpt.Soggetto{
		Tipo: string(p.IdentificativoUnivocoPagatore.TipoIdentificativoUnivoco), Codice: string(p.IdentificativoUnivocoPagatore.CodiceIdentificativoUnivoco),
		Anagrafica: string(p.AnagraficaPagatore), Indirizzo: string(p.IndirizzoPagatore), Civico: string(p.CivicoPagatore),
		CAP: string(p.CapPagatore), Localita: string(p.LocalitaPagatore), Provincia: string(p.ProvinciaPagatore),
		Nazione: string(p.NazionePagatore), Email: string(p.EmailPagatore),
	}
}

func soggettoVersante(v *psp.CtSoggettoVersante) *rpt.Soggetto {
	if v == nil {
		return nil
	}
	return &rpt.Soggetto{
		Tipo: string(v.IdentificativoUnivocoVersante.TipoIdentificativoUnivoco), Codice: string(v.IdentificativoUnivocoVersante.CodiceIdentificativoUnivoco),
		Anagrafica: string(v.AnagraficaVersante), Indirizzo: string(v.IndirizzoVersante), Civico: string(v.CivicoVersante),
		CAP: string(v.CapVersante), Localita: string(v.LocalitaVersante), Provincia: string(v.ProvinciaVersante),
		Nazione: string(v.NazioneVersante), Email: string(v.EmailVersante),
	}
}
