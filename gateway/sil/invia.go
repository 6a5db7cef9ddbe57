package sil

import (
	"context"
	"encoding/xml"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// handleInviaDovuti serves paaSILInviaDovuti.
func (s *Service) handleInviaDovuti(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := responseName(opInviaDovuti)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w inviaDovutiWire
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	c, gerr := s.inviaDovuti(ctx, codIpa, &w)
	return s.cartAnswer(ev, opInviaDovuti, codIpa, c, gerr), name, nil
}

// inviaDovuti runs MyPay's ladder (§2.1 steps 1–9) and stores the cart.
func (s *Service) inviaDovuti(ctx context.Context, codIpa string, w *inviaDovutiWire) (*gateway.Cart, *gateway.Error) {
	ente, gerr := s.checkEnteInvia(ctx, codIpa, trim(w.Password), true)
	if gerr != nil {
		return nil, gerr
	}
	show := showMyPayOf(w.ShowMyPay)
	items, gerr := s.ValidateDovuti(ctx, ente, w.Dovuti, show)
	if gerr != nil {
		return nil, gerr
	}
	c := s.newCart(gateway.CartEsterno, ente, w.ReturnURL, show)
	addPayment(c, ente, "", items)
	if gerr := s.saveCart(ctx, c); gerr != nil {
		return nil, gerr
	}
	return c, nil
}

// cartAnswer fills the journal and builds the response of the three
// operations that make a cart (they share the response shape).
func (s *Service) cartAnswer(ev *gateway.Event, op, codIpa string, c *gateway.Cart, gerr *gateway.Error) any {
	if gerr != nil {
		f := s.faultOf(op, codIpa, gerr)
		ev.Esito, ev.FaultCode = esitoKO, f.Code
		return cartResponse(op, f, nil, "")
	}
	ev.Esito, ev.IDSession, ev.IUD = esitoOK, c.IDSession, firstIUD(c)
	if len(c.Payments) > 0 {
		ev.IUV = c.Payments[0].IUV
	}
	return cartResponse(op, nil, c, s.landingURL(c.Token))
}
