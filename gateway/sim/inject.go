package sim

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Faults are the failures injected into the SOAP interface.
type Faults struct {
	// Down answers HTTP 503 to every SOAP call.
	Down bool `json:"down"`
	// DelayMS delays every SOAP answer.
	DelayMS int `json:"delayMs"`
	// Next makes the next calls answer esito KO with a given fault.
	Next *ForcedFault `json:"next,omitempty"`
	// Carts makes the Checkout carts API fail or hang.
	Carts *HTTPFault `json:"carts,omitempty"`
	// Receipts changes how the next modello unico receipts are sent.
	Receipts *ReceiptFault `json:"receipts,omitempty"`
}

// HTTPFault makes an HTTP endpoint wait DelayMS, then answer Status (a
// Problem JSON) instead of working; Status 0 only delays. Count is how
// many requests it applies to; 0 keeps it until cleared.
type HTTPFault struct {
	Status  int `json:"status,omitempty"`
	DelayMS int `json:"delayMs,omitempty"`
	Count   int `json:"count,omitempty"`
}

// ReceiptFault sends the next receipts (all of them with Count 0) with
// Mode (twice, never) and/or DelayMS before the first paSendRTV2.
type ReceiptFault struct {
	Mode    ReceiptMode `json:"mode,omitempty"`
	DelayMS int         `json:"delayMs,omitempty"`
	Count   int         `json:"count,omitempty"`
}

// ForcedFault is a fault the next Count calls (of Operation, or of any
// operation when empty) answer with.
type ForcedFault struct {
	Code        string `json:"faultCode"`
	Description string `json:"description,omitempty"`
	Operation   string `json:"operation,omitempty"`
	Count       int    `json:"count,omitempty"` // default 1
}

// maxDelay bounds an injected delay.
const maxDelay = 2 * time.Minute

// SetFaults replaces the injected faults; the zero value clears them.
func (n *Node) SetFaults(f Faults) {
	if f.Next != nil {
		nf := *f.Next
		if nf.Count <= 0 {
			nf.Count = 1
		}
		f.Next = &nf
	}
	if f.Carts != nil {
		c := *f.Carts
		f.Carts = &c
	}
	if f.Receipts != nil {
		r := *f.Receipts
		f.Receipts = &r
	}
	n.mu.Lock()
	n.faults = f
	n.mu.Unlock()
}

// Faults returns the injected faults still pending.
func (n *Node) Faults() Faults {
	n.mu.Lock()
	defer n.mu.Unlock()
	f := n.faults
	if f.Next != nil {
		nf := *f.Next
		f.Next = &nf
	}
	if f.Carts != nil {
		c := *f.Carts
		f.Carts = &c
	}
	if f.Receipts != nil {
		r := *f.Receipts
		f.Receipts = &r
	}
	return f
}

// checkFaults refuses injected faults out of range.
func checkFaults(f Faults) error {
	if f.DelayMS < 0 || f.DelayMS > int(maxDelay.Milliseconds()) {
		return badRequest("delayMs fuori intervallo")
	}
	if f.Next != nil && !strings.HasPrefix(f.Next.Code, "PPT_") {
		return badRequest("next.faultCode deve essere un codice PPT_*")
	}
	if c := f.Carts; c != nil {
		if c.Status != 0 && (c.Status < 400 || c.Status > 599) {
			return badRequest("carts.status deve essere 0 o 4xx/5xx")
		}
		if c.DelayMS < 0 || c.DelayMS > int(maxDelay.Milliseconds()) || c.Count < 0 {
			return badRequest("carts.delayMs o carts.count fuori intervallo")
		}
	}
	if r := f.Receipts; r != nil {
		if _, err := ParseReceiptMode(string(r.Mode)); err != nil {
			return err
		}
		if r.DelayMS < 0 || r.DelayMS > int(maxDelay.Milliseconds()) || r.Count < 0 {
			return badRequest("receipts.delayMs o receipts.count fuori intervallo")
		}
	}
	return nil
}

// cartsFault consumes one use of the carts fault.
func (n *Node) cartsFault() (status int, delay time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f := n.faults.Carts
	if f == nil {
		return 0, 0
	}
	if f.Count > 0 {
		if f.Count--; f.Count == 0 {
			n.faults.Carts = nil
		}
	}
	return f.Status, time.Duration(f.DelayMS) * time.Millisecond
}

// receiptFault consumes one use of the receipts fault; mode "" leaves the
// caller's choice.
func (n *Node) receiptFault() (ReceiptMode, time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	f := n.faults.Receipts
	if f == nil {
		return "", 0
	}
	if f.Count > 0 {
		if f.Count--; f.Count == 0 {
			n.faults.Receipts = nil
		}
	}
	return f.Mode, time.Duration(f.DelayMS) * time.Millisecond
}

// forced consumes one forced fault for op, if any.
func (n *Node) forced(op string) *pptError {
	n.mu.Lock()
	defer n.mu.Unlock()
	f := n.faults.Next
	if f == nil || (f.Operation != "" && f.Operation != op) {
		return nil
	}
	if f.Count--; f.Count <= 0 {
		n.faults.Next = nil
	}
	desc := f.Description
	if desc == "" {
		desc = "errore simulato"
	}
	return &pptError{code: f.Code, desc: desc}
}

// injecting wraps the SOAP handler with the outage and the delay.
func (n *Node) injecting(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		n.mu.Lock()
		down, delay := n.faults.Down, time.Duration(n.faults.DelayMS)*time.Millisecond
		if down {
			n.stats.RefusedDown++
		}
		n.mu.Unlock()
		if delay > 0 {
			t := time.NewTimer(min(delay, maxDelay))
			select {
			case <-t.C:
			case <-c.Request().Context().Done():
				t.Stop()
				return nil
			}
		}
		if down {
			return c.String(http.StatusServiceUnavailable, "nodo non disponibile (simulato)\n")
		}
		return next(c)
	}
}
