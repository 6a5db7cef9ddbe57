// Package papernodo is the node-facing SOAP service of Ponte: the
// PaPerNodo interface through which the legacy pagoPA node (and, since
// 2024, its wisp-converter) delivers receipts with paaInviaRT.
//
// A receipt is money already taken from a citizen, and the node retries a
// delivery only when it cannot read the answer or gets PAA_SYSTEM_ERROR;
// any other KO ends it (pagopa-node.md §11). So the service refuses an RT
// only for what no retry could fix, stores it in one transaction before
// answering OK, and answers every fault as a schema-exact faultBean with
// faultBean.id = identificativoDominio: a malformed fault leaves payments
// in "esito sconosciuto" at the node (peers.md §3 A item 3).
//
// The wire types are generated/papernodo; this package maps them in
// decode.go and mapping.go, and nothing else sees them.
package papernodo
