// Package recovery fetches the receipts the node never pushed. For every
// RPT accepted by the node whose RT has not come after a while it asks the
// node the RPT's state (nodoChiediStatoRPT) and, once the node holds an
// RT, a copy of it (nodoChiediCopiaRT), stored with the checks of
// paaInviaRT. It never relies on the copy alone: the state says whether
// there is an RT to copy. Calls are capped per minute, attempts back off
// with jitter, and every attempt is recorded on its payment.
package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/node"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// Node is what recovery asks the pagoPA node.
type Node interface {
	ChiediStatoRPT(ctx context.Context, r node.RPTRef) (*node.StatoRPT, error)
	ChiediCopiaRT(ctx context.Context, r node.RPTRef) (*node.CopiaRT, error)
	ChiediListaPendentiRPT(ctx context.Context, r node.ListaPendentiRequest) (*node.ListaPendenti, error)
}

// Sweeper is what the sweep needs of the store: the RPTs an ente is
// waiting for, and to make one due at once.
type Sweeper interface {
	WaitingRPTs(ctx context.Context, dominio string, sentBefore time.Time) ([]gateway.PendingRPT, error)
	RetryRecovery(ctx context.Context, paymentID int64) (bool, error)
	// ExpireStaleCheckoutCarts ends the Checkout carts in progress since
	// before without any receipt.
	ExpireStaleCheckoutCarts(ctx context.Context, before time.Time) (int, error)
}

// Receiver stores a recovered RT (papernodo.Service).
type Receiver interface {
	RecoverRT(ctx context.Context, dominio, iuv, ccp, tipoFirma string, doc []byte) (gateway.RTOutcome, error)
}

// Config holds the job's dependencies and tuning; zero values take the
// defaults.
type Config struct {
	Store    gateway.RecoveryStore
	Carts    gateway.CartStore
	Enti     gateway.EnteStore
	Node     Node
	Receiver Receiver
	// After is how long after sending an RPT its RT is looked for
	// (default 30 min; MyPay waits 60).
	After time.Duration
	// Every is how often the job looks for pending RPTs (default 30 s).
	Every time.Duration
	// Backoff is the wait after the first fruitless attempt; it doubles
	// up to MaxBackoff (defaults 5 min and 6 h), with ±20 % jitter so that
	// RPTs sent together are not asked about together.
	Backoff, MaxBackoff time.Duration
	// PerMinute caps the calls to the node of this process (default 60);
	// GlobalPerMinute those of every process on the database (default 120).
	PerMinute, GlobalPerMinute int
	// Pause is how long every call stops when the node says it is over
	// its threshold (PPT_SUPERAMENTOSOGLIA, HTTP 429 or 503; default 1 min).
	Pause time.Duration
	// Batch is how many RPTs one round claims (default 20).
	Batch int
	// UnconfirmedAfter is how long after its preparation an RPT whose
	// sending was never recorded is asked about: longer than the node
	// call's deadline, so that a sending still under way is never judged
	// (default the larger of After and 2 min).
	UnconfirmedAfter time.Duration
	// Sweep, when set, is asked every SweepEvery (default 10 min) for
	// each legacy ente's waiting RPTs; one nodoChiediListaPendentiRPT per
	// ente then tells which of them the node no longer has pending (it
	// holds their RT, or closed them), and those are asked about at once
	// instead of at their backed-off time.
	Sweep      Sweeper
	SweepEvery time.Duration
	// CheckoutExpiry is how long a modello-unico cart waits in progress
	// for a receipt before the sweep ends it SCADUTO (default 24 h, as
	// MyPay's multi-carts); a later receipt still decides it.
	CheckoutExpiry time.Duration
	// Decorrenza is how long after sending an RPT the node still has no
	// RT for, at least 3 attempts in, Ponte records a negative RT of its own
	// (esito 3, decorrenza termini), as MyPay's FESP does (default 14
	// days); past 90 days an RPT the node does not know is closed so too.
	Decorrenza time.Duration
	Clock      gateway.Clock
	Log        *slog.Logger
}

// Worker runs recovery rounds.
type Worker struct {
	c           Config
	tokens      chan struct{}
	pausedUntil atomic.Int64 // unix nanoseconds; the node asked Ponte to slow down
}

// errBudget stops a round: the calls of this minute are spent.
var errBudget = errors.New("budget di chiamate al nodo esaurito per questo minuto")

// New checks the configuration.
func New(c Config) (*Worker, error) {
	if c.Store == nil || c.Carts == nil || c.Enti == nil || c.Node == nil || c.Receiver == nil {
		return nil, errors.New("recovery: Store, Carts, Enti, Node and Receiver are required")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.After, 30*time.Minute)
	def(&c.Every, 30*time.Second)
	def(&c.Backoff, 5*time.Minute)
	def(&c.MaxBackoff, 6*time.Hour)
	if c.PerMinute <= 0 {
		c.PerMinute = 60
	}
	if c.GlobalPerMinute <= 0 {
		c.GlobalPerMinute = 120
	}
	def(&c.Pause, time.Minute)
	def(&c.Decorrenza, 14*24*time.Hour)
	def(&c.SweepEvery, 10*time.Minute)
	def(&c.UnconfirmedAfter, max(c.After, 2*time.Minute))
	def(&c.CheckoutExpiry, 24*time.Hour)
	if c.Batch <= 0 {
		c.Batch = 20
	}
	if c.Clock == nil {
		c.Clock = gateway.SystemClock{}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	w := &Worker{c: c, tokens: make(chan struct{}, c.PerMinute)}
	for range c.PerMinute {
		w.tokens <- struct{}{}
	}
	return w, nil
}

// Run refills the call budget and runs a round every Every until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	refill := time.NewTicker(time.Minute / time.Duration(w.c.PerMinute))
	defer refill.Stop()
	round := time.NewTicker(w.c.Every)
	defer round.Stop()
	sweep := time.NewTicker(w.c.SweepEvery)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			if w.c.Sweep != nil {
				if _, err := w.SweepRound(ctx); err != nil && ctx.Err() == nil {
					w.c.Log.Error("receipt recovery sweep failed", "err", err)
				}
			}
		case <-refill.C:
			select {
			case w.tokens <- struct{}{}:
			default:
			}
		case <-round.C:
			if _, err := w.Round(ctx); err != nil && ctx.Err() == nil {
				w.c.Log.Error("receipt recovery round failed", "err", err)
			}
		}
	}
}

// Round checks the pending RPTs due now, as many as the call budget
// allows, and returns how many it checked.
func (w *Worker) Round(ctx context.Context) (int, error) {
	now := w.c.Clock.Now()
	if now.UnixNano() < w.pausedUntil.Load() {
		return 0, nil
	}
	n := min(w.c.Batch, len(w.tokens)/2) // a check may take two calls
	if n == 0 {
		return 0, nil
	}
	pending, err := w.c.Store.ClaimPendingRPTs(ctx, now.Add(-w.c.After), now.Add(-w.c.UnconfirmedAfter), 2*w.c.Every+time.Minute, n)
	if err != nil {
		return 0, err
	}
	for i, p := range pending {
		result, again := w.check(ctx, p)
		if result == errBudget.Error() {
			// No call made: the rest of the claim waits for its lease.
			w.c.Log.Info("receipt recovery stopped for now", "reason", result, "left", len(pending)-i)
			return i, nil
		}
		if result == pausedText {
			// The call was made and refused for load: recorded, then
			// nothing more until the pause ends.
			err := w.c.Store.NoteRecovery(ctx, p.PaymentID, result, time.Unix(0, w.pausedUntil.Load()))
			return i + 1, err
		}
		var next time.Time
		if again {
			next = w.c.Clock.Now().Add(w.backoff(p.Attempts))
		}
		w.c.Log.Info("receipt recovery", "payment", p.PaymentID, "dominio", p.Dominio, "iuv", p.IUV, "ccp", p.CCP,
			"attempt", p.Attempts+1, "result", result)
		if err := w.c.Store.NoteRecovery(ctx, p.PaymentID, result, next); err != nil {
			return 0, err
		}
	}
	return len(pending), nil
}

// backoff is the wait after attempt n (0-based), jittered.
func (w *Worker) backoff(n int) time.Duration {
	d := w.c.Backoff
	for i := 0; i < n && d < w.c.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.c.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// take spends one call of this process's budget, then of the one shared
// by every process (errBudget when spent).
func (w *Worker) take(ctx context.Context) error {
	select {
	case <-w.tokens:
	case <-ctx.Done():
		return ctx.Err()
	}
	ok, err := w.c.Store.SpendCall(ctx, "recovery", w.c.GlobalPerMinute)
	if err != nil {
		return err
	}
	if !ok {
		return errBudget
	}
	return nil
}

// pausedText is check's result when the node asked to slow down.
const pausedText = "il nodo chiede di rallentare: chiamate sospese"

// limited reports whether err is the node refusing for load: then every
// call stops for Pause.
func (w *Worker) limited(err error) bool {
	var (
		nf *node.NodeFault
		te *node.TransportError
	)
	switch {
	case errors.As(err, &nf) && nf.FaultCode == "PPT_SUPERAMENTOSOGLIA",
		errors.As(err, &te) && (te.StatusCode == http.StatusTooManyRequests || te.StatusCode == http.StatusServiceUnavailable):
		until := w.c.Clock.Now().Add(w.c.Pause)
		w.pausedUntil.Store(until.UnixNano())
		w.c.Log.Warn("receipt recovery: the node asks to slow down, calls paused", "until", until, "err", err)
		return true
	}
	return false
}

// check asks the node about one RPT; it says what it found and whether to
// ask again later.
func (w *Worker) check(ctx context.Context, p gateway.PendingRPT) (result string, again bool) {
	cart, err := w.c.Carts.FindCartByID(ctx, p.CartID)
	if err != nil {
		return "errore: carrello: " + err.Error(), true
	}
	ente, err := w.c.Enti.FindEnte(ctx, cart.CodIpa)
	if err != nil {
		return "errore: ente " + cart.CodIpa + ": " + err.Error(), true
	}
	ref := node.RPTRef{
		Station: node.Station{IntermediarioPA: ente.IntermediaryID, StazionePA: ente.StationID, Password: ente.StationPassword},
		Dominio: p.Dominio, IUV: p.IUV, CCP: p.CCP,
	}
	if err := w.take(ctx); err != nil {
		return takeText(err), true
	}
	stato, err := w.c.Node.ChiediStatoRPT(ctx, ref)
	if w.limited(err) {
		return pausedText, true
	}
	if w.expired(p, stato, err) {
		return w.decorrenza(ctx, p, cart)
	}
	var nf *node.NodeFault
	if p.Unconfirmed && errors.As(err, &nf) && nf.FaultCode == "PPT_RPT_SCONOSCIUTA" {
		// The node never took it: the cart did not start, and says so.
		err := w.c.Carts.MarkCartFailed(ctx, p.CartID, gateway.CartNonInviabile, "RPT non ricevuta dal nodo")
		switch {
		case errors.Is(err, gateway.ErrConflict):
			// The cart left PREDISPOSTO meanwhile: its sending was
			// recorded after all, so the node's answer is only the
			// first word; ask again as for any pending RPT.
			return "nodoChiediStatoRPT: PPT_RPT_SCONOSCIUTA (carrello partito nel frattempo)", true
		case err != nil:
			return "PPT_RPT_SCONOSCIUTA, carrello non chiuso: " + err.Error(), true
		}
		return "RPT sconosciuta al nodo: carrello IMPOSSIBILE_INVIARE_RP", false
	}
	if err != nil {
		return "nodoChiediStatoRPT: " + errorText(err), true
	}
	if p.Unconfirmed {
		// The node has it: the cart is in progress, as the lost answer
		// would have recorded.
		if err := w.c.Carts.MarkCartSent(ctx, p.CartID, stato.URL, nodeSession(stato.URL)); err != nil && !errors.Is(err, gateway.ErrConflict) {
			return "stato " + stato.Stato + ", carrello non aggiornato: " + err.Error(), true
		}
	}
	if !strings.HasPrefix(stato.Stato, "RT_") {
		return "stato " + stato.Stato + ": RT non ancora disponibile", true
	}
	if err := w.take(ctx); err != nil {
		return takeText(err), true
	}
	copia, err := w.c.Node.ChiediCopiaRT(ctx, ref)
	if w.limited(err) {
		return pausedText, true
	}
	if err != nil {
		return "stato " + stato.Stato + ", nodoChiediCopiaRT: " + errorText(err), true
	}
	if len(copia.RT) == 0 {
		return "stato " + stato.Stato + ", nodoChiediCopiaRT senza RT", true
	}
	outcome, err := w.c.Receiver.RecoverRT(ctx, p.Dominio, p.IUV, p.CCP, copia.TipoFirma, copia.RT)
	switch {
	case err != nil:
		return "stato " + stato.Stato + ", RT copiata non accettata: " + errorText(err), true
	case outcome == gateway.RTDuplicate:
		return "RT già presente", false
	}
	return fmt.Sprintf("RT recuperata (stato %s, nodoChiediCopiaRT)", stato.Stato), false
}

// sweepSize is dimensioneLista: the node answers at most this many.
const sweepSize = 1000

// SweepRound compares, for each legacy ente, the RPTs Ponte is waiting
// for with the node's list of pending ones, and makes those the node no
// longer has pending due at once. It returns how many it made due.
func (w *Worker) SweepRound(ctx context.Context) (int, error) {
	now := w.c.Clock.Now()
	if n, err := w.c.Sweep.ExpireStaleCheckoutCarts(ctx, now.Add(-w.c.CheckoutExpiry)); err != nil {
		return 0, err
	} else if n > 0 {
		w.c.Log.Info("receipt recovery sweep: Checkout carts without receipt expired", "carts", n)
	}
	enti, err := w.c.Enti.ListEnti(ctx)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, e := range enti {
		if e.ModelloUnico() || e.StationID == "" {
			continue
		}
		waiting, err := w.c.Sweep.WaitingRPTs(ctx, e.CodiceFiscale, now.Add(-w.c.After))
		if err != nil {
			return made, err
		}
		if len(waiting) == 0 {
			continue
		}
		if err := w.take(ctx); err != nil {
			return made, nil // no budget: the next sweep
		}
		from := waiting[0].SentAt
		for _, p := range waiting {
			if p.SentAt.Before(from) {
				from = p.SentAt
			}
		}
		list, err := w.c.Node.ChiediListaPendentiRPT(ctx, node.ListaPendentiRequest{
			Station: node.Station{IntermediarioPA: e.IntermediaryID, StazionePA: e.StationID, Password: e.StationPassword},
			Dominio: e.CodiceFiscale, From: from.Add(-time.Minute), To: now, Size: sweepSize,
		})
		if w.limited(err) {
			return made, nil
		}
		if err != nil {
			w.c.Log.Warn("receipt recovery sweep: nodoChiediListaPendentiRPT", "codIpa", e.CodIpa, "err", errorText(err))
			continue
		}
		if list.Total > len(list.RPTs) {
			// A partial list cannot prove an RPT is not pending.
			continue
		}
		pending := make(map[[3]string]bool, len(list.RPTs))
		for _, r := range list.RPTs {
			pending[[3]string{r.Dominio, r.IUV, r.CCP}] = true
		}
		for _, p := range waiting {
			if pending[[3]string{p.Dominio, p.IUV, p.CCP}] {
				continue
			}
			ok, err := w.c.Sweep.RetryRecovery(ctx, p.PaymentID)
			if err != nil {
				return made, err
			}
			if ok {
				made++
			}
		}
	}
	return made, nil
}

// decorrenzaAttempts is how many attempts must have found no RT first.
const decorrenzaAttempts = 3

// unknownLimit is how long an RPT the node does not know is asked about.
const unknownLimit = 90 * 24 * time.Hour

// expired reports whether the payment's terms have run out: sent more
// than Decorrenza ago, asked about decorrenzaAttempts times and the node
// still has no RT; or not known to the node 90 days on.
func (w *Worker) expired(p gateway.PendingRPT, stato *node.StatoRPT, err error) bool {
	if p.Unconfirmed {
		return false
	}
	age := w.c.Clock.Now().Sub(p.SentAt)
	var nf *node.NodeFault
	switch {
	case err == nil:
		return !strings.HasPrefix(stato.Stato, "RT_") && p.Attempts+1 >= decorrenzaAttempts && age >= w.c.Decorrenza
	case errors.As(err, &nf) && nf.FaultCode == "PPT_RPT_SCONOSCIUTA":
		return age >= unknownLimit
	}
	return false
}

// decorrenza records the negative RT (esito 3) Ponte makes when the terms
// ran out, built from the RPT as sent and stored with paaInviaRT's
// checks; its identificativoMessaggioRicevuta starts with ### (MyPay's
// mark of RTs it generated). A positive RT arriving later still
// supersedes it.
func (w *Worker) decorrenza(ctx context.Context, p gateway.PendingRPT, cart *gateway.Cart) (string, bool) {
	var sent []byte
	for _, q := range cart.Payments {
		if q.ID == p.PaymentID {
			sent = q.RPT
		}
	}
	req, err := rpt.DecodeTrustedRPT(sent)
	if err != nil {
		return "decorrenza termini: RPT non leggibile: " + err.Error(), true
	}
	id := "###" + rpt.NewMessageID()
	if len(id) > 35 {
		id = id[:35]
	}
	doc, err := rpt.BuildRT(req, rpt.Outcome{Esito: rpt.EsitoDecorrenza, MessageID: id, At: w.c.Clock.Now()})
	if err != nil {
		return "decorrenza termini: RT non costruibile: " + err.Error(), true
	}
	if _, err := w.c.Receiver.RecoverRT(ctx, p.Dominio, p.IUV, p.CCP, "", doc); err != nil {
		return "decorrenza termini: RT non registrata: " + errorText(err), true
	}
	return "decorrenza termini: RT negativa (esito 3) generata da Ponte", false
}

// takeText is check's result when no call could be made.
func takeText(err error) string {
	if errors.Is(err, errBudget) {
		return errBudget.Error()
	}
	return "interrotto"
}

// errorText is an error short enough for the payment's record.
func errorText(err error) string {
	var nf *node.NodeFault
	if errors.As(err, &nf) && nf.FaultCode != "" {
		return nf.FaultCode + " " + nf.Description
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// nodeSession is the node's idSession carried by its redirect URL.
func nodeSession(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return pu.Query().Get("idSession")
}
