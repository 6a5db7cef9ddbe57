package node

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

// nsPPT is the namespace of NodoPerPa's body elements.
const nsPPT = "http://ws.pagamenti.telematici.gov/"

// call is one exchange in flight.
type call struct {
	op      string
	timeout time.Duration
	header  any // generated header type, or nil
	body    any // generated request type
	info    CallInfo
}

// do sends c and decodes the answer into resp (a pointer to the generated
// response type) with check turning it into the caller's error, if any: a
// *NodeFault for a KO. It journals the exchange. The returned error is nil,
// a *NodeFault or a *TransportError.
func (cl *Client) do(ctx context.Context, c call, resp any, check func(status int) error) error {
	began := time.Now()
	var reqBody, respBody []byte
	status := 0
	err := cl.exchange(ctx, c, resp, check, &reqBody, &respBody, &status)
	cl.journal(c, began, reqBody, respBody, err)
	if err != nil {
		cl.log.Debug("nodo: chiamata fallita", "op", c.op, "host", cl.host, "status", status, "err", err)
	}
	return err
}

func (cl *Client) exchange(ctx context.Context, c call, resp any, check func(int) error, reqBody, respBody *[]byte, status *int) error {
	var buf bytes.Buffer
	if err := writeEnvelope(&buf, c.header, c.body); err != nil {
		return &TransportError{Op: c.op, URL: cl.cfg.URL, Err: fmt.Errorf("%w: %v", ErrInvalidRequest, err)}
	}
	*reqBody = buf.Bytes()

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var sent atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) { sent.Store(i.Err == nil) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cl.cfg.URL, bytes.NewReader(*reqBody))
	if err != nil {
		return &TransportError{Op: c.op, URL: cl.cfg.URL, Err: err}
	}
	h := req.Header
	h.Set("Content-Type", soap.ContentType)
	// Unquoted, as the node's own test suite sends it.
	h.Set("SOAPAction", c.op)
	h.Set("User-Agent", cl.cfg.UserAgent)
	if cl.cfg.SubscriptionKey != "" {
		h.Set("Ocp-Apim-Subscription-Key", cl.cfg.SubscriptionKey)
	}

	res, err := cl.hc.Do(req)
	if err != nil {
		if ce := ctx.Err(); ce != nil && !errors.Is(err, ce) {
			err = fmt.Errorf("%w: %v", ce, err)
		}
		return &TransportError{Op: c.op, URL: cl.cfg.URL, Sent: sent.Load(), Err: err}
	}
	defer res.Body.Close()
	*status = res.StatusCode
	terr := func(e error) *TransportError {
		return &TransportError{Op: c.op, URL: cl.cfg.URL, StatusCode: res.StatusCode, Sent: true, Err: e}
	}

	max := cl.cfg.MaxResponseBytes
	if res.ContentLength > max {
		return terr(fmt.Errorf("%w: Content-Length %d oltre %d byte", ErrTooLarge, res.ContentLength, max))
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	*respBody = body
	if err != nil {
		if ce := ctx.Err(); ce != nil && !errors.Is(err, ce) {
			err = fmt.Errorf("%w: %v", ce, err)
		}
		return terr(fmt.Errorf("lettura della risposta: %w", err))
	}
	if int64(len(body)) > max {
		*respBody = body[:max]
		return terr(fmt.Errorf("%w: oltre %d byte", ErrTooLarge, max))
	}

	err = decodeResponse(body, xml.Name{Space: nsPPT, Local: c.op + "Risposta"}, resp, max)
	var nf *NodeFault
	switch {
	case errors.As(err, &nf):
		nf.Op, nf.HTTPStatus = c.op, res.StatusCode
		return nf
	case err != nil:
		te := terr(err)
		if res.StatusCode != http.StatusOK {
			// A proxy's error page: say what it was, not how it failed to parse.
			te.Err = fmt.Errorf("%w: stato HTTP %s", ErrMalformed, res.Status)
		}
		te.Snippet = snippet(body)
		return te
	}
	if err := check(res.StatusCode); err != nil {
		if errors.As(err, &nf) {
			nf.Op, nf.HTTPStatus = c.op, res.StatusCode
			return nf
		}
		return terr(err)
	}
	if res.StatusCode != http.StatusOK {
		return terr(fmt.Errorf("%w: esito positivo con stato HTTP %s", ErrMalformed, res.Status))
	}
	return nil
}

// decodeResponse reads a SOAP 1.1 envelope whose body is either want
// (decoded into v) or a SOAP Fault (returned as *NodeFault). Anything else
// is an error wrapping ErrMalformed. It never reads more than limit bytes.
func decodeResponse(body []byte, want xml.Name, v any, limit int64) error {
	req, err := soap.Decode(bytes.NewReader(body), soap.Limits{MaxBytes: limit})
	if err != nil {
		return fmt.Errorf("%w: %s", ErrMalformed, faultText(err))
	}
	switch req.Operation {
	case want:
		if err := req.DecodeBody(v); err != nil {
			return fmt.Errorf("%w: %s", ErrMalformed, faultText(err))
		}
		return nil
	case xml.Name{Space: soap.NSEnvelope, Local: "Fault"}:
		var f soapFault
		if err := req.DecodeBody(&f); err != nil {
			return fmt.Errorf("%w: SOAP Fault: %s", ErrMalformed, faultText(err))
		}
		return f.nodeFault()
	}
	return fmt.Errorf("%w: atteso %s, ricevuto {%s}%s", ErrMalformed, want.Local, req.Operation.Space, req.Operation.Local)
}

func faultText(err error) string {
	var f *soap.Fault
	if errors.As(err, &f) {
		return f.String
	}
	return err.Error()
}

// soapFault is a SOAP 1.1 Fault. Its detail is free; a faultBean-like
// element in it (faultCode, faultString, id, description at any depth) is
// picked up, so a PPT_* code survives a node that sends it that way.
type soapFault struct {
	Code   string   `xml:"faultcode"`
	String string   `xml:"faultstring"`
	Actor  string   `xml:"faultactor"`
	Detail *xmlNode `xml:"detail"`
}

// xmlNode is a generic element tree (soap.Decode reads through a token
// decoder, where ",innerxml" is not available). Its size is bounded by the
// decoder's limits.
type xmlNode struct {
	XMLName xml.Name
	Nodes   []xmlNode `xml:",any"`
	Text    string    `xml:",chardata"`
}

func (f *soapFault) nodeFault() *NodeFault {
	nf := &NodeFault{SOAPFaultCode: strings.TrimSpace(f.Code)}
	nf.FaultString = strings.TrimSpace(f.String)
	if f.Detail == nil {
		return nf
	}
	fields := map[string]string{}
	var all strings.Builder
	f.Detail.walk(fields, &all)
	nf.FaultCode = fields["faultCode"]
	if s := fields["faultString"]; s != "" {
		nf.FaultString = s
	}
	nf.ID = fields["id"]
	nf.Description = fields["description"]
	if nf.Description == "" && nf.FaultCode == "" {
		nf.Description = cutText(all.String(), 2048)
	}
	return nf
}

// walk collects the trimmed text of the first element of each local name
// below n, and all text joined by spaces.
func (n *xmlNode) walk(fields map[string]string, all *strings.Builder) {
	for i := range n.Nodes {
		c := &n.Nodes[i]
		if s := strings.TrimSpace(c.Text); s != "" {
			if _, ok := fields[c.XMLName.Local]; !ok {
				fields[c.XMLName.Local] = s
			}
			if all.Len() < 4096 {
				if all.Len() > 0 {
					all.WriteByte(' ')
				}
				all.WriteString(s)
			}
		}
		c.walk(fields, all)
	}
}

// snippet is the start of a body for an error message.
func snippet(b []byte) string { return cutText(strings.TrimSpace(string(b)), 200) }

func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// journal records the exchange as an outbound NODO event.
func (cl *Client) journal(c call, began time.Time, reqBody, respBody []byte, err error) {
	if cl.rec == nil {
		return
	}
	ev := &gateway.Event{
		Time:       began,
		Direction:  gateway.Outbound,
		Component:  "NODO",
		Operation:  c.op,
		CodIpa:     c.info.CodIpa,
		IUV:        c.info.IUV,
		CCP:        c.info.CCP,
		IDSession:  c.info.IDSession,
		Esito:      "OK",
		DurationMS: time.Since(began).Milliseconds(),
		Remote:     cl.cfg.URL,
		Request:    string(reqBody),
		Response:   string(respBody),
	}
	if err != nil {
		ev.Esito = "KO"
		var nf *NodeFault
		if errors.As(err, &nf) {
			ev.FaultCode = nf.Code()
		} else if len(respBody) == 0 {
			// Nothing came back: keep the reason where operators look.
			ev.Response = "[" + err.Error() + "]"
		}
	}
	cl.rec.Record(ev)
}

// fromWire maps a generated faultBean.
func fromWire(f *nodoperpa.FaultBean) FaultBean {
	fb := FaultBean{
		FaultCode:           strings.TrimSpace(f.FaultCode),
		FaultString:         f.FaultString,
		ID:                  strings.TrimSpace(f.Id),
		Description:         f.Description,
		OriginalFaultCode:   strings.TrimSpace(f.OriginalFaultCode),
		OriginalFaultString: f.OriginalFaultString,
		OriginalDescription: f.OriginalDescription,
	}
	if f.Serial != nil {
		s := int(*f.Serial)
		fb.Serial = &s
	}
	return fb
}

// koFault is the error for a response carrying fault and/or esito KO. A
// fault wins over an esito OK: a redirect next to a fault is not to be
// trusted.
func koFault(fault *nodoperpa.FaultBean, esito string) error {
	switch {
	case fault != nil:
		return &NodeFault{FaultBean: fromWire(fault)}
	case esito == "KO":
		return &NodeFault{}
	case esito != "OK":
		return fmt.Errorf("%w: esito %q", ErrMalformed, cutText(esito, 40))
	}
	return nil
}
