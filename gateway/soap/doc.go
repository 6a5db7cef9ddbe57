// Package soap is Ponte's SOAP 1.1 transport: a streaming, bounded envelope
// decoder, a response and fault encoder, an endpoint that dispatches on the
// body's first child QName, the WSDL handler and the echo/http.Server
// wiring. It knows nothing about the SIL operations themselves: handlers
// turn business errors into their own response types, and any other error
// becomes a generic soapenv:Server fault.
package soap
