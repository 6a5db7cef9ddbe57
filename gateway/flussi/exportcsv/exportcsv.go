// Package exportcsv writes the fields of MyPay's export CSV as opencsv's
// CSVWriter does with separator ';' and its defaults: every value between
// double quotes, a quote doubled, nothing else escaped, lines ending "\n".
// A null value (Ponte: an absent or empty one) is written as nothing, not
// even quotes, as opencsv writes a null.
//
// Text that comes from outside Ponte (the RT, the dovuto) is also
// neutralised against spreadsheet formula injection: a value starting with
// '=', '+', '-', '@', tab or carriage return gets a leading apostrophe.
// Values Ponte renders itself (amounts, dates, numbers, codes) are
// appended with AppendValue and never altered.
package exportcsv

import (
	"bytes"
	"strings"
)

// Sep separates fields.
const Sep = ';'

// risky reports whether a spreadsheet would read a value starting with c
// as a formula.
func risky(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// AppendText appends s as a neutralised, quoted field.
func AppendText(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	dst = append(dst, '"')
	if risky(s[0]) {
		dst = append(dst, '\'')
	}
	return appendEscaped(dst, s)
}

// AppendTextBytes is AppendText for bytes.
func AppendTextBytes(dst, b []byte) []byte {
	if len(b) == 0 {
		return dst
	}
	dst = append(dst, '"')
	if risky(b[0]) {
		dst = append(dst, '\'')
	}
	return appendEscaped(dst, b)
}

// AppendValue appends s, a value Ponte rendered, as a quoted field.
func AppendValue(dst []byte, s string) []byte {
	if s == "" {
		return dst
	}
	dst = append(dst, '"')
	return appendEscaped(dst, s)
}

func appendEscaped[S string | []byte](dst []byte, s S) []byte {
	for {
		i := indexQuote(s)
		if i < 0 {
			dst = append(dst, s...)
			return append(dst, '"')
		}
		dst = append(dst, s[:i+1]...)
		dst = append(dst, '"')
		s = s[i+1:]
	}
}

func indexQuote[S string | []byte](s S) int {
	switch v := any(s).(type) {
	case string:
		return strings.IndexByte(v, '"')
	case []byte:
		return bytes.IndexByte(v, '"')
	}
	return -1
}
