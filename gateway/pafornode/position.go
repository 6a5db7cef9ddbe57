package pafornode

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
)

// position is what a notice number stands for at Ponte, when payable.
type position struct {
	ente *gateway.Ente
	iuv  string
	// payment is the payment of an online cart Ponte opened on Checkout
	// for this notice; nil for an avviso paid at a PSP.
	payment *gateway.Payment
	// items are the dovuti the notice pays, one transfer each (an avviso
	// is one dovuto; an online payment up to five).
	items []*gateway.Dovuto
}

// amount is what the notice asks for.
func (p *position) amount() gateway.Cents {
	var t gateway.Cents
	for _, d := range p.items {
		t += d.Amount
		if d.Secondary != nil {
			t += d.Secondary.Amount
		}
	}
	return t
}

var noticeNumber = regexp.MustCompile(`^[0-9]{18}$`)

// iuvOf is the IUV behind a notice number.
func iuvOf(nav string) (string, error) {
	if !noticeNumber.MatchString(nav) {
		return "", fault(CodeSintassiExtraXSD, fmt.Sprintf("noticeNumber %q non è di 18 cifre", nav))
	}
	v, err := iuv.IUVFromNumeroAvviso(nav)
	if err != nil {
		return "", fault(CodePagamentoSconosciuto, fmt.Sprintf("numero avviso %s: %v", nav, err))
	}
	return v, nil
}

// find returns the payable position of the ente's IUV, or the fault that
// says why it cannot be paid, by MyPay's states (mypay-sil §9):
//   - a payment of a cart in progress on the modello unico (Checkout), or
//     being handed to it: payable; any other cart in progress (a legacy
//     RPT, an activation at a PSP): PAA_PAGAMENTO_IN_CORSO;
//   - a positive receipt already stored: PAA_PAGAMENTO_DUPLICATO;
//   - the dovuto: payable (INSERIMENTO_DOVUTO, or PREDISPOSTO in a cart the
//     citizen left), COMPLETATO is PAA_PAGAMENTO_DUPLICATO, ANNULLATO
//     PAA_PAGAMENTO_ANNULLATO, SCADUTO or past a mandatory due date
//     PAA_PAGAMENTO_SCADUTO; nothing at all is PAA_PAGAMENTO_SCONOSCIUTO.
func (s *Service) find(ctx context.Context, e *gateway.Ente, iuvCode string) (*position, error) {
	payments, err := s.st.FindPayments(ctx, e.CodiceFiscale, iuvCode)
	if err != nil {
		return nil, err
	}
	for i := len(payments) - 1; i >= 0; i-- {
		p := payments[i]
		if p.Receipt != nil && paidEsito(p.Receipt.Esito) {
			return nil, fault(CodePagamentoDuplicato, fmt.Sprintf("IUV %s già pagato (ricevuta %s)", iuvCode, p.Receipt.MessageID))
		}
	}
	if n := len(payments); n > 0 {
		p := payments[n-1]
		if (p.State == gateway.PaymentSent || p.State == gateway.PaymentNew) && p.Receipt == nil {
			c, err := s.st.FindCartByID(ctx, p.CartID)
			if err != nil {
				return nil, err
			}
			// PREDISPOSTO: prepared and being handed to Checkout, which
			// verifies every notice before it answers.
			if c.State == gateway.CartInCorso || c.State == gateway.CartPredisposto && p.IUV != "" {
				if c.Kind == gateway.CartAttivatoPSP || !e.ModelloUnico() {
					return nil, fault(CodePagamentoInCorso, fmt.Sprintf("IUV %s: pagamento già avviato", iuvCode))
				}
				return &position{ente: e, iuv: iuvCode, payment: p, items: p.Items}, nil
			}
		}
	}
	d, err := s.st.FindDovutoByIUV(ctx, e.ID, iuvCode)
	if errors.Is(err, gateway.ErrNotFound) {
		if len(payments) > 0 {
			// A notice of an online cart that ended without payment.
			return nil, fault(CodePagamentoAnnullato, fmt.Sprintf("IUV %s: il pagamento non è più valido", iuvCode))
		}
		return nil, fault(CodePagamentoSconosciuto, fmt.Sprintf("nessun dovuto con IUV %s per l'ente %s", iuvCode, e.CodiceFiscale))
	}
	if err != nil {
		return nil, err
	}
	switch d.State {
	case gateway.DovutoCompletato:
		return nil, fault(CodePagamentoDuplicato, fmt.Sprintf("IUV %s già pagato", iuvCode))
	case gateway.DovutoAnnullato:
		return nil, fault(CodePagamentoAnnullato, fmt.Sprintf("IUV %s annullato dall'ente", iuvCode))
	case gateway.DovutoScaduto:
		return nil, fault(CodePagamentoScaduto, fmt.Sprintf("IUV %s scaduto", iuvCode))
	case gateway.DovutoIniziato:
		return nil, fault(CodePagamentoInCorso, fmt.Sprintf("IUV %s: pagamento già avviato", iuvCode))
	}
	if expired, err := s.pastDue(ctx, e, d); err != nil {
		return nil, err
	} else if expired {
		return nil, fault(CodePagamentoScaduto, fmt.Sprintf("IUV %s scaduto il %s", iuvCode, d.DueDate))
	}
	return &position{ente: e, iuv: iuvCode, items: []*gateway.Dovuto{d}}, nil
}

// pastDue reports whether d's due date has passed on a tipo dovuto whose
// due date is mandatory (MyPay's flg_scadenza_obbligatoria): only then
// does a due date make a notice unpayable.
func (s *Service) pastDue(ctx context.Context, e *gateway.Ente, d *gateway.Dovuto) (bool, error) {
	if d.DueDate == "" || d.DueDate >= s.clock.Now().In(gateway.Rome).Format(gateway.DateLayout) {
		return false, nil
	}
	t, err := s.st.FindTipoDovuto(ctx, e.ID, d.TipoDovuto)
	if errors.Is(err, gateway.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return t.DueDateMandatory, nil
}

func paidEsito(e string) bool {
	return e == gateway.EsitoEseguito || e == gateway.EsitoParzialmente || e == gateway.EsitoDecorrenzaParziale
}
