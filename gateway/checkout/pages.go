package checkout

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/web"
)

//go:embed templates
var templatesFS embed.FS

var (
	confirmTmpl = template.Must(template.ParseFS(templatesFS, "templates/layout.html", "templates/confirm.html"))
	messageTmpl = template.Must(template.ParseFS(templatesFS, "templates/layout.html", "templates/message.html"))

	pages = web.MustPages(templatesFS, "templates/style.css")
)

// page is what the layout needs.
type page struct {
	Title string
	CSS   template.CSS
}

// confirmPage is the SHORT confirmation page.
type confirmPage struct {
	page
	Action     string
	Token      string
	CSRF       string
	Groups     []enteGroup
	Total      string
	PayerName  string
	PayerCF    string
	Email      string
	EmailError string
}

// enteGroup is one payment of the cart: one ente and its dovuti.
type enteGroup struct {
	Ente  string
	Items []itemView
}

type itemView struct {
	Causale string
	Importo string
}

// messagePage is every other page: an outcome, a state, an error.
type messagePage struct {
	page
	Heading    string
	State      string
	Paragraphs []string
	Link       string
	LinkText   string
}

// render writes a page (web.Pages sets the protective headers).
func (s *Service) render(c echo.Context, status int, t *template.Template, data any) error {
	return pages.Render(c, status, t, data)
}

func newPage(title string) page { return page{Title: title, CSS: pages.CSS()} }

// message renders a messagePage.
func (s *Service) message(c echo.Context, status int, m messagePage) error {
	if m.Title == "" {
		m.Title = m.Heading
	}
	m.page = newPage(m.Title)
	return s.render(c, status, messageTmpl, &m)
}

// backLink fills the link back to the ente, if the cart has one.
func (m *messagePage) backLink(c *gateway.Cart, esito string) {
	if u := returnURL(c, esito); u != "" {
		m.Link, m.LinkText = u, "Torna al sito dell'ente"
	}
}

// stateLabel names a cart state for the citizen.
func stateLabel(st gateway.CartState) string {
	switch st {
	case gateway.CartPredisposto:
		return "in attesa di conferma"
	case gateway.CartInCorso:
		return "in corso"
	case gateway.CartPagato:
		return "pagato"
	case gateway.CartNonPagato:
		return "non pagato"
	case gateway.CartParzPagato:
		return "pagato in parte"
	case gateway.CartDecorrTerm, gateway.CartDecorrTermParz:
		return "non concluso nei termini"
	case gateway.CartAbort:
		return "annullato"
	case gateway.CartScaduto:
		return "scaduto"
	case gateway.CartNonInviabile:
		return "non avviato"
	}
	return "sconosciuto"
}

// Fixed pages.

func (s *Service) notFound(c echo.Context) error {
	return s.message(c, http.StatusNotFound, messagePage{
		Heading: "Pagamento non trovato",
		Paragraphs: []string{
			"Il collegamento che hai seguito non corrisponde a nessun pagamento. Potrebbe essere incompleto o non più valido.",
			"Torna al sito dell'ente e avvia di nuovo il pagamento.",
		},
	})
}

func (s *Service) badRequest(c echo.Context) error {
	return s.message(c, http.StatusBadRequest, messagePage{
		Heading:    "Richiesta non valida",
		Paragraphs: []string{"La richiesta non contiene i dati attesi. Torna al sito dell'ente e avvia di nuovo il pagamento."},
	})
}

func (s *Service) forbidden(c echo.Context) error {
	m := messagePage{
		Heading: "Richiesta non valida",
		Paragraphs: []string{
			"Non è stato possibile verificare che la richiesta provenga dalla pagina di conferma.",
			"Apri di nuovo il collegamento ricevuto dal sito dell'ente e conferma da lì il pagamento.",
		},
	}
	return s.message(c, http.StatusForbidden, m)
}

// unavailable: something of Ponte's own failed before anything was sent;
// the cart is as it was and the citizen may try again.
func (s *Service) unavailable(c echo.Context) error {
	return s.message(c, http.StatusServiceUnavailable, messagePage{
		Heading: "Servizio momentaneamente non disponibile",
		Paragraphs: []string{
			"Non è stato possibile completare l'operazione. Il pagamento non è stato avviato e non ti è stato addebitato nulla.",
			"Riprova tra qualche minuto ricaricando la pagina.",
		},
	})
}

func (s *Service) expired(c echo.Context, cart *gateway.Cart) error {
	m := messagePage{
		Heading: "Sessione di pagamento scaduta",
		State:   stateLabel(gateway.CartScaduto),
		Paragraphs: []string{
			"Il tempo per confermare questo pagamento è terminato e non ti è stato addebitato nulla.",
			"Torna al sito dell'ente per avviare un nuovo pagamento.",
		},
	}
	m.backLink(cart, "ERROR")
	return s.message(c, http.StatusGone, m)
}
