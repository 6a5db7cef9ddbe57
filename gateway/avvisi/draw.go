package avvisi

import "strings"

// Drawing helpers. Every string is UTF-8 on the way in and goes through
// cp1252 before reaching fpdf. Positions are the top left of a box in mm.

func (d *doc) font(style string, size float64) { d.pdf.SetFont("Helvetica", style, size) }

func (d *doc) ink(g int) { d.pdf.SetTextColor(g, g, g) }

// cell writes s on one line of a w×h box, cut with an ellipsis to fit.
func (d *doc) cell(x, y, w, h float64, s, align string) {
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(w, h, d.fit(cp1252(s), w), "", 0, align, false, 0, "")
}

// fit shortens the WinAnsi string t to width w, ending it with an ellipsis.
func (d *doc) fit(t string, w float64) string {
	if d.pdf.GetStringWidth(t) <= w {
		return t
	}
	return d.cut(t, w)
}

// cut always ends t with an ellipsis, trimming it until it fits in w.
func (d *doc) cut(t string, w float64) string {
	t = strings.TrimRight(t, " ")
	for len(t) > 0 && d.pdf.GetStringWidth(t+ellipsis) > w {
		t = strings.TrimRight(t[:len(t)-1], " ")
	}
	return t + ellipsis
}

// para writes s wrapped to width w with line height lh, at most maxLines
// lines (the last one cut with an ellipsis), and returns the height used.
func (d *doc) para(x, y, w, lh float64, s string, maxLines int) float64 {
	lines := d.pdf.SplitLines([]byte(cp1252(s)), w)
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
		lines[maxLines-1] = []byte(d.cut(string(lines[maxLines-1]), w))
	}
	for i, l := range lines {
		d.pdf.SetXY(x, y+float64(i)*lh)
		d.pdf.CellFormat(w, lh, d.fit(string(l), w), "", 0, "L", false, 0, "")
	}
	return float64(len(lines)) * lh
}

// field writes a small label and, under it, a bold value of the given size;
// it returns the height used including the space after it.
func (d *doc) field(x, y, w float64, label, value string, size float64, maxLines int) float64 {
	d.font("", 7)
	if d.inkLevel != inkText {
		d.ink(d.inkLevel)
	} else {
		d.ink(inkLabel)
	}
	d.cell(x, y, w, 3.2, label, "L")
	d.font("B", size)
	d.ink(d.inkLevel)
	lh := size * 0.42
	return 3.2 + d.para(x, y+3.2, w, lh, value, maxLines) + 1.5
}

// lead writes a bold heading line followed by a short paragraph.
func (d *doc) lead(x, y, w float64, head, text string) float64 {
	d.font("B", 8.5)
	d.ink(inkText)
	d.cell(x, y, w, 4.2, head, "L")
	d.font("", 8)
	return 4.2 + d.para(x, y+4.2, w, 3.6, text, 3)
}

// moduleTitle writes a module's title (and an optional right-hand note)
// over a rule, returning the height used.
func (d *doc) moduleTitle(x, y, w float64, title, right string) float64 {
	d.font("B", 9)
	d.ink(inkText)
	d.cell(x, y, w, 5, title, "L")
	if right != "" {
		d.font("", 8)
		tw := d.pdf.GetStringWidth(cp1252(title)) + 9*0.35
		d.cell(x+tw, y+0.5, w-tw, 4.5, right, "R")
	}
	d.rule(x, y+5.5, w, 120)
	return 7.5
}

// bar is a filled title band across the content width.
func (d *doc) bar(y float64, left, center, right string, ink int) {
	p := d.pdf
	p.SetFillColor(232, 232, 232)
	p.Rect(margin, y, contentW, barH, "F")
	d.ink(ink)
	d.font("B", 9)
	d.cell(margin+3, y+1.5, 60, 5, left, "L")
	if center != "" {
		d.font("", 9)
		d.cell(margin+66, y+1.5, 80, 5, center, "L")
	}
	if right != "" {
		d.font("B", 11)
		d.cell(margin+120, y+1.5, contentW-123, 5, right, "R")
	}
}

func (d *doc) box(x, y, w, h float64) {
	d.pdf.SetDrawColor(200, 200, 200)
	d.pdf.Rect(x, y, w, h, "D")
}

func (d *doc) rule(x, y, w float64, grey int) {
	d.pdf.SetDrawColor(grey, grey, grey)
	d.pdf.Line(x, y, x+w, y)
}
