package admin

import (
	"strings"
	"testing"
)

// The seed file is operator input read at every start: whatever it holds,
// ParseSeed answers a Seed that passes Validate, or an error; never a panic.
func FuzzParseSeed(f *testing.F) {
	f.Add(DemoSeed)
	f.Add("enti: []\n")
	f.Add("enti:\n  - codIpa: C_X\n    codiceFiscale: \"01234567897\"\n    denominazione: X\n    auxDigit: 0\n    tipiDovuto:\n      - codice: T\n        importoFisso: \"0.01\"\n")
	f.Add("enti: {a: b}\n")
	f.Add("&a [*a, *a, *a]")
	f.Add("enti:\n  - codIpa: C_X\n    tipiDovuto:\n      - codice: \"" + strings.Repeat("T", 70) + "\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSeed(strings.NewReader(in))
		if err != nil {
			return
		}
		if err := Validate(s); err != nil {
			t.Fatalf("ParseSeed accepted a seed Validate refuses: %v", err)
		}
	})
}
