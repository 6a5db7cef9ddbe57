package sim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// maxAPIBody caps a control API request body.
const maxAPIBody = 64 << 10

// Mount serves NodoPerPa at soapPath (DefaultSOAPPath when empty), wrapped
// by the injected outage and delay, the WISP-like page at WISPPath
// (GET ?idSession=…; its form POSTs idSession, azione=paga|annulla and
// esito=ok|rifiutato to the same path and is redirected, 302, to the
// station's redirect URL) and the JSON control API under APIPrefix:
//
//	GET  /sim/api/stats                    Stats (delivery counters included)
//	GET  /sim/api/sessions/{id}            SessionInfo
//	POST /sim/api/sessions/{id}/pay        {"esito":"OK"|"KO","psp":"…"} → SessionInfo
//	POST /sim/api/sessions/{id}/cancel     → SessionInfo
//	POST /sim/api/sessions/{id}/delivery   {"mode":"…"} → SessionInfo (session still open)
//	POST /sim/api/sessions/{id}/resend     → {"resent":[Receipt…]} (current RTs again)
//	GET  /sim/api/delivery                 GlobalDelivery
//	POST /sim/api/delivery                 {"mode":"…","count":n} → GlobalDelivery
//	GET  /sim/api/faults                   Faults
//	POST /sim/api/faults                   Faults (replaces; {} clears)
//	GET  /sim/api/receipts[?fiscalCode=&noticeNumber=]  [ReceiptV2Info…] (paSendRTV2)
//	GET  /sim/api/receipts/{receiptId}     ReceiptV2Info (deliveries and counters)
//	POST /sim/api/receipts/{receiptId}/resend → ReceiptV2Info (sent again, in background)
//	GET  /sim/api/carts/{id}               CartInfo
//
// The modello unico side: the Checkout carts API at CheckoutCartsPath
// (POST, JSON CartRequest → 302 Location BaseURL/checkout/c/{id}, or
// Problem JSON 400/422/502), the payment page at CheckoutPagePath/{id}
// (GET; POST azione=paga|annulla|errore → 303 to the cart's return URL),
// the PSP desk page at PSPPath (GET, POST form) and its JSON endpoint
// POST PSPPath/pay {"fiscalCode","noticeNumber", PayOptions…} → PSPResult.
//
// Delivery modes (DeliveryMode): normal, never, twice,
// negative-then-positive, wrong, wrong-iuv. A session's own mode wins over
// the global one; a global mode with count n applies to the next n
// sessions completed, then normal returns.
//
// Errors are {"error": "…"} with 400, 404 (unknown session) or 409
// (session already closed, or no RT to resend).
func (n *Node) Mount(e *echo.Echo, soapPath string) {
	if soapPath == "" {
		soapPath = DefaultSOAPPath
	}
	ep := soap.NewEndpoint("NODO-SIM", n.cfg.Server, n.cfg.Recorder, n.cfg.Log)
	n.Register(ep)
	e.POST(soapPath, n.injecting(ep.ServeSOAP))
	n.mountWISP(e)
	n.mountCheckout(e)
	n.mountPSP(e)

	g := e.Group(APIPrefix)
	g.GET("/stats", func(c echo.Context) error { return c.JSON(http.StatusOK, n.Stats()) })
	n.mountOpenSessions(g)
	g.GET("/sessions/:id", func(c echo.Context) error {
		si, ok := n.Session(c.Param("id"))
		if !ok {
			return apiError(c, ErrUnknownSession)
		}
		return c.JSON(http.StatusOK, si)
	})
	g.POST("/sessions/:id/pay", func(c echo.Context) error {
		var req struct {
			Esito string `json:"esito"`
			PSP   string `json:"psp"`
		}
		if err := readJSON(c, &req); err != nil {
			return apiError(c, err)
		}
		o := Outcome{PSP: req.PSP}
		switch strings.ToUpper(req.Esito) {
		case "", "OK":
			o.Code = "0"
		case "KO", "ERROR":
			o.Code = "1"
		default:
			return apiError(c, badRequest("esito deve essere OK o KO"))
		}
		if o.PSP != "" {
			if _, ok := n.reg.psps[o.PSP]; !ok {
				return apiError(c, badRequest("PSP "+o.PSP+" sconosciuto"))
			}
		}
		si, err := n.Pay(c.Param("id"), o)
		if err != nil {
			return apiError(c, err)
		}
		return c.JSON(http.StatusOK, si)
	})
	g.POST("/sessions/:id/cancel", func(c echo.Context) error {
		si, err := n.Cancel(c.Param("id"))
		if err != nil {
			return apiError(c, err)
		}
		return c.JSON(http.StatusOK, si)
	})
	g.POST("/sessions/:id/delivery", func(c echo.Context) error {
		var req struct {
			Mode string `json:"mode"`
		}
		if err := readJSON(c, &req); err != nil {
			return apiError(c, err)
		}
		if err := n.SetSessionDeliveryMode(c.Param("id"), DeliveryMode(req.Mode)); err != nil {
			return apiError(c, err)
		}
		si, _ := n.Session(c.Param("id"))
		return c.JSON(http.StatusOK, si)
	})
	g.POST("/sessions/:id/resend", func(c echo.Context) error {
		rs, err := n.Resend(c.Param("id"))
		if err != nil {
			return apiError(c, err)
		}
		return c.JSON(http.StatusOK, map[string][]Receipt{"resent": rs})
	})
	g.GET("/delivery", func(c echo.Context) error { return c.JSON(http.StatusOK, n.DeliveryMode()) })
	g.POST("/delivery", func(c echo.Context) error {
		var req GlobalDelivery
		if err := readJSON(c, &req); err != nil {
			return apiError(c, err)
		}
		if err := n.SetDeliveryMode(req.Mode, req.Count); err != nil {
			return apiError(c, err)
		}
		return c.JSON(http.StatusOK, n.DeliveryMode())
	})
	g.GET("/faults", func(c echo.Context) error { return c.JSON(http.StatusOK, n.Faults()) })
	g.POST("/faults", func(c echo.Context) error {
		var f Faults
		if err := readJSON(c, &f); err != nil {
			return apiError(c, err)
		}
		if err := checkFaults(f); err != nil {
			return apiError(c, err)
		}
		n.SetFaults(f)
		return c.JSON(http.StatusOK, n.Faults())
	})
}

type badRequest string

func (b badRequest) Error() string { return string(b) }

// readJSON decodes a small JSON body; an empty body leaves v as it is.
func readJSON(c echo.Context, v any) error {
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return badRequest("JSON non valido: " + err.Error())
	}
	return nil
}

func apiError(c echo.Context, err error) error {
	code := http.StatusInternalServerError
	var br badRequest
	switch {
	case errors.As(err, &br):
		code = http.StatusBadRequest
	case errors.Is(err, ErrUnknownSession), errors.Is(err, ErrUnknownRPT), errors.Is(err, ErrUnknownReceipt), errors.Is(err, ErrUnknownCart):
		code = http.StatusNotFound
	case errors.Is(err, ErrSessionClosed), errors.Is(err, ErrNoRT):
		code = http.StatusConflict
	}
	return c.JSON(code, map[string]string{"error": err.Error()})
}
