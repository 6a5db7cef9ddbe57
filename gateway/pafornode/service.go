package pafornode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/ttl"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/xsd"
)

// Store is what the station reads and writes.
type Store interface {
	gateway.CartStore
	FindEnteByCF(ctx context.Context, codiceFiscale string) (*gateway.Ente, error)
	FindTipoDovuto(ctx context.Context, enteID int64, code string) (*gateway.TipoDovuto, error)
	FindDovutoByIUV(ctx context.Context, enteID int64, iuv string) (*gateway.Dovuto, error)
}

// Config holds the service's dependencies.
type Config struct {
	Store  Store
	Clock  gateway.Clock // default gateway.SystemClock
	Logger *slog.Logger  // default slog.Default()
}

// Service implements paForNode. Build it with New.
type Service struct {
	st     Store
	clock  gateway.Clock
	log    *slog.Logger
	schema *xsdvalid.Schema
	enti   *ttl.Map[string, *gateway.Ente] // shared values: never modified
}

// enteCacheTTL bounds how long an admin change to an ente takes to reach
// the node-facing answers of this instance.
const enteCacheTTL = 5 * time.Second

// New checks the configuration and builds the service.
func New(c Config) (*Service, error) {
	if c.Store == nil {
		return nil, errors.New("pafornode: Store is required")
	}
	if c.Clock == nil {
		c.Clock = gateway.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	schema, err := xsdvalid.Compile(xsd.FS, "paForNode.xsd")
	if err != nil {
		return nil, fmt.Errorf("pafornode: compiling paForNode.xsd: %w", err)
	}
	return &Service{st: c.Store, clock: c.Clock, log: c.Logger, schema: schema,
		enti: ttl.New[string, *gateway.Ente](enteCacheTTL, time.Now, 0)}, nil
}

// station checks the caller's identifiers against the ente of idPA, the
// same ladder for every operation: the ente (PAA_ID_DOMINIO_ERRATO), its
// intermediario (PAA_ID_INTERMEDIARIO_ERRATO) and its station on the
// modello unico (PAA_STAZIONE_INT_ERRATA).
func (s *Service) station(ctx context.Context, idPA, idBroker, idStation string) (*gateway.Ente, error) {
	e, err := s.enti.Load(idPA, func() (*gateway.Ente, error) { return s.st.FindEnteByCF(ctx, idPA) })
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, fault(CodeIDDominioErrato, fmt.Sprintf("idPA %s non è un ente servito da Ponte", idPA))
	}
	if err != nil {
		return nil, err
	}
	if idBroker != e.IntermediaryID {
		return nil, fault(CodeIDIntermediarioErrato,
			fmt.Sprintf("idBrokerPA %s non è l'intermediario dell'ente %s", idBroker, idPA))
	}
	if idStation != e.StationID {
		return nil, fault(CodeStazioneIntErrata, fmt.Sprintf("idStation %s non è la stazione dell'ente %s", idStation, idPA))
	}
	if !e.ModelloUnico() {
		return nil, fault(CodeStazioneIntErrata,
			fmt.Sprintf("la stazione %s dell'ente %s è configurata sul modello RPT/RT, non sul modello unico", idStation, idPA))
	}
	return e, nil
}

// faultOf logs err and returns the fault to answer: a *gateway.Error as
// it is, anything else as PAA_SYSTEM_ERROR (the node retries those).
func (s *Service) faultOf(ctx context.Context, op string, err error, ev *gateway.Event) *gateway.Error {
	var ge *gateway.Error
	if !errors.As(err, &ge) {
		s.log.Error("pafornode: "+op+" failed", "codIpa", ev.CodIpa, "iuv", ev.IUV, "err", err)
		return fault(CodeSystemError, "errore interno di Ponte: riprovare più tardi")
	}
	level := slog.LevelInfo
	switch ge.Code {
	case CodeSystemError:
		level = slog.LevelError
	case CodeSintassiExtraXSD, CodeSemantica, CodeIDDominioErrato, CodeIDIntermediarioErrato, CodeStazioneIntErrata:
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "pafornode: "+op+" answered KO", "codIpa", ev.CodIpa, "iuv", ev.IUV,
		"faultCode", ge.Code, "description", ge.Description)
	return ge
}
