// Package push sends each paid dovuto's outcome to its ente, as MyPay's
// "inoltro esito pagamento push" does (mypay-sil §7.1): POST
// {"rt": base64 receipt, "esito": base64 Pagati} to the ente's URL, with
// retries on an exponential schedule and a dead letter (FALLITO) after
// the last attempt. The pushes are queued by RecordRT in the receipt's
// own transaction, so none is lost; any instance may send them (leases).
package push

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/sil"
)

// Store is what the worker needs.
type Store interface {
	gateway.PushStore
	ListEnti(ctx context.Context) ([]*gateway.Ente, error)
	FindPayments(ctx context.Context, dominio, iuv string) ([]*gateway.Payment, error)
}

// Config sets the worker up; zero fields take MyPay's defaults.
type Config struct {
	Store Store
	// Base and Span shape the schedule: attempt n waits
	// Base·(Span/Base)^(n/MaxAttempts), so the last comes Span after the
	// first (MyPay: 3 s, 14 days); MaxAttempts then makes it FALLITO.
	Base        time.Duration
	Span        time.Duration
	MaxAttempts int
	Every       time.Duration // how often due pushes are looked for (default 5 s)
	Timeout     time.Duration // of one POST (default 5 s, as MyPay)
	Lease       time.Duration // default 1 min
	Client      *http.Client  // default: no redirects followed
	Clock       gateway.Clock
	Log         *slog.Logger
}

// Worker sends due pushes. Build it with New; run it with Run.
type Worker struct {
	cfg   Config
	owner string
	wake  chan struct{}
}

// New checks cfg and fills the defaults.
func New(cfg Config) (*Worker, error) {
	if cfg.Store == nil {
		return nil, errors.New("push: Store is required")
	}
	if cfg.Base <= 0 {
		cfg.Base = 3 * time.Second
	}
	if cfg.Span <= 0 {
		cfg.Span = 14 * 24 * time.Hour
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 14
	}
	if cfg.Every <= 0 {
		cfg.Every = 5 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Clock == nil {
		cfg.Clock = gateway.SystemClock{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	return &Worker{cfg: cfg, owner: fmt.Sprintf("%s-%d-%x", host, os.Getpid(), rand.Uint32()), wake: make(chan struct{}, 1)}, nil
}

// Run sends due pushes until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.cfg.Every)
	defer t.Stop()
	for {
		for {
			n, err := w.Round(ctx)
			if err != nil && ctx.Err() == nil {
				w.cfg.Log.Error("push: round", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Wake makes Run look for due pushes now (after a replay).
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// roundSize bounds the pushes one round leases.
const roundSize = 20

// Round sends the pushes due now and returns how many it tried.
func (w *Worker) Round(ctx context.Context) (int, error) {
	due, err := w.cfg.Store.ClaimPushes(ctx, w.owner, w.cfg.Lease, roundSize)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	enti, err := w.cfg.Store.ListEnti(ctx)
	if err != nil {
		return 0, err
	}
	byID := make(map[int64]*gateway.Ente, len(enti))
	for _, e := range enti {
		byID[e.ID] = e
	}
	for _, p := range due {
		e := byID[p.EnteID]
		err := w.send(ctx, e, p)
		log := w.cfg.Log.With("ente", p.EnteID, "iuv", p.IUV, "iud", p.IUD, "attempt", p.Attempts+1)
		if err == nil {
			log.Info("push: outcome delivered")
			if err := w.cfg.Store.PushDone(ctx, p.ID, w.owner); err != nil {
				return 0, err
			}
			continue
		}
		dead := p.Attempts+1 >= w.cfg.MaxAttempts
		next := w.cfg.Clock.Now().Add(w.wait(p.Attempts + 1))
		if dead {
			log.Error("push: outcome not delivered, attempts exhausted (dead letter; ponte replay sends it again)", "err", err)
		} else {
			log.Warn("push: outcome not delivered, will retry", "err", err, "next", next)
		}
		reason := err.Error()
		if len(reason) > 500 {
			reason = reason[:500]
		}
		if err := w.cfg.Store.PushRetry(ctx, p.ID, w.owner, reason, next, dead); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// wait is the pause after attempt n: Base·(Span/Base)^(n/MaxAttempts).
func (w *Worker) wait(n int) time.Duration {
	b, s := w.cfg.Base.Seconds(), w.cfg.Span.Seconds()
	return time.Duration(b * math.Pow(s/b, float64(n)/float64(w.cfg.MaxAttempts)) * float64(time.Second))
}

// Payload is the JSON body of a push (MyPay's PaymentNotification).
type Payload struct {
	RT    string `json:"rt"`
	Esito string `json:"esito"`
}

// send posts one push; nil only for a 2xx answer without faultCode.
func (w *Worker) send(ctx context.Context, e *gateway.Ente, p *gateway.Push) error {
	if e == nil || e.PushURL == "" {
		return errors.New("l'ente non ha un URL di inoltro esito")
	}
	payments, err := w.cfg.Store.FindPayments(ctx, e.CodiceFiscale, p.IUV)
	if err != nil {
		return err
	}
	var pm *gateway.Payment
	for _, q := range payments {
		if q.ID == p.PaymentID {
			pm = q
		}
	}
	if pm == nil || pm.Receipt == nil {
		return fmt.Errorf("pagamento %d senza ricevuta", p.PaymentID)
	}
	esito, err := sil.PagatiOf(pm, p.IUD)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(Payload{RT: base64.StdEncoding.EncodeToString(pm.Receipt.RT), Esito: string(esito)})
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.PushURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if e.PushJWT.Secret != "" {
		tok, err := bearer(e.PushJWT)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := w.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(answer[:min(len(answer), 200)])))
	}
	var f struct {
		FaultCode        string `json:"faultCode"`
		FaultDescription string `json:"faultDescription"`
	}
	if json.Unmarshal(answer, &f) == nil && f.FaultCode != "" {
		return fmt.Errorf("%s: %s", f.FaultCode, f.FaultDescription)
	}
	return nil
}
