package sil

import (
	"context"
	"net/url"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Operation names of the payment flow.
const (
	opInviaCarrello           = "paaSILInviaCarrelloDovuti"
	opVerificaAvviso          = "paaSILVerificaAvviso"
	opChiediPagati            = "paaSILChiediPagati"
	opChiediPagatiConRicevuta = "paaSILChiediPagatiConRicevuta"
	opChiediEsitoCarrello     = "paaSILChiediEsitoCarrelloDovuti"
)

// maxPayments is the most RPTs nodoInviaCarrelloRPT takes.
const maxPayments = 5

// landingPath is where the citizen lands with the cart token.
const landingPath = "/public/landing/inviaDovuti"

// landingURL is the url answered by the three operations that make a cart.
func (s *Service) landingURL(token string) string {
	return s.publicURL + landingPath + "?id=" + url.QueryEscape(token)
}

// newCart starts a PREDISPOSTO cart for the caller ente. returnURL is the
// request's enteSILInviaRispostaPagamentoUrl; blank takes the ente's.
func (s *Service) newCart(kind gateway.CartKind, caller *gateway.Ente, returnURL, showMyPay string) *gateway.Cart {
	now := s.clock.Now()
	returnURL = strings.TrimSpace(returnURL)
	if returnURL == "" {
		returnURL = caller.RedirectURL
	}
	return &gateway.Cart{
		IDSession: newIDSession(now),
		Token:     newToken(),
		Kind:      kind,
		State:     gateway.CartPredisposto,
		EnteID:    caller.ID,
		CodIpa:    caller.CodIpa,
		ShowMyPay: showMyPay,
		ReturnURL: returnURL,
		CreatedAt: now,
		UpdatedAt: now,
		ExpiresAt: now.Add(s.opts.CartTTL),
	}
}

// addPayment appends a payment of ente (nil for a secondary beneficiary
// that is no ente of Ponte: dominio is then its codice fiscale) with items.
func addPayment(c *gateway.Cart, ente *gateway.Ente, dominio string, items []*gateway.Dovuto) *gateway.Payment {
	p := &gateway.Payment{
		Position:  len(c.Payments) + 1,
		Dominio:   dominio,
		State:     gateway.PaymentNew,
		Items:     items,
		CreatedAt: c.CreatedAt,
		UpdatedAt: c.CreatedAt,
	}
	if ente != nil {
		p.EnteID, p.CodIpa, p.Dominio = ente.ID, ente.CodIpa, ente.CodiceFiscale
	}
	for _, it := range items {
		p.Amount += it.Amount
	}
	c.Payments = append(c.Payments, p)
	return p
}

// setPayer takes the cart's payer and e-mail from its first item.
func setPayer(c *gateway.Cart) {
	if len(c.Payments) == 0 || len(c.Payments[0].Items) == 0 || c.Payments[0].Items[0].Payer == nil {
		return
	}
	p := *c.Payments[0].Items[0].Payer
	c.Payer, c.Email = &p, p.Email
}

// saveCart stores a new cart.
func (s *Service) saveCart(ctx context.Context, c *gateway.Cart) *gateway.Error {
	setPayer(c)
	if err := s.carts.CreateCart(ctx, c); err != nil {
		return systemError(err)
	}
	return nil
}

// showMyPayOf reads showMyPay: NONE in any case, anything else is MyPay's
// default SHORT (JAXB turns an unknown enum value into null).
func showMyPayOf(v string) string {
	if strings.EqualFold(strings.TrimSpace(v), ShowMyPayNone) {
		return ShowMyPayNone
	}
	return ShowMyPayShort
}

// firstIUD is the IUD the journal records for a cart.
func firstIUD(c *gateway.Cart) string {
	for _, p := range c.Payments {
		for _, it := range p.Items {
			if it.IUD != "" {
				return it.IUD
			}
		}
	}
	return ""
}
