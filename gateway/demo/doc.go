// Package demo is the ente portal of `ponte serve --demo`: a small
// "gestionale" of the Comune di Ponte Demo where a citizen pays a TARI or
// school-canteen dovuto. It talks to Ponte the way any gestionale does,
// over SOAP/HTTP to the SIL endpoint (paaSILInviaDovuti, then
// paaSILChiediPagati on the way back), so the demo shows the whole
// contract from the outside and not through Go calls.
package demo
