package iuv

// mod93 returns the decimal string s modulo 93, one digit at a time so that
// numbers of any length (16 digits here, more than int64 is safe for) never
// overflow. s must hold only ASCII digits.
func mod93(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		r = (r*10 + int(s[i]-'0')) % 93
	}
	return r
}

// allDigits reports whether s is non-empty and made of ASCII digits only.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkDigits renders the 2-digit pagoPA check of prefix (aux digit +
// application/segregation code + IUV base).
func checkDigits(prefix string) string {
	cc := mod93(prefix)
	return string([]byte{byte('0' + cc/10), byte('0' + cc%10)})
}

// NAVCheckDigitsValid reports whether an 18-digit numero avviso carries a
// correct check: for aux digits 0, 2 and 3 the last two digits are the first
// sixteen taken as a number mod 93 (SACI 1.4: aux digit + application code or
// segregation code + IUV base). Aux digit 1 has no check digits: false.
func NAVCheckDigitsValid(nav string) bool {
	if len(nav) != 18 || !allDigits(nav) {
		return false
	}
	switch nav[0] {
	case '0', '2', '3':
		return checkDigits(nav[:16]) == nav[16:]
	}
	return false
}

// CheckDigitsValid reports whether iuv carries correct check digits for
// auxDigit. It covers the 17-digit IUVs whose check can be computed from the
// IUV alone: aux digit 3 (segregation code + base 13 + check) and aux digit 2
// (base 15 + check). An aux-digit-0 IUV15's check also covers the
// application code, which the IUV does not contain: use NAVCheckDigitsValid
// on the numero avviso instead. Any other aux digit yields false.
func CheckDigitsValid(auxDigit int, iuv string) bool {
	if auxDigit != 2 && auxDigit != 3 {
		return false
	}
	if len(iuv) != 17 {
		return false
	}
	return NAVCheckDigitsValid(string(rune('0'+auxDigit)) + iuv)
}
