package papernodo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/node"
)

// SenderNode is what the Sender asks the pagoPA node (*node.Client).
type SenderNode interface {
	InviaRPT(ctx context.Context, r node.InviaRPTRequest) (*node.InviaRPTResponse, error)
}

// SenderConfig holds the Sender's dependencies and tuning; zero values
// take the defaults.
type SenderConfig struct {
	Store gateway.ActivationStore
	Enti  gateway.EnteStore // the station and its password, by codIpa
	Node  SenderNode
	// Every is how often the Sender looks for RPTs due (default 1 s);
	// Nudge wakes it at once.
	Every time.Duration
	// Backoff is the wait after the first failed attempt; it doubles up
	// to MaxBackoff (defaults 1 s and 5 min; MyPay retries from 1 s).
	Backoff, MaxBackoff time.Duration
	// MaxAttempts ends an RPT the node could not be made to take (default
	// 12, about 20 minutes of trying): the payment is refused and the
	// dovuto payable again. An RT that comes later is still recorded.
	MaxAttempts int
	// Lease holds a claimed RPT from other processes (default 2 min: above
	// the node client's 20 s timeout).
	Lease time.Duration
	// Batch is how many RPTs one round claims (default 20); Parallel how
	// many are sent at once (default 4).
	Batch, Parallel int
	Clock           gateway.Clock
	Log             *slog.Logger
}

// Sender sends the RPTs of modello 3 activations with nodoInviaRPT, in
// the background, so that paaAttivaRPT never waits for the node (the
// node requires it: peers.md §3 A item 4). An RPT the node accepts, or
// already has (PPT_RPT_DUPLICATA), becomes RPT_INVIATA; a transport
// failure or PPT_SYSTEM_ERROR is tried again with back-off; any other
// refusal ends the payment.
type Sender struct {
	c    SenderConfig
	wake chan struct{}
}

// NewSender checks the configuration.
func NewSender(c SenderConfig) (*Sender, error) {
	if c.Store == nil || c.Enti == nil || c.Node == nil {
		return nil, errors.New("papernodo: sender: Store, Enti and Node are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Every, time.Second)
	def(&c.Backoff, time.Second)
	def(&c.MaxBackoff, 5*time.Minute)
	def(&c.Lease, 2*time.Minute)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.Parallel <= 0 {
		c.Parallel = 4
	}
	if c.Clock == nil {
		c.Clock = gateway.SystemClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Sender{c: c, wake: make(chan struct{}, 1)}, nil
}

// Nudge wakes the Sender for an RPT just queued; it never blocks.
func (s *Sender) Nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends RPTs as they come due until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	tick := time.NewTicker(s.c.Every)
	defer tick.Stop()
	for {
		for {
			n, err := s.Round(ctx)
			if err != nil && ctx.Err() == nil {
				s.c.Log.Error("papernodo: RPT sender round failed", "err", err)
			}
			if err != nil || n < s.c.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// Round sends the RPTs due now, up to Batch, and returns how many it
// claimed.
func (s *Sender) Round(ctx context.Context) (int, error) {
	due, err := s.c.Store.ClaimRPTsToSend(ctx, s.c.Lease, s.c.Batch)
	if err != nil {
		return 0, err
	}
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, s.c.Parallel)
		mu   sync.Mutex
		errs []error
	)
	for _, r := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.send(ctx, r); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// send makes one attempt at r and records its outcome.
func (s *Sender) send(ctx context.Context, r gateway.RPTToSend) error {
	log := s.c.Log.With("payment", r.PaymentID, "codIpa", r.CodIpa, "iuv", r.IUV, "ccp", r.CCP, "attempt", r.Attempts+1)
	ente, err := s.c.Enti.FindEnte(ctx, r.CodIpa)
	if err != nil {
		return s.retry(ctx, log, r, "ente: "+err.Error())
	}
	_, err = s.c.Node.InviaRPT(ctx, node.InviaRPTRequest{
		Station: node.Station{IntermediarioPA: ente.IntermediaryID, StazionePA: ente.StationID, Password: ente.StationPassword},
		Dominio: r.Dominio, IUV: r.IUV, CCP: r.CCP,
		PSP: node.PSP{ID: r.PSP, Intermediario: r.Broker, Canale: r.Channel},
		RPT: r.RPT,
		// IDSession is left out: the journal finds the exchange by IUV and CCP.
		Info: node.CallInfo{CodIpa: r.CodIpa},
	})
	var nf *node.NodeFault
	switch {
	case err == nil:
		log.Info("papernodo: activated RPT sent")
		return s.c.Store.MarkRPTSent(ctx, r.PaymentID, "OK")
	case errors.As(err, &nf) && nf.Code() == "PPT_RPT_DUPLICATA":
		// An earlier attempt reached the node, or a repeated
		// activation asked to send it again: the node has it.
		log.Info("papernodo: activated RPT already at the node")
		return s.c.Store.MarkRPTSent(ctx, r.PaymentID, nf.Code())
	case errors.As(err, &nf) && nf.Code() != "PPT_SYSTEM_ERROR" && nf.Code() != "":
		log.Warn("papernodo: activated RPT refused by the node", "err", err)
		return s.c.Store.RefuseRPT(ctx, r.PaymentID, truncate(err.Error(), maxDescription))
	}
	return s.retry(ctx, log, r, err.Error())
}

// retry plans the next attempt, or ends the RPT after MaxAttempts.
func (s *Sender) retry(ctx context.Context, log *slog.Logger, r gateway.RPTToSend, result string) error {
	result = truncate(result, maxDescription)
	if r.Attempts+1 >= s.c.MaxAttempts {
		log.Error("papernodo: activated RPT not sent, giving up", "result", result)
		return s.c.Store.RefuseRPT(ctx, r.PaymentID, fmt.Sprintf("RPT non inviata dopo %d tentativi: %s", r.Attempts+1, result))
	}
	wait := s.c.Backoff << min(r.Attempts, 20)
	if wait <= 0 || wait > s.c.MaxBackoff {
		wait = s.c.MaxBackoff
	}
	log.Warn("papernodo: activated RPT not sent, will retry", "result", result, "in", wait)
	return s.c.Store.RetryRPT(ctx, r.PaymentID, result, s.c.Clock.Now().Add(wait))
}
