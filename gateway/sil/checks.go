package sil

import "github.com/ponte-pagopa/ponte/gateway"

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
