package papernodo

import (
	"errors"
	"log/slog"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Config holds the service's dependencies.
type Config struct {
	Carts  gateway.CartStore
	Enti   gateway.EnteStore
	Clock  gateway.Clock // default gateway.SystemClock
	Logger *slog.Logger  // default slog.Default()
}

// Service implements PaPerNodo.
type Service struct {
	carts  gateway.CartStore
	enti   gateway.EnteStore
	clock  gateway.Clock
	log    *slog.Logger
	entiCF *enteCache
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
	return &Service{carts: c.Carts, enti: c.Enti, clock: c.Clock, log: c.Logger, entiCF: newEnteCache(enteCacheTTL)}, nil
}
