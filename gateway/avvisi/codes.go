package avvisi

import (
	"fmt"
	"math"
	"strconv"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/datamatrix"
	"github.com/boombuler/barcode/qr"
)

// Printed sizes (mm). The guide asks for a 25 mm QR; the DataMatrix gets the
// same side, a little above the ≈23 mm of pagoPA's own notices, because
// boombuler encodes the Poste text in ASCII mode (a denser symbol).
const (
	qrSide = 25.0
	dmSide = 25.0
)

// qrCode encodes a pagoPA QR: ECC level M; every valid payload lands on
// version 4 (33×33).
func qrCode(payload string) (barcode.Barcode, error) {
	c, err := qr.Encode(payload, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("avvisi: qr %q: %w", payload, err)
	}
	return c, nil
}

func dataMatrix(payload string) (barcode.Barcode, error) {
	c, err := datamatrix.Encode(payload)
	if err != nil {
		return nil, fmt.Errorf("avvisi: datamatrix: %w", err)
	}
	return c, nil
}

// drawMatrix paints the dark modules of c as one vector path filling a
// side×side square at (x, y). Horizontal runs are merged into rectangles and
// the whole symbol is a single fill, which avoids the hairline seams that
// separately filled, abutting rectangles get when rasterized. The path is
// written raw, in points with two decimals, because going through fpdf's
// MoveTo/LineTo costs a float formatting per coordinate and was the largest
// share of rendering time.
func drawMatrix(p *fpdf.Fpdf, c barcode.Barcode, x, y, side float64) {
	on := modules(c)
	b := c.Bounds()
	cols, rows := b.Dx(), b.Dy()
	k := p.GetConversionRatio()
	_, pageH := p.GetPageSize()
	mw, mh := side/float64(cols)*k, side/float64(rows)*k
	left, top := x*k, (pageH-y)*k
	buf := make([]byte, 0, 20*rows*cols/2)
	for r := 0; r < rows; r++ {
		for col := 0; col < cols; {
			if !on(col, r) {
				col++
				continue
			}
			start := col
			for col < cols && on(col, r) {
				col++
			}
			buf = appendFixed2(buf, left+float64(start)*mw)
			buf = appendFixed2(append(buf, ' '), top-float64(r)*mh)
			buf = appendFixed2(append(buf, ' '), float64(col-start)*mw)
			buf = appendFixed2(append(buf, ' '), -mh)
			buf = append(buf, " re\n"...)
		}
	}
	buf = append(buf, "f\n"...)
	p.SetFillColor(0, 0, 0)
	p.RawWriteStr(string(buf))
}

// modules reports whether the module at column x, row y is dark.
func modules(c barcode.Barcode) func(x, y int) bool {
	if g, ok := c.(interface{ Get(x, y int) bool }); ok { // qr
		return g.Get
	}
	b := c.Bounds()
	return func(x, y int) bool {
		r, g, bl, _ := c.At(b.Min.X+x, b.Min.Y+y).RGBA()
		return r+g+bl < 3*0x8000
	}
}

// appendFixed2 appends v rounded to two decimals, without strconv's float
// machinery.
func appendFixed2(buf []byte, v float64) []byte {
	n := int64(math.Round(v * 100))
	if n < 0 {
		buf = append(buf, '-')
		n = -n
	}
	buf = strconv.AppendInt(buf, n/100, 10)
	f := n % 100
	return append(buf, '.', byte('0'+f/10), byte('0'+f%10))
}
