// Package checkout is the citizen's way through a payment: the landing page
// a SIL answer's URL leads to, the hand-off of the cart's RPTs to the
// pagoPA node, and the way back from the node to the ente.
//
//	GET  /public/landing/inviaDovuti?id=<token>   confirmation page (SHORT) or straight to the node (NONE)
//	POST /public/landing/inviaDovuti              id, csrf, email, azione=paga|annulla
//	GET  /public/landing/esitoPagamento           the node sends the browser back (idDominio, idSession, esito)
//
// Only the RT decides a payment's outcome: the browser's esito is passed on
// to the ente as MyPay does and never changes a cart.
//
// Sending is never repeated. A cart is sent once: the store records the
// RPTs (PrepareCart) before the node call, and a cart already prepared is
// never prepared again, by this process (one sender per cart at a time) or
// by a later request (a prepared cart is treated as being sent).
package checkout
