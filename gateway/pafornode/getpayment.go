package pafornode

import (
	"context"
	"encoding/xml"
	"regexp"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/pafornode"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

var (
	nameGetPaymentRes   = xml.Name{Space: NS, Local: "paGetPaymentRes"}
	nameGetPaymentV2Res = xml.Name{Space: NS, Local: "paGetPaymentV2Response"}
)

// paymentData is the position as paGetPayment(V2) describes it.
type paymentData struct {
	pos       *position
	transfers []transfer
	debtor    gen.CtSubject
	due       string
	desc      string
}

// getPayment runs the ladder shared by both versions. Like verify it has
// no side effect: Ponte opens the payment when the receipt comes, so an
// activation the PSP never completes leaves nothing to undo.
func (s *Service) getPayment(ctx context.Context, in *gen.PaGetPaymentV2Request, ev *gateway.Event) (*paymentData, error) {
	pos, err := s.lookup(ctx, trim(in.IdPA), trim(in.IdBrokerPA), trim(in.IdStation), in.QrCode, ev)
	if err != nil {
		return nil, err
	}
	ts, err := pos.transfers(in.TransferType == gen.StTransferTypePOSTAL)
	if err != nil {
		return nil, err
	}
	due := pos.dueDate()
	if due == "" {
		due = s.clock.Now().In(gateway.Rome).Format(gateway.DateLayout)
	}
	return &paymentData{pos: pos, transfers: ts, debtor: debtorOf(pos), due: due, desc: cut(pos.items[0].Causale, 140)}, nil
}

// handleGetPaymentV2 serves paGetPaymentV2.
func (s *Service) handleGetPaymentV2(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	var in gen.PaGetPaymentV2Request
	data, f, err := s.servePayment(ctx, "paGetPaymentV2", req, &in, func() *gen.PaGetPaymentV2Request { return &in })
	if err != nil {
		return nil, nameGetPaymentV2Res, err
	}
	if f != nil {
		return &gen.PaGetPaymentV2Response{CtResponse: gen.CtResponse{Outcome: "KO", Fault: f}}, nameGetPaymentV2Res, nil
	}
	return &gen.PaGetPaymentV2Response{CtResponse: gen.CtResponse{Outcome: "OK"}, Data: data}, nameGetPaymentV2Res, nil
}

// handleGetPayment serves paGetPayment (version 1): the same position
// without the per-transfer companyName.
func (s *Service) handleGetPayment(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	var in gen.PaGetPaymentReq
	data, f, err := s.servePayment(ctx, "paGetPayment", req, &in, func() *gen.PaGetPaymentV2Request {
		return &gen.PaGetPaymentV2Request{IdPA: in.IdPA, IdBrokerPA: in.IdBrokerPA, IdStation: in.IdStation,
			QrCode: in.QrCode, Amount: in.Amount, PaymentNote: in.PaymentNote, TransferType: in.TransferType, DueDate: in.DueDate}
	})
	if err != nil {
		return nil, nameGetPaymentRes, err
	}
	if f != nil {
		return &gen.PaGetPaymentRes{CtResponse: gen.CtResponse{Outcome: "KO", Fault: f}}, nameGetPaymentRes, nil
	}
	v1 := &gen.CtPaymentPA{
		CreditorReferenceId: data.CreditorReferenceId, PaymentAmount: data.PaymentAmount, DueDate: data.DueDate,
		Description: data.Description, CompanyName: data.CompanyName, Debtor: data.Debtor,
	}
	for _, t := range data.TransferList.Transfer {
		v1.TransferList.Transfer = append(v1.TransferList.Transfer, gen.CtTransferPA{
			IdTransfer: t.IdTransfer, TransferAmount: t.TransferAmount, FiscalCodePA: t.FiscalCodePA, IBAN: t.IBAN,
			RemittanceInformation: t.RemittanceInformation, TransferCategory: t.TransferCategory,
		})
	}
	return &gen.PaGetPaymentRes{CtResponse: gen.CtResponse{Outcome: "OK"}, Data: v1}, nameGetPaymentRes, nil
}

// servePayment is the ladder both versions share: decode the request
// into in, read it as a version-2 request (asV2, called after decoding),
// describe the position. It returns the data, or the faultBean to answer
// KO with, or a *soap.Fault for a body that is not XML.
func (s *Service) servePayment(ctx context.Context, op string, req *soap.Request, in any, asV2 func() *gen.PaGetPaymentV2Request) (*gen.CtPaymentPAV2, *gen.CtFaultBean, error) {
	ev := soap.EventFrom(ctx)
	err := s.decode(req, in)
	if _, ok := err.(*soap.Fault); ok {
		return nil, nil, err
	}
	v2 := asV2()
	var pd *paymentData
	if err == nil {
		pd, err = s.getPayment(ctx, v2, ev)
	}
	if err != nil {
		f := s.faultOf(ctx, op, err, ev)
		ev.Esito, ev.FaultCode = "KO", f.Code
		return nil, faultBean(f, trim(v2.IdPA)), nil
	}
	data := &gen.CtPaymentPAV2{
		CreditorReferenceId: gen.StText35(pd.pos.iuv),
		PaymentAmount:       wire.AmountOf(pd.pos.amount()),
		DueDate:             wire.Date(pd.due),
		Description:         gen.StText140(pd.desc),
		CompanyName:         gen.StText140(companyName(pd.pos.ente)),
		Debtor:              pd.debtor,
	}
	for i, t := range pd.transfers {
		data.TransferList.Transfer = append(data.TransferList.Transfer, gen.CtTransferPAV2{
			IdTransfer:            gen.StIdTransfer(rune('1' + i)),
			TransferAmount:        wire.AmountOf(t.amount),
			FiscalCodePA:          gen.StFiscalCodePA(t.fiscalCode),
			CompanyName:           gen.StText140(cut(t.companyName, 140)),
			IBAN:                  gen.StIBAN(t.iban),
			RemittanceInformation: gen.StText140(cut(t.causale, 140)),
			TransferCategory:      gen.StText140(t.category),
		})
	}
	ev.Esito = "OK"
	return data, nil, nil
}

// debtorOf is the position's debtor: the payer of its first dovuto that
// has one; an anonymous one otherwise (the schema requires a debtor).
func debtorOf(p *position) gen.CtSubject {
	var py *gateway.Payer
	for _, d := range p.items {
		if d.Payer != nil {
			py = d.Payer
			break
		}
	}
	if py == nil || py.ID == "" {
		return gen.CtSubject{UniqueIdentifier: gen.CtEntityUniqueIdentifier{EntityUniqueIdentifierType: "F", EntityUniqueIdentifierValue: "ANONIMO"},
			FullName: "ANONIMO"}
	}
	typ := py.Type
	if typ != "G" {
		typ = "F"
	}
	name := cut(py.Name, 70)
	if name == "" {
		name = py.ID
	}
	return gen.CtSubject{
		UniqueIdentifier: gen.CtEntityUniqueIdentifier{EntityUniqueIdentifierType: gen.StEntityUniqueIdentifierType(typ),
			EntityUniqueIdentifierValue: gen.StEntityUniqueIdentifierValue(cut(py.ID, 16))},
		FullName:            gen.StText70(name),
		StreetName:          gen.StText70(cut(py.Address, 70)),
		CivicNumber:         gen.StText16(cut(py.Civic, 16)),
		PostalCode:          gen.StText16(cut(py.CAP, 16)),
		City:                gen.StText35(cut(py.Locality, 35)),
		StateProvinceRegion: gen.StText35(cut(py.Province, 35)),
		Country:             gen.StNazioneProvincia(countryOf(py.Nation)),
		Email:               gen.StEMail(emailOf(py.Email)),
	}
}

// stEMail is the schema's e-mail pattern, narrower than the SIL's.
var stEMail = regexp.MustCompile(`^[a-zA-Z0-9_.+\-]+@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*$`)

// emailOf keeps an address only if the schema takes it.
func emailOf(s string) string {
	if len(s) > 256 || !stEMail.MatchString(s) {
		return ""
	}
	return s
}

// countryOf keeps a nation only in the schema's two-letter form.
func countryOf(n string) string {
	if len(n) == 2 && n[0] >= 'A' && n[0] <= 'Z' && n[1] >= 'A' && n[1] <= 'Z' {
		return n
	}
	return ""
}
