package journal

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Config tunes the writer; zero fields take the defaults.
type Config struct {
	BodyCap       int           // bytes kept of each body (default 64 KiB)
	BatchSize     int           // events per AppendEvents (default 500)
	FlushInterval time.Duration // longest wait before a partial batch is stored (default 200ms)
	QueueSize     int           // events waiting to be stored (default 10000)
	Retention     time.Duration // age at which events are purged (default 90 days)
	PurgeInterval time.Duration // how often to purge (default 1h)
	StoreTimeout  time.Duration // deadline of one store call (default 30s)
	Clock         gateway.Clock // for the purge horizon (default system clock)
}

func (c Config) withDefaults() Config {
	if c.BodyCap <= 0 {
		c.BodyCap = 64 << 10
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 500
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = 200 * time.Millisecond
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 10_000
	}
	if c.Retention <= 0 {
		c.Retention = 90 * 24 * time.Hour
	}
	if c.PurgeInterval <= 0 {
		c.PurgeInterval = time.Hour
	}
	if c.StoreTimeout <= 0 {
		c.StoreTimeout = 30 * time.Second
	}
	if c.Clock == nil {
		c.Clock = gateway.SystemClock{}
	}
	return c
}

// Writer is the asynchronous journal. Record never blocks the request:
// when the queue is full the event is dropped and counted.
type Writer struct {
	store gateway.JournalStore
	cfg   Config
	log   *slog.Logger
	queue chan *gateway.Event

	mu     sync.RWMutex // guards closed against concurrent Record
	closed bool

	stop     chan struct{} // closed by Close: the flusher drains and exits
	stopOnce sync.Once
	running  atomic.Bool
	flushed  chan struct{} // closed when Run's flusher has drained

	dropped  atomic.Int64
	failed   atomic.Int64
	lastWarn atomic.Int64 // unix seconds of the last drop warning
}

// New builds a writer; call Run in a goroutine and Close at shutdown.
func New(store gateway.JournalStore, cfg Config, log *slog.Logger) *Writer {
	cfg = cfg.withDefaults()
	return &Writer{
		store:   store,
		cfg:     cfg,
		log:     log,
		queue:   make(chan *gateway.Event, cfg.QueueSize),
		stop:    make(chan struct{}),
		flushed: make(chan struct{}),
	}
}

// Record masks and cuts a copy of ev and queues it. It never blocks; after
// Close, or with the queue full, the event is dropped and counted.
func (w *Writer) Record(ev *gateway.Event) {
	e := *ev
	e.Request = Cut(Mask(e.Request), w.cfg.BodyCap)
	e.Response = Cut(Mask(e.Response), w.cfg.BodyCap)

	w.mu.RLock()
	defer w.mu.RUnlock()
	if !w.closed {
		select {
		case w.queue <- &e:
			return
		default:
		}
	}
	n := w.dropped.Add(1)
	now := time.Now().Unix()
	if last := w.lastWarn.Load(); now > last && w.lastWarn.CompareAndSwap(last, now) {
		w.log.Warn("journal: event dropped", "op", e.Operation, "closed", w.closed, "dropped_total", n)
	}
}

// Dropped counts events refused because the queue was full or closed.
func (w *Writer) Dropped() int64 { return w.dropped.Load() }

// Failed counts events lost because the store refused a batch.
func (w *Writer) Failed() int64 { return w.failed.Load() }

// Run stores batches and purges old events until ctx ends or Close is
// called; it then stores what is queued and returns. Call it once.
func (w *Writer) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("journal: Run called twice")
	}
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		w.purgeLoop(purgeCtx)
	}()
	w.flushLoop(ctx)
	stopPurge()
	<-purged
	close(w.flushed)
	return nil
}

// Close stops accepting events and waits, within ctx, until everything
// queued is stored (by Run if it is running, here otherwise).
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.stopOnce.Do(func() { close(w.stop) })
	if w.running.Load() {
		select {
		case <-w.flushed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Run may have stopped on its ctx before Close: store the leftovers.
	w.drain(ctx, make([]*gateway.Event, 0, w.cfg.BatchSize))
	return ctx.Err()
}

func (w *Writer) flushLoop(ctx context.Context) {
	batch := make([]*gateway.Event, 0, w.cfg.BatchSize)
	tick := time.NewTicker(w.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case e := <-w.queue:
			batch = append(batch, e)
			if len(batch) >= w.cfg.BatchSize {
				batch = w.flush(context.Background(), batch)
			}
		case <-tick.C:
			batch = w.flush(context.Background(), batch)
		case <-w.stop:
			w.drain(context.Background(), batch)
			return
		case <-ctx.Done():
			w.drain(context.Background(), batch)
			return
		}
	}
}

// drain stores batch and everything still queued.
func (w *Writer) drain(ctx context.Context, batch []*gateway.Event) {
	for {
		select {
		case e := <-w.queue:
			batch = append(batch, e)
			if len(batch) >= w.cfg.BatchSize {
				batch = w.flush(ctx, batch)
			}
		default:
			w.flush(ctx, batch)
			return
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// flush stores batch and returns it emptied for reuse.
func (w *Writer) flush(ctx context.Context, batch []*gateway.Event) []*gateway.Event {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.StoreTimeout)
	defer cancel()
	if err := w.store.AppendEvents(ctx, batch); err != nil {
		w.failed.Add(int64(len(batch)))
		w.log.Error("journal: storing events", "events", len(batch), "err", err)
	}
	clear(batch)
	return batch[:0]
}

// purgeLoop purges at start, then every PurgeInterval.
func (w *Writer) purgeLoop(ctx context.Context) {
	tick := time.NewTicker(w.cfg.PurgeInterval)
	defer tick.Stop()
	for {
		w.purge(ctx)
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		case <-w.stop:
			return
		}
	}
}

func (w *Writer) purge(ctx context.Context) {
	before := w.cfg.Clock.Now().Add(-w.cfg.Retention)
	ctx, cancel := context.WithTimeout(ctx, w.cfg.StoreTimeout)
	defer cancel()
	n, err := w.store.PurgeEvents(ctx, before)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("journal: purging events", "before", before, "err", err)
		}
		return
	}
	if n > 0 {
		w.log.Info("journal: purged events", "before", before, "deleted", n)
	}
}
