// Package sim is Ponte's simulator of the pagoPA node ("Nodo dei Pagamenti")
// on its legacy PA interface, NodoPerPa: nodoInviaRPT, nodoInviaCarrelloRPT
// (multi-beneficiary included), nodoChiediStatoRPT, nodoChiediCopiaRT and
// nodoChiediListaPendentiRPT, with the node's checks and PPT_* faults in the
// node's order (syntax, caller, counterpart, duplicates, semantics).
//
// Accepted payments wait in memory for a person (the WISP-like page at
// WISPPath) or a test (the control API under /sim/api/, see Mount) to pay
// or cancel them; the browser is then sent back to the station's redirect
// URL with [idDominio], idSession and esito (OK or ERROR). Completing a
// session makes one RT per RPT through a ReceiptMaker (RPTReceipts, i.e.
// gateway/rpt, by default) and hands them to an RTSink.
//
// The Deliverer is the RTSink that sends them to the station's PaPerNodo
// URL with paaInviaRT, classifies the ente's answer as the legacy node does
// (OK: RT_ACCETTATA_PA; KO with a fault: RT_RIFIUTATA_PA, final; timeout or
// malformed answer: RT_ESITO_SCONOSCIUTO_PA; connection error:
// RT_ERRORE_INVIO_A_PA; the last two retried per RetryPolicy) and counts
// every attempt in Stats. Delivery modes (DeliveryMode) make the node
// misbehave on purpose for the ente's tests: RT never sent, sent twice,
// negative then positive, not matching its RPT; Resend sends a stored RT
// again.
//
// Every business error is an HTTP 200 answer with esito KO and a faultBean
// whose id is NodoDeiPagamentiSPC, as the node does; SOAP faults are only
// sent for envelopes that are not SOAP at all.
//
// Stations with a PaForNodeURL are on the modello unico: the node calls
// them with paForNode (paVerifyPaymentNotice, paGetPaymentV2, paSendRTV2),
// checking their answers as the node does. The simulator plays Checkout
// for them (the carts API and its payment page, CreateCart, CompleteCart)
// and a PSP desk (PayNotice, the page at PSPPath); receipts go to the
// notice's station and, broadcast, to the stations of the other domini of
// the transferList, retried per Config.ReceiptRetry and counted per
// receipt (ReceiptsV2). Node.Close stops those background deliveries.
//
// DemoRegistry is the registry of Ponte's demo ente; LoadRegistry reads a
// registry from YAML (`ponte sim --registry`).
package sim

// DefaultSOAPPath is where Mount serves NodoPerPa unless told otherwise.
const DefaultSOAPPath = "/sim/ws/NodoPerPa"

// APIPrefix is the root of the JSON control API.
const APIPrefix = "/sim/api"

// WISPPath is the payment page the redirect URL points to.
const WISPPath = "/sim/wisp"
