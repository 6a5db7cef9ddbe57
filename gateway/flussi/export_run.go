package flussi

import (
	"context"
	"log/slog"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// RunExport claims one booked export and writes it; it reports whether
// there was one. An export that fails is stored as ERROR_EXPORT. Its lease
// is renewed every lease/3 while it runs; were it lost (another process
// took over after a stall), the outcome is not stored.
func RunExport(ctx context.Context, st gateway.ExportStore, files Files, clock gateway.Clock, log *slog.Logger,
	owner string, lease time.Duration) (bool, error) {
	f, err := st.ClaimExport(ctx, owner, lease)
	if err != nil || f == nil {
		return false, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if err := st.RenewExport(runCtx, f.ID, owner, lease); err != nil {
					log.Warn("export lease not renewed", "id", f.ID, "err", err)
				}
			}
		}
	}()
	start := clock.Now()
	if err := Export(runCtx, st, files, f, start); err != nil {
		log.Error("export failed", "id", f.ID, "codIpa", f.CodIpa, "err", err)
		f.State, f.Path, f.Rows = gateway.ExportError, "", 0
	}
	cancel()
	if err := st.FinishExport(ctx, f, owner); err != nil {
		return true, err
	}
	log.Info("export done", "id", f.ID, "codIpa", f.CodIpa, "state", f.State, "rows", f.Rows,
		"duration", clock.Now().Sub(start))
	return true, nil
}
