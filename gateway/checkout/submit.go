package checkout

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// maxForm caps the confirmation form's body.
const maxForm = 16 << 10

// submit is POST /public/landing/inviaDovuti: azione=paga or annulla.
func (s *Service) submit(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return s.badRequest(c)
	}
	cart, err := s.findCart(c, r.PostForm.Get("id"))
	if cart == nil {
		return err
	}
	if !s.validForm(r, cart.Token, r.PostForm.Get("csrf")) {
		s.log.Warn("checkout: form refused", "cart", cart.IDSession, "origin", r.Header.Get("Origin"), "fetchSite", r.Header.Get("Sec-Fetch-Site"))
		return s.forbidden(c)
	}
	switch r.PostForm.Get("azione") {
	case "annulla":
		return s.cancel(c, cart)
	case "paga":
		email := strings.TrimSpace(r.PostForm.Get("email"))
		if !validEmail(email) && cart.State == gateway.CartPredisposto && !prepared(cart) && !s.isExpired(cart) {
			msg := "Indica un indirizzo e-mail valido, per esempio nome.cognome@esempio.it."
			if email == "" {
				msg = "Indica l'indirizzo e-mail a cui inviare l'esito del pagamento."
			}
			return s.confirm(c, http.StatusUnprocessableEntity, cart, email, msg)
		}
		return s.pay(c, cart, email)
	}
	return s.badRequest(c)
}

// cancel ends a cart ABORT at the citizen's request and goes back to the
// ente with esito=ERROR, as MyPay does.
func (s *Service) cancel(c echo.Context, cart *gateway.Cart) error {
	defer s.lockCart(cart.ID)()
	ctx := context.WithoutCancel(c.Request().Context())
	cart, err := s.cfg.Carts.FindCart(ctx, cart.IDSession)
	if err != nil {
		s.log.Error("checkout: reloading cart", "err", err)
		return s.unavailable(c)
	}
	if cart.State != gateway.CartPredisposto || prepared(cart) {
		return s.statePage(c, cart)
	}
	if s.isExpired(cart) {
		return s.expire(c, cart)
	}
	err = s.cfg.Carts.MarkCartFailed(ctx, cart.ID, gateway.CartAbort, "annullato dal cittadino")
	switch {
	case errors.Is(err, gateway.ErrConflict):
		return s.reloadState(c, cart)
	case err != nil:
		s.log.Error("checkout: cancelling cart", "cart", cart.IDSession, "err", err)
		return s.unavailable(c)
	}
	s.log.Info("checkout: cart cancelled by the citizen", "cart", cart.IDSession)
	if u := returnURL(cart, "ERROR"); u != "" {
		return c.Redirect(http.StatusSeeOther, u)
	}
	return s.message(c, http.StatusOK, messagePage{
		Heading:    "Pagamento annullato",
		State:      stateLabel(gateway.CartAbort),
		Paragraphs: []string{"Hai annullato il pagamento: non ti è stato addebitato nulla. Puoi chiudere questa pagina."},
	})
}
