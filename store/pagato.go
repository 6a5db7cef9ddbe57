package store

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi/exportcsv"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// pagatoValues is one paid datiSingoloPagamento of an RT, rendered for
// the pagato table.
type pagatoValues struct {
	position int // 1-based: the payment_item it pays
	paidOn   string
	amount   gateway.Cents
	fields   string // CSV of codIuv … datiSpecificiRiscossione
	ricevuta string // CSV of indiceDatiSingoloPagamento … allegato testo
}

// dateTimeLayout is dataOraMessaggioRicevuta in the export.
const dateTimeLayout = "2006-01-02T15:04:05"

// renderPagati decodes a stored (already validated) RT and renders its
// paid datiSingoloPagamento: those with an amount above zero, as MyPay
// exports only those.
func renderPagati(doc []byte) ([]pagatoValues, error) {
	r, err := rpt.DecodeTrustedRT(doc)
	if err != nil {
		return nil, err
	}
	var (
		out  []pagatoValues
		head []byte
	)
	for i, p := range r.Payments {
		if p.SingoloImportoPagato <= 0 {
			continue
		}
		if head == nil {
			head = renderHead(r)
		}
		b := make([]byte, 0, len(head)+256)
		b = append(b, head...)
		b = exportcsv.AppendValue(b, p.SingoloImportoPagato.String())
		b = append(b, exportcsv.Sep)
		b = exportcsv.AppendText(b, p.Esito)
		b = append(b, exportcsv.Sep)
		paidOn := p.DataEsito.Format(gateway.DateLayout)
		b = exportcsv.AppendValue(b, paidOn)
		b = append(b, exportcsv.Sep)
		b = exportcsv.AppendText(b, p.IUR)
		b = append(b, exportcsv.Sep)
		b = exportcsv.AppendText(b, truncateRunes(p.Causale, 1024))
		b = append(b, exportcsv.Sep)
		b = exportcsv.AppendText(b, p.DatiSpecifici)

		ric := exportcsv.AppendValue(nil, strconv.Itoa(i+1))
		ric = append(ric, exportcsv.Sep)
		if p.CommissioniPSP != nil {
			ric = exportcsv.AppendValue(ric, p.CommissioniPSP.String())
		}
		ric = append(ric, exportcsv.Sep)
		if a := p.Allegato; a != nil {
			ric = exportcsv.AppendText(ric, a.Tipo)
			ric = append(ric, exportcsv.Sep)
			if a.Tipo == "ES" {
				ric = exportcsv.AppendTextBytes(ric, a.Testo)
			} else {
				ric = exportcsv.AppendValue(ric, base64.StdEncoding.EncodeToString(a.Testo))
			}
		} else {
			ric = append(ric, exportcsv.Sep)
		}
		out = append(out, pagatoValues{position: i + 1, paidOn: paidOn, amount: p.SingoloImportoPagato,
			fields: string(b), ricevuta: string(ric)})
	}
	return out, nil
}

// renderHead renders the columns codIuv … codiceContestoPagamento, the
// same for every datiSingoloPagamento of r, followed by a separator.
func renderHead(r *rpt.Receipt) []byte {
	b := make([]byte, 0, 1024)
	text := func(s string) {
		b = exportcsv.AppendText(b, s)
		b = append(b, exportcsv.Sep)
	}
	value := func(s string) {
		b = exportcsv.AppendValue(b, s)
		b = append(b, exportcsv.Sep)
	}
	text(r.IUV)
	text(r.Versione)
	text(r.Dominio)
	text(r.Stazione)
	text(r.IdentificativoMessaggioRicevuta)
	value(r.DataOra.In(gateway.Rome).Format(dateTimeLayout))
	text(r.RiferimentoMessaggioRichiesta)
	value(r.RiferimentoDataRichiesta.Format(gateway.DateLayout))
	a := r.IstitutoAttestante
	tipo := a.Tipo
	if tipo == "" {
		tipo = "G"
	}
	for _, s := range []string{tipo, a.Codice, a.Denominazione, a.CodiceUnitOper, a.DenomUnitOper,
		a.Indirizzo, a.Civico, a.CAP, a.Localita, a.Provincia, a.Nazione} {
		text(s)
	}
	e := r.EnteBeneficiario
	for _, s := range []string{"G", e.Codice, e.Denominazione, e.CodiceUnitOper, e.DenomUnitOper,
		e.Indirizzo, e.Civico, e.CAP, e.Localita, e.Provincia, e.Nazione} {
		text(s)
	}
	v := r.Versante
	if v == nil {
		v = &rpt.Soggetto{}
	}
	for _, s := range []*rpt.Soggetto{v, &r.Pagatore} {
		for _, f := range []string{s.Tipo, s.Codice, s.Anagrafica, s.Indirizzo, s.Civico, s.CAP,
			s.Localita, s.Provincia, s.Nazione, s.Email} {
			text(f)
		}
	}
	value(strconv.Itoa(int(r.Esito)))
	value(r.ImportoTotalePagato.String())
	text(r.IUV)
	text(r.CCP)
	return b
}

// truncateRunes cuts s to n characters (MyPay shortens causaleVersamento).
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// pagatoSQL inserts the rendered rows of n datiSingoloPagamento, joined
// to the payment's items for what the dovuto holds: %[1]s is the receipt
// ID (a parameter, or on PostgreSQL the receipt insert of the same
// statement). A row already there (a partial RT followed by a full one)
// takes the new receipt's values.
func pagatoSQL(dialect string, n int) string {
	cast := func(q, typ string) string { return "CAST(" + q + " AS " + typ + ")" }
	date, ts := "?", "?"
	if dialect == Postgres {
		date, ts = cast("?", "DATE"), cast("?", "TIMESTAMPTZ")
	}
	row := "(" + cast("?", "INTEGER") + ", " + date + ", " + cast("?", "BIGINT") + ", " +
		cast("?", "TEXT") + ", " + cast("?", "TEXT") + ")"
	rows := strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	return `INSERT INTO pagato (ente_id, payment_id, receipt_id, position, iud, iuv, tipo_dovuto, paid_on,
	amount_cents, updated_at, secondary, iuf, num_riga, fields, tipo_firma, ricevuta, bilancio)
SELECT pi.ente_id, pi.payment_id, %[1]s, pi.position, pi.iud, p.iuv, pi.tipo_dovuto, v.column2, v.column3,
	` + ts + `, CASE WHEN c.multi_beneficiary AND p.position > 1 THEN TRUE ELSE FALSE END,
	COALESCE(d.flusso, pi.flusso), COALESCE(d.flusso_row, 0), v.column4, ` + cast("?", "TEXT") + `, v.column5, pi.bilancio
FROM (VALUES ` + rows + `) AS v
JOIN payment_item pi ON pi.position = v.column1
JOIN payment p ON p.id = pi.payment_id
JOIN cart c ON c.id = p.cart_id
LEFT JOIN dovuto d ON d.id = pi.dovuto_id
WHERE pi.payment_id = ? AND pi.ente_id IS NOT NULL
ON CONFLICT (payment_id, position) DO UPDATE SET receipt_id = excluded.receipt_id,
	paid_on = excluded.paid_on, amount_cents = excluded.amount_cents, updated_at = excluded.updated_at,
	fields = excluded.fields, tipo_firma = excluded.tipo_firma, ricevuta = excluded.ricevuta`
}

// pagatoArgs are pagatoSQL's arguments after the receipt ID.
func pagatoArgs(vals []pagatoValues, paymentID int64, received stamp, tipoFirma string) []any {
	args := make([]any, 0, 3+5*len(vals))
	args = append(args, received, tipoFirma)
	for _, v := range vals {
		args = append(args, v.position, v.paidOn, int64(v.amount), v.fields, v.ricevuta)
	}
	return append(args, paymentID)
}

// maxPagati bounds the prepared variants of pagatoSQL: an RPT has at most
// five versamenti.
const maxPagati = rpt.MaxItems

func checkPagati(vals []pagatoValues) error {
	if len(vals) > maxPagati {
		return fmt.Errorf("store: RT with %d paid datiSingoloPagamento", len(vals))
	}
	return nil
}
