package papernodo

import (
	"context"
	"encoding/xml"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/papernodo"
)

// Register routes the three operations of PaPerNodo.wsdl to ep:
// paaInviaRT, and the deprecated storno and revoca ones, which Ponte
// does not support yet; and the two of PaPerNodoPagamentoPsp.wsdl,
// paaVerificaRPT and paaAttivaRPT (modello 3).
func (s *Service) Register(ep *soap.Endpoint) {
	ep.Register(xml.Name{Space: NS, Local: "paaInviaRT"}, s.handleInviaRT)
	ep.Register(xml.Name{Space: NS, Local: "paaVerificaRPT"}, s.handleVerificaRPT)
	ep.Register(xml.Name{Space: NS, Local: "paaAttivaRPT"}, s.handleAttivaRPT)
	ep.Register(xml.Name{Space: NS, Local: "paaInviaEsitoStorno"}, s.notSupported("paaInviaEsitoStorno",
		func(f *gen.FaultBean) any {
			return &gen.PaaInviaEsitoStornoRisposta{PaaInviaEsitoStornoRisposta: gen.TipoInviaEsitoStornoRisposta{
				Risposta: gen.Risposta{Fault: f}, Esito: esitoKO}}
		}, nameInviaEsitoStornoRisposta))
	ep.Register(xml.Name{Space: NS, Local: "paaInviaRichiestaRevoca"}, s.notSupported("paaInviaRichiestaRevoca",
		func(f *gen.FaultBean) any {
			return &gen.PaaInviaRichiestaRevocaRisposta{PaaInviaRichiestaRevocaRisposta: gen.TipoInviaRichiestaRevocaRisposta{
				Risposta: gen.Risposta{Fault: f}, Esito: esitoKO}}
		}, nameInviaRichiestaRevocaRisposta))
}

// notSupported answers op with esito KO and PAA_SYSTEM_ERROR in op's own
// response element. Both operations carry identificativoDominio in the
// body, which becomes faultBean.id; nothing else of the body is read, so
// no content of it can turn the answer into a SOAP fault.
func (s *Service) notSupported(op string, wrap func(*gen.FaultBean) any, respName xml.Name) soap.Handler {
	return func(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
		var body struct {
			Dominio string `xml:"identificativoDominio"`
		}
		if err := req.DecodeBody(&body); err != nil {
			return nil, respName, err
		}
		e := fault(CodeSystemError, op+" non è ancora supportata da Ponte")
		ev := soap.EventFrom(ctx)
		ev.Esito, ev.FaultCode = esitoKO, e.Code
		return wrap(faultBean(e, strings.TrimSpace(body.Dominio))), respName, nil
	}
}
