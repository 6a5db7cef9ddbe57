package sil

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// lookupCache keeps enti and tipi dovuto for a short TTL so the hot path of
// paaSILImportaDovuto rarely reads them from the store. Admin changes (new
// password, ente put in service, tipo disabled) therefore take effect on
// this instance within one TTL; absent rows are cached too, so a newly
// created ente may be refused for up to one TTL. That is the accepted price
// of not hitting the database twice per request.
type lookupCache struct {
	ttl   time.Duration
	now   func() time.Time
	mu    sync.RWMutex
	enti  map[string]enteEntry
	tipi  map[tipoKey]tipoEntry
	limit int // entries per map before a sweep
}

type enteEntry struct {
	e   *gateway.Ente // nil: not found
	exp time.Time
}

type tipoKey struct {
	ente int64
	code string
}

type tipoEntry struct {
	t   *gateway.TipoDovuto // nil: not found
	exp time.Time
}

func newLookupCache(ttl time.Duration, now func() time.Time) *lookupCache {
	return &lookupCache{ttl: ttl, now: now, enti: map[string]enteEntry{}, tipi: map[tipoKey]tipoEntry{}, limit: 10000}
}

// ente returns the ente or nil when it does not exist; other store errors
// are returned (and not cached).
func (c *lookupCache) ente(ctx context.Context, st gateway.EnteStore, codIpa string) (*gateway.Ente, error) {
	if c.ttl <= 0 {
		return findEnte(ctx, st, codIpa)
	}
	now := c.now()
	c.mu.RLock()
	en, ok := c.enti[codIpa]
	c.mu.RUnlock()
	if ok && now.Before(en.exp) {
		return en.e, nil
	}
	e, err := findEnte(ctx, st, codIpa)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.enti) >= c.limit {
		c.enti = map[string]enteEntry{}
	}
	c.enti[codIpa] = enteEntry{e: e, exp: now.Add(c.ttl)}
	c.mu.Unlock()
	return e, nil
}

func findEnte(ctx context.Context, st gateway.EnteStore, codIpa string) (*gateway.Ente, error) {
	e, err := st.FindEnte(ctx, codIpa)
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, nil
	}
	return e, err
}

// tipo returns the tipo dovuto of the ente or nil when it does not exist.
func (c *lookupCache) tipo(ctx context.Context, st gateway.EnteStore, enteID int64, code string) (*gateway.TipoDovuto, error) {
	if c.ttl <= 0 {
		return findTipo(ctx, st, enteID, code)
	}
	now := c.now()
	k := tipoKey{enteID, code}
	c.mu.RLock()
	en, ok := c.tipi[k]
	c.mu.RUnlock()
	if ok && now.Before(en.exp) {
		return en.t, nil
	}
	t, err := findTipo(ctx, st, enteID, code)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.tipi) >= c.limit {
		c.tipi = map[tipoKey]tipoEntry{}
	}
	c.tipi[k] = tipoEntry{t: t, exp: now.Add(c.ttl)}
	c.mu.Unlock()
	return t, nil
}

func findTipo(ctx context.Context, st gateway.EnteStore, enteID int64, code string) (*gateway.TipoDovuto, error) {
	t, err := st.FindTipoDovuto(ctx, enteID, code)
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, nil
	}
	return t, err
}
