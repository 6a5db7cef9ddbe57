package sil

import (
	"context"
	"errors"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/ttl"
)

// lookupCache keeps enti and tipi dovuto for a short TTL so the hot path of
// paaSILImportaDovuto rarely reads them from the store. Admin changes (new
// password, ente put in service, tipo disabled) therefore take effect on
// this instance within one TTL; absent rows are cached too, so a newly
// created ente may be refused for up to one TTL. That is the accepted price
// of not hitting the database twice per request.
type lookupCache struct {
	enti *ttl.Map[string, *gateway.Ente]        // nil value: not found
	tipi *ttl.Map[tipoKey, *gateway.TipoDovuto] // nil value: not found
}

type tipoKey struct {
	ente int64
	code string
}

func newLookupCache(d time.Duration, now func() time.Time) *lookupCache {
	return &lookupCache{
		enti: ttl.New[string, *gateway.Ente](d, now, 0),
		tipi: ttl.New[tipoKey, *gateway.TipoDovuto](d, now, 0),
	}
}

// ente returns the ente or nil when it does not exist; other store errors
// are returned (and not cached).
func (c *lookupCache) ente(ctx context.Context, st gateway.EnteStore, codIpa string) (*gateway.Ente, error) {
	return c.enti.Load(codIpa, func() (*gateway.Ente, error) { return findEnte(ctx, st, codIpa) })
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
	return c.tipi.Load(tipoKey{enteID, code}, func() (*gateway.TipoDovuto, error) { return findTipo(ctx, st, enteID, code) })
}

func findTipo(ctx context.Context, st gateway.EnteStore, enteID int64, code string) (*gateway.TipoDovuto, error) {
	t, err := st.FindTipoDovuto(ctx, enteID, code)
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, nil
	}
	return t, err
}
