package papernodo

import (
	"context"
	"sync"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// enteCacheTTL bounds how long an admin change to an ente (intermediario,
// stazione) takes to reach paaInviaRT on this instance.
const enteCacheTTL = 5 * time.Second

// enteCache keeps the enti found by codice fiscale for a short TTL, so an
// RT does not read its ente from the store each time. Only found enti are
// kept: an unknown dominio goes to the store every time, so an ente
// created a moment ago is found at once. Expiry runs on the wall clock
// (monotonic), not on the service's gateway.Clock, which tests may freeze.
type enteCache struct {
	ttl   time.Duration
	mu    sync.RWMutex
	byCF  map[string]enteEntry
	limit int // entries before the map is dropped and refilled
}

type enteEntry struct {
	e   *gateway.Ente // shared: readers must not modify it
	exp time.Time
}

func newEnteCache(ttl time.Duration) *enteCache {
	return &enteCache{ttl: ttl, byCF: map[string]enteEntry{}, limit: 10000}
}

// byCodiceFiscale is st.FindEnteByCF through the cache; errors, including
// gateway.ErrNotFound, come from the store and are not cached.
func (c *enteCache) byCodiceFiscale(ctx context.Context, st gateway.EnteStore, cf string) (*gateway.Ente, error) {
	if c == nil || c.ttl <= 0 {
		return st.FindEnteByCF(ctx, cf)
	}
	now := time.Now()
	c.mu.RLock()
	en, ok := c.byCF[cf]
	c.mu.RUnlock()
	if ok && now.Before(en.exp) {
		return en.e, nil
	}
	e, err := st.FindEnteByCF(ctx, cf)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.byCF) >= c.limit {
		c.byCF = map[string]enteEntry{}
	}
	c.byCF[cf] = enteEntry{e: e, exp: now.Add(c.ttl)}
	c.mu.Unlock()
	return e, nil
}
