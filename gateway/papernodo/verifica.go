package papernodo

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	psp "github.com/ponte-pagopa/ponte/generated/papernodopsp"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

var (
	nameVerificaRPTRisposta = xml.Name{Space: NS, Local: "paaVerificaRPTRisposta"}
	nameAttivaRPTRisposta   = xml.Name{Space: NS, Local: "paaAttivaRPTRisposta"}
)

// handleVerificaRPT serves paaVerificaRPT: what the avviso (dominio, IUV)
// asks now, with no side effect. Only an envelope that is not XML gets a
// SOAP fault; everything else gets paaVerificaRPTRisposta.
func (s *Service) handleVerificaRPT(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	ev := soap.EventFrom(ctx)
	n, headErr := noticeOf(req)
	ev.IUV, ev.CCP = n.IUV, n.CCP
	var body psp.PaaVerificaRPT
	if err := s.decodePSPBody(req, &body); err != nil {
		var sf *soap.Fault
		if errors.As(err, &sf) {
			return nil, nameVerificaRPTRisposta, err
		}
		return s.verificaKO(ctx, err, n, ev)
	}
	if headErr != nil {
		return s.verificaKO(ctx, headErr, n, ev)
	}
	ente, d, err := s.payable(ctx, n, ev)
	if err != nil {
		return s.verificaKO(ctx, err, n, ev)
	}
	dati, err := datiPagamentoPA(ente, d)
	if err != nil {
		return s.verificaKO(ctx, err, n, ev)
	}
	ev.Esito = esitoOK
	return &psp.PaaVerificaRPTRisposta{PaaVerificaRPTRisposta: psp.EsitoVerificaRPT{Esito: esitoOK, DatiPagamentoPA: dati}},
		nameVerificaRPTRisposta, nil
}

func (s *Service) verificaKO(ctx context.Context, err error, n notice, ev *gateway.Event) (any, xml.Name, error) {
	ge := s.pspFaultOf(ctx, "paaVerificaRPT", err, ev)
	ev.Esito, ev.FaultCode = esitoKO, ge.Code
	return &psp.PaaVerificaRPTRisposta{PaaVerificaRPTRisposta: psp.EsitoVerificaRPT{
		Risposta: psp.Risposta{Fault: pspFaultBean(ge, n.Dominio)}, Esito: esitoKO}}, nameVerificaRPTRisposta, nil
}

// payable finds the dovuto of the avviso and says whether a PSP may take
// it now: the header against the ente (legacyEnte), then the dovuto's
// state. A dovuto being paid is PAA_PAGAMENTO_IN_CORSO; the caller of
// paaAttivaRPT looks first whether that payment is its own.
func (s *Service) payable(ctx context.Context, n notice, ev *gateway.Event) (*gateway.Ente, *gateway.Dovuto, error) {
	ente, err := s.legacyEnte(ctx, n)
	if err != nil {
		return nil, nil, err
	}
	ev.CodIpa = ente.CodIpa
	if s.m3 == nil {
		return nil, nil, fault(CodeSystemError, "pagamento presso PSP non configurato su questa istanza di Ponte")
	}
	d, err := s.m3.FindDovutoByIUV(ctx, ente.ID, n.IUV)
	if errors.Is(err, gateway.ErrNotFound) {
		return ente, nil, fault(CodePagamentoSconosciuto, fmt.Sprintf("nessun dovuto con IUV %s per il dominio %s", n.IUV, n.Dominio))
	}
	if err != nil {
		return nil, nil, err
	}
	return ente, d, s.stateFault(ctx, ente, d)
}

// stateFault is the fault for a dovuto a PSP may not take, nil when it may.
func (s *Service) stateFault(ctx context.Context, ente *gateway.Ente, d *gateway.Dovuto) error {
	switch d.State {
	case gateway.DovutoCompletato:
		return fault(CodePagamentoDuplicato, fmt.Sprintf("il dovuto con IUV %s è già pagato", d.IUV))
	case gateway.DovutoAnnullato:
		return fault(CodePagamentoAnnullato, fmt.Sprintf("il dovuto con IUV %s è stato annullato dall'ente", d.IUV))
	case gateway.DovutoScaduto:
		return fault(CodePagamentoScaduto, fmt.Sprintf("il dovuto con IUV %s è scaduto", d.IUV))
	case gateway.DovutoIniziato, gateway.DovutoPredisposto:
		return fault(CodePagamentoInCorso, fmt.Sprintf("il dovuto con IUV %s ha un pagamento in corso", d.IUV))
	case gateway.DovutoDaPagare:
	default:
		return fmt.Errorf("papernodo: dovuto %d in unknown state %q", d.ID, d.State)
	}
	expired, err := s.expired(ctx, ente, d)
	if err != nil {
		return err
	}
	if expired {
		return fault(CodePagamentoScaduto, fmt.Sprintf("il dovuto con IUV %s scadeva il %s e il suo tipo non ammette pagamenti tardivi", d.IUV, d.DueDate))
	}
	return nil
}

// expired reports a due date in the past on a tipo dovuto that makes it
// binding (DueDateMandatory); an unknown tipo binds nothing.
func (s *Service) expired(ctx context.Context, ente *gateway.Ente, d *gateway.Dovuto) (bool, error) {
	if d.DueDate == "" {
		return false, nil
	}
	due, err := time.ParseInLocation(gateway.DateLayout, d.DueDate, gateway.Rome)
	if err != nil {
		return false, fmt.Errorf("papernodo: dovuto %d due date %q: %w", d.ID, d.DueDate, err)
	}
	now := s.clock.Now().In(gateway.Rome)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, gateway.Rome)
	if !due.Before(today) {
		return false, nil
	}
	t, err := s.enti.FindTipoDovuto(ctx, ente.ID, d.TipoDovuto)
	if errors.Is(err, gateway.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return t.DueDateMandatory, nil
}

// datiPagamentoPA is what the PSP shows and collects: the dovuto's amount
// and causale (in the reconciliation form the RPT will carry), the ente's
// accredit IBAN, which must be the one in the RPT, and the beneficiary.
func datiPagamentoPA(ente *gateway.Ente, d *gateway.Dovuto) (*psp.PaaTipoDatiPagamentoPA, error) {
	if ente.IBAN == "" {
		return nil, fault(CodeSystemError, fmt.Sprintf("l'ente %s non ha un IBAN di accredito configurato", ente.CodIpa))
	}
	return &psp.PaaTipoDatiPagamentoPA{
		ImportoSingoloVersamento: wire.AmountOf(d.Amount),
		IbanAccredito:            psp.StIBANIdentifier(ente.IBAN),
		EnteBeneficiario: &psp.CtEnteBeneficiario{
			IdentificativoUnivocoBeneficiario: psp.CtIdentificativoUnivocoPersonaG{
				TipoIdentificativoUnivoco: psp.StTipoIdentificativoUnivocoPersGG, CodiceIdentificativoUnivoco: psp.StCodiceIdentificativoUnivoco(ente.CodiceFiscale)},
			DenominazioneBeneficiario: psp.StText70(cut(ente.Denominazione, 70)),
		},
		CausaleVersamento: psp.StCausaleVersamento(rpt.CausaleVersamento(d.IUV, d.Amount, d.Causale)),
	}, nil
}

// cut keeps the first n runes of s.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
