package sil

import (
	"context"
	"encoding/xml"
	"errors"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// handleChiediPagati serves paaSILChiediPagati.
func (s *Service) handleChiediPagati(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := responseName(opChiediPagati)
	var w chiediPagatiWire
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	codIpa, idSession := trim(w.CodIpaEnte), trim(w.IDSession)
	ev := soap.EventFrom(ctx)
	ev.CodIpa, ev.IDSession = codIpa, idSession
	pagati, p, gerr := s.chiediPagati(ctx, codIpa, trim(w.Password), idSession)
	if p != nil {
		ev.IUV, ev.CCP, ev.IUD = p.IUV, p.CCP, firstItemIUD(p)
	}
	if gerr != nil {
		f := s.faultOf(opChiediPagati, codIpa, gerr)
		ev.Esito, ev.FaultCode = esitoKO, f.Code
		return chiediPagatiResponse(f, nil), name, nil
	}
	ev.Esito = esitoOK
	return chiediPagatiResponse(nil, pagati), name, nil
}

func (s *Service) chiediPagati(ctx context.Context, codIpa, password, idSession string) ([]byte, *gateway.Payment, *gateway.Error) {
	if _, gerr := s.verificaEnte(ctx, codIpa, password); gerr != nil {
		return nil, nil, gerr
	}
	_, p, gerr := s.sessionPayment(ctx, idSession)
	if gerr != nil {
		return nil, p, gerr
	}
	doc, _, err := pagatiOf(p, "")
	if err != nil {
		return nil, p, systemError(err)
	}
	b, err := encodePagati(pagatiPlain(doc))
	if err != nil {
		return nil, p, systemError(err)
	}
	return b, p, nil
}

// finalWithRT are the cart states whose outcome the RTs decided.
func finalWithRT(st gateway.CartState) bool {
	switch st {
	case gateway.CartPagato, gateway.CartNonPagato, gateway.CartParzPagato, gateway.CartDecorrTerm, gateway.CartDecorrTermParz:
		return true
	}
	return false
}

// cartState is the state the SIL reports: a PREDISPOSTO cart past its
// ExpiresAt is SCADUTO even before any job marks it so.
func (s *Service) cartState(c *gateway.Cart) gateway.CartState {
	if c.State == gateway.CartPredisposto && !s.clock.Now().Before(c.ExpiresAt) {
		return gateway.CartScaduto
	}
	return c.State
}

// sessionPayment is the idSession ladder of paaSILChiediPagati and
// paaSILChiediPagatiConRicevuta (§2.4): the cart's state decides the
// fault; a cart the RTs have decided answers with its first payment (MyPay
// reports the first carrello of a multi-ente cart). IMPOSSIBILE_INVIARE_RP
// is one of MyPay's "other states": PAA_SYSTEM_ERROR with the idSession in
// the description. PARZ_PAGATO, which MyPay's per-ente carrello never
// reaches through an RT, answers like the other decided states.
func (s *Service) sessionPayment(ctx context.Context, idSession string) (*gateway.Cart, *gateway.Payment, *gateway.Error) {
	c, err := s.carts.FindCart(ctx, idSession)
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, nil, gateway.Errorf(codeIDSessionNonValido, "idSession [%s] non valido per l Ente specificato", idSession)
	}
	if err != nil {
		return nil, nil, systemError(err)
	}
	var first *gateway.Payment
	if len(c.Payments) > 0 {
		first = c.Payments[0]
	}
	switch st := s.cartState(c); {
	case st == gateway.CartPredisposto:
		return c, first, gateway.Errorf(codePagamentoNonIniziato, "Pagamento non iniziato per idSession specificato [%s]", idSession)
	case st == gateway.CartInCorso:
		return c, first, gateway.Errorf(codePagamentoInCorso, "Pagamento in corso per idSession specificato [%s]", idSession)
	case st == gateway.CartAbort:
		return c, first, gateway.Errorf(codePagamentoAnnullato, "Pagamento annullato per idSession specificato [%s]", idSession)
	case st == gateway.CartScaduto:
		return c, first, gateway.Errorf(codePagamentoScaduto, "Pagamento scaduto per idSession specificato [%s]", idSession)
	case finalWithRT(st) && first != nil && first.Receipt != nil:
		return c, first, nil
	}
	return c, first, &gateway.Error{Code: gateway.CodeSystemError, String: "PAA SYSTEM ERROR", Description: "Errore interno per idSession: " + idSession}
}

func firstItemIUD(p *gateway.Payment) string {
	if len(p.Items) > 0 {
		return p.Items[0].IUD
	}
	return ""
}
