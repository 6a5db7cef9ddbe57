package sim

import (
	"context"
	"fmt"
	"regexp"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/generated/pafornode"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

var (
	reNotice     = regexp.MustCompile(`^[0-9]{18}$`)
	reFiscalCode = regexp.MustCompile(`^[0-9]{11}$`)
)

// Answer is the outcome of a paForNode call as the node relays it: the
// station's own fault (PAA_*) as received, or, with ByNode, the node's
// (station unreachable, timeout, answer failing the node's checks,
// dominio not on the modello unico).
type Answer struct {
	Outcome     string `json:"outcome"` // OK | KO
	FaultCode   string `json:"faultCode,omitempty"`
	FaultString string `json:"faultString,omitempty"`
	Description string `json:"description,omitempty"`
	FaultID     string `json:"faultId,omitempty"`
	ByNode      bool   `json:"byNode,omitempty"`
}

// OK reports whether the call succeeded.
func (a Answer) OK() bool { return a.Outcome == string(pafornode.StOutcomeOK) }

func nodeKO(e *callError) Answer {
	return Answer{Outcome: "KO", FaultCode: e.code, FaultString: FaultString(e.code), Description: e.desc, FaultID: NodoID, ByNode: true}
}

func stationAnswer(r pafornode.CtResponse) Answer {
	a := Answer{Outcome: string(r.Outcome)}
	if r.Fault != nil {
		a.FaultCode, a.FaultString, a.Description, a.FaultID = string(r.Fault.FaultCode), r.Fault.FaultString, r.Fault.Description, r.Fault.Id
	}
	return a
}

// transport reports whether a node-side KO is the station failing to
// answer (unreachable, timeout, unusable answer) rather than a refusal.
func (a Answer) transport() bool {
	if !a.ByNode {
		return false
	}
	switch a.FaultCode {
	case PPTStazioneTimeout, PPTStazioneIrraggiungibile, PPTStazioneErroreResponse, PPTSystemError:
		return true
	}
	return false
}

// VerifyAnswer is a paVerifyPaymentNotice answer.
type VerifyAnswer struct {
	Answer
	Amount             gateway.Cents `json:"amountCents,omitempty"`
	PaymentDescription string        `json:"paymentDescription,omitempty"`
	FiscalCodePA       string        `json:"fiscalCodePA,omitempty"`
	CompanyName        string        `json:"companyName,omitempty"`
	OfficeName         string        `json:"officeName,omitempty"`
	DueDate            string        `json:"dueDate,omitempty"`
}

// ActivationAnswer is a paGetPaymentV2 answer.
type ActivationAnswer struct {
	Answer
	CreditorReferenceID string        `json:"creditorReferenceId,omitempty"`
	Amount              gateway.Cents `json:"amountCents,omitempty"`
	Transfers           int           `json:"transfers,omitempty"`

	station Stazione
	data    *pafornode.CtPaymentPAV2
}

// muStation is the modello unico station serving dominio cf.
func (n *Node) muStation(cf string) (Stazione, *callError) {
	d, ok := n.reg.domini[cf]
	switch {
	case !ok:
		return Stazione{}, &callError{PPTDominioSconosciuto, "dominio " + cf + " sconosciuto"}
	case d.Disabled:
		return Stazione{}, &callError{PPTDominioDisabilitato, "dominio " + cf + " disabilitato"}
	}
	for _, id := range d.Stazioni {
		st := n.reg.stazioni[id]
		if st.PaForNodeURL != "" && !st.Disabled && !n.reg.intermediari[st.Intermediario].Disabled {
			return st, nil
		}
	}
	return Stazione{}, &callError{PPTStazioneSconosciuta, "il dominio " + cf + " non ha stazioni sul modello unico"}
}

// verify asks the notice's station for its position, as checkPosition
// and the PSPs' verify do.
func (n *Node) verify(ctx context.Context, cf, notice string) VerifyAnswer {
	st, ce := n.muStation(cf)
	if ce != nil {
		return VerifyAnswer{Answer: nodeKO(ce)}
	}
	req := pafornode.PaVerifyPaymentNoticeReq{
		IdPA: pafornode.StText35(cf), IdBrokerPA: pafornode.StText35(st.Intermediario), IdStation: pafornode.StText35(st.ID),
		QrCode: pafornode.CtQrCode{FiscalCode: pafornode.StFiscalCodePA(cf), NoticeNumber: pafornode.StNoticeNumber(notice)},
	}
	var res pafornode.PaVerifyPaymentNoticeRes
	if ce := n.callStation(ctx, st, OpPaVerifyPaymentNotice, n.cfg.VerifyTimeout, req, "paVerifyPaymentNoticeRes", &res); ce != nil {
		return VerifyAnswer{Answer: nodeKO(ce)}
	}
	a := VerifyAnswer{Answer: stationAnswer(res.CtResponse), PaymentDescription: string(res.PaymentDescription),
		FiscalCodePA: string(res.FiscalCodePA), CompanyName: string(res.CompanyName), OfficeName: string(res.OfficeName)}
	if res.PaymentList != nil {
		o := res.PaymentList.PaymentOptionDescription
		a.Amount, a.DueDate = o.Amount.Cents(), string(o.DueDate)
	}
	if !a.OK() {
		if a.FaultCode == "" {
			return VerifyAnswer{Answer: nodeKO(&callError{PPTStazioneErroreResponse, "outcome KO senza fault"})}
		}
		return a
	}
	// On OK every tag but officeName is due (pagopa-node.md §5.1).
	switch {
	case res.PaymentList == nil:
		return VerifyAnswer{Answer: nodeKO(&callError{PPTStazioneErroreResponse, "paymentList mancante"})}
	case a.PaymentDescription == "" || a.FiscalCodePA == "" || a.CompanyName == "":
		return VerifyAnswer{Answer: nodeKO(&callError{PPTStazioneErroreResponse, "paymentDescription, fiscalCodePA o companyName mancante"})}
	}
	return a
}

// activate is paGetPaymentV2 with the node's checks of the answer
// (pagopa-node.md §5.2): Σ transferAmount = paymentAmount, 1..5
// transfers, each fiscalCodePA a known dominio, each IBAN registered for
// it when the registry lists its IBANs.
func (n *Node) activate(ctx context.Context, cf, notice string, amount gateway.Cents, note string) ActivationAnswer {
	st, ce := n.muStation(cf)
	if ce != nil {
		return ActivationAnswer{Answer: nodeKO(ce)}
	}
	req := pafornode.PaGetPaymentV2Request{
		IdPA: pafornode.StText35(cf), IdBrokerPA: pafornode.StText35(st.Intermediario), IdStation: pafornode.StText35(st.ID),
		QrCode:      pafornode.CtQrCode{FiscalCode: pafornode.StFiscalCodePA(cf), NoticeNumber: pafornode.StNoticeNumber(notice)},
		PaymentNote: pafornode.StText210(clip(note, 210)),
	}
	if amount > 0 {
		a := wire.AmountOf(amount)
		req.Amount = &a
	}
	var res pafornode.PaGetPaymentV2Response
	if ce := n.callStation(ctx, st, OpPaGetPaymentV2, n.cfg.GetPaymentTimeout, req, "paGetPaymentV2Response", &res); ce != nil {
		return ActivationAnswer{Answer: nodeKO(ce)}
	}
	a := ActivationAnswer{Answer: stationAnswer(res.CtResponse), station: st}
	if !a.OK() {
		if a.FaultCode == "" {
			return ActivationAnswer{Answer: nodeKO(&callError{PPTStazioneErroreResponse, "outcome KO senza fault"})}
		}
		return a
	}
	if ce := n.checkPayment(res.Data); ce != nil {
		return ActivationAnswer{Answer: nodeKO(ce)}
	}
	a.data = res.Data
	a.CreditorReferenceID = string(res.Data.CreditorReferenceId)
	a.Amount = res.Data.PaymentAmount.Cents()
	a.Transfers = len(res.Data.TransferList.Transfer)
	return a
}

func (n *Node) checkPayment(d *pafornode.CtPaymentPAV2) *callError {
	bad := func(format string, args ...any) *callError {
		return &callError{PPTStazioneErroreResponse, fmt.Sprintf(format, args...)}
	}
	if d == nil {
		return bad("data mancante")
	}
	ts := d.TransferList.Transfer
	if len(ts) < 1 || len(ts) > 5 {
		return bad("%d transfer, ammessi da 1 a 5", len(ts))
	}
	var sum gateway.Cents
	for i, t := range ts {
		sum += t.TransferAmount.Cents()
		dom, ok := n.reg.domini[string(t.FiscalCodePA)]
		if !ok {
			return bad("transfer %d: fiscalCodePA %s sconosciuto", i+1, t.FiscalCodePA)
		}
		if t.IBAN != "" && len(dom.IBANs) > 0 && !dom.hasIBAN(string(t.IBAN)) {
			return bad("transfer %d: IBAN %s non censito per %s", i+1, t.IBAN, dom.ID)
		}
		if t.IBAN == "" && t.RichiestaMarcaDaBollo == nil {
			return bad("transfer %d senza IBAN", i+1)
		}
	}
	if sum != d.PaymentAmount.Cents() {
		return bad("paymentAmount %s diverso dalla somma dei transferAmount %s", d.PaymentAmount, sum)
	}
	return nil
}

// clip cuts s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// checkNotice validates a notice reference given by a caller.
func checkNotice(cf, notice string) error {
	if !reFiscalCode.MatchString(cf) {
		return badRequest("fiscalCode deve essere di 11 cifre")
	}
	if !reNotice.MatchString(notice) {
		return badRequest("noticeNumber deve essere di 18 cifre")
	}
	return nil
}
