package gateway

import (
	"errors"
	"strconv"
	"strings"
)

// Cents is an amount of euro cents. Amounts never travel as floats.
type Cents int64

// MaxAmount is 999999999.99, the ceiling of stImporto.
const MaxAmount Cents = 99999999999

var errAmount = errors.New("amount must be digits, a dot and exactly two decimals")

// ParseAmount reads the XSD form `\d+\.\d{2}` (surrounding space trimmed).
func ParseAmount(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, '.')
	if i < 1 || len(s)-i != 3 || len(s) > 22 {
		return 0, errAmount
	}
	for j := 0; j < len(s); j++ {
		if j != i && (s[j] < '0' || s[j] > '9') {
			return 0, errAmount
		}
	}
	n, err := strconv.ParseInt(s[:i]+s[i+1:], 10, 64)
	if err != nil {
		return 0, errAmount
	}
	return Cents(n), nil
}

// String writes the XSD form with two decimals.
func (c Cents) String() string {
	neg := c < 0
	if neg {
		c = -c
	}
	s := strconv.FormatInt(int64(c/100), 10) + "." + strconv.FormatInt(int64(c%100)/10, 10) + strconv.FormatInt(int64(c%10), 10)
	if neg {
		return "-" + s
	}
	return s
}
