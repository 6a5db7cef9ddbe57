package sil

import (
	"context"
	"encoding/xml"
	"errors"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// statoDescrizione is de_stato of MyPay's carrel states
// (mygov_anagrafica_stato): what paaSILChiediEsitoCarrelloDovuti writes
// as esito.
var statoDescrizione = map[gateway.CartState]string{
	gateway.CartPredisposto:    "PREDISPOSTO",
	gateway.CartInCorso:        "PAGAMENTO IN CORSO",
	gateway.CartPagato:         "PAGATO",
	gateway.CartNonPagato:      "NON PAGATO",
	gateway.CartParzPagato:     "PARZIALMENTE PAGATO",
	gateway.CartDecorrTerm:     "DECORRENZA TERMINI",
	gateway.CartDecorrTermParz: "DECORRENZA TERMINI PARZIALE",
	gateway.CartAbort:          "TRANSAZIONE NON COMPLETATA",
	gateway.CartScaduto:        "CARRELLO SCADUTO",
	gateway.CartNonInviabile:   "IMPOSSIBILE INVIARE RP",
}

// esitoState maps an RT's codiceEsitoPagamento to the state MyPay gives
// the carrello of that one RPT.
var esitoState = map[string]gateway.CartState{
	gateway.EsitoEseguito:           gateway.CartPagato,
	gateway.EsitoNonEseguito:        gateway.CartNonPagato,
	gateway.EsitoParzialmente:       gateway.CartParzPagato,
	gateway.EsitoDecorrenzaTermini:  gateway.CartDecorrTerm,
	gateway.EsitoDecorrenzaParziale: gateway.CartDecorrTermParz,
}

// handleChiediEsitoCarrello serves paaSILChiediEsitoCarrelloDovuti.
func (s *Service) handleChiediEsitoCarrello(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := responseName(opChiediEsitoCarrello)
	var w chiediEsitoWire
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	codIpa, id := trim(w.CodIpaEnte), trim(w.IDSessionCarrello)
	ev := soap.EventFrom(ctx)
	ev.CodIpa, ev.IDSession = codIpa, id
	list, c, gerr := s.esitoCarrello(ctx, codIpa, trim(w.Password), id)
	if c != nil && len(c.Payments) > 0 {
		ev.IUV, ev.IUD = c.Payments[0].IUV, firstIUD(c)
	}
	if gerr != nil {
		f := s.faultOf(opChiediEsitoCarrello, codIpa, gerr)
		if gerr.Code == codeIDSessionNonValido {
			f.ID = "n/a" // MyPay's id for an unknown session
		}
		ev.Esito, ev.FaultCode = esitoKO, f.Code
		return esitoResponse(f, nil), name, nil
	}
	ev.Esito = esitoOK
	return esitoResponse(nil, list), name, nil
}

// esitoCarrello reports one rispostaCarrello per payment of the cart,
// where MyPay reports only the first carrello of a multi-ente cart: a
// superset a MyPay client reads the same way. Each esito is the state of
// that payment's own RPT as MyPay names it: from its RT when there is one,
// else the cart's state; pagati (PagatiConRicevuta) and rt come with every
// RT. A cart not yet sent has one PREDISPOSTO entry per item; an expired
// one a single SCADUTO entry for the caller.
func (s *Service) esitoCarrello(ctx context.Context, codIpa, password, id string) ([]rispostaCarrello, *gateway.Cart, *gateway.Error) {
	if _, gerr := s.verificaEnte(ctx, codIpa, password); gerr != nil {
		return nil, nil, gerr
	}
	c, err := s.carts.FindCart(ctx, id)
	if errors.Is(err, gateway.ErrNotFound) {
		return nil, nil, gateway.Errorf(codeIDSessionNonValido, "idSession [%s] non valido", id)
	}
	if err != nil {
		return nil, nil, systemError(err)
	}
	var out []rispostaCarrello
	switch st := s.cartState(c); st {
	case gateway.CartScaduto:
		var first *gateway.Payment
		if len(c.Payments) > 0 {
			first = c.Payments[0]
		}
		out = append(out, rispostaCarrello{Esito: string(gateway.CartScaduto), CodIpa: codIpa, IDCarrello: carrelloID(c, first)})
	case gateway.CartPredisposto:
		for _, p := range c.Payments {
			for range p.Items {
				out = append(out, rispostaCarrello{Esito: string(gateway.CartPredisposto), CodIpa: paymentCodIpa(p), IDCarrello: carrelloID(c, p)})
			}
		}
	default:
		for _, p := range c.Payments {
			r := rispostaCarrello{Esito: statoDescrizione[st], CodIpa: paymentCodIpa(p), IDCarrello: carrelloID(c, p)}
			if p.Receipt != nil {
				if ps, ok := esitoState[p.Receipt.Esito]; ok {
					r.Esito = statoDescrizione[ps]
				}
				doc, _, err := pagatiOf(p, "")
				if err != nil {
					return nil, c, systemError(err)
				}
				if r.Pagati, err = encodePagati(doc); err != nil {
					return nil, c, systemError(err)
				}
				r.RT = p.Receipt.RT
			}
			if r.Esito == "" {
				r.Esito = string(st)
			}
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, c, internalError("Errore interno per idSession: " + id)
	}
	return out, c, nil
}

// paymentCodIpa is the codIpaEnte of a payment; the secondary beneficiary
// of a multi-beneficiary cart is no ente of Ponte and is named by its
// codice fiscale.
func paymentCodIpa(p *gateway.Payment) string {
	if p.CodIpa != "" {
		return p.CodIpa
	}
	return p.Dominio
}

// carrelloID fills codIdentificativoUnivocoCarrello, which MyPay declares
// required but never writes: the identificativoCarrello sent to the node,
// else the payment's IUV, else "n/a" for a cart whose RPTs do not exist yet.
func carrelloID(c *gateway.Cart, p *gateway.Payment) string {
	switch {
	case c.IDCarrello != "":
		return c.IDCarrello
	case p != nil && p.IUV != "":
		return p.IUV
	}
	return "n/a"
}
