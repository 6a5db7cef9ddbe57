package soap

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Limits bound what Decode accepts, so a hostile envelope costs little.
// Zero fields take the defaults of DefaultLimits.
type Limits struct {
	MaxDepth      int   // element nesting, Envelope included
	MaxTokens     int   // tokens of the whole message
	MaxTokenBytes int   // one text, comment or the attributes of one element
	MaxAttrs      int   // attributes of one element
	MaxBytes      int64 // whole message; 0 = no limit here (the HTTP layer caps it)
}

// DefaultLimits are generous for SIL messages: base64 payloads are one text
// token, and no SIL document nests deeper than a dozen levels.
func DefaultLimits() Limits {
	return Limits{MaxDepth: 64, MaxTokens: 100_000, MaxTokenBytes: 16 << 20, MaxAttrs: 128}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxTokens <= 0 {
		l.MaxTokens = d.MaxTokens
	}
	if l.MaxTokenBytes <= 0 {
		l.MaxTokenBytes = d.MaxTokenBytes
	}
	if l.MaxAttrs <= 0 {
		l.MaxAttrs = d.MaxAttrs
	}
	return l
}

// errTooLarge is what the byte cap of Limits reports; it maps to the same
// fault as http.MaxBytesError.
var errTooLarge = errors.New("message too large")

// cappedReader fails once more than n bytes have been read.
type cappedReader struct {
	r io.Reader
	n int64 // bytes still allowed; < 0 means no cap
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return c.r.Read(p)
	}
	if c.n == 0 {
		// Allow a probe read so an exact-size message still sees EOF.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// limiter sits between the raw tokenizer and the namespace-aware Decoder:
// every token the Decoder (and DecodeElement) sees passes here, so the
// limits hold for the body too, and a DOCTYPE is refused before anything
// in it could matter.
type limiter struct {
	d      *xml.Decoder
	lim    Limits
	depth  int
	tokens int
}

func (l *limiter) Token() (xml.Token, error) {
	t, err := l.d.RawToken()
	if err != nil {
		return t, err
	}
	l.tokens++
	if l.tokens > l.lim.MaxTokens {
		return nil, clientFault(fmt.Sprintf("messaggio con troppi elementi (oltre %d token)", l.lim.MaxTokens), nil)
	}
	switch t := t.(type) {
	case xml.Directive:
		return nil, clientFault("DOCTYPE e direttive XML non ammessi", nil)
	case xml.StartElement:
		l.depth++
		if l.depth > l.lim.MaxDepth {
			return nil, clientFault(fmt.Sprintf("annidamento XML oltre %d livelli", l.lim.MaxDepth), nil)
		}
		if len(t.Attr) > l.lim.MaxAttrs {
			return nil, clientFault(fmt.Sprintf("elemento %s con troppi attributi", t.Name.Local), nil)
		}
		n := 0
		for _, a := range t.Attr {
			n += len(a.Name.Space) + len(a.Name.Local) + len(a.Value)
		}
		if n > l.lim.MaxTokenBytes {
			return nil, clientFault(fmt.Sprintf("attributi dell'elemento %s troppo grandi", t.Name.Local), nil)
		}
	case xml.EndElement:
		l.depth--
	case xml.CharData:
		if len(t) > l.lim.MaxTokenBytes {
			return nil, clientFault("testo XML troppo grande", nil)
		}
	case xml.Comment:
		if len(t) > l.lim.MaxTokenBytes {
			return nil, clientFault("commento XML troppo grande", nil)
		}
	}
	return t, nil
}

// asFault turns a read or syntax error into the client fault it deserves.
func asFault(err error) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) || errors.Is(err, errTooLarge) {
		return clientFault(MsgTooLarge, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return clientFault("envelope SOAP troncato", err)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) && se.Msg == "unexpected EOF" {
		return clientFault("envelope SOAP troncato", err)
	}
	if errors.As(err, &se) {
		return clientFault("XML non valido: "+se.Error(), err)
	}
	var ue xml.UnmarshalError
	if errors.As(err, &ue) {
		return clientFault("contenuto non valido: "+ue.Error(), err)
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return clientFault("valore non valido: "+ne.Error(), err)
	}
	var pe *xml.UnsupportedTypeError
	if errors.As(err, &pe) {
		// A programming error in the handler's type, not the caller's.
		return &Fault{Code: FaultServer, String: MsgInternal, err: err}
	}
	return clientFault("messaggio non leggibile", err)
}

// Fault strings the endpoint sends; tests and handlers may compare them.
const (
	MsgTooLarge = "messaggio troppo grande"
	MsgInternal = "errore interno del server"
)
