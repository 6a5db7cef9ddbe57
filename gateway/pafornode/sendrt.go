package pafornode

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/pafornode"
)

var (
	nameSendRTRes   = xml.Name{Space: NS, Local: "paSendRTRes"}
	nameSendRTV2Res = xml.Name{Space: NS, Local: "paSendRTV2Response"}
)

// handleSendRTV2 serves paSendRTV2.
func (s *Service) handleSendRTV2(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	var in gen.PaSendRTV2Request
	ev := soap.EventFrom(ctx)
	invalid, err := s.decodeLenient(req, &in)
	if err == nil && invalid != nil {
		err = s.tolerate(ctx, "paSendRTV2", invalid, &in.Receipt)
	}
	if err != nil {
		if _, ok := err.(*soap.Fault); ok {
			return nil, nameSendRTV2Res, err
		}
		return &gen.PaSendRTV2Response{CtResponse: s.sendKO(ctx, "paSendRTV2", err, trim(in.IdPA), ev)}, nameSendRTV2Res, nil
	}
	if err := s.receive(ctx, trim(in.IdPA), trim(in.IdBrokerPA), trim(in.IdStation), &in.Receipt, ev); err != nil {
		if f := s.retryable(ctx, "paSendRTV2", err, ev); f != nil {
			return nil, nameSendRTV2Res, f
		}
		return &gen.PaSendRTV2Response{CtResponse: s.sendKO(ctx, "paSendRTV2", err, trim(in.IdPA), ev)}, nameSendRTV2Res, nil
	}
	ev.Esito = "OK"
	return &gen.PaSendRTV2Response{CtResponse: gen.CtResponse{Outcome: "OK"}}, nameSendRTV2Res, nil
}

// handleSendRT serves paSendRT (version 1): its receipt is a version-2
// one without the fields version 2 added, and is stored as such.
func (s *Service) handleSendRT(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	var in gen.PaSendRTReq
	ev := soap.EventFrom(ctx)
	invalid, err := s.decodeLenient(req, &in)
	if err == nil && invalid != nil {
		err = s.tolerate(ctx, "paSendRT", invalid, receiptV2Of(&in.Receipt))
	}
	if err != nil {
		if _, ok := err.(*soap.Fault); ok {
			return nil, nameSendRTRes, err
		}
		return &gen.PaSendRTRes{CtResponse: s.sendKO(ctx, "paSendRT", err, trim(in.IdPA), ev)}, nameSendRTRes, nil
	}
	r := receiptV2Of(&in.Receipt)
	if err := s.receive(ctx, trim(in.IdPA), trim(in.IdBrokerPA), trim(in.IdStation), r, ev); err != nil {
		if f := s.retryable(ctx, "paSendRT", err, ev); f != nil {
			return nil, nameSendRTRes, f
		}
		return &gen.PaSendRTRes{CtResponse: s.sendKO(ctx, "paSendRT", err, trim(in.IdPA), ev)}, nameSendRTRes, nil
	}
	ev.Esito = "OK"
	return &gen.PaSendRTRes{CtResponse: gen.CtResponse{Outcome: "OK"}}, nameSendRTRes, nil
}

// retryable turns Ponte's own failure to store a receipt (its database
// away) into a SOAP Server fault, which the node retries as a malformed
// answer, where a KO would end its deliveries (pagopa-node.md §11.3); nil
// for a fault of the receipt itself, answered KO.
func (s *Service) retryable(ctx context.Context, op string, err error, ev *gateway.Event) *soap.Fault {
	var ge *gateway.Error
	if errors.As(err, &ge) {
		return nil
	}
	s.log.ErrorContext(ctx, "pafornode: "+op+" failed, answering a SOAP fault so that the node retries",
		"codIpa", ev.CodIpa, "iuv", ev.IUV, "err", err)
	ev.Esito, ev.FaultCode = "KO", soap.FaultServer
	return &soap.Fault{Code: soap.FaultServer, String: "errore interno di Ponte: ripetere l'invio"}
}

func (s *Service) sendKO(ctx context.Context, op string, err error, id string, ev *gateway.Event) gen.CtResponse {
	f := s.faultOf(ctx, op, err, ev)
	ev.Esito, ev.FaultCode = "KO", f.Code
	return gen.CtResponse{Outcome: "KO", Fault: faultBean(f, id)}
}

// tolerate decides on a receipt the schema refused. Receipts cannot be
// refused once the money moved (SANP: "le ricevute non possono essere
// rifiutate"), and pagoPA's own samples carry details later schemas
// changed (no transferCategory in SANP 2.5.1's paSendRT). So the receipt
// is taken, with a warning, when it still says what Ponte records: who
// paid which notice of which ente, how much, and under which receiptId.
// Otherwise the schema's refusal is the answer.
func (s *Service) tolerate(ctx context.Context, op string, invalid error, r *gen.CtReceiptV2) error {
	ok := trim(r.ReceiptId) != "" && noticeNumber.MatchString(trim(r.NoticeNumber)) && len(trim(r.FiscalCode)) == 11 &&
		(r.Outcome == "OK" || r.Outcome == "KO") && len(r.TransferList.Transfer) > 0 && len(r.TransferList.Transfer) <= maxTransfers
	if !ok {
		return invalid
	}
	s.log.WarnContext(ctx, "pafornode: "+op+" receipt outside the schema taken all the same",
		"receiptId", trim(r.ReceiptId), "notice", trim(r.NoticeNumber), "schema", invalid.Error())
	return nil
}

// receive stores a receipt and decides its payment, committed before it
// returns nil (the OK):
//  1. the station of idPA (as for every operation);
//  2. a copy for another ente of the transfers (the node sends every
//     beneficiary's station one) is acknowledged and kept in the journal:
//     the notice's own ente records the payment;
//  3. record: the payment it pays (none is PAA_PAGAMENTO_SCONOSCIUTO);
//     the same receipt again is PAA_RECEIPT_DUPLICATA.
func (s *Service) receive(ctx context.Context, idPA, idBroker, idStation string, r *gen.CtReceiptV2, ev *gateway.Event) error {
	e, err := s.station(ctx, idPA, idBroker, idStation)
	if err != nil {
		return err
	}
	ev.CodIpa = e.CodIpa
	if cf := trim(r.FiscalCode); cf != e.CodiceFiscale {
		for _, t := range r.TransferList.Transfer {
			if trim(t.FiscalCodePA) == e.CodiceFiscale {
				s.log.Info("pafornode: receipt of another ente's notice, for a transfer of this ente",
					"codIpa", e.CodIpa, "notice", trim(r.NoticeNumber), "fiscalCode", cf, "receiptId", r.ReceiptId)
				return nil
			}
		}
		return fault(CodeSemantica, fmt.Sprintf("la ricevuta è dell'ente %s e nessun versamento è per l'ente %s", cf, e.CodiceFiscale))
	}
	iuvCode, err := iuvOf(trim(r.NoticeNumber))
	if err != nil {
		return err
	}
	ev.IUV = iuvCode
	id := trim(r.ReceiptId)
	if id == "" {
		return fault(CodeSintassiExtraXSD, "receiptId vuoto")
	}
	doc, err := rpt.EncodeReceiptV2(r)
	if err != nil {
		return err
	}
	mapped, err := rpt.ReceiptV2(r, gateway.Rome)
	if err != nil {
		return fault(CodeSemantica, err.Error())
	}
	esito := gateway.EsitoEseguito
	if mapped.Esito != rpt.EsitoEseguito {
		esito = gateway.EsitoNonEseguito
	}
	rec := &gateway.Receipt{Esito: esito, Amount: mapped.ImportoTotalePagato, MessageID: mapped.IdentificativoMessaggioRicevuta,
		IssuedAt: mapped.DataOra, RT: doc}
	outcome, err := s.record(ctx, e, iuvCode, rec, r, ev)
	if err != nil {
		return err
	}
	if outcome == gateway.RTDuplicate {
		return fault(CodeReceiptDuplicata, fmt.Sprintf("ricevuta %s per l'avviso %s già acquisita", id, trim(r.NoticeNumber)))
	}
	return nil
}

// record stores the receipt on the payment it pays: the payment it was
// already recorded on (the node retrying), else one still waiting for
// its receipt (an online cart), else a payment opened now, with the
// receipt in the same transaction, for the notice's dovuto (an avviso
// paid at a PSP). A late receipt for an online cart that ended meanwhile
// decides it all the same: money moved.
func (s *Service) record(ctx context.Context, e *gateway.Ente, iuvCode string, rec *gateway.Receipt, r *gen.CtReceiptV2, ev *gateway.Event) (gateway.RTOutcome, error) {
	payments, err := s.st.FindPayments(ctx, e.CodiceFiscale, iuvCode)
	if err != nil {
		return 0, err
	}
	var target *gateway.Payment
	for i := len(payments) - 1; i >= 0 && target == nil; i-- {
		if p := payments[i]; p.CCP == rec.MessageID || p.Receipt != nil && p.Receipt.MessageID == rec.MessageID {
			target = p
		}
	}
	for i := len(payments) - 1; i >= 0 && target == nil; i-- {
		if p := payments[i]; p.State == gateway.PaymentSent && p.Receipt == nil {
			target = p
		}
	}
	if target == nil {
		d, err := s.st.FindDovutoByIUV(ctx, e.ID, iuvCode)
		switch {
		case err == nil:
			ev.CCP = rec.MessageID
			outcome, err := s.st.OpenCartWithReceipt(ctx, s.pspCart(e, d, rec.MessageID), rec)
			if !errors.Is(err, gateway.ErrConflict) {
				return outcome, err
			}
			// The same receipt delivered twice at once: the other
			// delivery opened the payment.
			if target, err = s.st.FindPayment(ctx, e.CodiceFiscale, iuvCode, rec.MessageID); err != nil {
				return 0, err
			}
		case !errors.Is(err, gateway.ErrNotFound):
			return 0, err
		case len(payments) > 0:
			target = payments[len(payments)-1]
		default:
			return 0, fault(CodePagamentoSconosciuto,
				fmt.Sprintf("nessun dovuto con IUV %s (avviso %s) per l'ente %s", iuvCode, trim(r.NoticeNumber), e.CodiceFiscale))
		}
	}
	ev.CCP = target.CCP
	outcome, err := s.st.RecordRT(ctx, target.ID, rec)
	if err != nil {
		return 0, err
	}
	return outcome, s.settleSecondary(ctx, target, rec)
}

// settleSecondary records the receipt on the secondary beneficiary's
// payment too when target is the primary of a multi-beneficiary cart.
// On the modello unico that cart was one notice whose second transfer
// paid the secondary beneficiary, so the one receipt decides both
// payments. It runs on a repeated receipt as well, so a retry completes
// what a crash between the two writes left.
func (s *Service) settleSecondary(ctx context.Context, target *gateway.Payment, rec *gateway.Receipt) error {
	if target.Position != 1 {
		return nil
	}
	c, err := s.st.FindCartByID(ctx, target.CartID)
	if err != nil || !c.MultiBeneficiary {
		return err
	}
	for _, p := range c.Payments[1:] {
		if p.EnteID != 0 || p.Receipt != nil {
			continue
		}
		copy := *rec
		copy.ID, copy.PaymentID = 0, 0
		if _, err := s.st.RecordRT(ctx, p.ID, &copy); err != nil {
			return err
		}
	}
	return nil
}

// pspCart is the cart of a payment made at a PSP for dovuto d: a cart
// ATTIVATO_PRESSO_PSP in progress with one payment, its CCP the
// receiptId (as MyPay reports it), whose item is d.
func (s *Service) pspCart(e *gateway.Ente, d *gateway.Dovuto, ccp string) *gateway.Cart {
	return &gateway.Cart{
		IDSession: "PSP-" + randomHex(16),
		Token:     randomHex(16),
		Kind:      gateway.CartAttivatoPSP,
		State:     gateway.CartInCorso,
		EnteID:    e.ID,
		CodIpa:    e.CodIpa,
		Payer:     d.Payer,
		Payments: []*gateway.Payment{{
			EnteID: e.ID, CodIpa: e.CodIpa, Dominio: e.CodiceFiscale, IUV: d.IUV, CCP: ccp,
			MessageID: ccp, RequestedAt: s.clock.Now(), Amount: d.Amount, Items: []*gateway.Dovuto{d},
		}},
	}
}

// receiptV2Of widens a version-1 receipt.
func receiptV2Of(r *gen.CtReceipt) *gen.CtReceiptV2 {
	out := &gen.CtReceiptV2{
		ReceiptId: r.ReceiptId, NoticeNumber: r.NoticeNumber, FiscalCode: r.FiscalCode, Outcome: r.Outcome,
		CreditorReferenceId: r.CreditorReferenceId, PaymentAmount: r.PaymentAmount, Description: r.Description,
		CompanyName: r.CompanyName, OfficeName: r.OfficeName, Debtor: r.Debtor, IdPSP: r.IdPSP,
		PspFiscalCode: r.PspFiscalCode, PspPartitaIVA: r.PspPartitaIVA, PSPCompanyName: r.PSPCompanyName,
		IdChannel: r.IdChannel, ChannelDescription: r.ChannelDescription, Payer: r.Payer, PaymentMethod: r.PaymentMethod,
		Fee: r.Fee, PaymentDateTime: r.PaymentDateTime, ApplicationDate: r.ApplicationDate, TransferDate: r.TransferDate,
		Metadata: r.Metadata, StandIn: r.StandIn,
	}
	for _, t := range r.TransferList.Transfer {
		out.TransferList.Transfer = append(out.TransferList.Transfer, gen.CtTransferPAReceiptV2{
			IdTransfer: t.IdTransfer, TransferAmount: t.TransferAmount, FiscalCodePA: t.FiscalCodePA, IBAN: t.IBAN,
			RemittanceInformation: t.RemittanceInformation, TransferCategory: t.TransferCategory, Metadata: t.Metadata,
		})
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
