package iuv

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Known vector, computed by hand. Segregation 01, progressivo 1:
// N = "3"+"01"+"00"+"00000000001" = 3010000000000001 = 301*10^13 + 1.
// 10^2 ≡ 7 (mod 93); 7^2=49; 7^4=2401 ≡ 76; 7^5 ≡ 76*7=532 ≡ 67;
// 10^11 = 10^10*10 ≡ 67*10=670 ≡ 19; 10^13 ≡ 19*7=133 ≡ 40.
// 301 ≡ 22, so N ≡ 22*40+1 = 881 ≡ 881-837 = 44  →  IUV 01000000000000144,
// which is also the example of the pagoPA SACI rule.
func TestNew17KnownVector(t *testing.T) {
	got, err := New17("01", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got != "01000000000000144" {
		t.Fatalf("New17(01,1) = %s, want 01000000000000144", got)
	}
	nav, err := NumeroAvviso(3, "", got)
	if err != nil || nav != "301000000000000144" {
		t.Fatalf("NumeroAvviso = %q, %v", nav, err)
	}
	if f := FormatNumeroAvviso(nav); f != "3010 0000 0000 0001 44" {
		t.Fatalf("FormatNumeroAvviso = %q", f)
	}
}

func TestNew17Errors(t *testing.T) {
	for _, c := range []struct {
		seg  string
		prog int64
	}{
		{"1", 1}, {"123", 1}, {"a1", 1}, {"", 1},
		{"01", 0}, {"01", -1}, {"01", MaxProgressivo + 1},
	} {
		if got, err := New17(c.seg, c.prog); err == nil {
			t.Errorf("New17(%q,%d) = %q, want error", c.seg, c.prog, got)
		}
	}
	if got, err := New17("99", MaxProgressivo); err != nil || !strings.HasPrefix(got, "990099999999999") {
		t.Errorf("New17 max = %q, %v", got, err)
	}
}

func TestMod93LongInput(t *testing.T) {
	// 40 nines: far beyond int64; 10^40-1 mod 93 computed independently as
	// (10^40 mod 93) - 1. 10^40 = (10^2)^20 ≡ 7^20; 7^5 ≡ 67, 67^2=4489 ≡ 25,
	// 25^2=625 ≡ 67 → 7^20 = (7^5)^4 ≡ 67^4 ≡ 25^2 ≡ 67 → result 66.
	if got := mod93(strings.Repeat("9", 40)); got != 66 {
		t.Fatalf("mod93(9×40) = %d, want 66", got)
	}
}

func TestNAVCheckDigitsDocExamples(t *testing.T) {
	// Examples of the SACI rule: aux 0, application code 02, base
	// 1234567890123 → 53; aux 3, segregation 01, base 0000000000001 → 44.
	for _, nav := range []string{"002123456789012353", "301000000000000144"} {
		if !NAVCheckDigitsValid(nav) {
			t.Errorf("NAVCheckDigitsValid(%s) = false", nav)
		}
	}
	for _, nav := range []string{"002123456789012354", "101000000000000144", "30100000000000014", "30100000000000014x"} {
		if NAVCheckDigitsValid(nav) {
			t.Errorf("NAVCheckDigitsValid(%s) = true", nav)
		}
	}
	if CheckDigitsValid(0, "123456789012353") {
		t.Error("aux 0 cannot be checked from the IUV alone")
	}
	if !CheckDigitsValid(2, "123456789012345"+checkDigits("2123456789012345")) {
		t.Error("aux 2 IUV rejected")
	}
}

// Property test over a seeded stream of 100k segregation codes and
// progressivi.
func TestNew17Properties(t *testing.T) {
	rng := rand.New(rand.NewSource(20240430))
	seen := make(map[string]string, 100_000)
	for i := 0; i < 100_000; i++ {
		seg := fmt.Sprintf("%02d", rng.Intn(100))
		var prog int64
		switch i % 4 {
		case 0:
			prog = 1 + rng.Int63n(MaxProgressivo)
		case 1:
			prog = 1 + rng.Int63n(1000) // small values, the common case
		case 2:
			prog = MaxProgressivo - rng.Int63n(1000)
		default:
			prog = int64(i) + 1
		}
		got, err := New17(seg, prog)
		if err != nil {
			t.Fatalf("New17(%s,%d): %v", seg, prog, err)
		}
		if len(got) != 17 || !allDigits(got) {
			t.Fatalf("New17(%s,%d) = %q: not 17 digits", seg, prog, got)
		}
		if !strings.HasPrefix(got, seg+"00") {
			t.Fatalf("New17(%s,%d) = %q: bad prefix", seg, prog, got)
		}
		if !CheckDigitsValid(3, got) {
			t.Fatalf("New17(%s,%d) = %q: check digits invalid", seg, prog, got)
		}
		key := fmt.Sprintf("%s/%d", seg, prog)
		if prev, ok := seen[got]; ok && prev != key {
			t.Fatalf("%s and %s both give %s", prev, key, got)
		}
		seen[got] = key
		nav, err := NumeroAvviso(3, "", got)
		if err != nil {
			t.Fatal(err)
		}
		back, err := IUVFromNumeroAvviso(nav)
		if err != nil || back != got {
			t.Fatalf("round trip %s → %s → %q, %v", got, nav, back, err)
		}
		if !NAVCheckDigitsValid(nav) {
			t.Fatalf("NAV %s: check invalid", nav)
		}
	}
}

// Any single-digit change is caught: changing the digit of weight 10^k by
// d (1 ≤ |d| ≤ 9) shifts the number by d·10^k, and 93 = 3·31 divides
// neither d nor 10^k; a change in the check digits themselves gives a
// different 2-digit value, which cannot equal the one residue.
func TestSingleDigitTamperingDetected(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for n := 0; n < 500; n++ {
		iuv, err := New17(fmt.Sprintf("%02d", rng.Intn(100)), 1+rng.Int63n(MaxProgressivo))
		if err != nil {
			t.Fatal(err)
		}
		for pos := 0; pos < len(iuv); pos++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == iuv[pos] {
					continue
				}
				b := []byte(iuv)
				b[pos] = d
				if CheckDigitsValid(3, string(b)) {
					t.Fatalf("%s with pos %d → %c still valid (%s)", iuv, pos, d, b)
				}
			}
		}
	}
}

func TestNumeroAvviso(t *testing.T) {
	nav, err := NumeroAvviso(0, "02", "123456789012353")
	if err != nil || nav != "002123456789012353" {
		t.Fatalf("aux 0: %q, %v", nav, err)
	}
	if f := FormatNumeroAvviso(nav); f != "002 1234 5678 9012 353" {
		t.Errorf("format aux 0 = %q", f)
	}
	if iuv, err := IUVFromNumeroAvviso(nav); err != nil || iuv != "123456789012353" {
		t.Errorf("IUVFromNumeroAvviso(%s) = %q, %v", nav, iuv, err)
	}
	for _, c := range []struct {
		aux      int
		app, iuv string
	}{
		{3, "", "0100000000000014"},    // 16 chars
		{3, "", "0100000000000014a"},   // not digits
		{0, "2", "123456789012353"},    // app code 1 digit
		{0, "02", "12345678901235"},    // 14 chars
		{0, "02", "01000000000000144"}, // IUV17 with aux 0
		{1, "", "01000000000000144"},
		{2, "", "01000000000000144"},
	} {
		if got, err := NumeroAvviso(c.aux, c.app, c.iuv); err == nil {
			t.Errorf("NumeroAvviso(%d,%q,%q) = %q, want error", c.aux, c.app, c.iuv, got)
		}
	}
}

func TestIUVFromNumeroAvviso(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"301000000000000144", "01000000000000144", true},
		{"002123456789012353", "123456789012353", true},
		{"01000000000000144", "01000000000000144", true},
		{"123456789012353", "123456789012353", true},
		{"101000000000000144", "", false}, // aux 1: not managed by MyPay
		{"201000000000000144", "", false},
		{"", "", false},
		{"1234567890123456", "", false},
		{"3010000000000001440", "", false},
	} {
		got, err := IUVFromNumeroAvviso(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("IUVFromNumeroAvviso(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestCCP(t *testing.T) {
	if got := CCP("12345678903", "301000000000000144", 7); got != "12345678903301000000000000144-00007" || len(got) != 35 {
		t.Errorf("CCP = %q", got)
	}
	got, err := CCPForIUV("12345678903", "RF2301001234567890123456", 3, "", 1)
	if err != nil || got != CCPNotApplicable {
		t.Errorf("CCPForIUV(RF) = %q, %v", got, err)
	}
	got, err = CCPForIUV("12345678903", strings.Repeat("1", 25), 3, "", 1)
	if err != nil || got != CCPNotApplicable {
		t.Errorf("CCPForIUV(25) = %q, %v", got, err)
	}
	got, err = CCPForIUV("12345678903", "123456789012353", 0, "02", 12345)
	if err != nil || got != "12345678903002123456789012353-12345" {
		t.Errorf("CCPForIUV(15) = %q, %v", got, err)
	}
	for _, n := range []int{0, 100000} {
		if _, err := CCPForIUV("12345678903", "01000000000000144", 3, "", n); err == nil {
			t.Errorf("counter %d accepted", n)
		}
	}
}

func TestValidateSupplied(t *testing.T) {
	before := time.Date(2024, 4, 29, 23, 59, 0, 0, gateway.Rome)
	onDay := time.Date(2024, 4, 30, 0, 1, 0, 0, gateway.Rome)
	// 22:30 UTC on the 29th is already the 30th in Rome (CEST, +2).
	utcLate := time.Date(2024, 4, 29, 22, 30, 0, 0, time.UTC)
	lim := DefaultLimitNew15
	for _, c := range []struct {
		name   string
		iuv    string
		azione string
		gen    bool
		app    string
		now    time.Time
		want   bool
	}{
		{"empty", "", "I", false, "01", onDay, true},
		{"blank", "   ", "I", false, "01", onDay, true},
		{"15 ok M after limit", "123456789012345", "M", false, "01", onDay, true},
		{"15 ok I before limit", "123456789012345", "I", false, "01", before, true},
		{"15 I on limit day", "123456789012345", "I", false, "01", onDay, false},
		{"15 I limit day in Rome", "123456789012345", "I", false, "01", utcLate, false},
		{"15 starting 00", "003456789012345", "M", false, "01", before, false},
		{"25 new format", "RF23010012345678901234567", "I", false, "01", onDay, true},
		{"25 old format 99", "123456990000000000000" + "0000", "I", false, "01", onDay, true},
		{"25 old format not 99", "123456980000000000000" + "0000", "I", false, "01", onDay, false},
		{"25 old format 9 at 1-based 6", "123459900000000000000" + "0000", "I", false, "01", onDay, false},
		{"17 generated flag", "01000000000000144", "I", true, "05", onDay, true},
		{"17 reserved 00", "01000000000000144", "I", false, "01", onDay, false},
		{"17 own range", "01230000000000144", "I", false, "01", onDay, true},
		{"17 0x", "01050000000000144", "I", false, "01", onDay, true},
		{"17 x0", "01500000000000144", "I", false, "01", onDay, true},
		{"17 other app code", "02230000000000144", "I", false, "01", onDay, false},
		{"16", "0123000000000014", "I", false, "01", onDay, false},
		{"35", strings.Repeat("A", 35), "I", false, "01", onDay, false},
	} {
		if got := ValidateSupplied(c.iuv, c.azione, c.gen, c.app, c.now, lim); got != c.want {
			t.Errorf("%s: ValidateSupplied(%q) = %v, want %v", c.name, c.iuv, got, c.want)
		}
	}
	// Length counts UTF-16 units: 15 "è" are 15 units (30 bytes).
	if !ValidateSupplied(strings.Repeat("è", 15), "M", false, "", time.Now(), lim) {
		t.Error("15 non-ASCII chars not treated as 15 long")
	}
}
