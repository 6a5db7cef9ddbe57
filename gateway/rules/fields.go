package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
)

// IUD follows Utilities.validaIUD: not blank and not starting with 000
// (that prefix marks identifiers MyPay generated itself).
func IUD(s string) bool {
	return strings.TrimSpace(s) != "" && !strings.HasPrefix(s, "000")
}

// DatiSpecifici reports whether s matches stDatiSpecificiRiscossione,
// `^[0129]/\S{3,138}$`, which MyPay checks again outside the XSD
// (Utilities.validaDatiSpecificiRiscossione). \S and the count follow Go's
// regexp: runes, an invalid byte counting as one non-space rune.
func DatiSpecifici(s string) bool {
	if len(s) < 5 || s[1] != '/' {
		return false
	}
	switch s[0] {
	case '0', '1', '2', '9':
	default:
		return false
	}
	n := 0
	for _, r := range s[2:] {
		if isSpace(r) {
			return false
		}
		n++
	}
	return n >= 3 && n <= 138
}

// DatiSpecificiSecondario reports whether s matches
// stDatiSpecificiRiscossioneEnteSecondario, `9/\d{7}\w{2}/\S{0,129}`: the
// secondary ente's code carries its taxonomy.
func DatiSpecificiSecondario(s string) bool {
	if len(s) < 12 || s[0] != '9' || s[1] != '/' || s[11] != '/' {
		return false
	}
	for i := 2; i < 9; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	for i := 9; i < 11; i++ {
		if c := s[i]; !isDigit(c) && !isLetter(c) && c != '_' {
			return false
		}
	}
	n := 0
	for _, r := range s[12:] {
		if isSpace(r) {
			return false
		}
		n++
	}
	return n <= 129
}

// isSpace is Go regexp's \s: [\t\n\f\r ].
func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// tipiVersamento are the values MyPay accepts, alone or pipe-separated.
var tipiVersamento = [...]string{"BBT", "BP", "AD", "CP", "PO", "OBEP"}

// TipoVersamentoAll is the default and the only value that must stand alone.
const TipoVersamentoAll = "ALL"

// TipoVersamento follows Utilities.validaTipoVersamento: blank is fine (it
// means ALL), ALL only alone, otherwise a pipe-separated list of known
// codes.
func TipoVersamento(s string) bool {
	if strings.TrimSpace(s) == "" || s == TipoVersamentoAll {
		return true
	}
	for part := range strings.SplitSeq(s, "|") {
		ok := false
		for _, t := range tipiVersamento {
			if part == t {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// maxEmail is stEMail's maxLength.
const maxEmail = 256

// Email reports whether s is an e-mail address the SIL accepts: the stEMail
// pattern `^[a-zA-Z0-9_!#$%&'*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$` (the same as
// normalize.Email, as a loop).
func Email(s string) bool {
	if len(s) > maxEmail {
		return false
	}
	at := strings.IndexByte(s, '@')
	if at < 1 || at == len(s)-1 {
		return false
	}
	for i := 0; i < at; i++ {
		c := s[i]
		if !isDigit(c) && !isLetter(c) && !strings.ContainsRune("_!#$%&'*+/=?`{|}~^.-", rune(c)) {
			return false
		}
	}
	for i := at + 1; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && !isLetter(c) && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// Amount reports whether c is acceptable as importoSingoloVersamento
// (paaSILImportaDovuto step 4): not zero, not above stImporto's ceiling.
func Amount(c gateway.Cents) bool { return c != 0 && c <= gateway.MaxAmount }

// Commission reports whether c is acceptable as commissioneCaricoPA.
func Commission(c gateway.Cents) bool { return c <= gateway.MaxAmount }

// MaxLen reports whether s has at most max characters, as MyPay counts
// them (Java chars; runes here, the same for the BMP).
func MaxLen(s string, max int) bool {
	return len(s) <= max || utf8.RuneCountInString(s) <= max
}
