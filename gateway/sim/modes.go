package sim

import (
	"errors"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// DeliveryMode says how the RTs of a completed session reach the RTSink,
// so tests can reproduce the node's misbehaviours towards an ente.
type DeliveryMode string

const (
	// DeliverNormal hands each RT to the sink once.
	DeliverNormal DeliveryMode = "normal"
	// DeliverNever stores the RTs (nodoChiediCopiaRT has them) but never
	// hands them to the sink: the "RT never arriving" case. Resend sends
	// them later.
	DeliverNever DeliveryMode = "never"
	// DeliverTwice hands each RT to the sink twice, one after the other.
	DeliverTwice DeliveryMode = "twice"
	// DeliverNegativeThenPositive, for a paid session, first hands a
	// negative RT (codiceEsitoPagamento 1) of each RPT to the sink, then the
	// positive one, as wisp-converter may (pagopa-node.md §11.2). Failed
	// and cancelled sessions are delivered normally.
	DeliverNegativeThenPositive DeliveryMode = "negative-then-positive"
	// DeliverWrong hands the sink an RT that does not match its RPT: the
	// first singoloImportoPagato and importoTotalePagato are 1 cent more
	// (the ente should answer PAA_SEMANTICA). The node keeps the right RT,
	// which Resend sends.
	DeliverWrong DeliveryMode = "wrong"
	// DeliverWrongIUV is DeliverWrong with another IUV inside the RT (the
	// paaInviaRT header keeps the RPT's; the ente should answer
	// PAA_RPT_SCONOSCIUTA).
	DeliverWrongIUV DeliveryMode = "wrong-iuv"
)

// Kinds of Receipt handed to the sink besides the plain RT.
const (
	KindNegativeFirst = "negative-first"
	KindWrong         = "wrong"
	KindDuplicate     = "duplicate"
	KindResend        = "resend"
	KindAdded         = "added"
)

// ErrNoRT is Resend on a session that has no RT yet.
var ErrNoRT = errors.New("sim: nessuna RT per la sessione")

// ParseDeliveryMode checks a mode name; "" is DeliverNormal.
func ParseDeliveryMode(s string) (DeliveryMode, error) {
	switch m := DeliveryMode(s); m {
	case "":
		return DeliverNormal, nil
	case DeliverNormal, DeliverNever, DeliverTwice, DeliverNegativeThenPositive, DeliverWrong, DeliverWrongIUV:
		return m, nil
	}
	return "", badRequest(fmt.Sprintf("modalità di consegna %q sconosciuta (normal, never, twice, negative-then-positive, wrong, wrong-iuv)", s))
}

// GlobalDelivery is the mode for sessions completed without a mode of
// their own.
type GlobalDelivery struct {
	Mode DeliveryMode `json:"mode"`
	// Count is how many more sessions take Mode before it falls back to
	// normal; 0 keeps it until changed.
	Count int `json:"count,omitempty"`
}

// SetDeliveryMode sets the mode of the next sessions completed without a
// mode of their own: all of them (count 0) or the next count.
func (n *Node) SetDeliveryMode(m DeliveryMode, count int) error {
	m, err := ParseDeliveryMode(string(m))
	if err != nil {
		return err
	}
	if count < 0 {
		return badRequest("count negativo")
	}
	n.mu.Lock()
	n.delivery = GlobalDelivery{Mode: m, Count: count}
	n.mu.Unlock()
	return nil
}

// DeliveryMode returns the global delivery mode.
func (n *Node) DeliveryMode() GlobalDelivery {
	n.mu.Lock()
	defer n.mu.Unlock()
	g := n.delivery
	if g.Mode == "" {
		g.Mode = DeliverNormal
	}
	return g
}

// SetSessionDeliveryMode sets the mode of one open session's RTs.
func (n *Node) SetSessionDeliveryMode(id string, m DeliveryMode) error {
	m, err := ParseDeliveryMode(string(m))
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.sessions[id]
	switch {
	case s == nil:
		return ErrUnknownSession
	case s.status != SessionOpen || s.closing:
		return ErrSessionClosed
	}
	s.mode = m
	return nil
}

// modeForLocked picks (and consumes) the mode of a session being completed.
func (n *Node) modeForLocked(s *session) DeliveryMode {
	if s.mode != "" {
		return s.mode
	}
	g := n.delivery
	if g.Mode == "" {
		return DeliverNormal
	}
	if g.Count > 0 {
		if n.delivery.Count--; n.delivery.Count == 0 {
			n.delivery = GlobalDelivery{}
		}
	}
	return g.Mode
}

// Resend hands the current RT of every RPT of a closed session to the sink
// again, whatever the mode.
func (n *Node) Resend(id string) ([]Receipt, error) {
	n.mu.Lock()
	s := n.sessions[id]
	if s == nil {
		n.mu.Unlock()
		return nil, ErrUnknownSession
	}
	var out []Receipt
	for _, k := range s.keys {
		if r := n.rpts[k]; r != nil && len(r.rts) > 0 {
			rc := n.receiptLocked(s, r)
			rc.Kind = KindResend
			out = append(out, rc)
		}
	}
	sink := n.sink
	n.stats.Resent += len(out)
	n.mu.Unlock()
	if len(out) == 0 {
		return nil, ErrNoRT
	}
	n.hand(sink, out)
	return out, nil
}

// wrongRT alters a right RT so that it no longer matches its RPT.
func wrongRT(good []byte, m DeliveryMode) ([]byte, error) {
	rt, err := rpt.ParseRT(good)
	if err != nil {
		return nil, fmt.Errorf("sim: RT to alter: %w", err)
	}
	if m == DeliverWrongIUV {
		b := []byte(rt.IUV)
		last := len(b) - 1
		if b[last] >= '0' && b[last] < '9' {
			b[last]++
		} else {
			b[last] = '0'
		}
		rt.IUV = string(b)
	} else if len(rt.Payments) > 0 {
		rt.Payments[0].SingoloImportoPagato++
		rt.ImportoTotalePagato++
	}
	return rpt.EncodeRT(rt)
}

// rtPaid reports whether an RT says paid (codiceEsitoPagamento 0).
func rtPaid(b []byte) bool {
	rt, err := rpt.ParseRT(b)
	return err == nil && rt.Esito == rpt.EsitoEseguito
}
