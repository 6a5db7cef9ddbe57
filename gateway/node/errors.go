package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Sentinels a *TransportError may wrap; test with errors.Is.
var (
	// ErrTooLarge: the answer exceeded Config.MaxResponseBytes.
	ErrTooLarge = errors.New("risposta del nodo oltre il limite di dimensione")
	// ErrMalformed: the answer is not a SOAP envelope carrying the expected
	// response or a SOAP Fault.
	ErrMalformed = errors.New("risposta del nodo non valida")
	// ErrInvalidRequest: the request cannot be sent as given (a programming
	// error of the caller); nothing went on the wire.
	ErrInvalidRequest = errors.New("richiesta al nodo non valida")
)

// NodeFault is an answer in which the node refused the operation: a
// faultBean with esito KO (normally on HTTP 200) or a SOAP 1.1 Fault.
type NodeFault struct {
	Op         string // e.g. "nodoInviaRPT"
	HTTPStatus int
	// SOAPFaultCode is the faultcode of a SOAP Fault ("soapenv:Server");
	// empty for a faultBean. FaultCode then holds a faultCode found in the
	// Fault's detail, if any.
	SOAPFaultCode string
	FaultBean
	// RPTErrors lists the per-RPT faults of nodoInviaCarrelloRPT
	// (listaErroriRPT), Serial giving each RPT's position.
	RPTErrors []FaultBean
}

func (f *NodeFault) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "nodo: %s: ", f.Op)
	switch {
	case f.FaultCode != "":
		b.WriteString(f.FaultCode)
	case f.SOAPFaultCode != "":
		b.WriteString("SOAP Fault " + f.SOAPFaultCode)
	default:
		b.WriteString("esito KO senza faultCode")
	}
	if f.FaultString != "" {
		b.WriteString(": " + f.FaultString)
	}
	if f.Description != "" && f.Description != f.FaultString {
		b.WriteString(" (" + f.Description + ")")
	}
	if len(f.RPTErrors) > 0 {
		fmt.Fprintf(&b, " [%d errori RPT]", len(f.RPTErrors))
	}
	return b.String()
}

// Code returns the PPT_* code callers switch on; for a SOAP Fault without a
// faultBean code it is the SOAP faultcode.
func (f *NodeFault) Code() string {
	if f.FaultCode != "" {
		return f.FaultCode
	}
	return f.SOAPFaultCode
}

// TransportError means no usable answer came from the node: the connection
// failed, the deadline passed, or what came back was not a SOAP answer.
type TransportError struct {
	Op         string
	URL        string
	StatusCode int // 0 when no HTTP response arrived
	// Sent reports that the whole request was written: the node may have
	// acted on it (an RPT may be accepted), so the outcome is unknown and
	// nodoChiediStatoRPT is the way to learn it. When false the node never
	// saw the request.
	Sent    bool
	Snippet string // start of a non-SOAP body, for logs
	Err     error
}

func (e *TransportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "nodo: %s: ", e.Op)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d: ", e.StatusCode)
	}
	b.WriteString(e.Err.Error())
	if e.Snippet != "" {
		fmt.Fprintf(&b, ": %q", e.Snippet)
	}
	return b.String()
}

func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the call's deadline (or the caller's) passed.
func (e *TransportError) Timeout() bool { return errors.Is(e.Err, context.DeadlineExceeded) }
