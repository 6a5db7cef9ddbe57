package avvisi

import (
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Every valid payload is a version 4 symbol (33×33) at level M, as the guide
// asks; the longest one (11-digit amount) must not spill into version 5.
func TestQRVersion(t *testing.T) {
	for _, amount := range []int64{1, 150000, 99999999999} {
		c, err := qrCode(QRPayload(goldenNAV, goldenCF, gateway.Cents(amount)))
		if err != nil {
			t.Fatal(err)
		}
		if b := c.Bounds(); b.Dx() != 33 || b.Dy() != 33 {
			t.Errorf("amount %d: QR is %dx%d modules, want 33x33 (version 4)", amount, b.Dx(), b.Dy())
		}
	}
}

func TestDataMatrixSquare(t *testing.T) {
	c, err := dataMatrix(goldenDataMatrix())
	if err != nil {
		t.Fatal(err)
	}
	b := c.Bounds()
	if b.Dx() != b.Dy() || b.Dx() > 64 {
		t.Errorf("DataMatrix is %dx%d modules, want square ≤ 64", b.Dx(), b.Dy())
	}
	t.Logf("DataMatrix %dx%d modules, %.2f mm each", b.Dx(), b.Dy(), dmSide/float64(b.Dx()))
}

func TestAppendFixed2(t *testing.T) {
	for v, want := range map[float64]string{0: "0.00", 1.005: "1.00", 2.499: "2.50", -3.14159: "-3.14", 841.89: "841.89", -0.004: "0.00"} {
		if got := string(appendFixed2(nil, v)); got != want {
			t.Errorf("appendFixed2(%v) = %q, want %q", v, got, want)
		}
	}
}
