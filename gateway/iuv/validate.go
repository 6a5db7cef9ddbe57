package iuv

import (
	"strings"
	"time"
	"unicode/utf16"

	"github.com/ponte-pagopa/ponte/gateway"
)

// DefaultLimitNew15 is MyPay's default pa.dataLimiteNuoviIuv15: from this
// day (Europe/Rome) on, azione I may no longer insert a 15-char IUV.
var DefaultLimitNew15 = time.Date(2024, time.April, 30, 0, 0, 0, 0, gateway.Rome)

// ValidateSupplied reports whether an IUV supplied by the ente
// (paaSILImportaDovuto, CSV import) is acceptable, following MyPay's
// Utilities.validaIUV plus the IUV15 cut-off of DovutoService:
//   - blank (empty or whitespace only): ok, nothing supplied;
//   - 15 chars: must not start with "00"; for azione "I" only while today
//     (Europe/Rome) is strictly before limitNew15's calendar day;
//   - 25 chars: if it ends with "0000" (old ente format) the 7th and 8th
//     chars (1-based; MyPay's charAt(6), charAt(7)) must be "99", else ok;
//   - 17 chars: ok if flagGeneraIuv, else it must start with
//     applicationCode and chars 3-4 (1-based) must not both be "0", that
//     range being reserved to generated IUVs;
//   - any other length: invalid.
//
// Lengths and positions count UTF-16 units, as Java's String does. MyPay
// compares the 17-char prefix with the ente's application code while it
// generates with the segregation code; the two are equal in practice and
// the caller decides which one to pass.
func ValidateSupplied(iuv string, azione string, flagGeneraIuv bool, applicationCode string, now time.Time, limitNew15 time.Time) bool {
	if strings.TrimSpace(iuv) == "" {
		return true
	}
	u := utf16.Encode([]rune(iuv))
	switch len(u) {
	case 15:
		if strings.HasPrefix(iuv, "00") {
			return false
		}
		if azione == "I" && !beforeDay(now, limitNew15) {
			return false
		}
		return true
	case 25:
		if strings.HasSuffix(iuv, "0000") {
			return u[6] == '9' && u[7] == '9'
		}
		return true
	case 17:
		if flagGeneraIuv {
			return true
		}
		return strings.HasPrefix(iuv, applicationCode) && (u[2] != '0' || u[3] != '0')
	}
	return false
}

// beforeDay reports whether now's Rome calendar day precedes limit's
// calendar day (taken in limit's own location), like LocalDate.isAfter.
func beforeDay(now, limit time.Time) bool {
	n := now.In(gateway.Rome)
	ny, nm, nd := n.Date()
	ly, lm, ld := limit.Date()
	nday := time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)
	lday := time.Date(ly, lm, ld, 0, 0, 0, 0, time.UTC)
	return nday.Before(lday)
}
