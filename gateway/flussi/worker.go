package flussi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Worker runs the flussi of every process sharing the store: it claims
// one with a lease, processes it, and looks for the next; when there is
// none it waits for Wake or the poll interval. A flusso whose process died
// is claimed again when its lease expires.
type Worker struct {
	Importer *Importer
	// Export, when set, claims and runs one export; it reports whether
	// it found one.
	Export func(ctx context.Context, owner string, lease time.Duration) (bool, error)
	// Owner names this process in leases (default host-pid-random).
	Owner string
	// Lease is how long a claim holds without the import's transaction
	// (default 2 min); Poll how often the store is asked (default 2 s).
	Lease, Poll time.Duration
	// MaxAttempts aborts a flusso claimed that many times without ending
	// (default 3): one that kills its worker must not kill every worker.
	MaxAttempts int
	Log         *slog.Logger

	wake chan struct{}
}

// NewOwner returns a lease owner name unique to this process.
func NewOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b)
}

func (w *Worker) defaults() {
	if w.Owner == "" {
		w.Owner = NewOwner()
	}
	if w.Lease <= 0 {
		w.Lease = 2 * time.Minute
	}
	if w.Poll <= 0 {
		w.Poll = 2 * time.Second
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 3
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
}

// Wake makes a waiting Run look for work now (after an upload).
func (w *Worker) Wake() {
	w.defaults()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		found := false
		if ok, err := w.ImportOnce(ctx); err != nil {
			w.Log.Error("import flusso failed; retried after its lease", "err", err)
		} else if ok {
			found = true
		}
		if w.Export != nil {
			if ok, err := w.Export(ctx, w.Owner, w.Lease); err != nil {
				w.Log.Error("export flusso failed; retried after its lease", "err", err)
			} else if ok {
				found = true
			}
		}
		if found {
			continue
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-t.C:
		}
	}
}

// ImportOnce claims and processes one import; it reports whether there
// was one.
func (w *Worker) ImportOnce(ctx context.Context) (bool, error) {
	w.defaults()
	f, err := w.Importer.Store.ClaimImport(ctx, w.Owner, w.Lease)
	if err != nil || f == nil {
		return false, err
	}
	if f.Attempts > w.MaxAttempts {
		w.Log.Error("import flusso abandoned after repeated failures", "import", f.ID, "file", f.FileName, "attempts", f.Attempts-1)
		return true, w.Importer.Store.AbortImport(ctx, f.ID, w.Owner, gateway.CodeImportErroreGenerico)
	}
	return true, w.Importer.Process(ctx, f, w.Owner)
}
