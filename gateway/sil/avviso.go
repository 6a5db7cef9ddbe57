package sil

import (
	"context"
	"encoding/xml"
	"errors"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// handleVerificaAvviso serves paaSILVerificaAvviso.
func (s *Service) handleVerificaAvviso(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := responseName(opVerificaAvviso)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w verificaAvvisoWire
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa, ev.IUV = codIpa, trim(w.IUV)
	c, gerr := s.verificaAvviso(ctx, codIpa, &w)
	return s.cartAnswer(ev, opVerificaAvviso, codIpa, c, gerr), name, nil
}

// verificaAvviso makes a cart to pay the existing dovuto with that IUV
// (the IUV, not the 18-digit numero avviso). Ponte keeps IUVs unique per
// ente, so there is at most one dovuto; MyPay's checks run on it in its
// order: tipo missing or disabled (the dovuto is skipped), not payable,
// expired for a tipo with a mandatory due date, nothing left.
func (s *Service) verificaAvviso(ctx context.Context, codIpa string, w *verificaAvvisoWire) (*gateway.Cart, *gateway.Error) {
	ente, gerr := s.verificaEnte(ctx, codIpa, trim(w.Password))
	if gerr != nil {
		return nil, gerr
	}
	code := trim(w.IUV)
	d, err := s.dovuti.FindDovutoByIUV(ctx, ente.ID, code)
	if err != nil && !errors.Is(err, gateway.ErrNotFound) {
		return nil, systemError(err)
	}
	var disabled string
	if d != nil {
		t, err := s.cache.tipo(ctx, s.enti, ente.ID, d.TipoDovuto)
		if err != nil {
			return nil, systemError(err)
		}
		switch {
		case t == nil || !t.Enabled:
			disabled = "il dovuto [" + d.TipoDovuto + "] associato allo IUV risulta disabilitato o non presente"
			d = nil
		case d.State != gateway.DovutoDaPagare:
			return nil, gateway.Errorf(gateway.CodeIUVNonValido, "non ci sono dovuti pagabili per il dato IUV [%s]", code)
		case t.DueDateMandatory && s.pastDue(d.DueDate):
			return nil, gateway.Errorf(codeIUVScaduto, "alcuni dovuti sono scaduti per il dato IUV [%s]", code)
		}
	}
	if d == nil {
		return nil, gateway.Errorf(gateway.CodeIUVNonValido, "Error nessun dovuto trovato per IUV [%s] ed ente [%s]", code, codIpa).
			WithDescription(disabled)
	}
	c := s.newCart(gateway.CartAvviso, ente, w.ReturnURL, ShowMyPayShort)
	p := addPayment(c, ente, "", []*gateway.Dovuto{d})
	p.IUV = d.IUV
	if gerr := s.saveCart(ctx, c); gerr != nil {
		return nil, gerr
	}
	return c, nil
}

// pastDue reports whether a civil due date (DateLayout) is before today in
// Rome; "" is never past (MyPay reads a null date as today).
func (s *Service) pastDue(due string) bool {
	if due == "" {
		return false
	}
	t, err := time.ParseInLocation(gateway.DateLayout, due, gateway.Rome)
	if err != nil {
		return false
	}
	now := s.clock.Now().In(gateway.Rome)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, gateway.Rome)
	return t.Before(today)
}
