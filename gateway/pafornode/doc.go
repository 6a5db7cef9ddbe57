// Package pafornode is Ponte's station on the modello unico: the node's
// calls to the ente (paForNode.wsdl) at POST /ws/nodo/paForNode.
//
//   - paVerifyPaymentNotice and paGetPayment(V2) answer from the payable
//     position behind a notice number: a payment of an online cart Ponte
//     opened on Checkout, or a dovuto (an avviso, paid at a PSP);
//   - paSendRT(V2) stores the receipt, committed before the OK, and
//     decides the payment, its dovuti and its cart as an RT does; the same
//     receipt again is PAA_RECEIPT_DUPLICATA;
//   - paDemandPaymentNotice (spontaneous payments at the PSP) answers that
//     it is not available.
//
// Faults are the PAA codes of pagopa-node.md §6.2, faultBean.id the idPA.
// Only a body that is not XML gets a SOAP fault; a body that breaks the
// schema gets PAA_SINTASSI_EXTRAXSD in the operation's own response.
package pafornode
