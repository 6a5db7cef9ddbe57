package soap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// ContentType is what every SOAP 1.1 answer carries.
const ContentType = "text/xml; charset=utf-8"

const (
	envelopeOpen  = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + NSEnvelope + `"><soapenv:Header/><soapenv:Body>`
	envelopeClose = `</soapenv:Body></soapenv:Envelope>`
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer { b := bufPool.Get().(*bytes.Buffer); b.Reset(); return b }

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 { // let huge one-off answers go to the GC
		bufPool.Put(b)
	}
}

// MarshalResponse appends a full envelope whose body is body encoded as
// prefix:name.Local with xmlns:prefix=name.Space. The start element given
// to EncodeElement overrides body's XMLName; fields tagged without a
// namespace come out unqualified, as the SIL schemas want.
func MarshalResponse(buf *bytes.Buffer, body any, name xml.Name, prefix string) error {
	if name.Local == "" || prefix == "" {
		return fmt.Errorf("soap: response name and prefix are required")
	}
	buf.WriteString(envelopeOpen)
	enc := xml.NewEncoder(buf)
	start := xml.StartElement{
		Name: xml.Name{Local: prefix + ":" + name.Local},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns:" + prefix}, Value: name.Space}},
	}
	if err := enc.EncodeElement(body, start); err != nil {
		return fmt.Errorf("soap: encoding %s: %w", name.Local, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("soap: encoding %s: %w", name.Local, err)
	}
	buf.WriteString(envelopeClose)
	return nil
}

// MarshalFault appends a SOAP 1.1 fault envelope. faultcode and
// faultstring are unqualified, as SOAP 1.1 requires.
func MarshalFault(buf *bytes.Buffer, f Fault) {
	buf.WriteString(envelopeOpen)
	buf.WriteString("<soapenv:Fault><faultcode>")
	xml.EscapeText(buf, []byte(f.Code))
	buf.WriteString("</faultcode><faultstring>")
	xml.EscapeText(buf, []byte(f.String))
	buf.WriteString("</faultstring>")
	if f.Detail != "" {
		buf.WriteString("<detail><message>")
		xml.EscapeText(buf, []byte(f.Detail))
		buf.WriteString("</message></detail>")
	}
	buf.WriteString("</soapenv:Fault>")
	buf.WriteString(envelopeClose)
}

// WriteResponse encodes the envelope into a pooled buffer and writes it in
// one go, so a failed encoding never sends half an answer. When w is an
// http.ResponseWriter it also sets Content-Type, Content-Length and 200.
func WriteResponse(w io.Writer, body any, name xml.Name, prefix string) error {
	buf := getBuf()
	defer putBuf(buf)
	if err := MarshalResponse(buf, body, name, prefix); err != nil {
		return err
	}
	return send(w, http.StatusOK, buf.Bytes())
}

// WriteFault writes a SOAP 1.1 fault; on an http.ResponseWriter with
// status 500 and Content-Type text/xml.
func WriteFault(w io.Writer, f Fault) error {
	buf := getBuf()
	defer putBuf(buf)
	MarshalFault(buf, f)
	return send(w, http.StatusInternalServerError, buf.Bytes())
}

func send(w io.Writer, status int, b []byte) error {
	if rw, ok := w.(http.ResponseWriter); ok {
		h := rw.Header()
		h.Set("Content-Type", ContentType)
		h.Set("Content-Length", strconv.Itoa(len(b)))
		rw.WriteHeader(status)
	}
	_, err := w.Write(b)
	return err
}
