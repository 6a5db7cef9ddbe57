package sil

import (
	"regexp"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
)

// datiSpecificiRE is stDatiSpecificiRiscossione, which MyPay checks again
// outside the XSD (Utilities.validaDatiSpecificiRiscossione).
var datiSpecificiRE = regexp.MustCompile(`^[0129]{1}/\S{3,138}$`)

func validDatiSpecifici(s string) bool { return datiSpecificiRE.MatchString(s) }

// tipiVersamento are the values MyPay accepts, alone or pipe-separated.
var tipiVersamento = [...]string{"BBT", "BP", "AD", "CP", "PO", "OBEP"}

// tipoVersamentoAll is the default and the only value that must stand alone.
const tipoVersamentoAll = "ALL"

// validTipoVersamento follows Utilities.validaTipoVersamento: blank is fine
// (it means ALL), ALL only alone, otherwise a pipe-separated list of known
// codes.
func validTipoVersamento(s string) bool {
	if strings.TrimSpace(s) == "" || s == tipoVersamentoAll {
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

// validIUD follows Utilities.validaIUD: not blank and not starting with 000
// (that prefix marks identifiers MyPay generated itself).
func validIUD(s string) bool {
	return strings.TrimSpace(s) != "" && !strings.HasPrefix(s, "000")
}

// javaString renders an absent value the way MyPay's string concatenation
// does, so faultStrings match byte for byte.
func javaString(s string, present bool) string {
	if !present {
		return "null"
	}
	return s
}

// javaDecimal renders an amount as BigDecimal.toString does for the scale-2
// values the XSD admits.
func javaDecimal(c gateway.Cents) string { return c.String() }
