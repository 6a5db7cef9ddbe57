package gateway

import (
	"context"
	"time"
)

// PushState is where the push of one paid dovuto's outcome stands.
type PushState string

const (
	PushDue    PushState = "DA_INVIARE" // to send at Next
	PushSent   PushState = "INVIATO"    // the ente acknowledged it
	PushFailed PushState = "FALLITO"    // dead letter: attempts exhausted; `ponte replay` sends it again
)

// Push is one outcome to push to an ente's SIL (MyPay's
// mygov_push_esito_sil): one paid dovuto of one receipt.
type Push struct {
	ID        int64
	EnteID    int64
	PaymentID int64
	ReceiptID int64
	Position  int // the dovuto's place in its payment
	IUD, IUV  string
	PaidOn    string // DateLayout
	State     PushState
	Attempts  int
	Next      time.Time
	LastError string
	SentAt    time.Time
}

// PushFilter selects pushes to send again: the ente's, by IUV or by
// payment day (inclusive); zero fields match anything.
type PushFilter struct {
	EnteID   int64
	IUV      string
	From, To string // DateLayout
}

// PushStore keeps the outbox of outcome pushes. Pushes are queued by
// RecordRT, in the receipt's transaction, for enti with a push URL.
type PushStore interface {
	// ClaimPushes leases up to n due pushes to owner for lease.
	ClaimPushes(ctx context.Context, owner string, lease time.Duration, n int) ([]*Push, error)
	// PushDone records the ente's acknowledgement (ErrConflict when the
	// lease was lost).
	PushDone(ctx context.Context, id int64, owner string) error
	// PushRetry records a failed attempt: due again at next, or dead
	// (FALLITO) when dead is set.
	PushRetry(ctx context.Context, id int64, owner, reason string, next time.Time, dead bool) error
	// ReplayPushes makes the selected pushes due now, whatever their state,
	// attempts reset; it returns how many.
	ReplayPushes(ctx context.Context, f PushFilter) (int, error)
	// FindPushes lists the ente's pushes of an IUV ("" for all), oldest first.
	FindPushes(ctx context.Context, enteID int64, iuv string) ([]*Push, error)
}
