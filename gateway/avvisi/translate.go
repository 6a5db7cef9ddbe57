package avvisi

import (
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// cp1252 turns UTF-8 text into the single-byte encoding of the PDF core
// fonts (WinAnsi), so "Città" and "€" print. It is safe for concurrent use,
// unlike fpdf's translator closure, which shares a buffer. Runes outside the
// code page fall back to their ASCII folding, then to '?'.
func cp1252(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			b.WriteByte(byte(r))
			continue
		}
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b.WriteByte(c)
			continue
		}
		if a := asciiFold(string(r)); a != "" {
			b.WriteString(a)
			continue
		}
		b.WriteByte('?')
	}
	return b.String()
}
