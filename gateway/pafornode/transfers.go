package pafornode

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
)

// transfer is one transferList entry of a position, in domain terms.
type transfer struct {
	amount      gateway.Cents
	fiscalCode  string
	companyName string // only for another ente's transfer
	iban        string
	causale     string
	category    string
}

// maxTransfers is the schema's bound on transferList.
const maxTransfers = 5

// transfers lays out the position's money: one transfer per dovuto to
// the ente's account (the postal one when the node asks for POSTAL and
// the ente has one), then one per secondary beneficiary. As in the SIL's
// multi-beneficiary carts, a secondary beneficiary's amount comes on top
// of the dovuto's own.
func (p *position) transfers(postal bool) ([]transfer, error) {
	iban := p.ente.IBAN
	if postal && p.ente.IBANPostale != "" {
		iban = p.ente.IBANPostale
	}
	if iban == "" {
		return nil, fault(CodeSystemError, fmt.Sprintf("l'ente %s non ha un IBAN di accredito configurato", p.ente.CodIpa))
	}
	var own, other []transfer
	for _, d := range p.items {
		if sec := d.Secondary; sec != nil && sec.Amount > 0 {
			causale := sec.Causale
			if causale == "" {
				causale = d.Causale
			}
			other = append(other, transfer{
				amount: sec.Amount, fiscalCode: sec.CodiceFiscale, companyName: sec.Denominazione,
				iban: sec.IBAN, causale: causale, category: category(sec.DatiSpecificiRiscossione),
			})
		}
		own = append(own, transfer{amount: d.Amount, fiscalCode: p.ente.CodiceFiscale, iban: iban,
			causale: d.Causale, category: category(d.DatiSpecificiRiscossione)})
	}
	out := append(own, other...)
	if len(out) > maxTransfers {
		return nil, fault(CodeSemantica, fmt.Sprintf("IUV %s: %d versamenti, pagoPA ne ammette al più %d", p.iuv, len(out), maxTransfers))
	}
	return out, nil
}

// category is the transferCategory of a datiSpecificiRiscossione
// ("9/0101100IM/" → "0101100IM"): the taxonomy code between the slashes.
func category(dsr string) string {
	parts := strings.SplitN(dsr, "/", 3)
	if len(parts) >= 2 && parts[1] != "" {
		return cut(parts[1], 140)
	}
	if dsr == "" {
		return "0000000"
	}
	return cut(dsr, 140)
}

// cut keeps at most n runes of s (stText140 and friends).
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
