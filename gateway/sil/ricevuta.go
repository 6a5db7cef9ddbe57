package sil

import (
	"context"
	"encoding/xml"
	"errors"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// handleChiediPagatiConRicevuta serves paaSILChiediPagatiConRicevuta.
func (s *Service) handleChiediPagatiConRicevuta(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := responseName(opChiediPagatiConRicevuta)
	var w chiediRicevutaWire
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	in := ricevutaQuery{IDSession: trim(w.IDSession), IUV: trim(w.IUV), IUD: trim(w.IUD)}
	codIpa := trim(w.CodIpaEnte)
	ev := soap.EventFrom(ctx)
	ev.CodIpa, ev.IDSession, ev.IUV, ev.IUD = codIpa, in.IDSession, in.IUV, in.IUD
	out, p, gerr := s.chiediRicevuta(ctx, codIpa, trim(w.Password), in)
	if p != nil {
		ev.IUV, ev.CCP = p.IUV, p.CCP
		if ev.IUD == "" {
			ev.IUD = firstItemIUD(p)
		}
	}
	if gerr != nil {
		f := s.faultOf(opChiediPagatiConRicevuta, codIpa, gerr)
		ev.Esito, ev.FaultCode = esitoKO, f.Code
		return chiediRicevutaResponse(f, nil), name, nil
	}
	ev.Esito = esitoOK
	return chiediRicevutaResponse(nil, out), name, nil
}

// ricevutaQuery is the one selector of paaSILChiediPagatiConRicevuta.
type ricevutaQuery struct{ IDSession, IUV, IUD string }

// chiediRicevuta follows ChiediPagatiConRicevutaService: by idSession the
// cart ladder of paaSILChiediPagati; by IUV or IUD first the open dovuto
// (its state decides), then the payments that carried it, of which the
// last positive one, or else the last one, answers. The payment also
// returns for the journal.
func (s *Service) chiediRicevuta(ctx context.Context, codIpa, password string, q ricevutaQuery) (*ricevutaOutcome, *gateway.Payment, *gateway.Error) {
	ente, gerr := s.checkEnteRicevuta(ctx, codIpa, password)
	if gerr != nil {
		return nil, nil, gerr
	}
	n := 0
	for _, v := range []string{q.IDSession, q.IUV, q.IUD} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return nil, nil, &gateway.Error{Code: gateway.CodeSystemError, String: "PAA SYSTEM ERROR",
			Description: "Errore, è stato specificato più di un paramero tra idSession, identificativoUnivocoVersamento e identificativoUnivocoDovuto."}
	}
	var (
		p    *gateway.Payment
		only string
	)
	switch {
	case q.IDSession != "":
		if _, p, gerr = s.sessionPayment(ctx, q.IDSession); gerr != nil {
			return nil, p, gerr
		}
	case q.IUV != "":
		k := selector{ente: ente.CodIpa, kind: "IUV", value: q.IUV}
		d, err := s.dovuti.FindDovutoByIUV(ctx, ente.ID, q.IUV)
		if p, gerr = s.selectPayment(ctx, k, d, err, func() ([]*gateway.Payment, error) {
			return s.carts.FindPayments(ctx, ente.CodiceFiscale, q.IUV)
		}); gerr != nil {
			return nil, p, gerr
		}
	case q.IUD != "":
		k := selector{ente: ente.CodIpa, kind: "IUD", value: q.IUD}
		d, err := s.dovuti.FindDovutoByIUD(ctx, ente.ID, q.IUD)
		if p, gerr = s.selectPayment(ctx, k, d, err, func() ([]*gateway.Payment, error) {
			return s.carts.FindPaymentsByIUD(ctx, ente.ID, q.IUD)
		}); gerr != nil {
			return nil, p, gerr
		}
		only = q.IUD // MyPay reports that dovuto alone
	default:
		return nil, nil, &gateway.Error{Code: gateway.CodeSystemError, String: "PAA SYSTEM ERROR",
			Description: "Nessun campo di input (idSession, identificativoUnivocoVersamento, identificativoUnivocoDovuto) valorizzato per ente [ " + ente.CodIpa + " ]."}
	}
	doc, _, err := pagatiOf(p, only)
	if err != nil {
		return nil, p, systemError(err)
	}
	b, err := encodePagati(doc)
	if err != nil {
		return nil, p, systemError(err)
	}
	return &ricevutaOutcome{Pagati: b, TipoFirma: p.Receipt.TipoFirma, RT: p.Receipt.RT}, p, nil
}

// selector names the IUV or IUD asked for, in MyPay's fault texts.
type selector struct{ ente, kind, value string }

// spaced is "[ v ]", tight "[v]": MyPay's texts use both, and for IUD
// always the spaced form.
func (k selector) spaced() string {
	return "ente [ " + k.ente + " ], " + k.kind + " [ " + k.value + " ]"
}

func (k selector) tight() string {
	if k.kind == "IUD" {
		return k.spaced()
	}
	return "ente [ " + k.ente + " ], " + k.kind + " [" + k.value + "]"
}

func internalError(desc string) *gateway.Error {
	return &gateway.Error{Code: gateway.CodeSystemError, String: "PAA SYSTEM ERROR", Description: desc}
}

// selectPayment resolves an IUV or IUD: d (with findErr) is the ente's
// dovuto found by it, payments lists the payments that carried it.
func (s *Service) selectPayment(ctx context.Context, k selector, d *gateway.Dovuto, findErr error, payments func() ([]*gateway.Payment, error)) (*gateway.Payment, *gateway.Error) {
	if findErr != nil && !errors.Is(findErr, gateway.ErrNotFound) {
		return nil, systemError(findErr)
	}
	if d != nil && d.State != gateway.DovutoCompletato {
		return nil, s.dovutoFault(ctx, k, d)
	}
	ps, err := payments()
	if err != nil {
		return nil, systemError(err)
	}
	if len(ps) == 0 {
		switch {
		case d != nil:
			return nil, internalError("Carrello non trovato per " + k.spaced())
		case k.kind == "IUD":
			return nil, gateway.Errorf(gateway.CodeIUDNonValido, "IUD non valido per ente [ %s ].", k.ente)
		}
		return nil, gateway.Errorf(gateway.CodeIUVNonValido, "IUV non valido per ente [ %s ]", k.ente)
	}
	p := lastOrPositive(ps)
	if p.Receipt != nil {
		return p, nil
	}
	switch {
	case p.State == gateway.PaymentNew && !s.clock.Now().Before(p.CreatedAt.Add(s.opts.CartTTL)):
		return p, gateway.Errorf(codePagamentoScaduto, "Pagamento scaduto per %s", k.tight())
	case p.State == gateway.PaymentNew:
		return p, gateway.Errorf(codePagamentoNonIniziato, "Pagamento non iniziato per %s", k.tight())
	case p.State == gateway.PaymentSent:
		return p, gateway.Errorf(codePagamentoInCorso, "Pagamento in corso per %s", k.tight())
	case p.State == gateway.PaymentRefused:
		return p, gateway.Errorf(codePagamentoAnnullato, "Pagamento abortito per %s", k.tight())
	}
	return p, internalError("Errore interno per " + k.spaced())
}

// dovutoFault answers for a dovuto still open (not COMPLETATO).
func (s *Service) dovutoFault(ctx context.Context, k selector, d *gateway.Dovuto) *gateway.Error {
	switch d.State {
	case gateway.DovutoDaPagare, gateway.DovutoPredisposto:
		t, err := s.cache.tipo(ctx, s.enti, d.EnteID, d.TipoDovuto)
		if err != nil {
			return systemError(err)
		}
		if t != nil && t.DueDateMandatory && s.pastDue(d.DueDate) {
			return internalError("Dovuto scaduto per " + k.spaced())
		}
		return gateway.Errorf(codePagamentoNonIniziato, "Pagamento non iniziato per %s", k.tight())
	case gateway.DovutoScaduto:
		return gateway.Errorf(codePagamentoScaduto, "Pagamento scaduto per %s", k.tight())
	case gateway.DovutoIniziato:
		return gateway.Errorf(codePagamentoInCorso, "Pagamento in corso per %s", k.tight())
	}
	return internalError("Errore interno per " + k.spaced())
}

// lastOrPositive is MyPay's DovutoUtils.getLastDovutoElaboratoOrPositivo
// on payments oldest first: the last one paid, or else the last one.
func lastOrPositive(ps []*gateway.Payment) *gateway.Payment {
	for i := len(ps) - 1; i >= 0; i-- {
		if r := ps[i].Receipt; r != nil && r.Esito == gateway.EsitoEseguito {
			return ps[i]
		}
	}
	return ps[len(ps)-1]
}
