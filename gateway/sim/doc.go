// Package sim is Ponte's simulator of the pagoPA node ("Nodo dei Pagamenti")
// on its legacy PA interface, NodoPerPa: nodoInviaRPT, nodoInviaCarrelloRPT
// (multi-beneficiary included), nodoChiediStatoRPT, nodoChiediCopiaRT and
// nodoChiediListaPendentiRPT, with the node's checks and PPT_* faults in the
// node's order (syntax, caller, counterpart, duplicates, semantics).
//
// Accepted payments wait in memory for a person (the WISP-like page) or a
// test (the control API under /sim/api/) to pay or cancel them; completing
// a session makes RTs through a ReceiptMaker and hands them to an RTSink,
// the seam where delivery with paaInviaRT plugs in.
//
// Every business error is an HTTP 200 answer with esito KO and a faultBean
// whose id is NodoDeiPagamentiSPC, as the node does; SOAP faults are only
// sent for envelopes that are not SOAP at all.
package sim

// DefaultSOAPPath is where Mount serves NodoPerPa unless told otherwise.
const DefaultSOAPPath = "/sim/ws/NodoPerPa"

// APIPrefix is the root of the JSON control API.
const APIPrefix = "/sim/api"

// WISPPath is the payment page the redirect URL points to.
const WISPPath = "/sim/wisp"
