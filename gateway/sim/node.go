package sim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/xsd"
)

// Errors of the completion API.
var (
	ErrUnknownSession = errors.New("sim: sessione sconosciuta")
	ErrSessionClosed  = errors.New("sim: sessione già conclusa")
	ErrUnknownRPT     = errors.New("sim: RPT sconosciuta")
)

// Node is the simulated node. All methods are safe for concurrent use.
type Node struct {
	cfg   Config
	reg   *registry
	rm    ReceiptMaker
	types *xsdvalid.Schema // NodoPerPa bodies
	head  *xsdvalid.Schema // ppthead headers
	rptXS *xsdvalid.Schema // RPT documents
	pafn  *xsdvalid.Schema // paForNode bodies, both ways

	// Background paSendRTV2 deliveries; Close stops them.
	bg       context.Context
	bgCancel context.CancelFunc
	bgWG     sync.WaitGroup

	mu       sync.Mutex
	sink     RTSink
	rpts     map[RPTKey]*rptRecord
	sessions map[string]*session
	carts    map[string]string // idCarrello → session
	order    []string          // sessions, oldest first, for eviction
	stats    Stats
	faults   Faults
	delivery GlobalDelivery
	mu2      muState // modello unico: carts, receipts
}

// New builds a node from its registry. rm makes the RTs of completed
// payments; nil means RPTReceipts.
func New(cfg Config, rm ReceiptMaker) (*Node, error) {
	cfg = cfg.withDefaults()
	if rm == nil {
		rm = RPTReceipts{}
	}
	reg, err := newRegistry(cfg)
	if err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, reg: reg, rm: rm,
		rpts: map[RPTKey]*rptRecord{}, sessions: map[string]*session{}, carts: map[string]string{}}
	n.stats.init()
	n.mu2.init()
	n.bg, n.bgCancel = context.WithCancel(context.Background())
	for _, s := range []struct {
		dst  **xsdvalid.Schema
		name string
	}{{&n.types, "nodoperpa-types.xsd"}, {&n.head, "nodoperpa-ppthead.xsd"}, {&n.rptXS, "PagInf_RPT_RT_6_2_0.xsd"}, {&n.pafn, "paForNode.xsd"}} {
		if *s.dst, err = xsdvalid.Compile(xsd.FS, s.name); err != nil {
			return nil, fmt.Errorf("sim: compiling %s: %w", s.name, err)
		}
	}
	return n, nil
}

// SetSink sets where generated RTs go (nil: nowhere).
func (n *Node) SetSink(s RTSink) {
	n.mu.Lock()
	n.sink = s
	n.mu.Unlock()
}

// Stats counts what the node saw, for tests.
type Stats struct {
	Calls             map[string]int `json:"calls"`    // SOAP calls per operation
	Faults            map[string]int `json:"faults"`   // KO answers per faultCode
	Received          map[string]int `json:"received"` // RPTs per "dominio/IUV/CCP", refused ones included
	DuplicatesRefused int            `json:"duplicatesRefused"`
	RPTsAccepted      int            `json:"rptsAccepted"`
	CartsAccepted     int            `json:"cartsAccepted"`
	Sessions          int            `json:"sessions"`
	Paid              int            `json:"paid"`
	Failed            int            `json:"failed"`
	Cancelled         int            `json:"cancelled"`
	RTsGenerated      int            `json:"rtsGenerated"`
	RefusedDown       int            `json:"refusedDown"` // HTTP 503 while down
	Evicted           int            `json:"evicted"`     // sessions forgotten past MaxRPTs
	Resent            int            `json:"resent"`      // RTs handed to the sink again by Resend

	// RT delivery to the ente (paaInviaRT), counted by the Deliverer.
	Delivery   DeliveryStats            `json:"delivery"`
	Deliveries map[string]DeliveryStats `json:"deliveries"` // per "dominio/IUV/CCP"

	// Modello unico: Checkout carts, the PSP desk and paForNode calls.
	PaForNode MUStats `json:"paForNode"`
}

func (s *Stats) init() {
	s.Calls, s.Faults, s.Received = map[string]int{}, map[string]int{}, map[string]int{}
	s.Deliveries = map[string]DeliveryStats{}
	s.PaForNode.Calls = map[string]int{}
}

func (s Stats) clone() Stats {
	c := s
	c.init()
	for k, v := range s.Calls {
		c.Calls[k] = v
	}
	for k, v := range s.Faults {
		c.Faults[k] = v
	}
	for k, v := range s.Received {
		c.Received[k] = v
	}
	for k, v := range s.Deliveries {
		c.Deliveries[k] = v
	}
	c.PaForNode = s.PaForNode
	c.PaForNode.Calls = map[string]int{}
	for k, v := range s.PaForNode.Calls {
		c.PaForNode.Calls[k] = v
	}
	return c
}

// Stats returns a copy of the counters.
func (n *Node) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats.clone()
}

// Received returns how many times the RPT key was sent (refusals included).
func (n *Node) Received(k RPTKey) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats.Received[k.String()]
}

// receivedLocked counts one more arrival of k, bounded like the store.
func (n *Node) receivedLocked(k RPTKey) {
	ks := k.String()
	if _, ok := n.stats.Received[ks]; ok || len(n.stats.Received) < 2*n.cfg.MaxRPTs {
		n.stats.Received[ks]++
	}
}

// newID returns a random UUID (version 4) string.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (n *Node) now() time.Time { return n.cfg.Clock.Now().In(gateway.Rome) }

// wispURL is the redirect URL of a session.
func (n *Node) wispURL(id string) string {
	return n.cfg.BaseURL + WISPPath + "?idSession=" + url.QueryEscape(id)
}

// addSessionLocked stores an accepted request and evicts the oldest
// sessions past MaxRPTs.
func (n *Node) addSessionLocked(s *session, recs []*rptRecord) {
	for _, r := range recs {
		n.rpts[r.key] = r
	}
	n.sessions[s.id] = s
	if s.carrello != "" {
		n.carts[s.carrello] = s.id
	}
	n.order = append(n.order, s.id)
	n.stats.Sessions++
	n.stats.RPTsAccepted += len(recs)
	for len(n.rpts) > n.cfg.MaxRPTs && len(n.order) > 1 {
		old := n.sessions[n.order[0]]
		n.order = n.order[1:]
		if old == nil {
			continue
		}
		for _, k := range old.keys {
			delete(n.rpts, k)
		}
		delete(n.carts, old.carrello)
		delete(n.sessions, old.id)
		n.stats.Evicted++
	}
	if cap(n.order) > 2*len(n.order)+1024 { // let the backing array shrink
		n.order = append([]string(nil), n.order...)
	}
}

// RPTInfo is one RPT of a session as the control API shows it.
type RPTInfo struct {
	RPTKey
	State          State         `json:"stato"`
	History        []Step        `json:"storico"`
	TipoVersamento string        `json:"tipoVersamento"`
	Importo        gateway.Cents `json:"importoCents"`
	RTs            int           `json:"rtCount"`
	RT             []byte        `json:"rt,omitempty"` // current RT (base64 in JSON)
	RPT            []byte        `json:"-"`
}

// SessionInfo is a session as the control API shows it.
type SessionInfo struct {
	ID                string    `json:"idSession"`
	URL               string    `json:"url,omitempty"`
	Carrello          string    `json:"idCarrello,omitempty"`
	Dominio           string    `json:"idDominio,omitempty"`
	Stazione          string    `json:"stazione"`
	MultiBeneficiario bool      `json:"multiBeneficiario,omitempty"`
	Status            string    `json:"status"`
	Esito             string    `json:"esito,omitempty"`     // OK|ERROR once closed
	ReturnURL         string    `json:"returnUrl,omitempty"` // where the browser goes back
	Created           time.Time `json:"created"`
	RPTs              []RPTInfo `json:"rpts"`
	// Delivery is the mode of the session's RTs: set by
	// SetSessionDeliveryMode while open, the one applied once completed.
	Delivery DeliveryMode `json:"delivery,omitempty"`
}

func (n *Node) infoLocked(s *session) SessionInfo {
	si := SessionInfo{ID: s.id, URL: s.url, Carrello: s.carrello, Dominio: s.dominio, Stazione: s.stazione,
		MultiBeneficiario: s.multi, Status: s.status, ReturnURL: s.returnURL, Created: s.created, Delivery: s.mode}
	switch s.status {
	case SessionPaid:
		si.Esito = "OK"
	case SessionFailed, SessionCancelled:
		si.Esito = "ERROR"
	}
	for _, k := range s.keys {
		r := n.rpts[k]
		if r == nil {
			continue
		}
		ri := RPTInfo{RPTKey: k, State: r.state, History: append([]Step(nil), r.history...),
			TipoVersamento: r.tipo, Importo: r.importo, RTs: len(r.rts), RPT: r.rpt}
		if len(r.rts) > 0 {
			ri.RT = r.rts[len(r.rts)-1]
		}
		si.RPTs = append(si.RPTs, ri)
	}
	return si
}

// Session returns a session by id.
func (n *Node) Session(id string) (SessionInfo, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.sessions[id]
	if s == nil {
		return SessionInfo{}, false
	}
	return n.infoLocked(s), true
}

// RTs returns the current RT of every RPT of a session that has one.
func (n *Node) RTs(idSession string) ([]Receipt, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.sessions[idSession]
	if s == nil {
		return nil, ErrUnknownSession
	}
	var out []Receipt
	for _, k := range s.keys {
		if r := n.rpts[k]; r != nil && len(r.rts) > 0 {
			out = append(out, n.receiptLocked(s, r))
		}
	}
	return out, nil
}

func (n *Node) receiptLocked(s *session, r *rptRecord) Receipt {
	st := n.reg.stazioni[r.stazione]
	return Receipt{Key: r.key, Session: s.id, Stazione: r.stazione, URL: st.PaPerNodoURL,
		Paid: s.status == SessionPaid, RT: r.rts[len(r.rts)-1]}
}

// Pay completes a session as the PSP would: o.Code "0" (or empty) pays,
// any other code fails the payment; either way an RT is made for each RPT.
func (n *Node) Pay(idSession string, o Outcome) (SessionInfo, error) {
	if o.Code == "" {
		o.Code = "0"
	}
	return n.complete(idSession, o, false)
}

// Cancel completes a session as a person cancelling on WISP: the node
// generates a negative RT for each RPT.
func (n *Node) Cancel(idSession string) (SessionInfo, error) {
	return n.complete(idSession, Outcome{Code: "1", Reason: "Annullato da WISP"}, true)
}

func (n *Node) complete(id string, o Outcome, cancel bool) (SessionInfo, error) {
	n.mu.Lock()
	s := n.sessions[id]
	if s == nil {
		n.mu.Unlock()
		return SessionInfo{}, ErrUnknownSession
	}
	if s.status != SessionOpen || s.closing {
		n.mu.Unlock()
		return SessionInfo{}, ErrSessionClosed
	}
	s.closing = true
	mode := n.modeForLocked(s)
	type job struct {
		key RPTKey
		rpt []byte
		o   Outcome
	}
	var jobs []job
	for _, k := range s.keys {
		r := n.rpts[k]
		if r == nil {
			continue
		}
		jo := o
		if jo.PSP == "" {
			jo.PSP = r.psp
		}
		jobs = append(jobs, job{k, r.rpt, jo})
	}
	n.mu.Unlock()

	now := n.now()
	rts := make([][]byte, len(jobs))
	extra := make([][]byte, len(jobs)) // negative-first or wrong RTs
	undo := func(err error) (SessionInfo, error) {
		n.mu.Lock()
		s.closing = false
		n.mu.Unlock()
		return SessionInfo{}, err
	}
	for i, j := range jobs {
		j.o.When = now
		if j.o.PSPName == "" {
			if p, ok := n.reg.psps[j.o.PSP]; ok && p.Name != "" {
				j.o.PSPName = p.Name
			} else {
				j.o.PSPName = j.o.PSP
			}
		}
		if j.o.Paid() {
			if j.o.IUR == "" {
				j.o.IUR = fmt.Sprintf("%s%d", now.Format("20060102150405"), i+1)
			}
			if j.o.Reason == "" {
				j.o.Reason = "ESEGUITO"
			}
		} else {
			j.o.IUR = "0"
			if j.o.Reason == "" {
				j.o.Reason = "Pagamento non eseguito"
			}
		}
		rt, err := n.rm.MakeRT(j.rpt, j.o)
		if err != nil {
			return undo(fmt.Errorf("sim: making RT for %s: %w", j.key, err))
		}
		rts[i] = rt
		switch {
		case mode == DeliverNegativeThenPositive && j.o.Paid() && !cancel:
			neg := j.o
			neg.Code, neg.IUR, neg.Reason = "1", "0", "Annullato da WISP"
			if extra[i], err = n.rm.MakeRT(j.rpt, neg); err != nil {
				return undo(fmt.Errorf("sim: making negative RT for %s: %w", j.key, err))
			}
		case mode == DeliverWrong || mode == DeliverWrongIUV:
			if extra[i], err = wrongRT(rt, mode); err != nil {
				return undo(err)
			}
		}
	}

	n.mu.Lock()
	if n.sessions[id] != s { // evicted meanwhile
		n.mu.Unlock()
		return SessionInfo{}, ErrUnknownSession
	}
	s.closing = false
	s.mode = mode
	switch {
	case cancel:
		s.status = SessionCancelled
		n.stats.Cancelled++
	case o.Paid():
		s.status = SessionPaid
		n.stats.Paid++
	default:
		s.status = SessionFailed
		n.stats.Failed++
	}
	s.returnURL = n.returnURL(s)
	var first, out []Receipt
	for i, j := range jobs {
		r := n.rpts[j.key]
		if r == nil {
			continue
		}
		if extra[i] != nil && mode == DeliverNegativeThenPositive {
			r.rts = append(r.rts, extra[i])
			n.stats.RTsGenerated++
			rc := n.receiptLocked(s, r)
			rc.Paid, rc.Kind = false, KindNegativeFirst
			first = append(first, rc)
		}
		if cancel {
			r.move(now, RPTAnnullataWISP, "pagamento annullato dall'utente su WISP")
			r.move(now, RTGenerataNodo, "RT negativa generata dal nodo")
		} else {
			r.move(now, RPTInviataAPSP, "RPT inviata al PSP "+j.o.PSP)
			r.move(now, RPTAccettataPSP, "RPT accettata dal PSP")
			r.move(now, RTRicevutaNodo, "RT ricevuta dal PSP")
			r.move(now, RTAccettataNodo, "RT valida, da inviare all'EC")
		}
		r.rts = append(r.rts, rts[i])
		n.stats.RTsGenerated++
		rc := n.receiptLocked(s, r)
		switch {
		case mode == DeliverTwice:
			dup := rc
			dup.Kind = KindDuplicate
			out = append(out, rc, dup)
		case extra[i] != nil && mode != DeliverNegativeThenPositive:
			rc.RT, rc.Kind = extra[i], KindWrong
			out = append(out, rc)
		default:
			out = append(out, rc)
		}
	}
	if mode == DeliverNever {
		out = nil
	}
	out = append(first, out...)
	info := n.infoLocked(s)
	sink := n.sink
	n.mu.Unlock()
	n.hand(sink, out)
	return info, nil
}

// hand gives receipts to the sink, outside the lock, in order.
func (n *Node) hand(sink RTSink, out []Receipt) {
	if sink == nil {
		return
	}
	for _, rc := range out {
		sink.RTGenerated(context.Background(), rc)
	}
}

// returnURL is where the browser goes back: the station's redirect URL with
// idDominio (single RPT only), idSession and esito.
func (n *Node) returnURL(s *session) string {
	base := n.reg.stazioni[s.stazione].RedirectURL
	if base == "" {
		return ""
	}
	q := url.Values{}
	if s.dominio != "" {
		q.Set("idDominio", s.dominio)
	}
	q.Set("idSession", s.id)
	q.Set("esito", map[bool]string{true: "OK", false: "ERROR"}[s.status == SessionPaid])
	sep := "?"
	if u, err := url.Parse(base); err == nil && u.RawQuery != "" {
		sep = "&"
	}
	return base + sep + q.Encode()
}

// AddRT stores one more RT for an RPT of a closed session, e.g. a positive
// RT after a negative one (tests of the ente's idempotency), and hands it
// to the sink.
func (n *Node) AddRT(k RPTKey, rt []byte) error {
	n.mu.Lock()
	r := n.rpts[k]
	if r == nil {
		n.mu.Unlock()
		return ErrUnknownRPT
	}
	s := n.sessions[r.session]
	r.rts = append(r.rts, append([]byte(nil), rt...))
	r.move(n.now(), RTAccettataNodo, "RT aggiuntiva")
	n.stats.RTsGenerated++
	rc := n.receiptLocked(s, r)
	rc.Paid, rc.Kind = rtPaid(rt), KindAdded
	sink := n.sink
	n.mu.Unlock()
	n.hand(sink, []Receipt{rc})
	return nil
}

// SetRTState records the progress of an RT's delivery to the ente
// (RT_INVIATA_PA, RT_ACCETTATA_PA, RT_RIFIUTATA_PA, RT_ESITO_SCONOSCIUTO_PA,
// RT_ERRORE_INVIO_A_PA).
func (n *Node) SetRTState(k RPTKey, s State, descr string) error {
	if !deliveryStates[s] {
		return fmt.Errorf("sim: %s is not an RT delivery state", s)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.rpts[k]
	if r == nil {
		return ErrUnknownRPT
	}
	r.move(n.now(), s, descr)
	return nil
}
