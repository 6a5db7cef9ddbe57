package demo

import (
	"embed"
	"html/template"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway/web"
)

//go:embed templates
var templatesFS embed.FS

var (
	formTmpl  = template.Must(template.ParseFS(templatesFS, "templates/layout.html", "templates/form.html"))
	esitoTmpl = template.Must(template.ParseFS(templatesFS, "templates/layout.html", "templates/esito.html"))

	pages = web.MustPages(templatesFS, "templates/style.css")
)

type page struct {
	Title string
	Ente  string
	CSS   template.CSS
}

func (p *portal) newPage(title string) page {
	return page{Title: title, Ente: p.cfg.Name, CSS: pages.CSS()}
}

// formPage is the "Paga un dovuto" form.
type formPage struct {
	page
	Action   string
	Tipi     []tipoDovuto
	V        formValues
	E        map[string]string
	Problems []problem
	Fault    *faultView
}

// problem is one line of the error summary, linking to its field.
type problem struct{ ID, Text string }

// faultView is why the SIL did not start the payment.
type faultView struct {
	Message string
	Code    string
	Detail  string
}

// esitoPage is the outcome of a payment.
type esitoPage struct {
	page
	Heading    string
	Stato      string // PAGATO, NON PAGATO, IN CORSO…; "" when unknown
	Class      string // ok, ko, attesa
	Paragraphs []string
	Details    []detail
	Refresh    string // link to ask again, while in progress
	Again      string // link to the form
}

type detail struct{ ID, Label, Value string }

// fieldOrder is the order of the error summary: the form's.
var fieldOrder = []string{"tipo", "causale", "importo", "nome", "cf", "email"}

func (p *portal) renderForm(c echo.Context, status int, v formValues, errs map[string]string, f *faultView) error {
	fp := &formPage{page: p.newPage("Paga un dovuto"), Action: p.cfg.Path + "/paga", Tipi: tipi, V: v, E: errs, Fault: f}
	for _, id := range fieldOrder {
		if msg, ok := errs[id]; ok {
			fp.Problems = append(fp.Problems, problem{ID: id, Text: msg})
		}
	}
	if len(errs) > 0 || f != nil {
		fp.Title = "Errore – Paga un dovuto"
	}
	return p.render(c, status, formTmpl, fp)
}

func (p *portal) renderEsito(c echo.Context, status int, e *esitoPage) error {
	e.page = p.newPage(e.Heading)
	e.Again = p.cfg.Path + "/"
	return p.render(c, status, esitoTmpl, e)
}

// render writes a page (web.Pages sets the protective headers).
func (p *portal) render(c echo.Context, status int, t *template.Template, data any) error {
	return pages.Render(c, status, t, data)
}
