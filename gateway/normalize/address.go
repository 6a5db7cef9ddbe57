package normalize

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Run caps of MyPay's NOT_ANAGRAFICA_*_PATTERN: a run of up to this many
// disallowed characters becomes one space.
const (
	addressRun = 70
	civicoRun  = 16
)

// Address normalises an indirizzo like MyPay's bonificaIndirizzoAnagrafica:
// accents are stripped to base letters, every run of characters outside
// [a-z A-Z0-9.,()/'&] becomes a single space (runs are cut every 70
// characters, as the Java pattern [^…]{1,70} does), and the result is
// trimmed (MyPay does not trim; pagoPA refuses leading/trailing blanks
// nowhere but an all-junk address should read as absent).
func Address(s string) string { return clean(s, addressRun) }

// Civico is Address for the house number (bonificaCivicoAnagrafica: runs
// are cut every 16 characters).
func Civico(s string) string { return clean(s, civicoRun) }

func clean(s string, maxRun int) string {
	s = StripAccents(s)
	var b strings.Builder
	b.Grow(len(s))
	run := 0
	for _, r := range s {
		if allowed(r) {
			run = 0
			b.WriteRune(r)
			continue
		}
		if run == 0 {
			b.WriteByte(' ')
		}
		run++
		if run == maxRun {
			run = 0
		}
	}
	return strings.TrimSpace(b.String())
}

func allowed(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune(" .,()/'&", r)
}

// StripAccents removes diacritics like Apache Commons' StringUtils.stripAccents:
// canonical decomposition, then combining diacritical marks (U+0300–U+036F)
// dropped; Ł and ł, which do not decompose, become L and l.
func StripAccents(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		switch {
		case r >= 0x300 && r <= 0x36f:
		case r == 'Ł':
			b.WriteByte('L')
		case r == 'ł':
			b.WriteByte('l')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
