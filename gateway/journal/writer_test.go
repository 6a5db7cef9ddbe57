package journal

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// The soap endpoint takes a Writer without either package importing the
// other.
var _ soap.Recorder = (*Writer)(nil)

// memStore is an in-memory JournalStore; the real ones are tested with the
// stores.
type memStore struct {
	mu      sync.Mutex
	batches [][]gateway.Event
	purges  []time.Time
	fail    error
	gate    chan struct{} // when set, AppendEvents waits on it
}

func (m *memStore) AppendEvents(ctx context.Context, evs []*gateway.Event) error {
	if m.gate != nil {
		select {
		case <-m.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	b := make([]gateway.Event, len(evs))
	for i, e := range evs {
		b[i] = *e
	}
	m.batches = append(m.batches, b)
	return nil
}

func (m *memStore) SearchEvents(context.Context, gateway.JournalFilter) ([]*gateway.Event, error) {
	return nil, errors.New("not used")
}

func (m *memStore) PurgeEvents(_ context.Context, before time.Time) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purges = append(m.purges, before)
	return 0, nil
}

func (m *memStore) sizes() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s []int
	for _, b := range m.batches {
		s = append(s, len(b))
	}
	return s
}

func (m *memStore) all() []gateway.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []gateway.Event
	for _, b := range m.batches {
		out = append(out, b...)
	}
	return out
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ev(op string) *gateway.Event {
	return &gateway.Event{Operation: op, Direction: gateway.Inbound, Component: "SIL",
		Request: `<ppt:x><password>segreto99</password></ppt:x>`, Response: `<ok/>`}
}

func TestRecordMasksAndCuts(t *testing.T) {
	st := &memStore{}
	w := New(st, Config{BodyCap: 30}, quiet())
	in := ev("op")
	in.Response = strings.Repeat("è", 40)
	w.Record(in)
	if in.Request != `<ppt:x><password>segreto99</password></ppt:x>` {
		t.Fatal("Record changed the caller's event")
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := st.all()
	if len(got) != 1 {
		t.Fatalf("stored %d events", len(got))
	}
	if strings.Contains(got[0].Request, "segreto99") || got[0].Request != `<ppt:x><password>***</password`+CutMarker {
		t.Fatalf("request %q", got[0].Request)
	}
	if got[0].Response != strings.Repeat("è", 15)+CutMarker {
		t.Fatalf("response %q", got[0].Response)
	}
}

// A password split by the endpoint's own cut is still masked.
func TestRecordMasksBeforeCut(t *testing.T) {
	st := &memStore{}
	w := New(st, Config{BodyCap: 1000}, quiet())
	e := ev("op")
	e.Request = `<a><password>segr` + CutMarker
	w.Record(e)
	w.Close(context.Background())
	if r := st.all()[0].Request; strings.Contains(r, "segr") {
		t.Fatalf("leaked: %q", r)
	}
}

func TestBatching(t *testing.T) {
	st := &memStore{}
	w := New(st, Config{BatchSize: 3, FlushInterval: time.Hour}, quiet())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	for range 7 {
		w.Record(ev("op"))
	}
	eventually(t, "two full batches", func() bool { return len(st.sizes()) == 2 })
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := st.sizes(); len(got) != 3 || got[0] != 3 || got[1] != 3 || got[2] != 1 {
		t.Fatalf("batches %v, want [3 3 1]", got)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := w.Run(ctx); err == nil {
		t.Fatal("second Run accepted")
	}
}

func TestFlushInterval(t *testing.T) {
	st := &memStore{}
	w := New(st, Config{BatchSize: 100, FlushInterval: 20 * time.Millisecond}, quiet())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	w.Record(ev("a"))
	w.Record(ev("b"))
	eventually(t, "a partial batch", func() bool { return len(st.all()) == 2 })
	w.Close(context.Background())
}

// Events recorded after Run stopped on its context are still stored by Close.
func TestCloseAfterRunStopped(t *testing.T) {
	st := &memStore{}
	w := New(st, Config{FlushInterval: time.Hour}, quiet())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	w.Record(ev("a"))
	cancel()
	<-done
	if len(st.all()) != 1 {
		t.Fatalf("Run did not flush on exit: %d", len(st.all()))
	}
	w.Record(ev("b"))
	w.Close(context.Background())
	if len(st.all()) != 2 {
		t.Fatalf("Close lost events: %d", len(st.all()))
	}
}

func TestDropsWhenFull(t *testing.T) {
	st := &memStore{}
	w := New(st, Config{QueueSize: 2}, quiet())
	done := make(chan struct{})
	go func() {
		for range 5 {
			w.Record(ev("op")) // no Run: the queue fills and must not block
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Record blocked on a full queue")
	}
	if w.Dropped() != 3 {
		t.Fatalf("Dropped = %d, want 3", w.Dropped())
	}
	w.Close(context.Background())
	if len(st.all()) != 2 {
		t.Fatalf("stored %d, want 2", len(st.all()))
	}
	w.Record(ev("late"))
	if w.Dropped() != 4 {
		t.Fatalf("Record after Close: Dropped = %d, want 4", w.Dropped())
	}
}

// A slow store makes the queue fill while Run is busy: requests still pass.
func TestSlowStoreDoesNotBlock(t *testing.T) {
	st := &memStore{gate: make(chan struct{})}
	w := New(st, Config{QueueSize: 4, BatchSize: 1, FlushInterval: time.Millisecond}, quiet())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	start := time.Now()
	for range 50 {
		w.Record(ev("op"))
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Record took %v with a stuck store", d)
	}
	if w.Dropped() < 40 {
		t.Fatalf("Dropped = %d", w.Dropped())
	}
	close(st.gate)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := int64(len(st.all())); got+w.Dropped() != 50 {
		t.Fatalf("stored %d + dropped %d != 50", got, w.Dropped())
	}
}

func TestStoreFailureCounted(t *testing.T) {
	st := &memStore{fail: errors.New("db down")}
	w := New(st, Config{}, quiet())
	w.Record(ev("a"))
	w.Record(ev("b"))
	w.Close(context.Background())
	if w.Failed() != 2 {
		t.Fatalf("Failed = %d", w.Failed())
	}
}

func TestCloseHonoursContext(t *testing.T) {
	st := &memStore{gate: make(chan struct{})}
	defer close(st.gate)
	w := New(st, Config{BatchSize: 1}, quiet())
	go w.Run(context.Background())
	w.Record(ev("a"))
	w.Record(ev("b"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want deadline exceeded", err)
	}
}

func TestPurgeSchedule(t *testing.T) {
	st := &memStore{}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w := New(st, Config{PurgeInterval: 20 * time.Millisecond, Retention: 48 * time.Hour, Clock: gateway.FixedClock{T: now}}, quiet())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()
	eventually(t, "three purges", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.purges) >= 3
	})
	cancel()
	<-done
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, b := range st.purges {
		if !b.Equal(now.Add(-48 * time.Hour)) {
			t.Fatalf("purge before %v, want %v", b, now.Add(-48*time.Hour))
		}
	}
	n := len(st.purges)
	st.mu.Unlock()
	time.Sleep(60 * time.Millisecond)
	st.mu.Lock()
	if len(st.purges) != n {
		t.Fatal("purging went on after Run returned")
	}
}

func TestDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	if c.BodyCap != 64<<10 || c.BatchSize != 500 || c.FlushInterval != 200*time.Millisecond ||
		c.QueueSize != 10000 || c.Retention != 90*24*time.Hour || c.PurgeInterval != time.Hour {
		t.Fatalf("defaults %+v", c)
	}
}
