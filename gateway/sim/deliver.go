package sim

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/papernodo"
)

// OpPaaInviaRT is the PaPerNodo operation (and SOAPAction) that delivers
// an RT to the ente.
const OpPaaInviaRT = "paaInviaRT"

// RetryPolicy is how often an RT whose delivery failed (timeout, malformed
// answer, connection error) is sent again. A refusal with a fault is final.
type RetryPolicy struct {
	// Attempts is the number of sends, the first included (default 5).
	Attempts int `json:"attempts"`
	// Backoff is the wait before the first retry (default 10 s).
	Backoff time.Duration `json:"backoff"`
	// Factor multiplies the wait after each retry (default 2; 1 keeps it
	// constant).
	Factor float64 `json:"factor"`
	// MaxBackoff caps the wait (default 10 min).
	MaxBackoff time.Duration `json:"maxBackoff"`
}

// The node's retry policies (pagopa-node.md §11.1, §11.2). The legacy
// node's cadence is not public: five attempts are, the waits are ours.
var (
	LegacyRetry        = RetryPolicy{Attempts: 5, Backoff: 10 * time.Second, Factor: 2, MaxBackoff: 10 * time.Minute}
	WISPConverterRetry = RetryPolicy{Attempts: 48, Backoff: time.Hour, Factor: 1, MaxBackoff: time.Hour}
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = LegacyRetry.Attempts
	}
	if p.Backoff <= 0 {
		p.Backoff = LegacyRetry.Backoff
	}
	if p.Factor < 1 {
		p.Factor = LegacyRetry.Factor
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = max(LegacyRetry.MaxBackoff, p.Backoff)
	}
	return p
}

// wait is the pause before attempt number next (2, 3, …).
func (p RetryPolicy) wait(next int) time.Duration {
	w := float64(p.Backoff)
	for i := 2; i < next && w < float64(p.MaxBackoff); i++ {
		w *= p.Factor
	}
	return min(time.Duration(w), p.MaxBackoff)
}

// DeliveryConfig configures a Deliverer.
type DeliveryConfig struct {
	Retry RetryPolicy
	// Timeout bounds one paaInviaRT exchange (default 15 s, the node's
	// timeout towards stations).
	Timeout time.Duration
	// Client sends the requests; default a keep-alive client of its own.
	Client *http.Client
	// MaxResponseBytes caps the ente's answer read (default 1 MiB).
	MaxResponseBytes int64
	Log              *slog.Logger // default: the node's
}

// DeliveryStats counts paaInviaRT deliveries.
type DeliveryStats struct {
	Attempts   int    `json:"attempts"`   // paaInviaRT requests sent
	Accepted   int    `json:"accepted"`   // esito OK
	Refused    int    `json:"refused"`    // esito KO with a fault: final
	Retried    int    `json:"retried"`    // attempts after the first of an RT
	Unknown    int    `json:"unknown"`    // timeouts and malformed answers
	SendErrors int    `json:"sendErrors"` // connection failures
	Abandoned  int    `json:"abandoned"`  // RTs given up after the last attempt
	LastFault  string `json:"lastFault,omitempty"`
}

// Deliverer is the RTSink that sends RTs to the stations with paaInviaRT
// from background goroutines, retrying per its policy, and records each
// step on the node (RT_INVIATA_PA, then RT_ACCETTATA_PA, RT_RIFIUTATA_PA,
// RT_ESITO_SCONOSCIUTO_PA or RT_ERRORE_INVIO_A_PA) and in Stats. RTs of
// the same RPT are sent one after the other, in the order received.
type Deliverer struct {
	n      *Node
	cfg    DeliveryConfig
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	queues map[RPTKey][]Receipt // pending RTs of keys with a running worker
	queued int
	closed bool
}

// NewDeliverer builds a Deliverer for n; give it to n.SetSink (or use
// Node.StartDelivery) and stop it with Close.
func NewDeliverer(n *Node, cfg DeliveryConfig) *Deliverer {
	cfg.Retry = cfg.Retry.withDefaults()
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = 1 << 20
	}
	if cfg.Client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		cfg.Client = &http.Client{Transport: t}
	}
	if cfg.Log == nil {
		cfg.Log = n.cfg.Log
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Deliverer{n: n, cfg: cfg, log: cfg.Log.With("component", "sim-rt"), ctx: ctx, cancel: cancel,
		queues: map[RPTKey][]Receipt{}}
}

// StartDelivery makes a Deliverer the node's sink and returns it.
func (n *Node) StartDelivery(cfg DeliveryConfig) *Deliverer {
	d := NewDeliverer(n, cfg)
	n.SetSink(d)
	return d
}

// RTGenerated queues r; it never blocks on the network.
func (d *Deliverer) RTGenerated(_ context.Context, r Receipt) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		d.log.Warn("RT not delivered: deliverer closed", "key", r.Key.String())
		return
	}
	q, running := d.queues[r.Key]
	d.queues[r.Key] = append(q, r)
	d.queued++
	if !running {
		d.wg.Add(1)
		go d.work(r.Key)
	}
}

// Pending is the number of RTs queued or being delivered (retries included).
func (d *Deliverer) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.queued
}

// Close stops every delivery (waits and requests in flight are cut, their
// outcome not recorded) and waits for the goroutines until ctx ends.
func (d *Deliverer) Close(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// work delivers the RTs of one key until its queue is empty.
func (d *Deliverer) work(k RPTKey) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		q := d.queues[k]
		if len(q) == 0 || d.closed {
			d.queued -= len(q)
			delete(d.queues, k)
			d.mu.Unlock()
			return
		}
		r := q[0]
		d.queues[k] = q[1:]
		d.mu.Unlock()
		d.deliver(r)
		d.mu.Lock()
		d.queued--
		d.mu.Unlock()
	}
}

// deliver sends one RT until it is accepted, refused or out of attempts.
func (d *Deliverer) deliver(r Receipt) {
	p := d.cfg.Retry
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(p.wait(attempt))
			select {
			case <-t.C:
			case <-d.ctx.Done():
				t.Stop()
				return
			}
			d.n.countDelivery(r.Key, func(s *DeliveryStats) { s.Retried++ })
		}
		if err := d.n.SetRTState(r.Key, RTInviataPA, fmt.Sprintf("RT inviata all'EC (tentativo %d)", attempt)); err != nil {
			return // the node forgot the RPT
		}
		res := d.send(r)
		if d.ctx.Err() != nil {
			return
		}
		_ = d.n.SetRTState(r.Key, res.state, res.descr)
		d.n.countDelivery(r.Key, func(s *DeliveryStats) {
			s.Attempts++
			switch res.state {
			case RTAccettataPA:
				s.Accepted++
			case RTRifiutataPA:
				s.Refused++
				s.LastFault = res.fault
			case RTEsitoSconosciutoPA:
				s.Unknown++
			default:
				s.SendErrors++
			}
		})
		d.log.Debug("paaInviaRT", "key", r.Key.String(), "kind", r.Kind, "attempt", attempt, "state", res.state, "detail", res.descr)
		if res.final {
			return
		}
		if attempt >= p.Attempts || r.URL == "" {
			d.n.countDelivery(r.Key, func(s *DeliveryStats) { s.Abandoned++ })
			d.log.Warn("RT not delivered, giving up", "key", r.Key.String(), "attempts", attempt, "state", res.state, "detail", res.descr)
			return
		}
	}
}

// result is the classified outcome of one paaInviaRT (pagopa-node.md §11.1).
type result struct {
	state State
	descr string
	fault string
	final bool // no retry
}

func (d *Deliverer) send(r Receipt) result {
	if r.URL == "" {
		return result{state: RTErroreInvioAPA, descr: "stazione " + r.Stazione + " senza URL PaPerNodo"}
	}
	env, err := d.n.paaInviaRTEnvelope(r)
	if err != nil {
		return result{state: RTErroreInvioAPA, descr: err.Error()}
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(env))
	if err != nil {
		return result{state: RTErroreInvioAPA, descr: err.Error()}
	}
	req.Header.Set("Content-Type", soap.ContentType)
	req.Header.Set("SOAPAction", OpPaaInviaRT)
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		if timedOut(err) {
			return result{state: RTEsitoSconosciutoPA, descr: "timeout della stazione: " + err.Error()}
		}
		return result{state: RTErroreInvioAPA, descr: "stazione irraggiungibile: " + err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, d.cfg.MaxResponseBytes+1))
	switch {
	case err != nil && timedOut(err):
		return result{state: RTEsitoSconosciutoPA, descr: "timeout della stazione: " + err.Error()}
	case err != nil:
		return result{state: RTEsitoSconosciutoPA, descr: "risposta interrotta: " + err.Error()}
	case int64(len(body)) > d.cfg.MaxResponseBytes:
		return result{state: RTEsitoSconosciutoPA, descr: "risposta troppo grande"}
	}
	return classify(resp.StatusCode, body)
}

// classify reads the ente's answer: esito OK accepts, esito KO with a
// fault refuses (final); anything else (not SOAP, a SOAP Fault, another
// element, KO without a fault) is an unknown outcome, retried like the
// legacy node does with a malformed answer.
func classify(status int, body []byte) result {
	unknown := func(format string, args ...any) result {
		return result{state: RTEsitoSconosciutoPA, descr: fmt.Sprintf("risposta non valida (HTTP %d): ", status) + fmt.Sprintf(format, args...)}
	}
	req, err := soap.Decode(bytes.NewReader(body), soap.Limits{})
	if err != nil {
		return unknown("%v", err)
	}
	if req.Operation != (xml.Name{Space: NSPPT, Local: "paaInviaRTRisposta"}) {
		return unknown("elemento {%s}%s", req.Operation.Space, req.Operation.Local)
	}
	var out papernodo.PaaInviaRTRisposta
	if err := req.DecodeBody(&out); err != nil {
		return unknown("%v", err)
	}
	r := out.PaaInviaRTRisposta
	switch {
	case r.Esito == "OK":
		return result{state: RTAccettataPA, descr: "RT accettata dall'EC", final: true}
	case r.Esito == "KO" && r.Fault != nil && r.Fault.FaultCode != "":
		return result{state: RTRifiutataPA, descr: "RT rifiutata dall'EC: " + r.Fault.FaultCode + " " + r.Fault.Description,
			fault: r.Fault.FaultCode, final: true}
	case r.Esito == "KO":
		return unknown("esito KO senza fault")
	}
	return unknown("esito %q", r.Esito)
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// paaInviaRTEnvelope is the request wisp-converter sends: intestazionePPT
// with the station's intermediary, the station and the RPT's key; tipoFirma
// empty; the RT in base64.
func (n *Node) paaInviaRTEnvelope(r Receipt) ([]byte, error) {
	h := papernodo.IntestazionePPT{
		IdentificativoIntermediarioPA:         papernodo.StText35(n.reg.stazioni[r.Stazione].Intermediario),
		IdentificativoStazioneIntermediarioPA: papernodo.StText35(r.Stazione),
		IdentificativoDominio:                 papernodo.StText35(r.Key.Dominio),
		IdentificativoUnivocoVersamento:       papernodo.StText35(r.Key.IUV),
		CodiceContestoPagamento:               papernodo.StText35(r.Key.CCP),
	}
	body := papernodo.PaaInviaRT{TipoFirma: "", Rt: r.RT}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + soap.NSEnvelope + `"><soapenv:Header>`)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(h); err != nil {
		return nil, fmt.Errorf("sim: intestazionePPT: %w", err)
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	b.WriteString(`</soapenv:Header><soapenv:Body>`)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("sim: paaInviaRT: %w", err)
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes(), nil
}

// countDelivery updates the total and the key's delivery counters.
func (n *Node) countDelivery(k RPTKey, f func(*DeliveryStats)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(&n.stats.Delivery)
	ks := k.String()
	ds, ok := n.stats.Deliveries[ks]
	if !ok && len(n.stats.Deliveries) >= 2*n.cfg.MaxRPTs {
		return
	}
	f(&ds)
	n.stats.Deliveries[ks] = ds
}

// Deliveries returns the delivery counters of one RPT.
func (n *Node) Deliveries(k RPTKey) DeliveryStats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats.Deliveries[k.String()]
}
