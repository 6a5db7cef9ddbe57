package soap

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Handler serves one operation. It calls req.DecodeBody and returns the
// response body with its element name. Business errors belong in the
// response type; a returned *Fault is sent as it is, any other error as a
// generic soapenv:Server fault (and logged).
type Handler func(ctx context.Context, req *Request) (resp any, respName xml.Name, err error)

// Recorder receives one event per exchange once the answer is written.
// journal.Writer satisfies it.
type Recorder interface {
	Record(*gateway.Event)
}

// Endpoint dispatches SOAP 1.1 POSTs on the QName of the body's first child.
type Endpoint struct {
	// Prefix binds the response element's namespace (default "ns2", as
	// JAXB writes it).
	Prefix string

	component string
	cfg       ServerConfig
	rec       Recorder
	log       *slog.Logger
	ops       map[xml.Name]Handler
}

// NewEndpoint builds an endpoint; component names it in the journal
// (e.g. "SIL"); rec may be nil to journal nothing.
func NewEndpoint(component string, cfg ServerConfig, rec Recorder, log *slog.Logger) *Endpoint {
	return &Endpoint{
		Prefix:    "ns2",
		component: component,
		cfg:       cfg.withDefaults(),
		rec:       rec,
		log:       log,
		ops:       map[xml.Name]Handler{},
	}
}

// Register routes op to h. Call it before serving.
func (ep *Endpoint) Register(op xml.Name, h Handler) { ep.ops[op] = h }

type eventKey struct{}

// EventFrom returns the journal event of the exchange for handlers to fill
// (CodIpa, IUV, IUD, IDSession, CCP, Esito, FaultCode). Never nil: outside
// an endpoint it is a throwaway.
func EventFrom(ctx context.Context) *gateway.Event {
	if ev, ok := ctx.Value(eventKey{}).(*gateway.Event); ok {
		return ev
	}
	return &gateway.Event{}
}

// ServeSOAP is the echo handler; it always answers itself and returns nil.
func (ep *Endpoint) ServeSOAP(c echo.Context) error {
	ep.serve(c.Response(), c.Request(), c.RealIP())
	return nil
}

// ServeHTTP lets the endpoint run without echo.
func (ep *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ep.serve(w, r, host)
}

func (ep *Endpoint) serve(w http.ResponseWriter, r *http.Request, remote string) {
	began := time.Now()
	ev := &gateway.Event{Time: began, Direction: gateway.Inbound, Component: ep.component, Remote: remote}
	var reqBody *capture
	if ep.rec != nil {
		reqBody = &capture{cap: ep.cfg.JournalBodyCap}
	}
	out := getBuf()
	defer putBuf(out)

	status := ep.exchange(r, w, ev, reqBody, out)

	if status == http.StatusInternalServerError {
		if ev.Esito == "" {
			ev.Esito = "KO"
		}
	}
	if err := send(w, status, out.Bytes()); err != nil {
		ep.log.Debug("soap: writing answer", "op", ev.Operation, "err", err)
	}
	if ep.rec != nil {
		ev.DurationMS = time.Since(began).Milliseconds()
		ev.Request = reqBody.String()
		ev.Response = capString(out.Bytes(), ep.cfg.JournalBodyCap)
		ep.rec.Record(ev)
	}
}

// exchange decodes, dispatches and leaves the answer in out; it returns
// the HTTP status. Faults are written here, so the caller sends one thing.
func (ep *Endpoint) exchange(r *http.Request, w http.ResponseWriter, ev *gateway.Event, reqBody *capture, out *bytes.Buffer) (status int) {
	fault := func(f *Fault) int {
		if f.Code != FaultServer {
			ep.log.Info("soap: client fault", "op", ev.Operation, "remote", ev.Remote, "fault", f.String)
		}
		out.Reset()
		MarshalFault(out, *f)
		if ev.FaultCode == "" {
			ev.FaultCode = f.Code
		}
		return http.StatusInternalServerError
	}
	if r.Method != http.MethodPost {
		return fault(clientFault(fmt.Sprintf("metodo HTTP %s non ammesso: usare POST", r.Method), nil))
	}
	if f := checkContentType(r.Header.Get("Content-Type")); f != nil {
		return fault(f)
	}
	if r.ContentLength > ep.cfg.MaxBodyBytes {
		return fault(clientFault(MsgTooLarge, nil))
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, ep.cfg.MaxBodyBytes)
	if reqBody != nil {
		body = io.TeeReader(body, reqBody)
	}
	req, err := Decode(body, ep.cfg.Limits)
	if err != nil {
		return fault(ep.toFault(err, ev))
	}
	ev.Operation = req.Operation.Local
	h, ok := ep.ops[req.Operation]
	if !ok {
		return fault(clientFault(fmt.Sprintf("operazione sconosciuta {%s}%s", req.Operation.Space, req.Operation.Local), nil))
	}

	ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), eventKey{}, ev), ep.cfg.RequestTimeout)
	defer cancel()
	resp, name, err := ep.call(ctx, h, req)
	if err == nil {
		// The handler may have ignored the body: it must still be whole.
		err = req.finish()
	}
	if err != nil {
		return fault(ep.toFault(err, ev))
	}
	if resp == nil {
		return fault(ep.toFault(fmt.Errorf("soap: handler for %s returned no response", ev.Operation), ev))
	}
	if err := MarshalResponse(out, resp, name, ep.Prefix); err != nil {
		return fault(ep.toFault(err, ev))
	}
	return http.StatusOK
}

// call runs h, turning a panic into an error.
func (ep *Endpoint) call(ctx context.Context, h Handler, req *Request) (resp any, name xml.Name, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			ep.log.Error("soap: panic in handler", "op", req.Operation.Local, "panic", p, "stack", string(debug.Stack()))
			resp, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, req)
}

// toFault keeps *Fault errors and hides everything else behind a generic
// server fault, logged with the cause.
func (ep *Endpoint) toFault(err error, ev *gateway.Event) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		if f.Code == FaultServer {
			ep.log.Error("soap: server fault", "op", ev.Operation, "err", err)
		}
		return f
	}
	ep.log.Error("soap: handler error", "op", ev.Operation, "err", err)
	return &Fault{Code: FaultServer, String: MsgInternal}
}

// checkContentType accepts SOAP 1.1 media types with any parameters.
func checkContentType(ct string) *Fault {
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case ct == "":
		return clientFault("Content-Type mancante: usare text/xml", nil)
	case err != nil:
		return clientFault(fmt.Sprintf("Content-Type non valido: %q", ct), nil)
	case mt == "text/xml" || mt == "application/xml":
		return nil
	case mt == "application/soap+xml":
		return &Fault{Code: FaultVersionMismatch, String: "SOAP 1.2 non supportato: usare SOAP 1.1 (text/xml)"}
	}
	return clientFault(fmt.Sprintf("Content-Type %q non ammesso: usare text/xml", mt), nil)
}

// cutMarker ends a body cut for the journal (same text as the journal's).
const cutMarker = "…[troncato]"

// capture keeps the first cap bytes written to it and counts the rest.
type capture struct {
	buf   bytes.Buffer
	cap   int
	total int64
}

func (c *capture) Write(p []byte) (int, error) {
	c.total += int64(len(p))
	if room := c.cap - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (c *capture) String() string {
	if c == nil {
		return ""
	}
	if c.total > int64(c.buf.Len()) {
		return c.buf.String() + cutMarker
	}
	return c.buf.String()
}

func capString(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + cutMarker
	}
	return string(b)
}
