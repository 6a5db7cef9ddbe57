package sim

import (
	"net/http"
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
	return f
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
