package flussi

import (
	"context"
	"sync/atomic"

	"github.com/ponte-pagopa/ponte/gateway"
)

// sinkBatch is how many rows cross to the sink at a time.
const sinkBatch = 512

// sink hands rows to the store on a goroutine of its own, so that reading
// and checking the file overlaps with encoding rows and the database
// taking them (on two cores, the difference between waiting for each
// other and working side by side).
type sink struct {
	apply  func(context.Context, *gateway.ImportRow) error
	ctx    context.Context
	full   chan []gateway.ImportRow
	free   chan []gateway.ImportRow
	batch  []gateway.ImportRow
	done   chan struct{}
	err    error
	failed atomic.Bool
	closed bool
}

func startSink(ctx context.Context, apply func(context.Context, *gateway.ImportRow) error) *sink {
	s := &sink{apply: apply, ctx: ctx, full: make(chan []gateway.ImportRow, 4), free: make(chan []gateway.ImportRow, 6), done: make(chan struct{})}
	s.batch = make([]gateway.ImportRow, 0, sinkBatch)
	go s.run()
	return s
}

func (s *sink) run() {
	defer close(s.done)
	for b := range s.full {
		if s.err == nil {
			for i := range b {
				if err := s.apply(s.ctx, &b[i]); err != nil {
					s.err = err
					s.failed.Store(true)
					break
				}
			}
		}
		select {
		case s.free <- b[:0]:
		default:
		}
	}
}

// add queues a copy of r; false means the sink failed and reading should
// stop (close tells why).
func (s *sink) add(r *gateway.ImportRow) bool {
	s.batch = append(s.batch, *r)
	if len(s.batch) == sinkBatch {
		s.full <- s.batch
		select {
		case s.batch = <-s.free:
		default:
			s.batch = make([]gateway.ImportRow, 0, sinkBatch)
		}
	}
	return !s.failed.Load()
}

// close hands over the last rows, waits for the sink and returns its
// first error.
func (s *sink) close() error {
	if !s.closed {
		s.closed = true
		if len(s.batch) > 0 {
			s.full <- s.batch
		}
		close(s.full)
		<-s.done
	}
	return s.err
}
