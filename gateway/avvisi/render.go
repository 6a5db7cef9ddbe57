package avvisi

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// Page geometry (mm, A4 portrait). Content never goes below contentBottom:
// the footer lives underneath.
const (
	pageW         = 210.0
	pageH         = 297.0
	margin        = 10.0
	contentW      = pageW - 2*margin
	contentBottom = pageH - 14
	barH          = 8.0
	gap           = 4.0

	datiH      = barH + 33            // full-width "dati per il pagamento" block
	bollH      = 4 + barH + bollBodyH // cut line + Poste bollettino
	bollBodyH  = 47.0
	perRow     = 3 // compact instalment blocks per row
	compactH   = 74.0
	compactGap = 4.0
)

// Grey levels of the text: labels are lighter; the Poste section is printed
// at 70 % black as Poste asks.
const (
	inkText  = 0
	inkLabel = 90
	inkPoste = 77
)

const ellipsis = "\x85" // "…" in WinAnsi

// placement records where a 2D code was drawn (mm from the page's top
// left), so tests can find it on the rasterized page.
type placement struct {
	kind       string // "qr" or "datamatrix"
	page       int
	x, y, side float64
	text       string
}

// Render validates a and writes it as one A4 PDF.
func Render(w io.Writer, a *Avviso) error {
	_, err := render(w, a)
	return err
}

func render(w io.Writer, a *Avviso) ([]placement, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	d := newDoc(a)
	if err := d.build(); err != nil {
		return nil, err
	}
	if err := d.pdf.Output(w); err != nil {
		return nil, fmt.Errorf("avvisi: pdf: %w", err)
	}
	return d.codes, nil
}

type doc struct {
	pdf     *fpdf.Fpdf
	a       *Avviso
	oggetto string
	y       float64
	codes   []placement
	// inkLevel is the grey of field values: inkPoste inside a bollettino.
	inkLevel int
}

func newDoc(a *Avviso) *doc {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(false, 0)
	p.SetCellMargin(0)
	p.SetLineWidth(0.2)
	p.SetTitle("Avviso di pagamento", true)
	p.SetCreator("Ponte", true)
	p.AliasNbPages("{nb}")
	d := &doc{pdf: p, a: a, oggetto: truncateRunes(strings.TrimSpace(a.Oggetto), MaxOggetto)}
	p.SetFooterFunc(d.footer)
	return d
}

func (d *doc) build() error {
	a := d.a
	d.newPage()
	d.enteDestinatario()
	d.quantoDove()
	n := len(a.Rate)
	var err error
	switch {
	case n == 1:
		d.need(datiH)
		err = d.dati("Rata unica", a.Rate[0])
		if err == nil && a.Postale() {
			d.need(bollH)
			err = d.bollettino("Rata unica", a.Rate[0])
		}
	case a.Postale():
		// Each rata is followed by its own bollettino, kept on one page.
		for i, r := range a.Rate {
			label := fmt.Sprintf("Rata %d di %d", i+1, n)
			d.need(datiH + gap + bollH)
			if err = d.dati(label, r); err != nil {
				break
			}
			if err = d.bollettino(label, r); err != nil {
				break
			}
			d.y += gap
		}
	default:
		d.need(barH + 3 + compactH)
		d.bar(d.y, "DATI PER IL PAGAMENTO", fmt.Sprintf("Puoi pagare in %d rate", n), "", inkText)
		d.y += barH + 3
		w := (contentW - (perRow-1)*compactGap) / perRow
		for i := 0; i < n && err == nil; i += perRow {
			d.need(compactH)
			for j := i; j < n && j < i+perRow; j++ {
				x := margin + float64(j-i)*(w+compactGap)
				if err = d.compact(x, d.y, w, j, a.Rate[j]); err != nil {
					break
				}
			}
			d.y += compactH + compactGap
		}
	}
	if err != nil {
		return err
	}
	return d.pdf.Error()
}

// need starts a new page unless h more millimetres fit on this one.
func (d *doc) need(h float64) {
	if d.y+h > contentBottom {
		d.newPage()
	}
}

// newPage adds a page with the header every page repeats.
func (d *doc) newPage() {
	p := d.pdf
	p.AddPage()
	d.font("B", 9)
	d.ink(inkText)
	d.cell(margin, margin, 120, 5, "AVVISO DI PAGAMENTO", "L")
	d.font("B", 18)
	p.SetTextColor(0, 102, 204)
	d.cell(pageW-margin-40, margin, 40, 8, "pagoPA", "R")
	d.font("B", 14)
	d.ink(inkText)
	h := d.para(margin, margin+6, 145, 6, d.oggetto, 2)
	y := max(margin+6+h, margin+12) + 2
	d.rule(margin, y, contentW, 150)
	d.y = y + 4
}

func (d *doc) footer() {
	d.font("", 7)
	d.ink(inkLabel)
	cf := d.a.Ente.CF
	d.cell(margin, pageH-10, contentW, 4,
		fmt.Sprintf("Avviso di pagamento pagoPA · Ente %s · pagina %d di {nb}", cf, d.pdf.PageNo()), "R")
}

// enteDestinatario prints the ENTE CREDITORE and DESTINATARIO modules side
// by side.
func (d *doc) enteDestinatario() {
	a := d.a
	w := (contentW - 6) / 2
	x1, x2, y := margin, margin+w+6, d.y

	h1 := d.moduleTitle(x1, y, w, "ENTE CREDITORE", "Cod. Fiscale "+a.Ente.CF)
	d.font("B", 11)
	h1 += d.para(x1, y+h1, w, 4.8, a.Ente.Nome, 2)
	if a.Ente.Settore != "" {
		d.font("", 9)
		h1 += d.para(x1, y+h1, w, 4, a.Ente.Settore, 2)
	}
	if a.Ente.Info != "" {
		d.font("", 8)
		h1 += d.para(x1, y+h1, w, 3.6, a.Ente.Info, 3)
	}

	right := ""
	if a.Destinatario.CF != "" {
		right = "Cod. Fiscale " + strings.ToUpper(a.Destinatario.CF)
	}
	h2 := d.moduleTitle(x2, y, w, "DESTINATARIO", right)
	d.font("B", 11)
	h2 += d.para(x2, y+h2, w, 4.8, a.Destinatario.Nome, 2)
	d.font("", 9)
	for _, l := range a.Destinatario.Indirizzo {
		if l = strings.TrimSpace(l); l != "" {
			d.cell(x2, y+h2, w, 4, l, "L")
			h2 += 4
		}
	}
	d.y = y + max(h1, h2) + 5
}

// quantoDove prints QUANTO E QUANDO PAGARE? and DOVE PAGARE? side by side.
func (d *doc) quantoDove() {
	a := d.a
	p := d.pdf
	w := (contentW - 6) / 2
	x1, x2, y := margin, margin+w+6, d.y

	h1 := d.moduleTitle(x1, y, w, "QUANTO E QUANDO PAGARE?", "")
	first := a.Rate[0]
	d.font("B", 18)
	d.ink(inkText)
	amount := formatEuro(a.Totale()) + " €"
	d.cell(x1, y+h1, w, 8, amount, "L")
	aw := p.GetStringWidth(cp1252(amount))
	if len(a.Rate) == 1 {
		if first.Scadenza.IsZero() {
			d.font("B", 10)
			d.cell(x1+aw+3, y+h1+2, w-aw-3, 6, "Avviso senza scadenza", "L")
		} else {
			d.font("", 10)
			d.cell(x1+aw+3, y+h1+2, 15, 6, "entro il", "L")
			d.font("B", 12)
			d.cell(x1+aw+17, y+h1+2, w-aw-17, 6, formatDate(first.Scadenza), "L")
		}
		h1 += 10
	} else {
		h1 += 9
		d.font("B", 10)
		d.cell(x1, y+h1, w, 5, fmt.Sprintf("Puoi pagare in %d rate", len(a.Rate)), "L")
		h1 += 5
		d.font("", 9)
		if first.Scadenza.IsZero() {
			d.cell(x1, y+h1, w, 4.5, "Rate senza scadenza", "L")
		} else {
			d.cell(x1, y+h1, w, 4.5, "La prima rata entro il "+formatDate(first.Scadenza), "L")
		}
		h1 += 5.5
	}
	d.font("", 7.5)
	d.ink(inkLabel)
	h1 += d.para(x1, y+h1+1, w, 3.4, "L'importo è aggiornato in automatico dal sistema: per sgravi, "+
		"interessi, sanzioni o altre variazioni, al momento del pagamento ti potrebbe essere chiesta "+
		"una cifra diversa da quella qui indicata.", 4) + 1

	h2 := d.moduleTitle(x2, y, w, "DOVE PAGARE?", "")
	h2 += d.lead(x2, y+h2, w, "PAGA CON L'APP IO",
		"oppure sul sito di "+a.Ente.Nome+", dal tuo Home Banking, con le app di pagamento "+
			"o con gli altri canali online abilitati a pagoPA.")
	h2 += d.lead(x2, y+h2+1, w, "PAGA SUL TERRITORIO",
		"presso banche e sportelli ATM, uffici postali, tabaccherie, ricevitorie e "+
			"supermercati abilitati a pagoPA.") + 1
	d.font("", 7.5)
	d.ink(inkLabel)
	h2 += d.para(x2, y+h2+1, w, 3.4, "Ti basta il codice QR o il codice avviso riportati nei dati per il pagamento.", 2) + 1

	d.y = y + max(h1, h2) + 5
}

// dati prints the full-width DATI PER IL PAGAMENTO block of one rata.
func (d *doc) dati(label string, r Rata) error {
	a := d.a
	y := d.y
	d.bar(y, "DATI PER IL PAGAMENTO", scadenzaLabel(label, r), formatEuro(r.Importo)+" €", inkText)
	by := y + barH
	d.box(margin, by, contentW, 33)
	if err := d.qr(margin+4, by+4, r); err != nil {
		return err
	}
	x1, w1 := margin+37, 78.0
	x2, w2 := margin+120, contentW-122
	fy := by + 3
	fy += d.field(x1, fy, w1, "Destinatario", a.Destinatario.Nome, 9, 1)
	fy += d.field(x1, fy, w1, "Ente Creditore", a.Ente.Nome, 9, 1)
	d.field(x1, fy, w1, "Oggetto del pagamento", d.oggetto, 8, 2)
	fy = by + 3
	if a.Ente.CBILL != "" {
		fy += d.field(x2, fy, w2, "Codice CBILL", strings.ToUpper(a.Ente.CBILL), 9, 1)
	}
	fy += d.field(x2, fy, w2, "Codice Avviso", FormatNAV(r.NumeroAvviso), 11, 1)
	d.field(x2, fy, w2, "Cod. Fiscale Ente Creditore", a.Ente.CF, 9, 1)
	d.y = by + 33
	return nil
}

// bollettino prints the Poste "Bollettino Postale PA" of one rata, with its
// DataMatrix, under a cut line.
func (d *doc) bollettino(label string, r Rata) error {
	a := d.a
	p := d.pdf
	y := d.y + 2
	p.SetDrawColor(150, 150, 150)
	p.SetDashPattern([]float64{1.5, 1}, 0)
	p.Line(margin, y, pageW-margin, y)
	p.SetDashPattern(nil, 0)
	y += 2

	d.bar(y, "BOLLETTINO POSTALE PA", label, "Poste Italiane", inkPoste)
	by := y + barH
	d.box(margin, by, contentW, bollBodyH)
	conto := zeroPad(a.Ente.ContoPostale, 12)
	payload := DataMatrixPayload(r.NumeroAvviso, conto, r.Importo, a.Ente.CF,
		a.Destinatario.CF, a.Destinatario.Nome, d.oggetto)
	c, err := dataMatrix(payload)
	if err != nil {
		return err
	}
	drawMatrix(p, c, margin+4, by+4, dmSide)
	d.codes = append(d.codes, placement{"datamatrix", p.PageNo(), margin + 4, by + 4, dmSide, payload})

	intestatario := a.Ente.IntestatarioPostale
	if intestatario == "" {
		intestatario = a.Ente.Nome
	}
	x1, w1 := margin+37, 78.0
	x2, w2 := margin+120, contentW-122
	fy := by + 3
	d.inkLevel = inkPoste
	fy += d.field(x1, fy, w1, "sul C/C n.", conto, 11, 1)
	fy += d.field(x1, fy, w1, "Intestato a", intestatario, 9, 1)
	fy += d.field(x1, fy, w1, "Destinatario", a.Destinatario.Nome, 9, 1)
	d.field(x1, fy, w1, "Oggetto pagamento", d.oggetto, 8, 1)
	fy = by + 3
	fy += d.field(x2, fy, w2, "Euro", formatEuro(r.Importo), 11, 1)
	fy += d.field(x2, fy, w2, "Cod. Avviso", FormatNAV(r.NumeroAvviso), 11, 1)
	d.field(x2, fy, 12, "Tipo", "P1", 9, 1)
	d.field(x2+14, fy, w2-14, "Cod. Fiscale Ente Creditore", a.Ente.CF, 9, 1)

	ty := by + 38.5 // under the taller first column
	d.font("", 7)
	d.ink(inkPoste)
	if a.Ente.AutorizzazionePoste != "" {
		d.cell(margin+4, ty, contentW-8, 3.5, a.Ente.AutorizzazionePoste, "L")
	}
	d.para(margin+4, ty+3.8, contentW-8, 3.3, "Bollettino Postale pagabile in tutti gli Uffici Postali e sui "+
		"canali fisici o digitali abilitati di Poste Italiane e dell'Ente Creditore", 2)
	d.inkLevel = inkText
	d.y = by + bollBodyH
	return nil
}

// compact prints rata i as one of perRow blocks in a row.
func (d *doc) compact(x, y, w float64, i int, r Rata) error {
	a := d.a
	p := d.pdf
	d.box(x, y, w, compactH)
	p.SetFillColor(232, 232, 232)
	p.Rect(x, y, w, 7, "F")
	d.font("B", 9)
	d.ink(inkText)
	d.cell(x+2, y+1, w/2, 5, fmt.Sprintf("Rata %d di %d", i+1, len(a.Rate)), "L")
	d.font("", 8)
	due := "senza scadenza"
	if !r.Scadenza.IsZero() {
		due = "entro il " + formatDate(r.Scadenza)
	}
	d.cell(x+w/2, y+1, w/2-2, 5, due, "R")
	d.font("B", 13)
	d.cell(x+3, y+9, w-6, 6, formatEuro(r.Importo)+" €", "L")

	if err := d.qr(x+4, y+17, r); err != nil {
		return err
	}
	fx, fw := x+33, w-35
	fy := y + 17
	fy += d.field(fx, fy, fw, "Cod. Fiscale Ente", a.Ente.CF, 8, 1)
	if a.Ente.CBILL != "" {
		d.field(fx, fy, fw, "Codice CBILL", strings.ToUpper(a.Ente.CBILL), 8, 1)
	}
	fy = y + 45
	fy += d.field(x+3, fy, w-6, "Codice Avviso", FormatNAV(r.NumeroAvviso), 9, 1)
	fy += d.field(x+3, fy, w-6, "Ente Creditore", a.Ente.Nome, 8, 1)
	d.field(x+3, fy, w-6, "Oggetto del pagamento", d.oggetto, 7.5, 2)
	return nil
}

// qr draws the pagoPA QR code of r at (x, y).
func (d *doc) qr(x, y float64, r Rata) error {
	payload := QRPayload(r.NumeroAvviso, d.a.Ente.CF, r.Importo)
	c, err := qrCode(payload)
	if err != nil {
		return err
	}
	drawMatrix(d.pdf, c, x, y, qrSide)
	d.codes = append(d.codes, placement{"qr", d.pdf.PageNo(), x, y, qrSide, payload})
	return nil
}

func scadenzaLabel(label string, r Rata) string {
	if r.Scadenza.IsZero() {
		return label + " senza scadenza"
	}
	return label + " entro il " + formatDate(r.Scadenza)
}

func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return strings.TrimRight(s[:j], " ")
		}
		i++
	}
	return s
}
