package avvisi

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/ponte-pagopa/ponte/gateway"
)

// DataMatrixLen is the fixed length of the Poste DataMatrix text.
const DataMatrixLen = 256

// QRPayload is the pagoPA QR text, version 002: amount in plain cents,
// left-padded to the 2-digit minimum.
func QRPayload(nav, cfEnte string, amount gateway.Cents) string {
	a := strconv.FormatInt(int64(amount), 10)
	if len(a) < 2 {
		a = "0" + a
	}
	return "PAGOPA|002|" + nav + "|" + cfEnte + "|" + a
}

// DataMatrixPayload is the Poste "Bollettino Postale PA" DataMatrix text.
// Every field is folded to printable ASCII and cut or padded to its width,
// so the result is always DataMatrixLen characters whatever the input.
func DataMatrixPayload(nav, contoPostale string, amount gateway.Cents, cfEnte, cfDebitore, nomeDebitore, causale string) string {
	if amount < 0 {
		amount = 0
	}
	var b strings.Builder
	b.Grow(DataMatrixLen)
	b.WriteString("codfase=NBPA;")
	b.WriteString("18")
	b.WriteString(zeroPad(nav, 18))
	b.WriteString("12")
	b.WriteString(zeroPad(contoPostale, 12))
	b.WriteString("10")
	b.WriteString(zeroPad(strconv.FormatInt(int64(amount), 10), 10))
	b.WriteString("3")
	b.WriteString("896")
	b.WriteString("1P1")
	b.WriteString(spacePad(cfEnte, 11))
	b.WriteString(spacePad(cfDebitore, 16))
	b.WriteString(spacePad(nomeDebitore, 40))
	b.WriteString(spacePad(causale, 110))
	b.WriteString(strings.Repeat(" ", 12))
	b.WriteString("A")
	return b.String()
}

// FormatNAV groups a notice number in fours from the left, as printed:
// "4700 0000 8800 9990 51".
func FormatNAV(nav string) string {
	var b strings.Builder
	b.Grow(len(nav) + len(nav)/4)
	for i := 0; i < len(nav); i++ {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(nav[i])
	}
	return b.String()
}

// zeroPad keeps the digits of s, left-padded with '0' (or cut to the last n
// digits, which only happens for input Validate rejects).
func zeroPad(s string, n int) string {
	d := make([]byte, 0, n)
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	if len(d) > n {
		d = d[len(d)-n:]
	}
	return strings.Repeat("0", n-len(d)) + string(d)
}

// spacePad folds s to ASCII, cuts it to n and right-pads it with spaces.
func spacePad(s string, n int) string {
	a := asciiFold(s)
	if len(a) > n {
		a = a[:n]
	}
	return a + strings.Repeat(" ", n-len(a))
}

// asciiFold strips accents (NFD, then drops combining marks), maps a few
// typographic characters to ASCII and drops what is left outside printable
// ASCII; control characters become spaces.
func asciiFold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || unicode.IsSpace(r):
			b.WriteByte(' ')
		case unicode.Is(unicode.Mn, r):
		default:
			if m, ok := asciiMap[r]; ok {
				b.WriteString(m)
			}
		}
	}
	return b.String()
}

var asciiMap = map[rune]string{
	'‘': "'", '’': "'", '‚': "'", '´': "'", '`': "'",
	'“': `"`, '”': `"`, '„': `"`, '«': `"`, '»': `"`,
	'–': "-", '—': "-", '‐': "-", '…': "...", '€': "EUR",
	'ß': "ss", 'Æ': "AE", 'æ': "ae", 'Ø': "O", 'ø': "o", 'Œ': "OE", 'œ': "oe",
	'Đ': "D", 'đ': "d", 'Ł': "L", 'ł': "l", '°': "o", 'ª': "a", 'º': "o",
}
