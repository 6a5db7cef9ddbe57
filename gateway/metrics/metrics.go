// Package metrics exposes Ponte's health in the Prometheus text format
// (/metrics): every SOAP exchange by direction, component, operation and
// fault code with a latency histogram, counted from the events the
// journal receives, and gauges read from the store when scraped (pending
// receipts and the age of the oldest, queues of the background jobs).
package metrics

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// buckets are the latency histogram's upper bounds, in seconds: pagoPA's
// service level is 2 s, the node's timeouts 7–15 s.
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20}

// key names one series of exchanges.
type key struct {
	direction, component, operation, fault string
}

type series struct {
	count  uint64
	sum    float64  // seconds
	bucket []uint64 // cumulative only when written
}

// Gauges are read from the store at each scrape.
type Gauges struct {
	PendingReceipts int64     // payments sent to pagoPA, receipt awaited
	OldestPending   time.Time // when the oldest of them was sent; zero if none
	ImportsQueued   int64     // import flussi waiting or running
	ExportsQueued   int64     // export flussi waiting or running
	RPTsToSend      int64     // RPTs of activations at PSPs not yet accepted by the node
}

// GaugeSource reads the gauges (store.DB does).
type GaugeSource interface {
	MetricsGauges(ctx context.Context, now time.Time) (Gauges, error)
}

// Registry counts exchanges and serves /metrics. Its zero value is not
// usable: build it with New.
type Registry struct {
	mu      sync.Mutex
	series  map[key]*series
	gauges  GaugeSource
	now     func() time.Time
	log     *slog.Logger
	started time.Time
}

// New builds a registry; gauges may be nil.
func New(gauges GaugeSource, log *slog.Logger) *Registry {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Registry{series: map[key]*series{}, gauges: gauges, now: time.Now, log: log, started: time.Now()}
}

// maxSeries bounds the series: operation names come from request bodies,
// so a caller inventing names must not grow the registry without end.
const maxSeries = 2000

// Record counts one exchange; it satisfies the journal's recorder
// interfaces (see Tee).
func (r *Registry) Record(ev *gateway.Event) {
	k := key{ev.Direction, ev.Component, ev.Operation, ev.FaultCode}
	secs := float64(ev.DurationMS) / 1000
	r.mu.Lock()
	s := r.series[k]
	if s == nil && len(r.series) >= maxSeries {
		k = key{ev.Direction, ev.Component, "other", "other"}
		s = r.series[k]
	}
	if s == nil {
		s = &series{bucket: make([]uint64, len(buckets))}
		r.series[k] = s
	}
	s.count++
	s.sum += secs
	for i, b := range buckets {
		if secs <= b {
			s.bucket[i]++
			break
		}
	}
	r.mu.Unlock()
}

// Recorder is what both the journal and the registry are.
type Recorder interface{ Record(*gateway.Event) }

// Tee records each event in the registry, then in next (the journal).
func Tee(next Recorder, r *Registry) Recorder { return tee{next, r} }

type tee struct {
	next Recorder
	r    *Registry
}

func (t tee) Record(ev *gateway.Event) {
	t.r.Record(ev)
	if t.next != nil {
		t.next.Record(ev)
	}
}

// ServeHTTP writes the metrics in the Prometheus text format 0.0.4.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	r.write(req.Context(), w)
}

func (r *Registry) write(ctx context.Context, w io.Writer) {
	r.mu.Lock()
	keys := make([]key, 0, len(r.series))
	snap := make(map[key]series, len(r.series))
	for k, s := range r.series {
		keys = append(keys, k)
		snap[k] = series{count: s.count, sum: s.sum, bucket: slices.Clone(s.bucket)}
	}
	r.mu.Unlock()
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.direction, b.direction), cmp.Compare(a.component, b.component),
			cmp.Compare(a.operation, b.operation), cmp.Compare(a.fault, b.fault))
	})

	fmt.Fprintln(w, "# HELP ponte_soap_requests_total SOAP exchanges by direction (IN: served, OUT: calls to pagoPA), component, operation and fault code (\"\" when none).")
	fmt.Fprintln(w, "# TYPE ponte_soap_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "ponte_soap_requests_total{%s} %d\n", k.labels(), snap[k].count)
	}
	fmt.Fprintln(w, "# HELP ponte_soap_duration_seconds Time of SOAP exchanges, by direction, component and operation.")
	fmt.Fprintln(w, "# TYPE ponte_soap_duration_seconds histogram")
	type opKey struct{ direction, component, operation string }
	merged := map[opKey]*series{}
	var ops []opKey
	for _, k := range keys {
		ok := opKey{k.direction, k.component, k.operation}
		m := merged[ok]
		if m == nil {
			m = &series{bucket: make([]uint64, len(buckets))}
			merged[ok] = m
			ops = append(ops, ok)
		}
		s := snap[k]
		m.count += s.count
		m.sum += s.sum
		for i := range buckets {
			m.bucket[i] += s.bucket[i]
		}
	}
	for _, ok := range ops {
		m := merged[ok]
		l := fmt.Sprintf(`direction=%q,component=%q,operation=%q`, ok.direction, ok.component, ok.operation)
		var cum uint64
		for i, b := range buckets {
			cum += m.bucket[i]
			fmt.Fprintf(w, "ponte_soap_duration_seconds_bucket{%s,le=%q} %d\n", l, strconv.FormatFloat(b, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "ponte_soap_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", l, m.count)
		fmt.Fprintf(w, "ponte_soap_duration_seconds_sum{%s} %g\n", l, m.sum)
		fmt.Fprintf(w, "ponte_soap_duration_seconds_count{%s} %d\n", l, m.count)
	}

	gauge := func(name, help string, v float64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
	}
	gauge("ponte_uptime_seconds", "Seconds since this process started.", r.now().Sub(r.started).Seconds())
	if r.gauges == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	now := r.now()
	g, err := r.gauges.MetricsGauges(ctx, now)
	up := 1.0
	if err != nil {
		r.log.Warn("metrics: reading the store", "err", err)
		up = 0
	}
	gauge("ponte_store_up", "1 when the store answered this scrape's queries.", up)
	if err != nil {
		return
	}
	gauge("ponte_pending_receipts", "Payments sent to pagoPA whose receipt has not come.", float64(g.PendingReceipts))
	age := 0.0
	if !g.OldestPending.IsZero() {
		age = now.Sub(g.OldestPending).Seconds()
	}
	gauge("ponte_oldest_pending_receipt_age_seconds", "Age of the oldest payment waiting for its receipt (0 when none).", age)
	gauge("ponte_import_flussi_queued", "Import flussi waiting or running.", float64(g.ImportsQueued))
	gauge("ponte_export_flussi_queued", "Export flussi waiting or running.", float64(g.ExportsQueued))
	gauge("ponte_rpt_to_send", "RPTs of activations at PSPs not yet accepted by the node.", float64(g.RPTsToSend))
}

func (k key) labels() string {
	return fmt.Sprintf(`direction=%q,component=%q,operation=%q,fault_code=%q`,
		k.direction, k.component, k.operation, strings.TrimSpace(k.fault))
}
