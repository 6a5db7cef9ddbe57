package checkout

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/node"
)

// Routes, fixed by MyPay's URLs.
const (
	LandingPath = "/public/landing/inviaDovuti"
	EsitoPath   = "/public/landing/esitoPagamento"
)

// NodeClient is what checkout needs of *node.Client.
type NodeClient interface {
	InviaRPT(ctx context.Context, r node.InviaRPTRequest) (*node.InviaRPTResponse, error)
	InviaCarrelloRPT(ctx context.Context, r node.InviaCarrelloRPTRequest) (*node.InviaCarrelloRPTResponse, error)
}

// Config wires a Service.
type Config struct {
	Carts gateway.CartStore
	Enti  gateway.EnteStore
	Node  NodeClient
	// Checkout opens carts on pagoPA Checkout for enti whose station is
	// on the modello unico; nil when none is configured.
	Checkout CheckoutClient
	IUV      *iuv.Pool
	Clock    gateway.Clock // default gateway.SystemClock
	// Logger receives internal details that pages never show.
	Logger *slog.Logger
	// PublicURL is Ponte's public root (scheme://host[/prefix]); the
	// confirmation form posts to PublicURL + LandingPath, and its origin
	// is trusted for cross-origin checks behind a proxy that rewrites Host.
	PublicURL string
	// Secret keys the confirmation form's anti-forgery field. Processes
	// serving the same carts behind a load balancer must share it; nil
	// draws a random one for this process.
	Secret []byte
}

// Service serves the landing pages. Build it with New.
type Service struct {
	cfg    Config
	log    *slog.Logger
	secret []byte
	cop    *http.CrossOriginProtection

	mu      sync.Mutex
	sending map[int64]*cartLock // carts being decided by this process
}

type cartLock struct {
	mu   sync.Mutex
	refs int
}

// New checks cfg and builds the Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Carts == nil:
		return nil, errors.New("checkout: Carts is required")
	case cfg.Enti == nil:
		return nil, errors.New("checkout: Enti is required")
	case cfg.Node == nil:
		return nil, errors.New("checkout: Node is required")
	case cfg.IUV == nil:
		return nil, errors.New("checkout: IUV is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = gateway.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	s := &Service{cfg: cfg, log: cfg.Logger, cop: http.NewCrossOriginProtection(), sending: map[int64]*cartLock{}}
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("checkout: PublicURL %q is not an absolute http(s) URL", cfg.PublicURL)
		}
		if err := s.cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("checkout: PublicURL: %w", err)
		}
	}
	s.secret = cfg.Secret
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		rand.Read(s.secret)
	}
	return s, nil
}

// Mount adds the routes to e.
func (s *Service) Mount(e *echo.Echo) {
	e.GET(LandingPath, s.landing)
	e.POST(LandingPath, s.submit)
	e.GET(EsitoPath, s.esito)
	e.GET(OutcomePath+"/:outcome", s.outcome)
}

// lockCart serialises the decisions about one cart inside this process, so
// that a double submit waits for the first and then sees its outcome.
func (s *Service) lockCart(id int64) func() {
	s.mu.Lock()
	l := s.sending[id]
	if l == nil {
		l = &cartLock{}
		s.sending[id] = l
	}
	l.refs++
	s.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(s.sending, id)
		}
		s.mu.Unlock()
	}
}
