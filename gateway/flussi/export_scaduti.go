package flussi

import (
	"bufio"
	"context"
	"encoding/xml"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi/exportcsv"
)

// ScadutiHeader is the header of a SCADUTI export (MyPay's
// task.exportFlussoScaduti.export.csv.columns).
var ScadutiHeader = []string{"IUD", "codIuv", "dataCreazione", "tipoIdentificativoUnivoco",
	"codiceIdentificativoUnivoco", "anagraficaPagatore", "indirizzoPagatore", "civicoPagatore", "capPagatore",
	"localitaPagatore", "provinciaPagatore", "nazionePagatore", "mailPagatore", "dataEsecuzionePagamento",
	"importoDovuto", "commissioneCaricoPa", "tipoDovuto", "tipoVersamento", "causaleVersamento",
	"datiSpecificiRiscossione", "bilancio", "flgGeneraIuv"}

// writeScaduti writes the header and every row of a SCADUTI export.
// flgGeneraIuv is left empty: Ponte does not keep how an IUV came about.
func writeScaduti(ctx context.Context, src gateway.ExportSource, w *bufio.Writer, f *gateway.ExportFlusso) (int64, error) {
	if err := writeHeader(w, ScadutiHeader); err != nil {
		return 0, err
	}
	var (
		n   int64
		buf []byte
	)
	err := src.ScadutiRows(ctx, f, func(d *gateway.Dovuto) error {
		p := d.Payer
		if p == nil {
			p = &gateway.Payer{}
		}
		b := buf[:0]
		sep := func() { b = append(b, exportcsv.Sep) }
		b = exportcsv.AppendText(b, d.IUD)
		sep()
		b = exportcsv.AppendText(b, d.IUV)
		sep()
		if !d.CreatedAt.IsZero() {
			b = exportcsv.AppendValue(b, d.CreatedAt.In(gateway.Rome).Format(gateway.DateLayout))
		}
		for _, s := range []string{p.Type, p.ID, p.Name, p.Address, p.Civic, p.CAP, p.Locality, p.Province, p.Nation, p.Email} {
			sep()
			b = exportcsv.AppendText(b, s)
		}
		sep()
		b = exportcsv.AppendValue(b, d.DueDate)
		sep()
		b = exportcsv.AppendValue(b, d.Amount.String())
		sep()
		if d.Commission != 0 {
			b = exportcsv.AppendValue(b, d.Commission.String())
		}
		for _, s := range []string{d.TipoDovuto, d.TipoVersamento, d.Causale, d.DatiSpecificiRiscossione} {
			sep()
			b = exportcsv.AppendText(b, s)
		}
		sep()
		if d.Bilancio != nil {
			b = exportcsv.AppendText(b, BilancioXML(d.Bilancio))
		}
		sep()
		b = append(b, '\n')
		buf = b
		n++
		_, err := w.Write(b)
		return err
	})
	return n, err
}

// BilancioXML writes a bilancio as the CSV flussi carry it: the element
// without namespace, capitoli and accertamenti in order.
func BilancioXML(b *gateway.Bilancio) string {
	var s strings.Builder
	el := func(name, text string) {
		if text == "" {
			return
		}
		s.WriteString("<" + name + ">")
		_ = xml.EscapeText(&s, []byte(text))
		s.WriteString("</" + name + ">")
	}
	s.WriteString("<bilancio>")
	for _, c := range b.Capitoli {
		s.WriteString("<capitolo>")
		el("codCapitolo", c.Code)
		el("codUfficio", c.Office)
		for _, a := range c.Accertamenti {
			s.WriteString("<accertamento>")
			el("codAccertamento", a.Code)
			el("importo", a.Amount.String())
			s.WriteString("</accertamento>")
		}
		s.WriteString("</capitolo>")
	}
	s.WriteString("</bilancio>")
	return s.String()
}
