package demo

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

//go:embed templates
var templatesFS embed.FS

var (
	formTmpl  = template.Must(template.ParseFS(templatesFS, "templates/layout.html", "templates/form.html"))
	esitoTmpl = template.Must(template.ParseFS(templatesFS, "templates/layout.html", "templates/esito.html"))

	styleCSS = func() string {
		b, err := templatesFS.ReadFile("templates/style.css")
		if err != nil {
			panic(err)
		}
		return strings.TrimSpace(string(b))
	}()
	// No script, nothing loaded: only the inline style, by hash. No
	// form-action: the form's answer redirects to the payment pages,
	// which may be on another host.
	contentSecurityPolicy = func() string {
		h := sha256.Sum256([]byte(styleCSS))
		return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) +
			"'; base-uri 'none'; frame-ancestors 'none'"
	}()
)

type page struct {
	Title string
	CSS   template.CSS
}

func newPage(title string) page { return page{Title: title, CSS: template.CSS(styleCSS)} }

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
	fp := &formPage{page: newPage("Paga un dovuto"), Action: BasePath + "/paga", Tipi: tipi, V: v, E: errs, Fault: f}
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
	e.page = newPage(e.Heading)
	e.Again = BasePath + "/"
	return p.render(c, status, esitoTmpl, e)
}

// render writes a page with the same protections as Ponte's own pages.
func (p *portal) render(c echo.Context, status int, t *template.Template, data any) error {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		p.log.Error("demo: page template", "err", err)
		return c.String(http.StatusInternalServerError, "Errore interno")
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	return c.HTMLBlob(status, b.Bytes())
}
