package gateway

import (
	"context"
	"time"
)

// Direction of a journaled exchange, seen from Ponte.
const (
	Inbound  = "IN"
	Outbound = "OUT"
)

// Event is one entry of the giornale degli eventi: one SOAP exchange.
type Event struct {
	ID         int64
	Time       time.Time
	Direction  string // Inbound or Outbound
	Component  string // e.g. "SIL", "NODO"
	Operation  string // e.g. "paaSILImportaDovuto"
	CodIpa     string
	IUV        string
	IUD        string
	IDSession  string
	CCP        string
	Esito      string // OK or KO
	FaultCode  string
	DurationMS int64
	Remote     string // caller address or node URL
	Request    string // body, passwords masked, cut at the configured cap
	Response   string
}

// JournalFilter selects events; zero fields match anything.
type JournalFilter struct {
	From, To  time.Time
	CodIpa    string
	Operation string
	IUV       string
	IUD       string
	IDSession string
	FaultCode string
	Limit     int
}

// JournalStore persists events.
type JournalStore interface {
	// AppendEvents stores a batch in one go (COPY on PostgreSQL).
	AppendEvents(ctx context.Context, evs []*Event) error
	SearchEvents(ctx context.Context, f JournalFilter) ([]*Event, error)
	// PurgeEvents deletes events older than before and says how many.
	PurgeEvents(ctx context.Context, before time.Time) (int64, error)
}
