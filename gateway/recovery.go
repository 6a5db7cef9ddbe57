package gateway

import (
	"context"
	"time"
)

// PendingRPT is an RPT the node accepted whose RT has not come: receipt
// recovery asks the node about it.
type PendingRPT struct {
	PaymentID, CartID int64
	Dominio, IUV, CCP string
	SentAt            time.Time
	Attempts          int    // recovery attempts so far
	LastResult        string // what the last attempt found
	// Unconfirmed: the RPT was prepared and maybe sent, but the node's
	// answer was never recorded (the cart is still PREDISPOSTO).
	Unconfirmed bool
}

// RecoveryStore hands pending RPTs to the recovery job of any process.
type RecoveryStore interface {
	// ClaimPendingRPTs returns up to limit RPTs sent before sentBefore,
	// still without RT and due for a check, and holds them for lease so
	// no other process checks them meanwhile.
	// Unconfirmed ones count from unconfirmedBefore: their sending may
	// still be under way until the node call's deadline has passed.
	ClaimPendingRPTs(ctx context.Context, sentBefore, unconfirmedBefore time.Time, lease time.Duration, limit int) ([]PendingRPT, error)
	// NoteRecovery records one attempt on a payment: what it found and
	// when to look again (zero: never).
	NoteRecovery(ctx context.Context, paymentID int64, result string, next time.Time) error
	// SpendCall counts one call against a budget of limit calls per
	// minute shared by every process; false when the minute's budget is
	// spent.
	SpendCall(ctx context.Context, name string, limit int) (bool, error)
}
