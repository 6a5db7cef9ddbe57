package cf

import (
	"strings"
	"testing"
)

// FuzzValidCodiceFiscale: no panic on any input, and validity does not
// depend on letter case.
func FuzzValidCodiceFiscale(f *testing.F) {
	for _, s := range []string{"RSSMRA80A01H501U", "12345678903", "RSSMRAULALMHRLMD", "", "ANONIMO"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := ValidCodiceFiscale(s)
		if len(s) == 16 && v != ValidCodiceFiscale(strings.ToLower(s)) && len(strings.ToLower(s)) == 16 {
			t.Fatalf("case changes validity of %q", s)
		}
		if v && len(s) != 16 && len(s) != 11 {
			t.Fatalf("accepted length %d", len(s))
		}
		_ = ValidPartitaIVA(s)
		_ = ValidateSoggetto("F", s, true)
		_ = ValidateSoggetto("G", s, false)
	})
}
