package checkout

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/node"
)

// OutcomePath is where pagoPA Checkout sends the browser back (MyPay's
// /public/landing/outcome/{ok|ko|cn}), followed by the outcome.
const OutcomePath = "/public/landing/outcome"

// CheckoutClient is what the modello unico needs of *node.CartsClient.
type CheckoutClient interface {
	CreateCart(ctx context.Context, r node.CartRequest) (string, error)
}

// payCheckout hands a prepared cart of a modello-unico ente to pagoPA
// Checkout and sends the browser to it. Checkout keeps nothing of a cart
// it did not accept, and the citizen cannot pay without its Location, so
// any failure ends the cart IMPOSSIBILE_INVIARE_RP: no payment started.
// The notices are then paid through paVerifyPaymentNotice,
// paGetPaymentV2 and paSendRTV2 (gateway/pafornode); only the receipts
// decide the cart, as the RTs do on the legacy model.
func (s *Service) payCheckout(c echo.Context, ctx context.Context, cart *gateway.Cart, sender *gateway.Ente, log *slog.Logger) error {
	if s.cfg.Checkout == nil {
		log.Error("checkout: ente on the modello unico but no Checkout URL configured")
		return s.fail(c, cart, gateway.CartNonInviabile, "pagoPA Checkout non configurato (PONTE_CHECKOUT_URL)")
	}
	req, err := s.cartRequest(ctx, cart, sender)
	if err != nil {
		log.Error("checkout: cart cannot become Checkout notices", "err", err)
		return s.fail(c, cart, gateway.CartNonInviabile, "avvisi non costruibili: "+err.Error())
	}
	loc, err := s.cfg.Checkout.CreateCart(ctx, req)
	if err != nil {
		log.Warn("checkout: pagoPA Checkout did not open the cart", "err", err)
		return s.fail(c, cart, gateway.CartNonInviabile, limit("pagoPA Checkout: "+err.Error()))
	}
	if merr := s.cfg.Carts.MarkCartSent(ctx, cart.ID, loc, ""); merr != nil {
		// Checkout holds the cart and the citizen can pay: go on; the
		// receipts find the payments by dominio and IUV.
		log.Error("checkout: recording Checkout's acceptance", "err", merr)
	}
	log.Info("checkout: cart opened on pagoPA Checkout", "location", loc)
	return c.Redirect(http.StatusSeeOther, loc)
}

// cartRequest lists the cart's notices for Checkout. A multi-beneficiary
// cart is one notice on the modello unico: its secondary beneficiary is
// a transfer of the primary's notice (paGetPaymentV2), not a notice.
func (s *Service) cartRequest(ctx context.Context, cart *gateway.Cart, sender *gateway.Ente) (node.CartRequest, error) {
	tok := url.QueryEscape(cart.Token)
	base := s.cfg.PublicURL + OutcomePath
	req := node.CartRequest{
		ReturnURLs: node.CartReturnURLs{
			OK: base + "/ok?id=" + tok, Cancel: base + "/cn?id=" + tok, Error: base + "/ko?id=" + tok,
		},
		IDCart: cart.IDSession,
	}
	if cart.Email != "" && validEmail(cart.Email) {
		req.EmailNotice = cart.Email
	}
	for i, p := range cart.Payments {
		if secondary(cart, i) {
			req.PaymentNotices[0].Amount += int64(p.Amount)
			continue
		}
		e, err := s.enteOf(ctx, cart, i)
		if err != nil {
			return req, err
		}
		nav, err := iuv.NumeroAvviso(e.AuxDigit, e.ApplicationCode, p.IUV)
		if err != nil {
			return req, cartErrorf("payment %d: %v", p.Position, err)
		}
		desc := ""
		if len(p.Items) > 0 {
			desc = p.Items[0].Causale
		}
		name := e.Denominazione
		if name == "" {
			name = e.CodIpa
		}
		req.PaymentNotices = append(req.PaymentNotices, node.CartNotice{
			NoticeNumber: nav, FiscalCode: e.CodiceFiscale, Amount: int64(p.Amount),
			CompanyName: runes(name, 140), Description: runes(desc, 140),
		})
	}
	return req, nil
}

// outcome is GET /public/landing/outcome/{ok|ko|cn}?id=<token>: the
// browser back from Checkout, sent on to the ente with MyPay's idSession
// and esito. Cancelled (cn) before paying, the cart is abandoned;
// otherwise nothing changes here: the receipts alone decide.
func (s *Service) outcome(c echo.Context) error {
	tok := c.QueryParam("id")
	kind := c.Param("outcome")
	if tok == "" || len(tok) > maxToken || (kind != "ok" && kind != "ko" && kind != "cn") {
		return s.badRequest(c)
	}
	ctx := context.WithoutCancel(c.Request().Context())
	cart, err := s.cfg.Carts.FindCartByToken(ctx, tok)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		return s.notFound(c)
	case err != nil:
		s.log.Error("checkout: loading cart by token", "err", err)
		return s.unavailable(c)
	}
	s.log.Info("checkout: browser back from pagoPA Checkout", "cart", cart.IDSession, "outcome", kind)
	esito := "ERROR"
	if kind == "ok" {
		esito = "OK"
	}
	if kind == "cn" && cart.State == gateway.CartInCorso {
		if err := s.cfg.Carts.AbandonCart(ctx, cart.ID, "annullato dal cittadino su pagoPA Checkout"); err != nil &&
			!errors.Is(err, gateway.ErrConflict) {
			s.log.Error("checkout: abandoning cart", "cart", cart.IDSession, "err", err)
		}
	}
	if u := returnURL(cart, esito); u != "" {
		return c.Redirect(http.StatusFound, u)
	}
	m := messagePage{State: stateLabel(cart.State)}
	switch kind {
	case "ok":
		m.Heading = "Pagamento concluso su pagoPA"
		m.Paragraphs = []string{"L'esito definitivo è quello della ricevuta che pagoPA invia all'ente: potrebbe servire qualche minuto. Puoi chiudere questa pagina."}
	case "cn":
		m.Heading = "Pagamento annullato"
		m.Paragraphs = []string{"Non ti è stato addebitato nulla. Per pagare, avvia un nuovo pagamento dal sito dell'ente."}
	default:
		m.Heading = "Pagamento non concluso"
		m.Paragraphs = []string{"pagoPA ha indicato che il pagamento non è andato a buon fine. L'esito definitivo è quello della ricevuta che pagoPA invia all'ente."}
	}
	return s.message(c, http.StatusOK, m)
}

// runes keeps at most n runes of s.
func runes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
