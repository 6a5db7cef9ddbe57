package gateway

import (
	"context"
	"time"
)

// Activation is a payment a PSP started from an avviso of an ente on the
// legacy station (modello 3, paaAttivaRPT): a cart of kind CartAttivatoPSP
// with one payment, whose one item is the existing dovuto, and whose RPT
// Ponte must send with nodoInviaRPT through the PSP's channel.
type Activation struct {
	Cart    *Cart  // State CartInCorso; Payments[0] has IUV, CCP, MessageID, RequestedAt, RPT, Items[0].ID
	PSP     string // identificativoPSP
	Broker  string // identificativoIntermediarioPSP
	Channel string // identificativoCanalePSP
}

// ActivationOutcome is what recording an activation did.
type ActivationOutcome int

const (
	ActivationNew      ActivationOutcome = iota // stored; the RPT is queued
	ActivationRepeated                          // the same (dominio, IUV, CCP) again: its RPT queued again, nothing else
)

// RPTToSend is an activated RPT claimed by the sender.
type RPTToSend struct {
	PaymentID, CartID int64
	CodIpa            string
	Dominio, IUV, CCP string
	RPT               []byte
	PSP, Broker       string
	Channel           string
	Attempts          int    // sending attempts so far
	Last              string // what the last attempt got
}

// ActivationStore keeps modello 3 activations and hands their RPTs to the
// sender of any process.
type ActivationStore interface {
	// ActivatePSP stores a in one transaction: the cart, its payment (state
	// PaymentNew, due to be sent now) and the dovuto moved from
	// DovutoDaPagare to DovutoIniziato; it sets the IDs. The same
	// (dominio, IUV, CCP) of an earlier activation not yet answered by an
	// RT queues that RPT again and is ActivationRepeated. ErrConflict when
	// the dovuto is no longer payable at that amount, or the CCP is taken
	// otherwise.
	ActivatePSP(ctx context.Context, a *Activation) (ActivationOutcome, error)
	// ClaimRPTsToSend returns up to limit activated RPTs due now and holds
	// them for lease, so that no other process sends them meanwhile.
	ClaimRPTsToSend(ctx context.Context, lease time.Duration, limit int) ([]RPTToSend, error)
	// MarkRPTSent records that the node holds the RPT: PaymentSent.
	MarkRPTSent(ctx context.Context, paymentID int64, result string) error
	// RetryRPT records a failed attempt and when to try again.
	RetryRPT(ctx context.Context, paymentID int64, result string, next time.Time) error
	// RefuseRPT ends an RPT that will never be sent: the payment
	// PaymentRefused, its cart CartNonInviabile with reason, the dovuto
	// payable again.
	RefuseRPT(ctx context.Context, paymentID int64, reason string) error
}
