package sim

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// PSPPath is the PSP desk page; PSPPath + "/pay" its JSON endpoint.
const PSPPath = "/sim/psp"

// PayOptions tune a payment at the PSP desk.
type PayOptions struct {
	// Amount is what the payer pays (0: the amount of the verify).
	Amount gateway.Cents `json:"amountCents,omitempty"`
	// Fee is the PSP's commission written in the receipt.
	Fee gateway.Cents `json:"feeCents,omitempty"`
	// Sync delivers the receipt before PayNotice returns (retries
	// included), so that the result carries the delivery outcome.
	Sync bool `json:"sync,omitempty"`
	// Mode is the receipt's delivery (twice: duplicated, never); "" takes
	// the injected receipts fault or normal.
	Mode ReceiptMode `json:"mode,omitempty"`
	// PaymentNote goes to paGetPaymentV2 and to the receipt.
	PaymentNote string `json:"paymentNote,omitempty"`
	// PaymentMethod in the receipt (default "cash").
	PaymentMethod string `json:"paymentMethod,omitempty"`
	// RPTTimeout bounds the wait for a legacy station's nodoInviaRPT after
	// paaAttivaRPT (default DefaultRPTTimeout; nanoseconds in JSON).
	RPTTimeout time.Duration `json:"rptTimeout,omitempty"`
}

// PSP desk outcomes.
const (
	PSPPaid         = "PAID"
	PSPVerifyKO     = "VERIFY_KO"
	PSPActivationKO = "ACTIVATION_KO"
)

// PSPResult is what the PSP desk got for a notice.
type PSPResult struct {
	FiscalCode   string            `json:"fiscalCode"`
	NoticeNumber string            `json:"noticeNumber"`
	Outcome      string            `json:"outcome"` // PAID, VERIFY_KO, ACTIVATION_KO, RPT_NOT_RECEIVED
	Verify       VerifyAnswer      `json:"verify"`
	Activation   *ActivationAnswer `json:"activation,omitempty"`
	ReceiptID    string            `json:"receiptId,omitempty"`
	// Receipt is the receipt and its delivery: final with Sync, as far as
	// it went otherwise.
	Receipt *ReceiptV2Info `json:"receipt,omitempty"`

	// Legacy marks a notice of a station off the modello unico, paid with
	// paaVerificaRPT, paaAttivaRPT and the station's RPT (psp_legacy.go):
	// IUV and the CCP the desk generated, the RPT's session, its RT.
	Legacy  bool      `json:"legacy,omitempty"`
	IUV     string    `json:"iuv,omitempty"`
	CCP     string    `json:"ccp,omitempty"`
	Session string    `json:"idSession,omitempty"`
	RT      *LegacyRT `json:"rt,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// PayNotice pays a modello unico notice as a PSP does at its desk:
// paVerifyPaymentNotice, paGetPaymentV2 with the verified amount, then the
// receipt (paSendRTV2 to the notice's station and the broadcast ones).
// A dominio off the modello unico is paid with the legacy modello 3
// instead (payLegacy). The station's refusals come back in the result,
// not as errors; the error is for bad input only.
func (n *Node) PayNotice(ctx context.Context, fiscalCode, noticeNumber string, opts PayOptions) (*PSPResult, error) {
	if err := checkNotice(fiscalCode, noticeNumber); err != nil {
		return nil, err
	}
	mode, err := ParseReceiptMode(string(opts.Mode))
	if err != nil {
		return nil, err
	}
	if opts.Amount < 0 || opts.Fee < 0 {
		return nil, badRequest("importi negativi")
	}
	res := &PSPResult{FiscalCode: fiscalCode, NoticeNumber: noticeNumber}
	if st, ok := n.legacyStation(fiscalCode, noticeNumber); ok {
		return n.payLegacy(ctx, st, res, opts), nil
	}
	res.Verify = n.verify(ctx, fiscalCode, noticeNumber)
	if !res.Verify.OK() {
		res.Outcome = PSPVerifyKO
		return res, nil
	}
	amount := opts.Amount
	if amount == 0 {
		amount = res.Verify.Amount
	}
	act := n.activate(ctx, fiscalCode, noticeNumber, amount, opts.PaymentNote)
	res.Activation = &act
	if !act.OK() {
		res.Outcome = PSPActivationKO
		return res, nil
	}
	fmode, delay := n.receiptFault()
	if opts.Mode == "" && fmode != "" {
		mode = fmode
	}
	method := opts.PaymentMethod
	if method == "" {
		method = "cash"
	}
	info := n.issueReceipt(ctx, payment{origin: "psp", cf: fiscalCode, notice: noticeNumber, act: act,
		note: opts.PaymentNote, method: clip(method, 35), fee: opts.Fee, mode: mode, delay: delay, sync: opts.Sync})
	n.mu.Lock()
	n.stats.PaForNode.PSPPayments++
	n.mu.Unlock()
	res.Outcome, res.ReceiptID, res.Receipt = PSPPaid, info.ReceiptID, &info
	return res, nil
}

// pspPayRequest is the body of POST /sim/psp/pay.
type pspPayRequest struct {
	FiscalCode   string `json:"fiscalCode"`
	NoticeNumber string `json:"noticeNumber"`
	PayOptions
}

// mountPSP serves the PSP desk and the receipts control API.
func (n *Node) mountPSP(e *echo.Echo) {
	e.POST(PSPPath+"/pay", func(c echo.Context) error {
		var req pspPayRequest
		if err := readJSON(c, &req); err != nil {
			return apiError(c, err)
		}
		res, err := n.PayNotice(c.Request().Context(), req.FiscalCode, req.NoticeNumber, req.PayOptions)
		if err != nil {
			return apiError(c, err)
		}
		return c.JSON(http.StatusOK, res)
	})
	e.GET(PSPPath, func(c echo.Context) error { return n.renderPSP(c, http.StatusOK, pspPage{}) })
	e.POST(PSPPath, func(c echo.Context) error {
		p := pspPage{FiscalCode: strings.TrimSpace(c.FormValue("fiscalCode")), NoticeNumber: strings.TrimSpace(c.FormValue("noticeNumber"))}
		opts := PayOptions{Mode: ReceiptMode(c.FormValue("mode"))}
		if v := strings.TrimSpace(c.FormValue("amount")); v != "" {
			a, err := gateway.ParseAmount(strings.Replace(v, ",", ".", 1))
			if err != nil {
				p.Error = "Importo non valido (es. 12,50)."
				return n.renderPSP(c, http.StatusBadRequest, p)
			}
			opts.Amount = a
		}
		res, err := n.PayNotice(c.Request().Context(), p.FiscalCode, p.NoticeNumber, opts)
		if err != nil {
			p.Error = err.Error()
			return n.renderPSP(c, http.StatusBadRequest, p)
		}
		p.Result = res
		return n.renderPSP(c, http.StatusOK, p)
	})

	g := e.Group(APIPrefix)
	g.GET("/receipts", func(c echo.Context) error {
		return c.JSON(http.StatusOK, n.ReceiptsV2(c.QueryParam("fiscalCode"), c.QueryParam("noticeNumber")))
	})
	g.GET("/receipts/:id", func(c echo.Context) error {
		r, ok := n.ReceiptV2(c.Param("id"))
		if !ok {
			return apiError(c, ErrUnknownReceipt)
		}
		return c.JSON(http.StatusOK, r)
	})
	g.POST("/receipts/:id/resend", func(c echo.Context) error {
		r, err := n.ResendReceipt(c.Param("id"))
		if err != nil {
			return apiError(c, err)
		}
		return c.JSON(http.StatusOK, r)
	})
	g.GET("/carts/:id", func(c echo.Context) error {
		ci, ok := n.Cart(c.Param("id"))
		if !ok {
			return apiError(c, ErrUnknownCart)
		}
		return c.JSON(http.StatusOK, ci)
	})
}

type pspPage struct {
	FiscalCode, NoticeNumber string
	Error                    string
	Result                   *PSPResult
}

var pspTmpl = template.Must(template.New("psp").Funcs(template.FuncMap{
	"euro": euroIT,
	"date": func(t time.Time) string { return t.Format("02/01/2006 15:04:05") },
}).Parse(`<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sportello PSP — simulatore pagoPA</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#17324d}
h1{font-size:1.4rem;color:#0066cc}.nota{color:#5c6f82;font-size:.9rem}
label{display:block;margin:.6rem 0}input{font-size:1rem;padding:.3rem;width:16rem}
button{font-size:1rem;padding:.6rem 1.4rem;border-radius:4px;border:1px solid #0066cc;background:#0066cc;color:#fff;cursor:pointer}
.ko{color:#d9364f}.ok{color:#008758}
</style></head><body>
<h1>Sportello PSP — simulatore pagoPA</h1>
<p class="nota">Paga un avviso: modello unico (verifica, attivazione, ricevuta paSendRTV2) o, per gli enti non aderenti, modello 3 (paaVerificaRPT, paaAttivaRPT, RPT dell'ente e RT con paaInviaRT).</p>
{{if .Error}}<p class="ko"><strong>{{.Error}}</strong></p>{{end}}
{{with .Result}}<div id="esito">
{{if eq .Outcome "PAID"}}<p class="ok"><strong>Pagato</strong>: {{.Verify.CompanyName}} — {{.Verify.PaymentDescription}}, {{euro .Activation.Amount}}.</p>
{{if .Legacy}}<p>Modello 3: IUV <code>{{.IUV}}</code>, CCP <code>{{.CCP}}</code>{{with .RT}}<br><span class="nota">RT: {{.State}}</span>{{end}}</p>
{{else}}<p>Ricevuta <code>{{.ReceiptID}}</code>{{with .Receipt}}{{range .Deliveries}}<br><span class="nota">{{.IDPA}} ({{.Station}}): {{.State}}</span>{{end}}{{end}}</p>{{end}}
{{else if eq .Outcome "RPT_NOT_RECEIVED"}}<p class="ko"><strong>RPT non ricevuta</strong>: {{.Detail}}</p>
{{else if eq .Outcome "VERIFY_KO"}}<p class="ko"><strong>Verifica rifiutata</strong>: {{.Verify.FaultCode}} {{.Verify.Description}}</p>
{{else}}<p class="ko"><strong>Attivazione rifiutata</strong>: {{.Activation.FaultCode}} {{.Activation.Description}}</p>{{end}}
</div>{{end}}
<form method="post" action="` + PSPPath + `">
<label>Codice fiscale ente <input name="fiscalCode" value="{{.FiscalCode}}" pattern="[0-9]{11}" required></label>
<label>Numero avviso <input name="noticeNumber" value="{{.NoticeNumber}}" pattern="[0-9]{18}" required></label>
<label>Importo (facoltativo) <input name="amount" placeholder="dalla verifica"></label>
<button type="submit">Verifica e paga</button>
</form>
</body></html>
`))

func (n *Node) renderPSP(c echo.Context, code int, p pspPage) error {
	var b strings.Builder
	if err := pspTmpl.Execute(&b, p); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTML(code, b.String())
}
