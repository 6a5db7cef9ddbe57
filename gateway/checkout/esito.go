package checkout

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// esito is GET /public/landing/esitoPagamento: the node sends the browser
// back with [idDominio], its own idSession and esito OK, ERROR or
// DIFFERITO. The browser goes on to the ente with MyPay's parameters:
// Ponte's idSession and esito OK (DIFFERITO too: only the RT will tell) or
// ERROR. Nothing here changes the cart: the RT alone decides.
func (s *Service) esito(c echo.Context) error {
	sess := c.QueryParam("idSession")
	if sess == "" || len(sess) > maxToken {
		return s.badRequest(c)
	}
	cart, err := s.cfg.Carts.FindCartByNodeSession(c.Request().Context(), sess)
	switch {
	case errors.Is(err, gateway.ErrNotFound):
		return s.notFound(c)
	case err != nil:
		s.log.Error("checkout: loading cart by node session", "err", err)
		return s.unavailable(c)
	}
	esito := "ERROR"
	switch c.QueryParam("esito") {
	case "OK", "DIFFERITO":
		esito = "OK"
	}
	if d := c.QueryParam("idDominio"); d != "" && !hasDominio(cart, d) {
		// Only logged: the session already names the cart.
		s.log.Warn("checkout: esito with a foreign idDominio", "cart", cart.IDSession, "idDominio", d)
	}
	s.log.Info("checkout: browser back from the node", "cart", cart.IDSession, "esito", c.QueryParam("esito"))
	if u := returnURL(cart, esito); u != "" {
		return c.Redirect(http.StatusFound, u)
	}
	m := messagePage{State: stateLabel(cart.State)}
	if esito == "OK" {
		m.Heading = "Pagamento concluso su pagoPA"
		m.Paragraphs = []string{
			"pagoPA ha indicato che il pagamento è andato a buon fine.",
			"L'esito definitivo è quello della ricevuta che pagoPA invia all'ente: potrebbe servire qualche minuto. Puoi chiudere questa pagina.",
		}
	} else {
		m.Heading = "Pagamento non concluso"
		m.Paragraphs = []string{
			"pagoPA ha indicato che il pagamento non è andato a buon fine o è stato annullato.",
			"L'esito definitivo è quello della ricevuta che pagoPA invia all'ente. Per pagare, avvia un nuovo pagamento dal sito dell'ente.",
		}
	}
	return s.message(c, http.StatusOK, m)
}

func hasDominio(c *gateway.Cart, d string) bool {
	for _, p := range c.Payments {
		if p.Dominio == d {
			return true
		}
	}
	return false
}
