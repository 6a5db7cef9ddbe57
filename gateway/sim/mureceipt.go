package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/pafornode"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

// ReceiptMode says how a modello unico receipt reaches its stations.
type ReceiptMode string

const (
	// ReceiptNormal sends paSendRTV2 once per station (retried on failure).
	ReceiptNormal ReceiptMode = "normal"
	// ReceiptTwice sends it a second time once the first delivery ended.
	ReceiptTwice ReceiptMode = "twice"
	// ReceiptNever keeps the receipt (ResendReceipt sends it) but sends
	// nothing: the "receipt never arriving" case.
	ReceiptNever ReceiptMode = "never"
)

// ErrUnknownReceipt is a receiptId the node does not hold.
var ErrUnknownReceipt = errors.New("sim: ricevuta sconosciuta")

// ParseReceiptMode checks a mode name; "" is ReceiptNormal.
func ParseReceiptMode(s string) (ReceiptMode, error) {
	switch m := ReceiptMode(s); m {
	case "":
		return ReceiptNormal, nil
	case ReceiptNormal, ReceiptTwice, ReceiptNever:
		return m, nil
	}
	return "", badRequest(fmt.Sprintf("modalità ricevuta %q sconosciuta (normal, twice, never)", s))
}

// States of a receipt's delivery to one station.
const (
	ReceiptPending   = "pending"
	ReceiptAccepted  = "accepted"  // outcome OK
	ReceiptDuplicate = "duplicate" // KO PAA_RECEIPT_DUPLICATA: final
	ReceiptAbandoned = "abandoned" // out of attempts
	ReceiptNotSent   = "not-sent"  // ReceiptNever
	ReceiptStopped   = "stopped"   // node closed meanwhile
)

// ReceiptStats counts paSendRTV2 exchanges.
type ReceiptStats struct {
	Attempts   int    `json:"attempts"`   // requests sent
	Accepted   int    `json:"accepted"`   // outcome OK
	Duplicates int    `json:"duplicates"` // KO PAA_RECEIPT_DUPLICATA (final)
	Refused    int    `json:"refused"`    // KO with another fault (retried)
	Retried    int    `json:"retried"`    // attempts after the first of a send
	Unknown    int    `json:"unknown"`    // timeouts and unusable answers
	SendErrors int    `json:"sendErrors"` // connection failures
	Abandoned  int    `json:"abandoned"`  // sends given up after the last attempt
	LastFault  string `json:"lastFault,omitempty"`
}

// ReceiptDelivery is a receipt's delivery to one station: the notice's own
// or, with Broadcast, that of another dominio of the transferList.
type ReceiptDelivery struct {
	IDPA      string `json:"idPA"`
	Station   string `json:"idStation"`
	URL       string `json:"url"`
	Broadcast bool   `json:"broadcast,omitempty"`
	Sends     int    `json:"sends"` // times the receipt was handed over (2 with ReceiptTwice)
	State     string `json:"state"`
	ReceiptStats
}

// ReceiptV2Info is a paSendRTV2 receipt the node made.
type ReceiptV2Info struct {
	ReceiptID           string            `json:"receiptId"`
	FiscalCode          string            `json:"fiscalCode"`
	NoticeNumber        string            `json:"noticeNumber"`
	CreditorReferenceID string            `json:"creditorReferenceId"`
	Amount              gateway.Cents     `json:"amountCents"`
	Origin              string            `json:"origin"` // checkout | psp
	Cart                string            `json:"cart,omitempty"`
	PaymentNote         string            `json:"paymentNote,omitempty"`
	Mode                ReceiptMode       `json:"mode"`
	Created             time.Time         `json:"created"`
	Deliveries          []ReceiptDelivery `json:"deliveries"`
}

// Delivered reports whether every station acquired the receipt (OK, or
// PAA_RECEIPT_DUPLICATA).
func (r ReceiptV2Info) Delivered() bool {
	for _, d := range r.Deliveries {
		if d.State != ReceiptAccepted && d.State != ReceiptDuplicate {
			return false
		}
	}
	return len(r.Deliveries) > 0
}

// MUStats counts the modello unico side of the node.
type MUStats struct {
	Calls             map[string]int `json:"calls"` // paForNode requests sent, per operation
	Carts             int            `json:"carts"` // carts created
	CartsRefused      int            `json:"cartsRefused"`
	CheckoutPaid      int            `json:"checkoutPaid"`
	CheckoutCancelled int            `json:"checkoutCancelled"`
	CheckoutErrors    int            `json:"checkoutErrors"` // "Errore" button and failed activations
	PSPPayments       int            `json:"pspPayments"`
	Receipts          int            `json:"receipts"` // receipts made
	Delivery          ReceiptStats   `json:"delivery"` // paSendRTV2, all receipts
}

// muReceipt is a receipt and the requests that carry it, one per station.
type muReceipt struct {
	info ReceiptV2Info
	reqs []pafornode.PaSendRTV2Request
	sts  []Stazione
}

// muState is the modello unico memory, under Node.mu.
type muState struct {
	carts        map[string]*cart
	cartOrder    []string
	receipts     map[string]*muReceipt
	receiptOrder []string
	pending      int // deliveries running
}

func (m *muState) init() {
	m.carts, m.receipts = map[string]*cart{}, map[string]*muReceipt{}
}

// payment is what a receipt is made of.
type payment struct {
	origin, cart    string
	cf, notice      string
	act             ActivationAnswer
	note            string
	method          string
	fee             gateway.Cents
	payer           *pafornode.CtSubject
	mode            ReceiptMode
	delay           time.Duration
	sync            bool
	applicationDate time.Time
}

// pspIdentity is the PSP and channel named in receipts.
func (n *Node) pspIdentity() (id, name, channel string) {
	p := n.reg.psps[n.cfg.ReceiptPSP]
	id, name = p.ID, p.Name
	if name == "" {
		name = p.ID
	}
	if len(p.Canali) > 0 {
		channel = p.Canali[0]
	}
	return id, name, channel
}

func newReceiptID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// issueReceipt makes the receipt of a paid notice, stores it and sends it
// to the notice's station and to the modello unico station of every other
// dominio of the transferList (broadcast).
func (n *Node) issueReceipt(ctx context.Context, p payment) ReceiptV2Info {
	d := p.act.data
	now := n.now()
	if p.applicationDate.IsZero() {
		p.applicationDate = now
	}
	pspID, pspName, channel := n.pspIdentity()
	rc := pafornode.CtReceiptV2{
		ReceiptId:           newReceiptID(),
		NoticeNumber:        pafornode.StNoticeNumber(p.notice),
		FiscalCode:          pafornode.StFiscalCodePA(p.cf),
		Outcome:             pafornode.StOutcomeOK,
		CreditorReferenceId: d.CreditorReferenceId,
		PaymentAmount:       d.PaymentAmount,
		Description:         d.Description,
		CompanyName:         d.CompanyName,
		OfficeName:          d.OfficeName,
		Debtor:              d.Debtor,
		IdPSP:               pafornode.StText35(clip(pspID, 35)),
		PSPCompanyName:      pafornode.StText70(clip(pspName, 70)),
		IdChannel:           pafornode.StText35(clip(channel, 35)),
		ChannelDescription:  "simulatore Ponte",
		Payer:               p.payer,
		PaymentMethod:       pafornode.StText35(p.method),
		PaymentNote:         pafornode.StText210(clip(p.note, 210)),
		PaymentDateTime:     wire.DateTimeOf(now),
		ApplicationDate:     wire.DateOf(p.applicationDate),
		TransferDate:        wire.DateOf(p.applicationDate.AddDate(0, 0, 1)),
		Metadata:            d.Metadata,
	}
	fee := wire.AmountOf(p.fee)
	rc.Fee = &fee
	for _, t := range d.TransferList.Transfer {
		rt := pafornode.CtTransferPAReceiptV2{
			IdTransfer: t.IdTransfer, TransferAmount: t.TransferAmount, FiscalCodePA: t.FiscalCodePA,
			CompanyName: t.CompanyName, IBAN: t.IBAN, RemittanceInformation: t.RemittanceInformation,
			TransferCategory: t.TransferCategory, Metadata: t.Metadata,
		}
		if t.IBAN == "" && t.RichiestaMarcaDaBollo != nil {
			rt.MBDAttachment = wire.Base64("marca da bollo digitale simulata")
		}
		rc.TransferList.Transfer = append(rc.TransferList.Transfer, rt)
	}

	r := &muReceipt{info: ReceiptV2Info{ReceiptID: rc.ReceiptId, FiscalCode: p.cf, NoticeNumber: p.notice,
		CreditorReferenceID: string(d.CreditorReferenceId), Amount: d.PaymentAmount.Cents(), Origin: p.origin,
		Cart: p.cart, PaymentNote: string(rc.PaymentNote), Mode: p.mode, Created: now}}
	add := func(idPA string, st Stazione, broadcast bool) {
		r.info.Deliveries = append(r.info.Deliveries, ReceiptDelivery{IDPA: idPA, Station: st.ID, URL: st.PaForNodeURL, Broadcast: broadcast, State: ReceiptPending})
		r.reqs = append(r.reqs, pafornode.PaSendRTV2Request{IdPA: pafornode.StText35(idPA),
			IdBrokerPA: pafornode.StText35(st.Intermediario), IdStation: pafornode.StText35(st.ID), Receipt: rc})
		r.sts = append(r.sts, st)
	}
	add(p.cf, p.act.station, false)
	seen := []string{p.cf}
	for _, t := range d.TransferList.Transfer {
		cf := string(t.FiscalCodePA)
		if slices.Contains(seen, cf) {
			continue
		}
		seen = append(seen, cf)
		if st, ce := n.muStation(cf); ce == nil {
			add(cf, st, true)
		}
	}
	if p.mode == ReceiptNever {
		for i := range r.info.Deliveries {
			r.info.Deliveries[i].State = ReceiptNotSent
		}
	}

	n.mu.Lock()
	n.addReceiptLocked(r)
	n.stats.PaForNode.Receipts++
	info := cloneReceipt(r.info)
	n.mu.Unlock()
	if p.mode == ReceiptNever {
		return info
	}
	sends := 1
	if p.mode == ReceiptTwice {
		sends = 2
	}
	n.dispatch(ctx, r, sends, p.delay, p.sync)
	if p.sync {
		info, _ = n.ReceiptV2(r.info.ReceiptID)
	}
	return info
}

// dispatch delivers every destination of r sends times: in the caller's
// goroutine when sync, else in background ones the node's Close stops.
func (n *Node) dispatch(ctx context.Context, r *muReceipt, sends int, delay time.Duration, sync bool) {
	n.mu.Lock()
	n.mu2.pending += len(r.reqs)
	n.mu.Unlock()
	run := func(ctx context.Context, i int) {
		defer func() {
			n.mu.Lock()
			n.mu2.pending--
			n.mu.Unlock()
		}()
		if delay > 0 && !sleep(ctx, delay) {
			n.setDeliveryState(r, i, ReceiptStopped)
			return
		}
		for s := 0; s < sends; s++ {
			n.updateDelivery(r, i, func(d *ReceiptDelivery) { d.Sends++ })
			if !n.deliverV2(ctx, r, i) {
				return
			}
		}
	}
	if sync {
		for i := range r.reqs {
			run(ctx, i)
		}
		return
	}
	for i := range r.reqs {
		n.bgWG.Add(1)
		go func() {
			defer n.bgWG.Done()
			run(n.bg, i)
		}()
	}
}

// sleep waits d unless ctx ends first (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// deliverV2 sends destination i until it is acquired or out of attempts;
// false when ctx ended.
func (n *Node) deliverV2(ctx context.Context, r *muReceipt, i int) bool {
	p := n.cfg.ReceiptRetry
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if !sleep(ctx, p.wait(attempt)) {
				n.setDeliveryState(r, i, ReceiptStopped)
				return false
			}
			n.countReceipt(r, i, func(s *ReceiptStats) { s.Retried++ })
		}
		var out pafornode.PaSendRTV2Response
		ce := n.callStation(ctx, r.sts[i], OpPaSendRTV2, n.cfg.SendRTTimeout, r.reqs[i], "paSendRTV2Response", &out)
		if ctx.Err() != nil {
			n.setDeliveryState(r, i, ReceiptStopped)
			return false
		}
		final, state := false, ""
		n.countReceipt(r, i, func(s *ReceiptStats) {
			s.Attempts++
			switch {
			case ce != nil && ce.code == PPTStazioneIrraggiungibile:
				s.SendErrors++
			case ce != nil:
				s.Unknown++
			case out.Outcome == pafornode.StOutcomeOK:
				s.Accepted++
				final, state = true, ReceiptAccepted
			case out.Fault != nil && out.Fault.FaultCode == PAAReceiptDuplicata:
				s.Duplicates++
				s.LastFault = PAAReceiptDuplicata
				final, state = true, ReceiptDuplicate
			case out.Fault != nil:
				s.Refused++
				s.LastFault = string(out.Fault.FaultCode)
			default:
				s.Unknown++
			}
		})
		n.cfg.Log.Debug("paSendRTV2", "receiptId", r.info.ReceiptID, "idPA", r.info.Deliveries[i].IDPA, "attempt", attempt, "final", final)
		if final {
			n.setDeliveryState(r, i, state)
			return true
		}
		if attempt >= p.Attempts {
			n.countReceipt(r, i, func(s *ReceiptStats) { s.Abandoned++ })
			n.setDeliveryState(r, i, ReceiptAbandoned)
			n.cfg.Log.Warn("receipt not delivered, giving up", "receiptId", r.info.ReceiptID, "station", r.sts[i].ID, "attempts", attempt)
			return true
		}
	}
}

func (n *Node) updateDelivery(r *muReceipt, i int, f func(*ReceiptDelivery)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(&r.info.Deliveries[i])
}

func (n *Node) setDeliveryState(r *muReceipt, i int, s string) {
	n.updateDelivery(r, i, func(d *ReceiptDelivery) { d.State = s })
}

func (n *Node) countReceipt(r *muReceipt, i int, f func(*ReceiptStats)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f(&r.info.Deliveries[i].ReceiptStats)
	f(&n.stats.PaForNode.Delivery)
}

// addReceiptLocked stores r, forgetting the oldest past MaxReceipts.
func (n *Node) addReceiptLocked(r *muReceipt) {
	m := &n.mu2
	m.receipts[r.info.ReceiptID] = r
	m.receiptOrder = append(m.receiptOrder, r.info.ReceiptID)
	for len(m.receiptOrder) > n.cfg.MaxReceipts {
		delete(m.receipts, m.receiptOrder[0])
		m.receiptOrder = m.receiptOrder[1:]
	}
	if cap(m.receiptOrder) > 2*len(m.receiptOrder)+1024 {
		m.receiptOrder = append([]string(nil), m.receiptOrder...)
	}
}

func cloneReceipt(r ReceiptV2Info) ReceiptV2Info {
	r.Deliveries = append([]ReceiptDelivery(nil), r.Deliveries...)
	return r
}

// ReceiptV2 returns a receipt by receiptId.
func (n *Node) ReceiptV2(id string) (ReceiptV2Info, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	r := n.mu2.receipts[id]
	if r == nil {
		return ReceiptV2Info{}, false
	}
	return cloneReceipt(r.info), true
}

// ReceiptsV2 returns the receipts held, oldest first; with cf and notice
// not empty, only those of that notice.
func (n *Node) ReceiptsV2(cf, notice string) []ReceiptV2Info {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := []ReceiptV2Info{}
	for _, id := range n.mu2.receiptOrder {
		r := n.mu2.receipts[id]
		if r == nil || (cf != "" && r.info.FiscalCode != cf) || (notice != "" && r.info.NoticeNumber != notice) {
			continue
		}
		out = append(out, cloneReceipt(r.info))
	}
	return out
}

// ResendReceipt sends a held receipt again to all its stations, in the
// background, whatever its mode.
func (n *Node) ResendReceipt(id string) (ReceiptV2Info, error) {
	n.mu.Lock()
	r := n.mu2.receipts[id]
	n.mu.Unlock()
	if r == nil {
		return ReceiptV2Info{}, ErrUnknownReceipt
	}
	n.dispatch(n.bg, r, 1, 0, false)
	info, _ := n.ReceiptV2(id)
	return info, nil
}

// ReceiptsPending is the number of paSendRTV2 deliveries still running.
func (n *Node) ReceiptsPending() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.mu2.pending
}

// Close stops the background paSendRTV2 deliveries (their waits and
// requests are cut) and waits for them until ctx ends. The legacy
// Deliverer has its own Close.
func (n *Node) Close(ctx context.Context) error {
	n.bgCancel()
	done := make(chan struct{})
	go func() { n.bgWG.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
