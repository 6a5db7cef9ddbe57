package soap

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Namespaces the decoder recognises.
const (
	NSEnvelope   = "http://schemas.xmlsoap.org/soap/envelope/"
	NSEnvelope12 = "http://www.w3.org/2003/05/soap-envelope"
	NSPPTHead    = "http://www.regione.veneto.it/pagamenti/ente/ppthead"
)

// Header is the decoded ppthead:intestazionePPT header of the SIL.
type Header struct {
	Name       xml.Name
	CodIpaEnte string
}

// Element is one child of soapenv:Header. Raw is its subtree re-encoded as
// a standalone fragment: every namespace it relies on, inherited ones
// included, is declared on its root.
type Element struct {
	Name xml.Name
	Raw  []byte
	text map[string]string // trimmed text of direct children, by local name
}

// Request is a decoded envelope up to the first child of Body. The body
// itself is decoded only when the handler calls DecodeBody.
type Request struct {
	Header         *Header // nil when no intestazionePPT was sent
	HeaderElements []Element
	Operation      xml.Name

	dec   *xml.Decoder
	start xml.StartElement
	done  bool
}

// HeaderText returns the trimmed text of the direct child named child (in
// any namespace, as MyPay would have it unqualified) of the header element
// {ns}local, or "" when there is none.
func (r *Request) HeaderText(ns, local, child string) string {
	for _, e := range r.HeaderElements {
		if e.Name.Space == ns && e.Name.Local == local {
			return e.text[child]
		}
	}
	return ""
}

// DecodeBody decodes the operation element into v (encoding/xml rules),
// then reads the rest of the envelope so that a truncated or malformed tail
// is reported before the handler acts. Errors are *Fault. It may be called
// once.
func (r *Request) DecodeBody(v any) error {
	if r.done {
		return &Fault{Code: FaultServer, String: MsgInternal, err: fmt.Errorf("soap: DecodeBody called twice")}
	}
	r.done = true
	if err := r.dec.DecodeElement(v, &r.start); err != nil {
		return asFault(err)
	}
	return r.drain(2) // still inside Body and Envelope
}

// finish checks the rest of the message when the handler never decoded it.
func (r *Request) finish() error {
	if r.done {
		return nil
	}
	r.done = true
	if err := r.dec.Skip(); err != nil {
		return asFault(err)
	}
	return r.drain(2)
}

// drain reads to EOF: any further body entries must be well-formed, and
// after the Envelope only comments, processing instructions and blanks may
// follow.
func (r *Request) drain(open int) error {
	for {
		t, err := r.dec.Token()
		if err == io.EOF {
			if open > 0 {
				return clientFault("envelope SOAP troncato", err)
			}
			return nil
		}
		if err != nil {
			return asFault(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			if open == 0 {
				return clientFault("contenuto dopo la fine dell'Envelope", nil)
			}
			open++
		case xml.EndElement:
			open--
		case xml.CharData:
			if open == 0 && len(bytes.TrimSpace(t)) > 0 {
				return clientFault("testo dopo la fine dell'Envelope", nil)
			}
		}
	}
}

// Decode reads a SOAP 1.1 envelope up to the first child of Body. It
// refuses DOCTYPE and other directives, enforces limits and returns a
// *Fault for anything the caller got wrong (VersionMismatch for a SOAP 1.2
// envelope).
func Decode(rd io.Reader, limits Limits) (*Request, error) {
	limits = limits.withDefaults()
	n := limits.MaxBytes
	if n <= 0 {
		n = -1
	}
	br := bufio.NewReader(&cappedReader{r: rd, n: n})
	// encoding/xml does not skip a byte-order mark; .NET clients send one.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	raw := xml.NewDecoder(br)
	raw.Strict = true
	raw.CharsetReader = charsetReader
	dec := xml.NewTokenDecoder(&limiter{d: raw, lim: limits})

	root, err := firstElement(dec)
	if err != nil {
		return nil, err
	}
	if err := checkEnvelope(root.Name); err != nil {
		return nil, err
	}
	req := &Request{dec: dec}
	scope := declarations(nil, root)
	sawHeader := false
	for {
		t, err := nextElementOrEnd(dec)
		if err != nil {
			return nil, err
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			return nil, clientFault("Body mancante nell'Envelope", nil)
		}
		switch {
		case se.Name.Space == NSEnvelope && se.Name.Local == "Header" && !sawHeader:
			sawHeader = true
			if err := req.readHeader(dec, declarations(scope, se)); err != nil {
				return nil, err
			}
		case se.Name.Space == NSEnvelope && se.Name.Local == "Body":
			t, err := nextElementOrEnd(dec)
			if err != nil {
				return nil, err
			}
			op, ok := t.(xml.StartElement)
			if !ok {
				return nil, clientFault("Body vuoto", nil)
			}
			req.Operation, req.start = op.Name, op
			return req, nil
		default:
			return nil, clientFault(fmt.Sprintf("elemento inatteso {%s}%s nell'Envelope", se.Name.Space, se.Name.Local), nil)
		}
	}
}

func checkEnvelope(n xml.Name) error {
	switch {
	case n.Space == NSEnvelope && n.Local == "Envelope":
		return nil
	case n.Space == NSEnvelope12:
		return &Fault{Code: FaultVersionMismatch, String: "versione SOAP non supportata: usare SOAP 1.1"}
	case n.Local == "Envelope":
		return &Fault{Code: FaultVersionMismatch, String: fmt.Sprintf("namespace dell'Envelope non valido: %q", n.Space)}
	}
	return clientFault(fmt.Sprintf("atteso soapenv:Envelope, trovato {%s}%s", n.Space, n.Local), nil)
}

// firstElement skips the prolog (declaration, comments, blanks).
func firstElement(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		t, err := dec.Token()
		if err == io.EOF {
			return xml.StartElement{}, clientFault("messaggio vuoto", nil)
		}
		if err != nil {
			return xml.StartElement{}, asFault(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, clientFault("il messaggio non è XML", nil)
			}
		}
	}
}

// nextElementOrEnd returns the next StartElement or EndElement at the
// current level, skipping blanks and comments; other text is an error.
func nextElementOrEnd(dec *xml.Decoder) (xml.Token, error) {
	for {
		t, err := dec.Token()
		if err != nil {
			return nil, asFault(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, clientFault("testo inatteso nell'Envelope", nil)
			}
		}
	}
}

// readHeader keeps every header child; intestazionePPT is also decoded.
func (r *Request) readHeader(dec *xml.Decoder, scope []binding) error {
	for {
		t, err := nextElementOrEnd(dec)
		if err != nil {
			return err
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			return nil // </Header>
		}
		el, err := captureElement(dec, se, scope)
		if err != nil {
			return err
		}
		r.HeaderElements = append(r.HeaderElements, el)
		if se.Name.Space == NSPPTHead && se.Name.Local == "intestazionePPT" && r.Header == nil {
			r.Header = &Header{Name: se.Name, CodIpaEnte: el.text["codIpaEnte"]}
		}
	}
}

// charsetReader accepts the encodings a SIL client may declare. UTF-8 never
// reaches it (encoding/xml handles it); US-ASCII is a subset of UTF-8.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "us-ascii", "ascii", "utf8", "utf-8":
		return in, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return &latin1Reader{r: bufio.NewReader(in)}, nil
	}
	return nil, clientFault(fmt.Sprintf("codifica %q non supportata (usare UTF-8)", label), nil)
}

// latin1Reader turns ISO-8859-1 bytes into UTF-8.
type latin1Reader struct {
	r   *bufio.Reader
	buf []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	for len(l.buf) == 0 {
		b, err := l.r.ReadByte()
		if err != nil {
			return 0, err
		}
		l.buf = utf8.AppendRune(l.buf[:0], rune(b))
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}
