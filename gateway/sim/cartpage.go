package sim

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// euroIT writes an amount as Checkout shows it: 123456 → "€ 1.234,56".
func euroIT(c gateway.Cents) string {
	neg := c < 0
	if neg {
		c = -c
	}
	ints := strconv.FormatInt(int64(c/100), 10)
	var b strings.Builder
	for i, r := range ints {
		if i > 0 && (len(ints)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	s := "€ " + b.String() + "," + strconv.FormatInt(int64(c%100)/10, 10) + strconv.FormatInt(int64(c%10), 10)
	if neg {
		return "-" + s
	}
	return s
}

type cartRow struct {
	CompanyName, Description, FiscalCode, NoticeNumber, Amount string
}

type cartPage struct {
	ID      string
	Action  string
	Rows    []cartRow
	Total   string
	Closed  bool
	Status  string
	Return  string
	Message string
}

func pageOfCart(ci CartInfo) cartPage {
	p := cartPage{ID: ci.ID, Action: CheckoutPagePath + "/" + ci.ID, Closed: ci.Status != CartOpen, Status: ci.Status, Return: ci.ReturnURL}
	var tot gateway.Cents
	for i, pn := range ci.Request.PaymentNotices {
		amount := pn.Amount
		if i < len(ci.Verified) && ci.Verified[i].Amount > 0 {
			amount = ci.Verified[i].Amount
		}
		tot += amount
		p.Rows = append(p.Rows, cartRow{CompanyName: pn.CompanyName, Description: pn.Description,
			FiscalCode: pn.FiscalCode, NoticeNumber: pn.NoticeNumber, Amount: euroIT(amount)})
	}
	p.Total = euroIT(tot)
	return p
}

var cartTmpl = template.Must(template.New("cart").Parse(`<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pagoPA Checkout — simulatore</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#17324d}
h1{font-size:1.4rem;color:#0066cc}.nota{color:#5c6f82;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border-bottom:1px solid #d9dadb;padding:.4rem;text-align:left;vertical-align:top}
td.importo,th.importo{text-align:right;white-space:nowrap}
button{font-size:1rem;padding:.6rem 1.4rem;margin-right:.6rem;border-radius:4px;border:1px solid #0066cc;cursor:pointer;background:#fff;color:#0066cc}
button.paga{background:#0066cc;color:#fff}button.errore{border-color:#d9364f;color:#d9364f}
</style></head><body>
<h1>pagoPA Checkout — simulatore</h1>
<p class="nota">Ambiente di prova: nessun pagamento reale viene eseguito.</p>
{{if .Message}}<p><strong>{{.Message}}</strong></p>{{end}}
{{if .Rows}}<table>
<tr><th>Ente e causale</th><th>Avviso</th><th class="importo">Importo</th></tr>
{{range .Rows}}<tr><td>{{.CompanyName}}<br><span class="nota">{{.Description}}</span></td><td><span class="nota">{{.FiscalCode}}<br>{{.NoticeNumber}}</span></td><td class="importo">{{.Amount}}</td></tr>
{{end}}<tr><th colspan="2">Totale</th><th class="importo" id="totale">{{.Total}}</th></tr>
</table>{{end}}
{{if .Closed}}<p>Questo carrello è già concluso ({{.Status}}).</p>
{{if .Return}}<p><a href="{{.Return}}">Torna al sito dell'ente</a></p>{{end}}
{{else if .ID}}<form method="post" action="{{.Action}}">
<button class="paga" type="submit" name="azione" value="paga">Paga</button>
<button type="submit" name="azione" value="annulla">Annulla</button>
<button class="errore" type="submit" name="azione" value="errore">Errore</button>
</form>{{end}}
</body></html>
`))

func (n *Node) renderCart(c echo.Context, code int, p cartPage) error {
	var b strings.Builder
	if err := cartTmpl.Execute(&b, p); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(code, b.String())
}
