package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/metrics"
)

const metricsGaugesSQL = `SELECT
	(SELECT COUNT(*) FROM payment WHERE state = '` + string(gateway.PaymentSent) + `'),
	(SELECT MIN(requested_at) FROM payment WHERE state = '` + string(gateway.PaymentSent) + `'),
	(SELECT COUNT(*) FROM import_flusso WHERE state IN ('` + string(gateway.ImportLoaded) + `', '` + string(gateway.ImportRunning) + `')),
	(SELECT COUNT(*) FROM export_flusso WHERE state IN ('` + string(gateway.ExportLoaded) + `', '` + string(gateway.ExportRunning) + `')),
	(SELECT COUNT(*) FROM payment p JOIN cart c ON c.id = p.cart_id
		WHERE p.state = '` + string(gateway.PaymentNew) + `' AND c.kind = '` + string(gateway.CartAttivatoPSP) + `')`

// MetricsGauges implements metrics.GaugeSource in one query; the pending
// payments are found through payment_pending_idx.
func (db *DB) MetricsGauges(ctx context.Context, _ time.Time) (metrics.Gauges, error) {
	var g metrics.Gauges
	err := db.r.QueryRowContext(ctx, metricsGaugesSQL).Scan(&g.PendingReceipts, scanTime{&g.OldestPending}, &g.ImportsQueued,
		&g.ExportsQueued, &g.RPTsToSend)
	if err != nil {
		return g, fmt.Errorf("store: metrics: %w", err)
	}
	return g, nil
}
