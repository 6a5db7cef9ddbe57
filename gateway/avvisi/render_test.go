package avvisi

import (
	"bytes"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/qrcode"
)

const rasterDPI = 200

// artifactsDir keeps the rendered PDFs and PNGs where CI collects them.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if base := os.Getenv("PONTE_TEST_ARTIFACTS"); base != "" {
		dir = filepath.Join(base, "avvisi")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("avvisi artifacts in %s", dir)
	return dir
}

func needPoppler(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not on PATH: CI must rasterize the avvisi (.ci/deps installs poppler-utils)", tool)
			}
			t.Skipf("%s not on PATH (Debian package poppler-utils): cannot rasterize the avviso", tool)
		}
	}
}

// renderAndRasterize writes the PDF and its pages as PNGs and returns the
// placements, the pages and the PDF text.
func renderAndRasterize(t *testing.T, a *Avviso, name string) ([]placement, []image.Image, string) {
	t.Helper()
	dir := artifactsDir(t)
	var pdf bytes.Buffer
	codes, err := render(&pdf, a)
	if err != nil {
		t.Fatal(err)
	}
	pdfPath := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(pdfPath, pdf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(dir, name)
	if out, err := exec.Command("pdftoppm", "-r", "200", "-png", pdfPath, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pngs, _ := filepath.Glob(prefix + "-*.png")
	slices.Sort(pngs) // pdftoppm zero-pads page numbers, so this is page order
	var pages []image.Image
	for _, p := range pngs {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		pages = append(pages, img)
	}
	t.Logf("%s: %d page(s): %s", name, len(pages), strings.Join(pngs, ", "))
	text, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return codes, pages, string(text)
}

// decodeAt crops the rasterized page around a code (with its quiet zone) and
// decodes it, so the test reads what was really drawn.
func decodeAt(t *testing.T, page image.Image, p placement) string {
	t.Helper()
	px := func(mm float64) int { return int(mm / 25.4 * rasterDPI) }
	const quiet = 3.0
	r := image.Rect(px(p.x-quiet), px(p.y-quiet), px(p.x+p.side+quiet), px(p.y+p.side+quiet)).Intersect(page.Bounds())
	crop := image.NewGray(r)
	draw.Draw(crop, r, page, r.Min, draw.Src)
	bmp, err := gozxing.NewBinaryBitmapFromImage(crop)
	if err != nil {
		t.Fatal(err)
	}
	var res *gozxing.Result
	switch p.kind {
	case "qr":
		res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	case "datamatrix":
		res, err = datamatrix.NewDataMatrixReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
		if err != nil {
			res, err = datamatrix.NewDataMatrixReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
		}
	}
	if err != nil {
		t.Fatalf("page %d: decode %s at (%.1f,%.1f) mm: %v", p.page, p.kind, p.x, p.y, err)
	}
	return res.GetText()
}

// decodeAll decodes every placed code of the given kind, in drawing order.
func decodeAll(t *testing.T, codes []placement, pages []image.Image, kind string) []string {
	t.Helper()
	var got []string
	for _, c := range codes {
		if c.kind != kind {
			continue
		}
		if c.page < 1 || c.page > len(pages) {
			t.Fatalf("%s on page %d of %d", kind, c.page, len(pages))
		}
		got = append(got, decodeAt(t, pages[c.page-1], c))
	}
	return got
}

// expectedCodes computes from the data alone what the notice must carry.
func expectedCodes(a *Avviso) (qr, dm []string) {
	for _, r := range a.Rate {
		qr = append(qr, QRPayload(r.NumeroAvviso, a.Ente.CF, r.Importo))
		if a.Ente.ContoPostale != "" {
			dm = append(dm, DataMatrixPayload(r.NumeroAvviso, a.Ente.ContoPostale, r.Importo, a.Ente.CF,
				a.Destinatario.CF, a.Destinatario.Nome, a.Oggetto))
		}
	}
	return qr, dm
}

func TestRenderRataUnicaPostale(t *testing.T) {
	needPoppler(t)
	a := rataUnica()
	codes, pages, text := renderAndRasterize(t, a, "rata_unica_postale")
	if len(pages) != 1 {
		t.Errorf("rata unica on %d pages, want 1", len(pages))
	}
	wantQR, wantDM := expectedCodes(a)
	if got := decodeAll(t, codes, pages, "qr"); !slices.Equal(got, wantQR) ||
		got[0] != "PAGOPA|002|470000008800999051|99999000013|150000" {
		t.Errorf("QR decoded %q, want %q", got, wantQR)
	}
	gotDM := decodeAll(t, codes, pages, "datamatrix")
	if !slices.Equal(gotDM, wantDM) || gotDM[0] != goldenDataMatrix() {
		t.Errorf("DataMatrix decoded %q, want golden %q", gotDM, goldenDataMatrix())
	}
	for _, s := range []string{"AVVISO DI PAGAMENTO", "4700 0000 8800 9990 51", "1.500,00 €", "31/12/2025",
		"Comune di Città di Prova", "99999000013", "000000123456", "BOLLETTINO POSTALE PA", "P1", "AAAAAAA",
		"AUT. 00/0 XX/00", "Mario Rossi", "FFFCST83A15L113V", "Via Roma 1"} {
		if !strings.Contains(text, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
	if strings.Contains(text, "Puoi pagare in") {
		t.Error("rata unica mentions instalments")
	}
}

func TestRenderTreRate(t *testing.T) {
	needPoppler(t)
	a := treRate()
	codes, pages, text := renderAndRasterize(t, a, "tre_rate")
	wantQR, wantDM := expectedCodes(a)
	if got := decodeAll(t, codes, pages, "qr"); !slices.Equal(got, wantQR) {
		t.Errorf("QR decoded %q, want %q", got, wantQR)
	}
	if len(wantDM) != 0 || len(decodeAll(t, codes, pages, "datamatrix")) != 0 {
		t.Error("DataMatrix without a postal account")
	}
	for _, s := range []string{"Puoi pagare in 3 rate", "Rata 1 di 3", "Rata 3 di 3", "3010 0000 0000 0001 44",
		"3010 0000 0000 0002 45", "3010 0000 0000 0003 46", "500,00 €", "450,50 €", "0,01 €", "entro il 31/03/2026",
		"entro il 30/06/2026", "senza scadenza", "950,51 €", "Niccolò"} {
		if !strings.Contains(text, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
	if strings.Contains(text, "BOLLETTINO") {
		t.Error("Poste section without a postal account")
	}
}

// Many instalments with a postal account spill over several pages, each
// rata keeping its QR and DataMatrix together.
func TestRenderRatePostaliPiuPagine(t *testing.T) {
	needPoppler(t)
	a := treRate()
	a.Ente.ContoPostale = "123456"
	a.Rate = append(a.Rate, Rata{NumeroAvviso: "301000000000000447", Importo: 99999999})
	codes, pages, _ := renderAndRasterize(t, a, "quattro_rate_postali")
	if len(pages) < 2 {
		t.Errorf("%d page(s), want a page break", len(pages))
	}
	wantQR, wantDM := expectedCodes(a)
	if got := decodeAll(t, codes, pages, "qr"); !slices.Equal(got, wantQR) {
		t.Errorf("QR decoded %q, want %q", got, wantQR)
	}
	if got := decodeAll(t, codes, pages, "datamatrix"); !slices.Equal(got, wantDM) {
		t.Errorf("DataMatrix decoded %q, want %q", got, wantDM)
	}
	for i := range a.Rate {
		if q, m := codes[2*i], codes[2*i+1]; q.kind != "qr" || m.kind != "datamatrix" || q.page != m.page {
			t.Errorf("rata %d: QR and DataMatrix split: %+v %+v", i+1, q, m)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	a := rataUnica()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notices/s")
}

func pdfText(t *testing.T, a *Avviso) string {
	t.Helper()
	var pdf bytes.Buffer
	if err := Render(&pdf, a); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = &pdf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestRenderSenzaScadenzaETestiLunghi(t *testing.T) {
	needPoppler(t)
	a := rataUnica()
	a.Rate[0].Scadenza = time.Time{}
	a.Oggetto = strings.Repeat("Canone di occupazione suolo pubblico ", 4) // 148 runes
	a.Ente.Nome = "Azienda Sanitaria Locale della Provincia di Città Metropolitana con un nome lunghissimo davvero"
	text := pdfText(t, a)
	for _, s := range []string{"Avviso senza scadenza", "Rata unica senza scadenza", "…"} {
		if !strings.Contains(text, s) {
			t.Errorf("PDF text lacks %q", s)
		}
	}
	if strings.Contains(text, "entro il") {
		t.Error("a notice without due date prints \"entro il\"")
	}
	// The oggetto is cut to 90 characters everywhere, DataMatrix included.
	codes, err := render(io.Discard, a)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimSpace(a.Oggetto[:MaxOggetto])
	if len(codes) != 2 || strings.TrimRight(codes[1].text[133:243], " ") != want {
		t.Errorf("DataMatrix causale %q, want %q", codes[1].text[133:243], want)
	}
}

func TestRenderConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	sizes := make([]int, 6)
	for i := range sizes {
		wg.Go(func() {
			var b bytes.Buffer
			a := treRate()
			if i%2 == 0 {
				a = rataUnica()
			}
			if err := Render(&b, a); err != nil {
				t.Error(err)
			}
			if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
				t.Errorf("render %d: not a PDF", i)
			}
			sizes[i] = b.Len()
		})
	}
	wg.Wait()
	if sizes[0] != sizes[2] || sizes[1] != sizes[3] {
		t.Errorf("same input, different PDF sizes: %v", sizes)
	}
}
