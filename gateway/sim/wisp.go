package sim

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// Form values of the WISP page.
const (
	AzionePaga    = "paga"
	AzioneAnnulla = "annulla"
	// EsitoRifiutato, in the field esito, makes "Paga" fail at the PSP
	// (negative RT, esito ERROR) instead of paying.
	EsitoRifiutato = "rifiutato"
)

// wispRPT is one RPT as the page shows it.
type wispRPT struct {
	Ente    string
	Dominio string
	IUV     string
	Importo string
	Causali []string
}

type wispPage struct {
	ID       string
	Action   string
	Status   string
	Closed   bool
	Return   string
	RPTs     []wispRPT
	Totale   string
	Pagatore string
	Message  string
}

// euro writes an amount the Italian way: 1050 → "10,50 €".
func euro(c gateway.Cents) string { return strings.Replace(c.String(), ".", ",", 1) + " €" }

// pageFor reads a session's RPTs for the page.
func (n *Node) pageFor(si SessionInfo) wispPage {
	p := wispPage{ID: si.ID, Action: WISPPath, Status: si.Status, Closed: si.Status != SessionOpen, Return: si.ReturnURL}
	var tot gateway.Cents
	for _, ri := range si.RPTs {
		w := wispRPT{Dominio: ri.Dominio, IUV: ri.IUV, Importo: euro(ri.Importo), Ente: n.reg.domini[ri.Dominio].Name}
		tot += ri.Importo
		if req, err := rpt.ParseRPT(ri.RPT); err == nil {
			if w.Ente == "" {
				w.Ente = req.EnteBeneficiario.Denominazione
			}
			if p.Pagatore == "" {
				p.Pagatore = req.Pagatore.Anagrafica + " (" + req.Pagatore.Codice + ")"
			}
			for _, it := range req.Items {
				w.Causali = append(w.Causali, it.Causale+" — "+euro(it.Amount))
			}
		}
		if w.Ente == "" {
			w.Ente = ri.Dominio
		}
		p.RPTs = append(p.RPTs, w)
	}
	p.Totale = euro(tot)
	return p
}

var wispTmpl = template.Must(template.New("wisp").Parse(`<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pagoPA — simulatore</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#17324d}
h1{font-size:1.4rem;color:#0066cc}.nota{color:#5c6f82;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border-bottom:1px solid #d9dadb;padding:.4rem;text-align:left;vertical-align:top}
td.importo,th.importo{text-align:right;white-space:nowrap}
button{font-size:1rem;padding:.6rem 1.4rem;margin-right:.6rem;border-radius:4px;border:1px solid #0066cc;cursor:pointer}
button.paga{background:#0066cc;color:#fff}button.annulla{background:#fff;color:#0066cc}
fieldset{border:1px dashed #a5b2c0;margin:1rem 0}
</style></head><body>
<h1>pagoPA — simulatore</h1>
<p class="nota">Ambiente di prova: nessun pagamento reale viene eseguito.</p>
{{if .Message}}<p><strong>{{.Message}}</strong></p>{{end}}
{{if .RPTs}}<table>
<tr><th>Ente</th><th>IUV</th><th class="importo">Importo</th></tr>
{{range .RPTs}}<tr><td>{{.Ente}}<br><span class="nota">{{.Dominio}}</span>{{range .Causali}}<br><span class="nota">{{.}}</span>{{end}}</td><td>{{.IUV}}</td><td class="importo">{{.Importo}}</td></tr>
{{end}}<tr><th colspan="2">Totale</th><th class="importo" id="totale">{{.Totale}}</th></tr>
</table>{{end}}
{{if .Pagatore}}<p>Pagatore: <strong>{{.Pagatore}}</strong></p>{{end}}
{{if .Closed}}<p>Questa sessione di pagamento è già conclusa ({{.Status}}).</p>
{{if .Return}}<p><a href="{{.Return}}">Torna al sito dell'ente</a></p>{{end}}
{{else if .ID}}<form method="post" action="{{.Action}}">
<input type="hidden" name="idSession" value="{{.ID}}">
<fieldset><legend class="nota">Esito simulato (per i test)</legend>
<label><input type="radio" name="esito" value="ok" checked> pagamento eseguito</label><br>
<label><input type="radio" name="esito" value="rifiutato"> pagamento rifiutato</label>
</fieldset>
<button class="paga" type="submit" name="azione" value="paga">Paga</button>
<button class="annulla" type="submit" name="azione" value="annulla">Annulla</button>
</form>{{end}}
</body></html>
`))

// mountWISP serves the payment page and its form.
func (n *Node) mountWISP(e *echo.Echo) {
	e.GET(WISPPath, func(c echo.Context) error {
		si, ok := n.Session(c.QueryParam("idSession"))
		if !ok {
			return n.wispError(c, http.StatusNotFound, "Sessione di pagamento sconosciuta o scaduta.")
		}
		return n.renderWISP(c, http.StatusOK, n.pageFor(si))
	})
	e.POST(WISPPath, func(c echo.Context) error {
		id := c.FormValue("idSession")
		var (
			si  SessionInfo
			err error
		)
		switch c.FormValue("azione") {
		case AzionePaga:
			o := Outcome{Code: "0"}
			if c.FormValue("esito") == EsitoRifiutato {
				o.Code, o.Reason = "1", "Pagamento rifiutato dal PSP"
			}
			si, err = n.Pay(id, o)
		case AzioneAnnulla:
			si, err = n.Cancel(id)
		default:
			return n.wispError(c, http.StatusBadRequest, "Azione non valida: scegliere Paga o Annulla.")
		}
		switch {
		case errors.Is(err, ErrUnknownSession):
			return n.wispError(c, http.StatusNotFound, "Sessione di pagamento sconosciuta o scaduta.")
		case errors.Is(err, ErrSessionClosed):
			// A second submit: send the person where the first one went.
			si, _ = n.Session(id)
		case err != nil:
			n.cfg.Log.Error("sim: completing session", "idSession", id, "err", err)
			return n.wispError(c, http.StatusInternalServerError, "Errore del simulatore: riprovare.")
		}
		if si.ReturnURL != "" {
			return c.Redirect(http.StatusFound, si.ReturnURL)
		}
		p := n.pageFor(si)
		p.Message = "Operazione conclusa: la stazione non ha un URL di ritorno."
		return n.renderWISP(c, http.StatusOK, p)
	})
}

func (n *Node) renderWISP(c echo.Context, code int, p wispPage) error {
	var b strings.Builder
	if err := wispTmpl.Execute(&b, p); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(code, b.String())
}

func (n *Node) wispError(c echo.Context, code int, msg string) error {
	return n.renderWISP(c, code, wispPage{Message: msg})
}
