package sim

import (
	"context"
	"time"
)

// Outcome is what a payment ended with, for the ReceiptMaker.
type Outcome struct {
	// Code is codiceEsitoPagamento: "0" paid, "1" not paid.
	Code string
	// PSP attests the payment (istitutoAttestante).
	PSP     string
	PSPName string
	// When the payment (or its refusal) happened.
	When time.Time
	// IUR is identificativoUnivocoRiscossione ("0" when not paid).
	IUR string
	// Reason is esitoSingoloPagamento.
	Reason string
}

// Paid reports whether the outcome is a successful payment.
func (o Outcome) Paid() bool { return o.Code == "0" }

// ReceiptMaker builds the RT answering an RPT. The lead wires it to
// gateway/rpt; it must return a document valid against PagInf_RPT_RT_6_2_0.
type ReceiptMaker interface {
	MakeRT(rpt []byte, outcome Outcome) ([]byte, error)
}

// ReceiptMakerFunc adapts a function to ReceiptMaker.
type ReceiptMakerFunc func(rpt []byte, outcome Outcome) ([]byte, error)

func (f ReceiptMakerFunc) MakeRT(rpt []byte, o Outcome) ([]byte, error) { return f(rpt, o) }

// Receipt is an RT the node holds for an RPT.
type Receipt struct {
	Key      RPTKey `json:"key"`
	Session  string `json:"idSession"`
	Stazione string `json:"stazione"`
	// URL is the station's PaPerNodo endpoint (paaInviaRT).
	URL  string `json:"url"`
	Paid bool   `json:"paid"`
	RT   []byte `json:"rt"`
	// Kind is "" for the RT of a completed session, or one of the Kind*
	// constants for the extra sends of a delivery mode, Resend and AddRT.
	Kind string `json:"kind,omitempty"`
}

// RTSink is told of every RT the node makes, after the node's state
// records it: the place where paaInviaRT delivery plugs in. It is called
// outside the node's lock and must not block for long (deliver
// asynchronously); it reports progress back with Node.SetRTState.
type RTSink interface {
	RTGenerated(ctx context.Context, r Receipt)
}
