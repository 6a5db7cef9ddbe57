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
// by the injected outage and delay, and the JSON control API under
// APIPrefix:
//
//	GET  /sim/api/stats                    Stats
//	GET  /sim/api/sessions/{id}            SessionInfo
//	POST /sim/api/sessions/{id}/pay        {"esito":"OK"|"KO","psp":"…"} → SessionInfo
//	POST /sim/api/sessions/{id}/cancel     → SessionInfo
//	GET  /sim/api/faults                   Faults
//	POST /sim/api/faults                   Faults (replaces; {} clears)
//
// Errors are {"error": "…"} with 400, 404 (unknown session) or 409
// (session already closed).
func (n *Node) Mount(e *echo.Echo, soapPath string) {
	if soapPath == "" {
		soapPath = DefaultSOAPPath
	}
	ep := soap.NewEndpoint("NODO-SIM", n.cfg.Server, n.cfg.Recorder, n.cfg.Log)
	n.Register(ep)
	e.POST(soapPath, n.injecting(ep.ServeSOAP))

	g := e.Group(APIPrefix)
	g.GET("/stats", func(c echo.Context) error { return c.JSON(http.StatusOK, n.Stats()) })
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
	g.GET("/faults", func(c echo.Context) error { return c.JSON(http.StatusOK, n.Faults()) })
	g.POST("/faults", func(c echo.Context) error {
		var f Faults
		if err := readJSON(c, &f); err != nil {
			return apiError(c, err)
		}
		if f.DelayMS < 0 || f.DelayMS > int(maxDelay.Milliseconds()) {
			return apiError(c, badRequest("delayMs fuori intervallo"))
		}
		if f.Next != nil && !strings.HasPrefix(f.Next.Code, "PPT_") {
			return apiError(c, badRequest("next.faultCode deve essere un codice PPT_*"))
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
	case errors.Is(err, ErrUnknownSession), errors.Is(err, ErrUnknownRPT):
		code = http.StatusNotFound
	case errors.Is(err, ErrSessionClosed):
		code = http.StatusConflict
	}
	return c.JSON(code, map[string]string{"error": err.Error()})
}
