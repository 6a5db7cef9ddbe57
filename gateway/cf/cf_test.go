package cf

import (
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestValidCodiceFiscale(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		// Well-known published samples, valid with the official tables.
		{"RSSMRA80A01H501U", true},
		{"MRTMTT91D08F205J", true},
		{"rssmra80a01h501u", true}, // case-insensitive
		{"RssMra80A01h501U", true},
		// Omocodia: last municipality digit 1 → M, check recomputed (M);
		// every digit position substituted (80→UL, 01→LM, 501→RLM).
		{"RSSMRA80A01H50MM", true},
		{"RSSMRAULALMHRLMD", true},
		// Wrong check character / changed digit with the old check.
		{"RSSMRA80A01H501V", false},
		{"RSSMRA80A01H502U", false},
		{"RSSMRA80A01H50MU", false},
		// Letters that are not omocodia substitutes in digit positions.
		{"RSSMRA8AA01H501U", false},
		{"RSSMRAW0A01H501U", false},
		// Invalid month letter (F), digit in a letter position.
		{"RSSMRA80F01H501U", false},
		{"RSSMR180A01H501U", false},
		// Lengths and characters.
		{"", false},
		{"RSSMRA80A01H501", false},
		{"RSSMRA80A01H501UX", false},
		{"RSSMRA80A01H501-", false},
		{"RSSMRA80A01H501\u00dc", false},
		{"RSSMRA80A01H50\u017fU", false}, // ſ upper-cases to one byte
		// 11-digit codice fiscale of a legal entity = partita IVA rule.
		{"12345678903", true},
		{"12345678904", false},
		{"02116060399", true},
	} {
		if got := ValidCodiceFiscale(c.in); got != c.want {
			t.Errorf("ValidCodiceFiscale(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	if ValidCodiceFiscalePersona("12345678903") {
		t.Error("ValidCodiceFiscalePersona accepted 11 digits")
	}
}

// Changing the check character to any other letter must fail, and exactly
// one letter is right for every valid body.
func TestCheckCharUnique(t *testing.T) {
	for _, body := range []string{"RSSMRA80A01H501", "MRTMTT91D08F205", "RSSMRAULALMHRLM"} {
		n := 0
		for c := 'A'; c <= 'Z'; c++ {
			if ValidCodiceFiscale(body + string(c)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d valid check chars", body, n)
		}
	}
}

func TestValidPartitaIVA(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"12345678903", true},
		{"01234567897", true},
		{"02116060399", true},
		{"00000000000", true}, // the rule alone accepts it; MyPay does too
		{"12345678901", false},
		{"01234567898", false},
		{"1234567890", false},
		{"123456789030", false},
		{"1234567890A", false},
		{"", false},
		{"١٢٣٤٥٦٧٨٩٠٣", false}, // Arabic-Indic digits
	} {
		if got := ValidPartitaIVA(c.in); got != c.want {
			t.Errorf("ValidPartitaIVA(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

// Every single-digit change of a valid partita IVA is caught (the doubling
// map is a permutation of 0..9).
func TestPartitaIVASingleDigitChange(t *testing.T) {
	base := "12345678903"
	for pos := 0; pos < 11; pos++ {
		for d := byte('0'); d <= '9'; d++ {
			if d == base[pos] {
				continue
			}
			b := []byte(base)
			b[pos] = d
			if ValidPartitaIVA(string(b)) {
				t.Errorf("%s accepted", b)
			}
		}
	}
}

func TestValidateSoggetto(t *testing.T) {
	for _, c := range []struct {
		tipo, id string
		anon     bool
		want     string
	}{
		{"F", "RSSMRA80A01H501U", false, ""},
		{"F", "rssmra80a01h501u", false, ""},
		{"F", "12345678903", false, ""}, // P.IVA accepted for F (§2.1 step 7)
		{"F", "RSSMRA80A01H501V", false, gateway.CodeCodiceFiscaleNonValido},
		{"F", "12345678904", false, gateway.CodeCodiceFiscaleNonValido},
		{"F", "ANONIMO", true, ""},
		{"F", "ANONIMO", false, gateway.CodeCodiceFiscaleNonValido},
		{"F", "anonimo", true, gateway.CodeCodiceFiscaleNonValido},
		{"G", "12345678903", false, ""},
		{"G", "01234567897", true, ""},
		{"G", "RSSMRA80A01H501U", false, gateway.CodePIVANonValido},
		{"G", "12345678904", false, gateway.CodePIVANonValido},
		{"G", "ANONIMO", true, gateway.CodePIVANonValido},
		{"X", "RSSMRA80A01H501U", false, gateway.CodeSystemError},
		{"X", "ANONIMO", true, ""}, // MyPay's order: ANONIMO is checked first
	} {
		if got := ValidateSoggetto(c.tipo, c.id, c.anon); got != c.want {
			t.Errorf("ValidateSoggetto(%q,%q,%v) = %q, want %q", c.tipo, c.id, c.anon, got, c.want)
		}
	}
}
