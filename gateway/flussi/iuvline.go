package flussi

import (
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rules"
)

// IUVLine renders an imported row as the _IUV result file lists it
// (mypay-sil §4.5): the version's columns rebuilt from the parsed values,
// codIuv holding the IUV (generated or supplied), amounts as 0.00 (an
// absent or zero commission stays empty), dates yyyy-MM-dd, the payer as
// normalised, ';'-separated and, as in MyPay, without quoting.
func IUVLine(v Version, row *gateway.ImportRow) string {
	d := &row.Dovuto
	var p gateway.Payer
	if d.Payer != nil {
		p = *d.Payer
	}
	var b strings.Builder
	b.Grow(len(row.Raw) + 64)
	for _, s := range [...]string{
		d.IUD, d.IUV, p.Type, p.ID, p.Name, p.Address, p.Civic, p.CAP, p.Locality,
		p.Province, p.Nation, p.Email, d.DueDate, d.Amount.String(), commission(d.Commission),
		d.TipoDovuto, d.TipoVersamento, d.Causale, d.DatiSpecificiRiscossione,
	} {
		b.WriteString(s)
		b.WriteByte(';')
	}
	if v.HasBilancio() {
		b.WriteString(rules.FormatBilancio(d.Bilancio))
		b.WriteByte(';')
	}
	if v.HasGeneraIUV() {
		b.WriteString(boolText(row.GeneraIUV))
		b.WriteByte(';')
	}
	if v.HasSecondary() {
		s := d.Secondary
		b.WriteString(boolText(s != nil))
		b.WriteByte(';')
		if s == nil {
			b.WriteString(strings.Repeat(";", colSecImporto-colSecCF+1))
		} else {
			for _, x := range [...]string{
				s.CodiceFiscale, s.Denominazione, s.IBAN, s.Address, s.Civic, s.CAP, s.Locality,
				s.Province, s.Nation, s.DatiSpecificiRiscossione, s.Causale, s.Amount.String(),
			} {
				b.WriteString(x)
				b.WriteByte(';')
			}
		}
	}
	b.WriteString(row.Azione)
	return b.String()
}

func commission(c gateway.Cents) string {
	if c == 0 {
		return ""
	}
	return c.String()
}

func boolText(t bool) string {
	if t {
		return "true"
	}
	return "false"
}
