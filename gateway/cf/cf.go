// Package cf validates Italian fiscal identifiers: the codice fiscale of
// natural persons (16 chars, with omocodia), the partita IVA and the
// 11-digit codice fiscale of legal entities, and MyPay's rule on the
// soggetto pagatore identifier. Pure functions, no I/O.
package cf

import "strings"

// oddValues are the values of the chars in odd (1-based) positions of a
// codice fiscale, indexed by digit value or letter value (0-9 / A-Z 0-25):
// digits and the corresponding letters share a value (0 and A, 1 and B…).
var oddValues = [26]int{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // A..J (and 0..9)
	2, 4, 18, 20, 11, 3, 6, 8, 12, 14, // K..T
	16, 10, 22, 25, 24, 23, // U..Z
}

// omocodia letters replace digits 0..9 when two persons would share a code.
const omocodia = "LMNPQRSTUV"

// months are the letters of the birth month, January to December.
const months = "ABCDEHLMPRST"

// digitPositions are the 0-based positions that hold a digit or its
// omocodia letter: year (6-7), day (9-10), municipality number (12-14).
var digitPositions = [16]bool{6: true, 7: true, 9: true, 10: true, 12: true, 13: true, 14: true}

// ValidCodiceFiscale reports whether s is a valid codice fiscale: either a
// natural person's 16-char code (case-insensitive, omocodia letters
// accepted in the digit positions, month letter and check character
// verified) or an 11-digit numeric code of a legal entity, which follows the
// partita IVA rule. The birth day is not range-checked: as in MyPay's
// validator, the check character is what decides.
func ValidCodiceFiscale(s string) bool {
	switch len(s) {
	case 16:
		return validPersona(s)
	case 11:
		return ValidPartitaIVA(s)
	}
	return false
}

// ValidCodiceFiscalePersona is ValidCodiceFiscale restricted to the 16-char
// natural-person form.
func ValidCodiceFiscalePersona(s string) bool {
	return len(s) == 16 && validPersona(s)
}

// validPersona checks a 16-byte s. Only ASCII is folded to upper case:
// strings.ToUpper could change the byte length of non-ASCII input.
func validPersona(s string) bool {
	sum := 0
	for i := 0; i < 15; i++ {
		c := upper(s[i])
		var v int
		switch {
		case c >= '0' && c <= '9':
			if !digitPositions[i] {
				return false
			}
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			if digitPositions[i] && strings.IndexByte(omocodia, c) < 0 {
				return false
			}
			v = int(c - 'A')
		default:
			return false
		}
		if i == 8 && strings.IndexByte(months, c) < 0 {
			return false
		}
		if i%2 == 0 { // 1-based odd position
			sum += oddValues[v]
		} else {
			sum += v
		}
	}
	return upper(s[15]) == byte('A'+sum%26)
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// ValidPartitaIVA reports whether s is 11 digits whose last is the Luhn-like
// check digit of the first ten: digits in odd (1-based) positions are added
// as they are, those in even positions doubled (minus 9 when above 9), and
// the check is (10 - sum mod 10) mod 10.
func ValidPartitaIVA(s string) bool {
	if len(s) != 11 {
		return false
	}
	sum := 0
	for i := 0; i < 11; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	for i := 0; i < 10; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[10]-'0')
}
