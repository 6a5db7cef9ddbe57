package papernodo

import (
	"context"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/ttl"
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
	byCF *ttl.Map[string, *gateway.Ente] // shared values: readers must not modify them
}

func newEnteCache(d time.Duration) *enteCache {
	return &enteCache{byCF: ttl.New[string, *gateway.Ente](d, time.Now, 0)}
}

// byCodiceFiscale is st.FindEnteByCF through the cache; errors, including
// gateway.ErrNotFound, come from the store and are not cached.
func (c *enteCache) byCodiceFiscale(ctx context.Context, st gateway.EnteStore, cf string) (*gateway.Ente, error) {
	if c == nil {
		return st.FindEnteByCF(ctx, cf)
	}
	return c.byCF.Load(cf, func() (*gateway.Ente, error) { return st.FindEnteByCF(ctx, cf) })
}
