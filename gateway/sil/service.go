package sil

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/signed"
)

// Options tune the service; zero values take the defaults.
type Options struct {
	// IUV15Limit is MyPay's pa.dataLimiteNuoviIuv15: from that day on a
	// 15-character IUV is refused for azione I (default 30/04/2024).
	IUV15Limit time.Time
	// CacheTTL is how long enti and tipi dovuto stay in memory (default
	// 5 s; negative disables the cache).
	CacheTTL time.Duration
	// IUVBlock is how many IUV progressivi are reserved per store round
	// trip (default 64).
	IUVBlock int64
	// CartTTL is how long a cart may wait for the citizen before it is
	// sent to the node (MyPay's basket time to live, default 1 h).
	CartTTL time.Duration
}

// Config holds the service's dependencies.
type Config struct {
	Enti   gateway.EnteStore
	Dovuti gateway.DovutoStore
	IUV    gateway.IUVSequence
	// IUVPool, when set, is the process's shared pool over IUV (the
	// payment flow makes IUVs too); otherwise the service makes its own.
	IUVPool *iuv.Pool
	Auth    *auth.Verifier
	Clock   gateway.Clock // default gateway.SystemClock
	Logger  *slog.Logger  // default slog.Default()
	// PublicURL is Ponte's external base URL: the landing URL the payment
	// operations return is {PublicURL}/public/landing/inviaDovuti?id=….
	PublicURL string
	// Carts keeps the carts of the payment operations (paaSILInviaDovuti,
	// paaSILInviaCarrelloDovuti, paaSILVerificaAvviso, paaSILChiediPagati,
	// paaSILChiediPagatiConRicevuta, paaSILChiediEsitoCarrelloDovuti).
	// Without it those six answer "non è ancora disponibile".
	Carts gateway.CartStore
	// CartSecret is the intermediary's shared secret behind the
	// elementoListaDovuti hash of paaSILInviaCarrelloDovuti (MyPay's
	// pa.identificativoIntermediarioPAPassword). Empty refuses every hash
	// but the one computed with the empty secret.
	CartSecret string
	Options    Options
}

// Service implements the SIL operations.
type Service struct {
	enti      gateway.EnteStore
	dovuti    gateway.DovutoStore
	auth      *auth.Verifier
	clock     gateway.Clock
	log       *slog.Logger
	publicURL string
	avvisi    *signed.Signer // signs urlFileAvviso; nil: not returned
	opts      Options

	carts      gateway.CartStore
	cartSecret string

	cache *lookupCache
	iuvs  *iuv.Pool

	imports *importFlussi // nil until EnableImport
	exports *exportFlussi // nil until EnableExport
}

// New checks the configuration and builds the service. It also compiles
// the payload schema, so a broken schema fails at start-up.
func New(c Config) (*Service, error) {
	if c.Enti == nil || c.Dovuti == nil || c.IUV == nil || c.Auth == nil {
		return nil, errors.New("sil: Enti, Dovuti, IUV and Auth are required")
	}
	if c.Clock == nil {
		c.Clock = gateway.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	o := c.Options
	if o.IUV15Limit.IsZero() {
		o.IUV15Limit = iuv.DefaultLimitNew15
	}
	if o.CacheTTL == 0 {
		o.CacheTTL = 5 * time.Second
	}
	if o.IUVBlock <= 0 {
		o.IUVBlock = 64
	}
	if o.CartTTL <= 0 {
		o.CartTTL = time.Hour
	}
	if _, err := loadPayloadSchema(); err != nil {
		return nil, err
	}
	if c.IUVPool == nil {
		c.IUVPool = iuv.NewPool(c.IUV, o.IUVBlock)
	}
	return &Service{
		enti:       c.Enti,
		dovuti:     c.Dovuti,
		auth:       c.Auth,
		clock:      c.Clock,
		log:        c.Logger,
		publicURL:  strings.TrimRight(c.PublicURL, "/"),
		opts:       o,
		carts:      c.Carts,
		cartSecret: c.CartSecret,
		cache:      newLookupCache(o.CacheTTL, time.Now),
		iuvs:       c.IUVPool,
	}, nil
}

// checkPassword applies MyPay's password rule through the verifier's cache.
func (s *Service) checkPassword(_ context.Context, e *gateway.Ente, password *string) (bool, error) {
	pw := ""
	if password != nil {
		pw = *password
	}
	return s.auth.Check(e.CodIpa, e.PasswordHash, pw), nil
}
