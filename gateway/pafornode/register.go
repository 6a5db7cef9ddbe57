package pafornode

import (
	"context"
	"encoding/xml"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/pafornode"
)

// NSNodeForPsp is the namespace pagoPA's own sample paVerifyPaymentNotice
// request uses (pagopa-api SANP 2.5.1, ReqPaVerifyPayment.xml): accepted
// as an alias of NS, since a station must not refuse what the node sends.
const NSNodeForPsp = "http://pagopa-api.pagopa.gov.it/node/nodeForPsp.xsd"

// Register routes the six operations of paForNode.wsdl to ep. The
// journal and the metrics name each exchange by its operation (as the
// SOAPAction does), not by its request element.
func (s *Service) Register(ep *soap.Endpoint) {
	for _, r := range []struct {
		element, op string
		h           soap.Handler
	}{
		{"paVerifyPaymentNoticeReq", "paVerifyPaymentNotice", s.handleVerify},
		{"paGetPaymentReq", "paGetPayment", s.handleGetPayment},
		{"paGetPaymentV2Request", "paGetPaymentV2", s.handleGetPaymentV2},
		{"paSendRTReq", "paSendRT", s.handleSendRT},
		{"paSendRTV2Request", "paSendRTV2", s.handleSendRTV2},
		{"paDemandPaymentNoticeRequest", "paDemandPaymentNotice", s.handleDemand},
	} {
		h := named(r.op, r.h)
		ep.Register(xml.Name{Space: NS, Local: r.element}, h)
		if r.op == "paVerifyPaymentNotice" {
			ep.Register(xml.Name{Space: NSNodeForPsp, Local: r.element}, h)
		}
	}
}

// named sets the event's operation before h runs.
func named(op string, h soap.Handler) soap.Handler {
	return func(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
		soap.EventFrom(ctx).Operation = op
		return h(ctx, req)
	}
}

var nameDemandRes = xml.Name{Space: NS, Local: "paDemandPaymentNoticeResponse"}

// handleDemand serves paDemandPaymentNotice: spontaneous payments started
// at a PSP are not available yet, which it says once the caller's
// identifiers are checked.
func (s *Service) handleDemand(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	var in gen.PaDemandPaymentNoticeRequest
	ev := soap.EventFrom(ctx)
	err := s.decode(req, &in)
	if _, ok := err.(*soap.Fault); ok {
		return nil, nameDemandRes, err
	}
	if err == nil {
		if _, err = s.station(ctx, trim(in.IdPA), trim(in.IdBrokerPA), trim(in.IdStation)); err == nil {
			err = fault(CodeSemantica, "i pagamenti spontanei presso i PSP (paDemandPaymentNotice) non sono ancora disponibili in Ponte")
		}
	}
	return &gen.PaDemandPaymentNoticeResponse{CtResponse: s.sendKO(ctx, "paDemandPaymentNotice", err, trim(in.IdPA), ev)}, nameDemandRes, nil
}
