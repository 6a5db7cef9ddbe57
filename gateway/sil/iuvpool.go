package sil

import (
	"context"
	"sync"

	"github.com/ponte-pagopa/ponte/gateway"
)

// iuvPool hands out IUV progressivi from blocks reserved in the store, so
// that generating an IUV touches the database once every `block` calls.
// Numbers left in a block when the process stops are lost: gaps are
// allowed, reuse is not.
type iuvPool struct {
	seq   gateway.IUVSequence
	block int64
	mu    sync.Mutex
	next  map[int64]*iuvRange
}

type iuvRange struct {
	mu        sync.Mutex
	next, end int64 // next to hand out; end is exclusive
}

func newIUVPool(seq gateway.IUVSequence, block int64) *iuvPool {
	if block <= 0 {
		block = 64
	}
	return &iuvPool{seq: seq, block: block, next: map[int64]*iuvRange{}}
}

// Next returns the next progressivo for the ente.
func (p *iuvPool) Next(ctx context.Context, enteID int64) (int64, error) {
	p.mu.Lock()
	r := p.next[enteID]
	if r == nil {
		r = &iuvRange{}
		p.next[enteID] = r
	}
	p.mu.Unlock()

	// One lock per ente: a slow reservation for one ente does not hold
	// up the others.
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next >= r.end {
		first, err := p.seq.ReserveIUV(ctx, enteID, p.block)
		if err != nil {
			return 0, err
		}
		r.next, r.end = first, first+p.block
	}
	n := r.next
	r.next++
	return n, nil
}
