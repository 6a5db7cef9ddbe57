// Package node is Ponte's SOAP client towards the legacy pagoPA node
// interface NodoPerPa (nodoInviaRPT, nodoInviaCarrelloRPT,
// nodoChiediStatoRPT, nodoChiediCopiaRT, nodoChiediListaPendentiRPT).
//
// It does not use gowsdl's client: that one closes every connection, keeps
// SOAP headers as shared client state, reads answers without a size cap and
// never parses a fault sent with HTTP 500. Here one keep-alive transport
// serves every call, each call writes its own envelope and header, answers
// are capped, and both fault shapes are decoded:
//
//   - business faults (HTTP 200, esito KO plus faultBean) and SOAP 1.1
//     Faults (usually HTTP 500) become a *NodeFault, whose FaultCode callers
//     switch on (PPT_RPT_DUPLICATA, …);
//   - everything else that keeps an answer from arriving or being read
//     (connection errors, deadlines, non-SOAP or oversized bodies) is a
//     *TransportError.
//
// Every call is journaled through a Recorder as an outbound "NODO" event.
// The generated wire types of generated/nodoperpa stay inside the package:
// callers see only the plain types declared here.
package node
