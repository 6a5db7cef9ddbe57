package rules

import (
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/normalize"
)

// NormalizePayer is step 8 of paaSILImportaDovuto: address and civic
// cleaned, nation kept only when known, province only for IT and when a
// known sigla, CAP only when valid for the nation. The other fields are
// kept as they are.
func NormalizePayer(p gateway.Payer) gateway.Payer {
	nation := normalize.Nation(p.Nation)
	p.Address = Address(p.Address)
	p.Civic = Civico(p.Civic)
	p.CAP = normalize.CAP(nation, p.CAP)
	p.Province = normalize.Province(nation, p.Province)
	p.Nation = nation
	return p
}

// Address is normalize.Address without its allocation when s is already
// clean, the common case in bulk imports.
func Address(s string) string {
	if cleanASCII(s) {
		return strings.TrimSpace(s)
	}
	return normalize.Address(s)
}

// Civico is normalize.Civico with the same shortcut as Address.
func Civico(s string) string {
	if cleanASCII(s) {
		return strings.TrimSpace(s)
	}
	return normalize.Civico(s)
}

// cleanASCII reports whether every byte of s is one normalize keeps:
// [a-z A-Z0-9.,()/'&]. Such a string only loses its outer spaces.
func cleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) || isLetter(c) {
			continue
		}
		switch c {
		case ' ', '.', ',', '(', ')', '/', '\'', '&':
			continue
		}
		return false
	}
	return true
}
