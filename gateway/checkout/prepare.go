package checkout

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/normalize"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// cartError is a cart that cannot become valid RPTs however often it is
// tried (missing IBAN, unknown ente, a field the RPT schema refuses): the
// cart ends IMPOSSIBILE_INVIARE_RP. Any other error of prepare is Ponte's
// own (the store) and leaves the cart to be tried again.
type cartError struct{ err error }

func (e *cartError) Error() string { return e.err.Error() }
func (e *cartError) Unwrap() error { return e.err }

func cartErrorf(format string, args ...any) error {
	return &cartError{fmt.Errorf(format, args...)}
}

// rptEmail is stEMail of the RPT schema, narrower than the SIL's: an
// address the SIL took may still be refused here.
var rptEmail = regexp.MustCompile(`^[a-zA-Z0-9_.+\-]+@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*$`)

// validEmail reports whether the citizen's address can go in the RPT.
func validEmail(s string) bool {
	return normalize.Email(s) && rptEmail.MatchString(s)
}

// prepared reports whether the cart's RPTs were already decided and stored
// (PrepareCart ran): it is being sent, or its sending broke off, and must
// never be prepared or sent again.
func prepared(c *gateway.Cart) bool {
	for _, p := range c.Payments {
		if p.MessageID != "" || len(p.RPT) > 0 {
			return true
		}
	}
	return false
}

// single reports whether the cart goes with nodoInviaRPT.
func single(c *gateway.Cart) bool { return len(c.Payments) == 1 && !c.MultiBeneficiary }

// secondary reports whether the payment at index i is the secondary
// beneficiary's RPT of a multi-beneficiary cart (the first is the primary).
func secondary(c *gateway.Cart, i int) bool { return c.MultiBeneficiary && i > 0 }

// payer is the cart's soggettoPagatore.
func payer(c *gateway.Cart) *gateway.Payer {
	if c.Payer != nil {
		return c.Payer
	}
	for _, p := range c.Payments {
		for _, it := range p.Items {
			if it.Payer != nil {
				return it.Payer
			}
		}
	}
	return nil
}

// enteOf returns the registered ente a payment is for; nil without error
// for the secondary beneficiary of a multi-beneficiary cart, which need not
// be a Ponte ente (its data then come with the item).
func (s *Service) enteOf(ctx context.Context, c *gateway.Cart, i int) (*gateway.Ente, error) {
	p := c.Payments[i]
	var (
		e   *gateway.Ente
		err error
	)
	switch {
	case p.CodIpa != "":
		e, err = s.cfg.Enti.FindEnte(ctx, p.CodIpa)
	case p.Dominio != "":
		e, err = s.cfg.Enti.FindEnteByCF(ctx, p.Dominio)
	case p.EnteID == c.EnteID:
		e, err = s.cfg.Enti.FindEnte(ctx, c.CodIpa)
	default:
		err = gateway.ErrNotFound
	}
	if errors.Is(err, gateway.ErrNotFound) {
		if secondary(c, i) && secondaryOf(p) != nil {
			return nil, nil
		}
		return nil, cartErrorf("payment %d: ente %q (dominio %q) not registered", p.Position, p.CodIpa, p.Dominio)
	}
	return e, err
}

// secondaryOf is the secondary beneficiary's data carried by a payment's
// item, if any.
func secondaryOf(p *gateway.Payment) *gateway.SecondaryBeneficiary {
	for _, it := range p.Items {
		if it.Secondary != nil {
			return it.Secondary
		}
	}
	return nil
}

// enteName is how the confirmation page names a payment's beneficiary.
func enteName(e *gateway.Ente, p *gateway.Payment, secondaryRPT bool) string {
	if sec := secondaryOf(p); secondaryRPT && sec != nil && sec.Denominazione != "" {
		return sec.Denominazione
	}
	if e != nil && e.Denominazione != "" {
		return e.Denominazione
	}
	if p.CodIpa != "" {
		return p.CodIpa
	}
	return p.Dominio
}

// avvisoIUV is the IUV of the existing dovuti a payment carries, if any.
func avvisoIUV(p *gateway.Payment) string {
	for _, it := range p.Items {
		if it.IUV != "" {
			return it.IUV
		}
	}
	return ""
}

// prepare decides, in memory, everything PrepareCart records: each
// payment's IUV, CCP, message id, time and RPT, the cart's e-mail and
// identificativoCarrello. sender is the ente whose station sends the cart.
func (s *Service) prepare(ctx context.Context, c *gateway.Cart, sender *gateway.Ente, email string) error {
	now := s.cfg.Clock.Now().In(gateway.Rome)
	pay := payer(c)
	if pay == nil {
		return cartErrorf("cart has no soggetto pagatore")
	}
	if len(c.Payments) == 0 {
		return cartErrorf("cart has no payments")
	}
	c.Email = email
	c.IDCarrello = ""
	for i, p := range c.Payments {
		ente, err := s.enteOf(ctx, c, i)
		if err != nil {
			return err
		}
		if len(p.Items) == 0 {
			return cartErrorf("payment %d has no items", p.Position)
		}
		if p.Dominio == "" && ente != nil {
			p.Dominio = ente.CodiceFiscale
		}
		sec := secondary(c, i)
		switch {
		case sec:
			// One debt split between two enti: the node wants the same
			// IUV and, as CCP, the idCarrello in both RPTs.
			p.IUV = c.Payments[0].IUV
		case p.IUV != "":
		case avvisoIUV(p) != "":
			p.IUV = avvisoIUV(p)
		default:
			if p.IUV, err = s.cfg.IUV.New17(ctx, ente); err != nil {
				return fmt.Errorf("payment %d: IUV: %w", p.Position, err)
			}
		}
		switch {
		case sec:
			p.CCP = c.IDCarrello
		default:
			if p.CCP, err = s.nextCCP(ctx, p.Dominio, p.IUV, ente); err != nil {
				return fmt.Errorf("payment %d: %w", p.Position, err)
			}
			if c.MultiBeneficiary {
				// idDominio(11) numeroAvviso(18) "-" progressivo(5): the
				// form of a CCP over a notice IUV (pagopa-node §3.4, §8.4).
				c.IDCarrello = p.CCP
			}
		}
		p.MessageID = rpt.NewMessageID()
		p.RequestedAt = now
		req := s.request(c, i, ente, sender, pay, email, now)
		p.Amount = req.Total()
		if p.RPT, err = rpt.Build(req); err != nil {
			return &cartError{fmt.Errorf("payment %d: %w", p.Position, err)}
		}
	}
	if !single(c) && !c.MultiBeneficiary {
		c.IDCarrello = carrelloID(c.Payments[0], now)
	}
	return nil
}

// request is the RPT of payment i.
func (s *Service) request(c *gateway.Cart, i int, ente, sender *gateway.Ente, pay *gateway.Payer, email string, now time.Time) *rpt.Request {
	p := c.Payments[i]
	r := &rpt.Request{
		Dominio:                          p.Dominio,
		Stazione:                         sender.StationID,
		IdentificativoMessaggioRichiesta: p.MessageID,
		DataOra:                          now,
		Pagatore: rpt.Soggetto{
			Tipo: pay.Type, Codice: pay.ID, Anagrafica: pay.Name,
			Indirizzo: pay.Address, Civico: pay.Civic, CAP: pay.CAP,
			Localita: pay.Locality, Provincia: pay.Province, Nazione: pay.Nation,
			Email: email,
		},
		// Immediate payment on the node's pages: today, the same date in
		// every RPT of a cart as multi-beneficiary carts require.
		DataEsecuzione: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, gateway.Rome),
		IUV:            p.IUV,
		CCP:            p.CCP,
	}
	if ente != nil {
		r.EnteBeneficiario = rpt.Ente{Codice: ente.CodiceFiscale, Denominazione: ente.Denominazione}
	}
	sec := secondary(c, i)
	sb := secondaryOf(p)
	if sec && sb != nil {
		r.EnteBeneficiario = rpt.Ente{
			Codice: sb.CodiceFiscale, Denominazione: sb.Denominazione,
			Indirizzo: sb.Address, Civico: sb.Civic, CAP: sb.CAP,
			Localita: sb.Locality, Provincia: sb.Province, Nazione: sb.Nation,
		}
		if r.EnteBeneficiario.Codice == "" && ente != nil {
			r.EnteBeneficiario.Codice = ente.CodiceFiscale
		}
		if r.EnteBeneficiario.Denominazione == "" && ente != nil {
			r.EnteBeneficiario.Denominazione = ente.Denominazione
		}
	}
	for _, it := range p.Items {
		item := rpt.Item{
			Amount:                   it.Amount,
			Commission:               it.Commission,
			Causale:                  it.Causale,
			DatiSpecificiRiscossione: it.DatiSpecificiRiscossione,
		}
		if ente != nil {
			item.IBANAccredito = ente.IBAN
		}
		if sec && it.Secondary != nil {
			// The secondary beneficiary is paid on its own account.
			if it.Secondary.IBAN != "" {
				item.IBANAccredito = it.Secondary.IBAN
			}
			if item.Amount == 0 {
				item.Amount = it.Secondary.Amount
			}
			if item.Causale == "" {
				item.Causale = it.Secondary.Causale
			}
			if item.DatiSpecificiRiscossione == "" {
				item.DatiSpecificiRiscossione = it.Secondary.DatiSpecificiRiscossione
			}
		}
		r.Items = append(r.Items, item)
	}
	return r
}

// nextCCP is the CCP of a new attempt at (dominio, IUV): MyPay's
// <idDominio><numeroAvviso>-<counter>, the counter one past every earlier
// attempt Ponte knows, so that a retried avviso never repeats a CCP (the
// node would answer PPT_RPT_DUPLICATA).
func (s *Service) nextCCP(ctx context.Context, dominio, iuvCode string, ente *gateway.Ente) (string, error) {
	earlier, err := s.cfg.Carts.FindPayments(ctx, dominio, iuvCode)
	if err != nil {
		return "", fmt.Errorf("CCP: %w", err)
	}
	counter := 0
	for _, p := range earlier {
		if p.CCP == "" {
			continue
		}
		counter++
		if _, n, ok := strings.Cut(p.CCP, "-"); ok {
			if v, err := strconv.Atoi(n); err == nil && v > counter {
				counter = v
			}
		}
	}
	aux, app := 3, ""
	if len(iuvCode) == 15 {
		aux = 0
		if ente != nil {
			app = ente.ApplicationCode
		}
	}
	ccp, err := iuv.CCPForIUV(dominio, iuvCode, aux, app, counter+1)
	if err != nil {
		return "", &cartError{fmt.Errorf("CCP: %w", err)}
	}
	return ccp, nil
}

// carrelloID is the identificativoCarrello of a cart that is not
// multi-beneficiary. Its first RPT's CCP, <idDominio><numeroAvviso>-<n>,
// is already unique for every attempt (the test suite builds cart ids the
// same way); for an IUV without notice (CCP n/a) it is the §8.4 suggestion
// Anno(4) idDominio(11) codiceSorgente(2) progressivo(18), the progressivo
// drawn at random.
func carrelloID(first *gateway.Payment, now time.Time) string {
	if first.CCP != iuv.CCPNotApplicable && len(first.CCP) <= 35 {
		return first.CCP
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1e18))
	id := fmt.Sprintf("%04d%s00%018d", now.Year(), first.Dominio, n.Int64())
	if len(id) > 35 {
		id = id[:35]
	}
	return id
}
