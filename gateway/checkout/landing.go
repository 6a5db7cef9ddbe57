package checkout

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// maxToken bounds the token read from a URL or form before any lookup.
const maxToken = 128

// landing is GET /public/landing/inviaDovuti?id=<token>.
func (s *Service) landing(c echo.Context) error {
	cart, err := s.findCart(c, c.QueryParam("id"))
	if cart == nil {
		return err
	}
	if cart.State != gateway.CartPredisposto || prepared(cart) {
		return s.statePage(c, cart)
	}
	if s.isExpired(cart) {
		return s.expire(c, cart)
	}
	if cart.ShowMyPay == "NONE" {
		// MyPay goes on at once; the e-mail is the one the SIL checked.
		email := cart.Email
		if email == "" && cart.Payer != nil {
			email = cart.Payer.Email
		}
		if !validEmail(email) {
			email = ""
		}
		return s.pay(c, cart, email)
	}
	email := cart.Email
	if email == "" && cart.Payer != nil {
		email = cart.Payer.Email
	}
	return s.confirm(c, http.StatusOK, cart, email, "")
}

// findCart loads the cart named by token. A nil cart means the answer page
// was already written; err is then what the handler returns.
func (s *Service) findCart(c echo.Context, token string) (*gateway.Cart, error) {
	if token == "" || len(token) > maxToken {
		return nil, s.notFound(c)
	}
	cart, err := s.cfg.Carts.FindCartByToken(c.Request().Context(), token)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		return nil, s.notFound(c)
	case err != nil:
		s.log.Error("checkout: loading cart", "err", err)
		return nil, s.unavailable(c)
	}
	return cart, nil
}

// confirm renders the SHORT confirmation page.
func (s *Service) confirm(c echo.Context, status int, cart *gateway.Cart, email, emailErr string) error {
	ctx := c.Request().Context()
	p := confirmPage{
		page:       newPage("Conferma il pagamento"),
		Action:     s.cfg.PublicURL + LandingPath,
		Token:      cart.Token,
		CSRF:       s.formToken(cart.Token),
		Email:      email,
		EmailError: emailErr,
	}
	if pay := payer(cart); pay != nil {
		p.PayerName, p.PayerCF = pay.Name, pay.ID
	}
	var total gateway.Cents
	for i, pm := range cart.Payments {
		ente, err := s.enteOf(ctx, cart, i)
		var ce *cartError
		if err != nil && !errors.As(err, &ce) {
			s.log.Error("checkout: loading ente", "cart", cart.IDSession, "err", err)
			return s.unavailable(c)
		}
		g := enteGroup{Ente: enteName(ente, pm, secondary(cart, i))}
		for _, it := range pm.Items {
			amount, causale := it.Amount, it.Causale
			if secondary(cart, i) && it.Secondary != nil {
				if amount == 0 {
					amount = it.Secondary.Amount
				}
				if causale == "" {
					causale = it.Secondary.Causale
				}
			}
			total += amount
			g.Items = append(g.Items, itemView{Causale: causale, Importo: formatEuro(amount)})
		}
		p.Groups = append(p.Groups, g)
	}
	p.Total = formatEuro(total)
	return s.render(c, status, confirmTmpl, &p)
}

// isExpired: a cart never sent expires at ExpiresAt (MyPay's basket TTL).
func (s *Service) isExpired(c *gateway.Cart) bool {
	return c.State == gateway.CartPredisposto && !prepared(c) &&
		!c.ExpiresAt.IsZero() && !s.cfg.Clock.Now().Before(c.ExpiresAt)
}

// expire ends an expired cart SCADUTO and says so.
func (s *Service) expire(c echo.Context, cart *gateway.Cart) error {
	ctx := context.WithoutCancel(c.Request().Context())
	err := s.cfg.Carts.MarkCartFailed(ctx, cart.ID, gateway.CartScaduto, "carrello scaduto prima della conferma")
	switch {
	case errors.Is(err, gateway.ErrConflict):
		return s.reloadState(c, cart)
	case err != nil:
		// The page is still right: the cart can no longer be paid.
		s.log.Error("checkout: marking cart expired", "cart", cart.IDSession, "err", err)
	}
	return s.expired(c, cart)
}

// reloadState shows where a cart stands after another request moved it.
func (s *Service) reloadState(c echo.Context, cart *gateway.Cart) error {
	fresh, err := s.cfg.Carts.FindCart(context.WithoutCancel(c.Request().Context()), cart.IDSession)
	if err != nil {
		s.log.Error("checkout: reloading cart", "cart", cart.IDSession, "err", err)
		return s.unavailable(c)
	}
	return s.statePage(c, fresh)
}

// statePage answers for a cart that is no longer waiting for the citizen:
// back to the node's page while the payment is open there, else a page
// saying where it stands.
func (s *Service) statePage(c echo.Context, cart *gateway.Cart) error {
	if cart.State == gateway.CartInCorso && cart.NodeURL != "" {
		return c.Redirect(http.StatusSeeOther, cart.NodeURL)
	}
	if cart.State == gateway.CartScaduto {
		return s.expired(c, cart)
	}
	m := messagePage{State: stateLabel(cart.State)}
	switch cart.State {
	case gateway.CartPredisposto, gateway.CartInCorso:
		// Prepared but never confirmed by the node, or the node's answer
		// was lost: an RT may still come, so no new attempt from here.
		m.Heading = "Esito del pagamento in attesa"
		m.State = stateLabel(gateway.CartInCorso)
		m.Paragraphs = []string{
			"Non è stato possibile confermare l'avvio del pagamento presso pagoPA.",
			"Se il pagamento è stato eseguito, l'ente riceverà la ricevuta da pagoPA. Prima di pagare di nuovo, verifica l'esito con l'ente.",
		}
	case gateway.CartPagato:
		m.Heading = "Pagamento già eseguito"
		m.Paragraphs = []string{"Questo pagamento risulta eseguito. La ricevuta è stata inviata all'ente."}
	case gateway.CartParzPagato:
		m.Heading = "Pagamento eseguito in parte"
		m.Paragraphs = []string{"Solo una parte di questo pagamento risulta eseguita. Verifica con l'ente gli importi ancora da pagare."}
	case gateway.CartNonPagato, gateway.CartDecorrTerm, gateway.CartDecorrTermParz:
		m.Heading = "Pagamento non eseguito"
		m.Paragraphs = []string{"Questo pagamento si è concluso senza addebito. Per pagare, avvia un nuovo pagamento dal sito dell'ente."}
	case gateway.CartAbort:
		m.Heading = "Pagamento annullato"
		m.Paragraphs = []string{"Questo pagamento è stato annullato e non ti è stato addebitato nulla. Per pagare, avvia un nuovo pagamento dal sito dell'ente."}
	case gateway.CartNonInviabile:
		m.Heading = "Pagamento non avviato"
		m.Paragraphs = []string{"Non è stato possibile avviare questo pagamento presso pagoPA e non ti è stato addebitato nulla. Per pagare, avvia un nuovo pagamento dal sito dell'ente."}
	default:
		m.Heading = "Stato del pagamento"
		m.Paragraphs = []string{"Per conoscere l'esito del pagamento rivolgiti all'ente."}
	}
	m.backLink(cart, browserEsito(cart.State))
	return s.message(c, http.StatusOK, m)
}
