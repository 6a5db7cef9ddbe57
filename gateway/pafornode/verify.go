package pafornode

import (
	"context"
	"encoding/xml"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/pafornode"
	"github.com/ponte-pagopa/ponte/generated/wire"
)

var nameVerifyRes = xml.Name{Space: NS, Local: "paVerifyPaymentNoticeRes"}

// handleVerify serves paVerifyPaymentNotice: what the notice asks for,
// without side effects (the node calls it as often as it likes).
func (s *Service) handleVerify(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	var in gen.PaVerifyPaymentNoticeReq
	ev := soap.EventFrom(ctx)
	if err := s.decode(req, &in); err != nil {
		if _, ok := err.(*soap.Fault); ok {
			return nil, nameVerifyRes, err
		}
		return verifyKO(s.faultOf(ctx, "paVerifyPaymentNotice", err, ev), trim(in.IdPA), ev), nameVerifyRes, nil
	}
	pos, err := s.lookup(ctx, trim(in.IdPA), trim(in.IdBrokerPA), trim(in.IdStation), in.QrCode, ev)
	if err != nil {
		return verifyKO(s.faultOf(ctx, "paVerifyPaymentNotice", err, ev), trim(in.IdPA), ev), nameVerifyRes, nil
	}
	desc := cut(pos.items[0].Causale, 140)
	opt := gen.CtPaymentOptionDescriptionPA{
		Amount:            wire.AmountOf(pos.amount()),
		Options:           gen.StAmountOptionEQ,
		DetailDescription: gen.StText140(desc),
		AllCCP:            pos.allCCP(),
	}
	if due := pos.dueDate(); due != "" {
		opt.DueDate = wire.Date(due)
	}
	ev.Esito = "OK"
	return &gen.PaVerifyPaymentNoticeRes{
		CtResponse:         gen.CtResponse{Outcome: "OK"},
		PaymentList:        &gen.CtPaymentOptionsDescriptionListPA{PaymentOptionDescription: opt},
		PaymentDescription: gen.StText140(desc),
		FiscalCodePA:       gen.StFiscalCodePA(pos.ente.CodiceFiscale),
		CompanyName:        gen.StText140(companyName(pos.ente)),
	}, nameVerifyRes, nil
}

func verifyKO(f *gateway.Error, id string, ev *gateway.Event) *gen.PaVerifyPaymentNoticeRes {
	ev.Esito, ev.FaultCode = "KO", f.Code
	return &gen.PaVerifyPaymentNoticeRes{CtResponse: gen.CtResponse{Outcome: "KO", Fault: faultBean(f, id)}}
}

// lookup runs the common ladder of verify and get payment: the station,
// the notice's ente, the notice number, the position.
func (s *Service) lookup(ctx context.Context, idPA, idBroker, idStation string, qr gen.CtQrCode, ev *gateway.Event) (*position, error) {
	e, err := s.station(ctx, idPA, idBroker, idStation)
	if err != nil {
		return nil, err
	}
	ev.CodIpa = e.CodIpa
	if cf := trim(qr.FiscalCode); cf != e.CodiceFiscale {
		return nil, fault(CodeIDDominioErrato, "qrCode.fiscalCode "+cf+" non corrisponde a idPA "+idPA)
	}
	iuvCode, err := iuvOf(trim(qr.NoticeNumber))
	if err != nil {
		return nil, err
	}
	ev.IUV = iuvCode
	return s.find(ctx, e, iuvCode)
}

// faultBean is the wire fault: faultBean.id is the idPA asked about.
func faultBean(f *gateway.Error, id string) *gen.CtFaultBean {
	return &gen.CtFaultBean{FaultCode: gen.StFaultCode(f.Code), FaultString: f.String, Id: id, Description: f.Description}
}

// companyName is the ente's name as pagoPA shows it.
func companyName(e *gateway.Ente) string {
	if e.Denominazione != "" {
		return cut(e.Denominazione, 140)
	}
	return e.CodIpa
}

// dueDate is the latest due date among the items ("" when none has one).
func (p *position) dueDate() string {
	var due string
	for _, d := range p.items {
		if d.DueDate > due {
			due = d.DueDate
		}
	}
	return due
}

// allCCP reports whether every transfer may be credited to a postal
// account: only the ente's own money, with a postal IBAN configured.
func (p *position) allCCP() bool {
	if p.ente.IBANPostale == "" {
		return false
	}
	for _, d := range p.items {
		if d.Secondary != nil {
			return false
		}
	}
	return true
}
