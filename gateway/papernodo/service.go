package papernodo

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/xsd"
)

// Config holds the service's dependencies.
type Config struct {
	Carts  gateway.CartStore
	Enti   gateway.EnteStore
	Clock  gateway.Clock // default gateway.SystemClock
	Logger *slog.Logger  // default slog.Default()
	// Modello3 serves paaVerificaRPT and paaAttivaRPT; default Carts when
	// it implements Modello3Store (store.DB does). Without one, both
	// answer PAA_SYSTEM_ERROR.
	Modello3 Modello3Store
	// Nudge, when set, is called after an activation is stored, to wake
	// the RPT sender (Sender.Nudge); it must not block.
	Nudge func()
}

// Service implements PaPerNodo.
type Service struct {
	carts  gateway.CartStore
	enti   gateway.EnteStore
	clock  gateway.Clock
	log    *slog.Logger
	entiCF *enteCache
	m3     Modello3Store
	nudge  func()
	psp    *xsdvalid.Schema // PaPerNodoPagamentoPsp bodies
}

// New checks the configuration and builds the service.
func New(c Config) (*Service, error) {
	if c.Carts == nil || c.Enti == nil {
		return nil, errors.New("papernodo: Carts and Enti are required")
	}
	if c.Clock == nil {
		c.Clock = gateway.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Modello3 == nil {
		c.Modello3, _ = c.Carts.(Modello3Store)
	}
	if c.Nudge == nil {
		c.Nudge = func() {}
	}
	psp, err := xsdvalid.Compile(xsd.FS, pspSchema)
	if err != nil {
		return nil, fmt.Errorf("papernodo: compiling %s: %w", pspSchema, err)
	}
	return &Service{carts: c.Carts, enti: c.Enti, clock: c.Clock, log: c.Logger, entiCF: newEnteCache(enteCacheTTL),
		m3: c.Modello3, nudge: c.Nudge, psp: psp}, nil
}
