package sim

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/gateway/xsdvalid"
	"github.com/ponte-pagopa/ponte/generated/papernodopsp"
	"github.com/ponte-pagopa/ponte/generated/wire"
	"github.com/ponte-pagopa/ponte/xsd"
)

// The PaPerNodoPagamentoPsp operations the node calls on a legacy station
// (SOAPAction = name, pagopa-node.md §4.2).
const (
	OpPaaVerificaRPT = "paaVerificaRPT"
	OpPaaAttivaRPT   = "paaAttivaRPT"
)

// PSPRPTNotReceived is the PSP desk outcome of a legacy (modello 3)
// payment whose RPT the station did not send in time.
const PSPRPTNotReceived = "RPT_NOT_RECEIVED"

// DefaultRPTTimeout is how long the PSP desk waits for a legacy station's
// nodoInviaRPT after paaAttivaRPT.
const DefaultRPTTimeout = 10 * time.Second

// rptPoll is how often the desk looks for the awaited RPT.
const rptPoll = 5 * time.Millisecond

// LegacyRT is the RT of a modello 3 payment made at the PSP desk and its
// paaInviaRT delivery, as far as it went (final with Sync).
type LegacyRT struct {
	State      State         `json:"stato"`
	Deliveries DeliveryStats `json:"deliveries"`
}

// Delivered reports whether the station accepted the RT.
func (r LegacyRT) Delivered() bool { return r.Deliveries.Accepted > 0 }

// legacySchemas are the PaPerNodoPagamentoPsp bodies and the ppthead
// header, compiled once for every node: the node sends nothing the schemas
// refuse and checks the station's answers with them.
var legacySchemas = sync.OnceValues(func() ([2]*xsdvalid.Schema, error) {
	var out [2]*xsdvalid.Schema
	for i, name := range []string{"papernodopsp-types.xsd", "papernodo-ppthead.xsd"} {
		s, err := xsdvalid.Compile(xsd.FS, name)
		if err != nil {
			return out, fmt.Errorf("sim: compiling %s: %w", name, err)
		}
		out[i] = s
	}
	return out, nil
})

// legacyStation is the station a PSP calls for a notice of cf when the
// dominio is not on the modello unico: an enabled one with a PaPerNodo
// URL, preferring the one whose segregation (aux digit 3) or application
// code (aux digit 0) the notice carries. ok is false when the dominio has
// a modello unico station or no such station at all.
func (n *Node) legacyStation(cf, notice string) (Stazione, bool) {
	d, known := n.reg.domini[cf]
	if !known || d.Disabled {
		return Stazione{}, false
	}
	var first *Stazione
	for _, id := range d.Stazioni {
		st := n.reg.stazioni[id]
		if st.Disabled || n.reg.intermediari[st.Intermediario].Disabled {
			continue
		}
		if st.PaForNodeURL != "" {
			return Stazione{}, false
		}
		if st.PaPerNodoURL == "" {
			continue
		}
		code := notice[1:3]
		if (notice[0] == '3' && st.SegregationCode == code) || (notice[0] == '0' && st.ApplicationCode == code) {
			return st, true
		}
		if first == nil {
			first = &st
		}
	}
	if first == nil {
		return Stazione{}, false
	}
	return *first, true
}

// noticeIUV is the IUV of a notice number (pagopa-node.md §8.1): after the
// aux digit and, for aux digit 0, the application code.
func noticeIUV(notice string) string {
	if notice[0] == '0' {
		return notice[3:]
	}
	return notice[1:]
}

// payLegacy pays a notice of a legacy station with the old modello 3:
// paaVerificaRPT, paaAttivaRPT with a fresh CCP, then it waits for the
// station's nodoInviaRPT and completes that RPT as paid, so that the
// positive RT goes to the station through the sink (paaInviaRT with a
// Deliverer).
func (n *Node) payLegacy(ctx context.Context, st Stazione, res *PSPResult, opts PayOptions) *PSPResult {
	res.Legacy = true
	res.IUV = noticeIUV(res.NoticeNumber)
	res.CCP = newReceiptID() // 32 characters, like a paymentToken
	key := RPTKey{res.FiscalCode, res.IUV, res.CCP}
	head := papernodopsp.IntestazionePPT{
		IdentificativoIntermediarioPA: papernodopsp.StText35(st.Intermediario), IdentificativoStazioneIntermediarioPA: papernodopsp.StText35(st.ID),
		IdentificativoDominio: papernodopsp.StText35(key.Dominio), IdentificativoUnivocoVersamento: papernodopsp.StText35(key.IUV),
		CodiceContestoPagamento: papernodopsp.StText35(key.CCP),
	}
	pspID, _, channel := n.pspIdentity()
	psp := n.reg.psps[pspID]

	var ver papernodopsp.PaaVerificaRPTRisposta
	res.Verify = VerifyAnswer{}
	if ce := n.callLegacy(ctx, st, OpPaaVerificaRPT, n.cfg.VerifyTimeout, head, papernodopsp.PaaVerificaRPT{IdentificativoPSP: papernodopsp.StText35(pspID)},
		"paaVerificaRPTRisposta", &ver); ce != nil {
		res.Verify.Answer = nodeKO(ce)
	} else {
		res.Verify = n.legacyVerifyAnswer(res.FiscalCode, ver.PaaVerificaRPTRisposta.Risposta, ver.PaaVerificaRPTRisposta.Esito, ver.PaaVerificaRPTRisposta.DatiPagamentoPA)
	}
	if !res.Verify.OK() {
		res.Outcome = PSPVerifyKO
		return res
	}

	amount := opts.Amount
	if amount == 0 {
		amount = res.Verify.Amount
	}
	var att papernodopsp.PaaAttivaRPTRisposta
	req := papernodopsp.PaaAttivaRPT{
		IdentificativoPSP:              papernodopsp.StText35(pspID),
		DatiPagamentoPSP:               papernodopsp.PaaTipoDatiPagamentoPSP{ImportoSingoloVersamento: wire.AmountOf(amount)},
		IdentificativoIntermediarioPSP: papernodopsp.StText35(psp.Intermediario),
		IdentificativoCanalePSP:        papernodopsp.StText35(channel),
	}
	act := ActivationAnswer{station: st}
	if ce := n.callLegacy(ctx, st, OpPaaAttivaRPT, n.cfg.GetPaymentTimeout, head, req, "paaAttivaRPTRisposta", &att); ce != nil {
		act.Answer = nodeKO(ce)
	} else {
		v := n.legacyVerifyAnswer(res.FiscalCode, att.PaaAttivaRPTRisposta.Risposta, att.PaaAttivaRPTRisposta.Esito, att.PaaAttivaRPTRisposta.DatiPagamentoPA)
		act.Answer = v.Answer
		if act.OK() {
			act.Amount, act.CreditorReferenceID, act.Transfers = v.Amount, key.IUV, 1
		}
	}
	res.Activation = &act
	if !act.OK() {
		res.Outcome = PSPActivationKO
		return res
	}

	// The station answers paaAttivaRPT first and sends the RPT afterwards.
	wait := opts.RPTTimeout
	if wait <= 0 {
		wait = DefaultRPTTimeout
	}
	sessionID, importo, ok := n.awaitRPT(ctx, key, wait)
	if !ok {
		res.Outcome = PSPRPTNotReceived
		res.Detail = fmt.Sprintf("nessuna nodoInviaRPT per %s entro %s", key, wait)
		if got := n.Received(key); got > 0 {
			res.Detail = fmt.Sprintf("RPT %s ricevuta %d volte ma rifiutata dal nodo", key, got)
		}
		return res
	}
	res.Session = sessionID
	if importo != act.Amount {
		res.Detail = fmt.Sprintf("importo della RPT %s diverso da quello attivato %s", importo, act.Amount)
	}
	if _, err := n.Pay(sessionID, Outcome{PSP: pspID}); err != nil {
		// Completed meanwhile by someone else (control API, WISP page).
		res.Outcome = PSPRPTNotReceived
		res.Detail = fmt.Sprintf("RPT %s non più pagabile: %v", key, err)
		return res
	}
	if opts.Sync {
		n.awaitLegacyDelivery(ctx, key)
	}
	n.mu.Lock()
	n.stats.PaForNode.PSPPayments++
	rt := &LegacyRT{Deliveries: n.stats.Deliveries[key.String()]}
	if r := n.rpts[key]; r != nil {
		rt.State = r.state
	}
	n.mu.Unlock()
	res.Outcome, res.RT = PSPPaid, rt
	return res
}

// legacyVerifyAnswer reads a paaVerificaRPT or paaAttivaRPT answer with
// the node's checks: a KO carries a fault (the station's PAA_* code is
// passed on as received), an OK carries datiPagamentoPA whose
// ibanAccredito is registered for the dominio.
func (n *Node) legacyVerifyAnswer(cf string, r papernodopsp.Risposta, esito string, d *papernodopsp.PaaTipoDatiPagamentoPA) VerifyAnswer {
	bad := func(desc string) VerifyAnswer {
		return VerifyAnswer{Answer: nodeKO(&callError{PPTStazioneErroreResponse, desc})}
	}
	switch esito {
	case "KO":
		if r.Fault == nil || r.Fault.FaultCode == "" {
			return bad("esito KO senza fault")
		}
		f := r.Fault
		return VerifyAnswer{Answer: Answer{Outcome: "KO", FaultCode: f.FaultCode, FaultString: f.FaultString, Description: f.Description, FaultID: f.Id}}
	case "OK":
	default:
		return bad(fmt.Sprintf("esito %q", esito))
	}
	if d == nil {
		return bad("datiPagamentoPA mancante")
	}
	dom := n.reg.domini[cf]
	if len(dom.IBANs) > 0 && !dom.hasIBAN(string(d.IbanAccredito)) {
		return VerifyAnswer{Answer: nodeKO(&callError{PPTIBANNonCensito, "ibanAccredito " + string(d.IbanAccredito) + " non censito per " + cf})}
	}
	a := VerifyAnswer{Answer: Answer{Outcome: "OK"}, Amount: d.ImportoSingoloVersamento.Cents(), FiscalCodePA: cf, CompanyName: dom.Name,
		PaymentDescription: string(d.CausaleVersamento)}
	if e := d.EnteBeneficiario; e != nil && e.DenominazioneBeneficiario != "" {
		a.CompanyName = string(e.DenominazioneBeneficiario)
	}
	if s := d.SpezzoniCausaleVersamento; a.PaymentDescription == "" && s != nil {
		a.PaymentDescription = string(s.SpezzoneCausaleVersamento)
		if s.SpezzoneStrutturatoCausaleVersamento != nil {
			a.PaymentDescription = string(s.SpezzoneStrutturatoCausaleVersamento.CausaleSpezzone)
		}
	}
	return a
}

// awaitRPT polls the node's RPTs until the station's nodoInviaRPT for key
// has been accepted, ctx ends or wait passes.
func (n *Node) awaitRPT(ctx context.Context, key RPTKey, wait time.Duration) (session string, importo gateway.Cents, ok bool) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(rptPoll)
	defer tick.Stop()
	for {
		n.mu.Lock()
		r := n.rpts[key]
		if r != nil {
			session, importo = r.session, r.importo
		}
		n.mu.Unlock()
		if r != nil {
			return session, importo, true
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return "", 0, false
		case <-ctx.Done():
			return "", 0, false
		}
	}
}

// awaitLegacyDelivery waits, when the sink is a Deliverer, until it has
// nothing left for key (retries included) or ctx ends.
func (n *Node) awaitLegacyDelivery(ctx context.Context, key RPTKey) {
	n.mu.Lock()
	d, _ := n.sink.(*Deliverer)
	n.mu.Unlock()
	if d == nil {
		return
	}
	tick := time.NewTicker(rptPoll)
	defer tick.Stop()
	for {
		d.mu.Lock()
		_, busy := d.queues[key]
		d.mu.Unlock()
		if !busy {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// callLegacy sends a PaPerNodoPagamentoPsp request with its intestazionePPT
// to the station's PaPerNodo URL, checks the answer against the schema
// and decodes it into out, whose element must be {NSPPT}respLocal. Both
// parts of the request are checked first.
func (n *Node) callLegacy(ctx context.Context, st Stazione, op string, timeout time.Duration, head, body any, respLocal string, out any) *callError {
	xs, err := legacySchemas()
	if err != nil {
		return &callError{PPTSystemError, err.Error()}
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + soap.NSEnvelope + `"><soapenv:Header>`)
	for i, part := range []any{head, body} {
		start := b.Len()
		enc := xml.NewEncoder(&b)
		if err := enc.Encode(part); err != nil {
			return &callError{PPTSystemError, fmt.Sprintf("encoding %s: %v", op, err)}
		}
		if err := enc.Flush(); err != nil {
			return &callError{PPTSystemError, err.Error()}
		}
		if err := xs[1-i].ValidateBytes(b.Bytes()[start:]); err != nil {
			return &callError{PPTSystemError, fmt.Sprintf("%s non valida per lo schema: %v", op, err)}
		}
		if i == 0 {
			b.WriteString(`</soapenv:Header><soapenv:Body>`)
		}
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, st.PaPerNodoURL, &b)
	if err != nil {
		return &callError{PPTStazioneIrraggiungibile, err.Error()}
	}
	req.Header.Set("Content-Type", soap.ContentType)
	req.Header.Set("SOAPAction", op)
	resp, err := n.cfg.StationClient.Do(req)
	if err != nil {
		if timedOut(err) {
			return &callError{PPTStazioneTimeout, fmt.Sprintf("%s: nessuna risposta entro %s", op, timeout)}
		}
		return &callError{PPTStazioneIrraggiungibile, err.Error()}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxStationResponse+1))
	switch {
	case err != nil && timedOut(err):
		return &callError{PPTStazioneTimeout, fmt.Sprintf("%s: risposta non completata entro %s", op, timeout)}
	case err != nil:
		return &callError{PPTStazioneErroreResponse, "risposta interrotta: " + err.Error()}
	case len(raw) > maxStationResponse:
		return &callError{PPTStazioneErroreResponse, "risposta troppo grande"}
	}
	bad := func(format string, args ...any) *callError {
		d := fmt.Sprintf("HTTP %d: ", resp.StatusCode) + fmt.Sprintf(format, args...)
		if len(d) > stationErrorDescriptionSize {
			d = strings.ToValidUTF8(d[:stationErrorDescriptionSize], "")
		}
		return &callError{PPTStazioneErroreResponse, d}
	}
	sr, err := soap.Decode(bytes.NewReader(raw), soap.Limits{})
	if err != nil {
		return bad("%v", err)
	}
	if sr.Operation != (xml.Name{Space: NSPPT, Local: respLocal}) {
		return bad("elemento {%s}%s invece di %s", sr.Operation.Space, sr.Operation.Local, respLocal)
	}
	var re rawElement
	if err := sr.DecodeBody(&re); err != nil {
		return bad("%v", err)
	}
	if err := xs[0].ValidateBytes(re.doc); err != nil {
		return bad("%v", err)
	}
	if err := xml.Unmarshal(re.doc, out); err != nil {
		return bad("%v", err)
	}
	return nil
}
