package rpt

import (
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
)

// MaxCausale is the length of stText140, in characters.
const MaxCausale = 140

// CausaleVersamento writes the causale of a versamento in the reconciliation
// form the RPT expects for payments that carry an IUV (pagopa-node.md §7.2,
// SACI): /RFS/<IUV>/<importo>[/TXT/<text>] for an ISO 11649 creditor
// reference (RF…), /RFB/<IUV>/<importo>[/TXT/<text>] otherwise, cut to 140
// characters. A text already in that form is only cut, so a causale read
// from an RPT survives a second Build unchanged.
func CausaleVersamento(iuv string, amount gateway.Cents, text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if strings.HasPrefix(text, "/RFB/") || strings.HasPrefix(text, "/RFS/") {
		return truncate(text, MaxCausale)
	}
	tag := "/RFB/"
	if isCreditorReference(iuv) {
		tag = "/RFS/"
	}
	s := tag + iuv + "/" + amount.String()
	if text != "" {
		s += "/TXT/" + text
	}
	return truncate(s, MaxCausale)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// isCreditorReference reports whether s is an ISO 11649 reference: "RF", two
// check digits, up to 21 alphanumerics, and the mod-97 check equal to 1.
func isCreditorReference(s string) bool {
	s = strings.ToUpper(s)
	if len(s) < 5 || len(s) > 25 || !strings.HasPrefix(s, "RF") {
		return false
	}
	var digits strings.Builder
	for _, c := range s[4:] + s[:4] {
		switch {
		case c >= '0' && c <= '9':
			digits.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			digits.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}
