package avvisi

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
)

const (
	goldenNAV    = "470000008800999051"
	goldenCF     = "99999000013"
	goldenAmount = gateway.Cents(150000)
	goldenConto  = "000000123456"
	goldenDebCF  = "FFFCST83A15L113V"
	goldenDebNom = "Mario Rossi"
	goldenCaus   = "Avviso Pagamento di TEST"
)

func TestQRPayloadGolden(t *testing.T) {
	got := QRPayload(goldenNAV, goldenCF, goldenAmount)
	if want := "PAGOPA|002|470000008800999051|99999000013|150000"; got != want {
		t.Fatalf("QRPayload = %q, want %q", got, want)
	}
}

func TestQRPayloadAmounts(t *testing.T) {
	for _, tc := range []struct {
		c    gateway.Cents
		want string
	}{{1, "01"}, {9, "09"}, {10, "10"}, {100, "100"}, {gateway.MaxAmount, "99999999999"}} {
		got := QRPayload(goldenNAV, goldenCF, tc.c)
		if !strings.HasSuffix(got, "|"+tc.want) {
			t.Errorf("QRPayload(%d) = %q, want amount field %q", tc.c, got, tc.want)
		}
	}
}

// goldenDataMatrix is the documented Poste text, assembled from its pieces.
func goldenDataMatrix() string {
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }
	return "codfase=NBPA;" + "18" + goldenNAV + "12" + goldenConto + "10" + "0000150000" +
		"3" + "896" + "1P1" + goldenCF + goldenDebCF + pad(goldenDebNom, 40) + pad(goldenCaus, 110) +
		strings.Repeat(" ", 12) + "A"
}

func TestDataMatrixPayloadGolden(t *testing.T) {
	want := goldenDataMatrix()
	if len(want) != 256 {
		t.Fatalf("golden is %d chars", len(want))
	}
	got := DataMatrixPayload(goldenNAV, goldenConto, goldenAmount, goldenCF, goldenDebCF, goldenDebNom, goldenCaus)
	if got != want {
		t.Fatalf("DataMatrixPayload =\n%q\nwant\n%q", got, want)
	}
	// Offsets the IO app reads.
	if got[15:33] != goldenNAV || got[49:59] != "0000150000" || got[66:77] != goldenCF {
		t.Fatalf("fields at wrong offsets: %q", got)
	}
	// A short account number is left-padded like the printed one.
	if got2 := DataMatrixPayload(goldenNAV, "123456", goldenAmount, goldenCF, goldenDebCF, goldenDebNom, goldenCaus); got2 != want {
		t.Fatalf("short conto not padded: %q", got2)
	}
}

func TestDataMatrixPayloadFolding(t *testing.T) {
	long := strings.Repeat("Città di Forlì – «Niccolò» ", 20)
	got := DataMatrixPayload(goldenNAV, goldenConto, 5, goldenCF, "RSSMRA80A01H501UXXXX", "Ñandú Žižek Łukasz "+long, long)
	if len(got) != 256 {
		t.Fatalf("len = %d, want 256", len(got))
	}
	assertPrintableASCII(t, got)
	if got[49:59] != "0000000005" {
		t.Errorf("amount field %q", got[49:59])
	}
	if got[77:93] != "RSSMRA80A01H501U" {
		t.Errorf("debtor CF field %q", got[77:93])
	}
	if name := got[93:133]; !strings.HasPrefix(name, "Nandu Zizek Lukasz Citta di Forli - \"Ni") {
		t.Errorf("name field %q", name)
	}
	if got[243:] != strings.Repeat(" ", 12)+"A" {
		t.Errorf("tail %q", got[243:])
	}
}

func assertPrintableASCII(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			t.Fatalf("byte %d is %#x in %q", i, s[i], s)
		}
	}
}

func FuzzDataMatrixPayload(f *testing.F) {
	f.Add(goldenNAV, goldenConto, int64(150000), goldenCF, goldenDebCF, goldenDebNom, goldenCaus)
	f.Add("", "", int64(-1), "", "", "\x00\n\t", "ü€😀")
	f.Add("12345678901234567890", "1234567890123", int64(1e12), "123456789012", "x", strings.Repeat("é", 99), "")
	f.Fuzz(func(t *testing.T, nav, conto string, amount int64, cf, cfd, nome, caus string) {
		got := DataMatrixPayload(nav, conto, gateway.Cents(amount), cf, cfd, nome, caus)
		if len(got) != DataMatrixLen {
			t.Fatalf("len = %d", len(got))
		}
		assertPrintableASCII(t, got)
		if got[:15] != "codfase=NBPA;18" || got[33:35] != "12" || got[47:49] != "10" || got[59:66] != "38961P1" || got[255] != 'A' {
			t.Fatalf("fixed parts moved: %q", got)
		}
		for _, f := range []string{got[15:33], got[35:47], got[49:59]} {
			if !isDigits(f, len(f)) {
				t.Fatalf("numeric field %q", f)
			}
		}
	})
}

func TestFormatNAV(t *testing.T) {
	for in, want := range map[string]string{
		goldenNAV:            "4700 0000 8800 9990 51",
		"301000000000000144": "3010 0000 0000 0001 44",
		"1234":               "1234",
		"":                   "",
	} {
		if got := FormatNAV(in); got != want {
			t.Errorf("FormatNAV(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatEuro(t *testing.T) {
	for c, want := range map[gateway.Cents]string{
		0: "0,00", 5: "0,05", 150000: "1.500,00", 102099: "1.020,99", 99999999999: "999.999.999,99", 100000: "1.000,00", 99999: "999,99",
	} {
		if got := formatEuro(c); got != want {
			t.Errorf("formatEuro(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestCP1252(t *testing.T) {
	if got := cp1252("Città € – “x” Łódź 😀"); got != "Citt\xe0 \x80 \x96 \x93x\x94 L\xf3dz ?" {
		t.Errorf("cp1252 = %q", got)
	}
	if got := truncateRunes("àèìòù", 3); got != "àèì" || !utf8.ValidString(got) {
		t.Errorf("truncateRunes = %q", got)
	}
}
