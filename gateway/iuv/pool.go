package iuv

import (
	"context"
	"sync"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Pool hands out IUV progressivi from blocks reserved in the store, so that
// generating an IUV touches the database once every `block` calls. Numbers
// left in a block when the process stops are lost: gaps are allowed, reuse
// never is. One Pool per process, shared by everything that makes IUVs.
type Pool struct {
	seq   gateway.IUVSequence
	block int64
	mu    sync.Mutex
	next  map[int64]*span
}

type span struct {
	mu        sync.Mutex
	next, end int64 // next to hand out; end is exclusive
}

// NewPool reserves block progressivi at a time (64 when block <= 0).
func NewPool(seq gateway.IUVSequence, block int64) *Pool {
	if block <= 0 {
		block = 64
	}
	return &Pool{seq: seq, block: block, next: map[int64]*span{}}
}

// Next returns the next progressivo for the ente.
func (p *Pool) Next(ctx context.Context, enteID int64) (int64, error) {
	p.mu.Lock()
	r := p.next[enteID]
	if r == nil {
		r = &span{}
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

// New17 returns a fresh IUV17 for the ente.
func (p *Pool) New17(ctx context.Context, e *gateway.Ente) (string, error) {
	n, err := p.Next(ctx, e.ID)
	if err != nil {
		return "", err
	}
	return New17(e.SegregationCode, n)
}
