package xsdvalid

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// prim is the primitive (value space) a simple type derives from.
type prim int

const (
	pString prim = iota
	pDecimal
	pFloat
	pBoolean
	pDate
	pDateTime
	pTime
	pGYear
	pGYearMonth
	pBase64
	pHex
	pAnyURI
)

type wsMode int

const (
	wsPreserve wsMode = iota
	wsReplace
	wsCollapse
)

// lexKind adds the lexical restriction of derived built-ins (integer,
// token-like names) on top of the primitive.
type lexKind int

const (
	lexNone lexKind = iota
	lexInteger
	lexNCName
	lexName
	lexNMTOKEN
	lexLanguage
)

// pattern is one compiled pattern facet together with its source text.
type pattern struct {
	src string
	re  *regexp.Regexp
}

// simpleType is a compiled simple type: the primitive plus every facet
// accumulated along its derivation chain.
type simpleType struct {
	name    string // for messages: "{ns}local", builtin name, or "" when anonymous
	prim    prim
	lex     lexKind
	ws      wsMode
	builtin string // nearest built-in ancestor, for messages

	// patterns holds one entry per derivation step: the value must match
	// one pattern of every step.
	patterns [][]pattern

	enums    []string  // normalised lexical values (non-decimal types)
	enumDecs []decimal // decimal value space enumerations

	length, minLen, maxLen int // -1 when absent

	minInc, maxInc, minExc, maxExc *decimal

	totalDigits, fractionDigits int // -1 when absent
}

func newSimple(name string, p prim, ws wsMode) *simpleType {
	return &simpleType{name: name, builtin: name, prim: p, ws: ws, length: -1, minLen: -1, maxLen: -1, totalDigits: -1, fractionDigits: -1}
}

// derive returns a copy of st ready to receive a restriction's facets.
func (st *simpleType) derive(name string) *simpleType {
	c := *st
	c.name = name
	c.patterns = append([][]pattern(nil), st.patterns...)
	return &c
}

func decPtr(s string) *decimal {
	d, ok := parseDecimal(s, false)
	if !ok {
		panic("bad builtin bound " + s)
	}
	return &d
}

const xsdNS = "http://www.w3.org/2001/XMLSchema"

// builtins maps local names in the XSD namespace to built-in simple types.
var builtins = func() map[string]*simpleType {
	m := map[string]*simpleType{}
	add := func(st *simpleType) *simpleType { m[st.name] = st; return st }
	add(newSimple("anySimpleType", pString, wsPreserve))
	str := add(newSimple("string", pString, wsPreserve))
	ns := add(derivedBuiltin(str, "normalizedString"))
	ns.ws = wsReplace
	tok := add(derivedBuiltin(ns, "token"))
	tok.ws = wsCollapse
	for name, lk := range map[string]lexKind{"language": lexLanguage, "Name": lexName, "NCName": lexNCName, "NMTOKEN": lexNMTOKEN, "ID": lexNCName, "IDREF": lexNCName, "ENTITY": lexNCName} {
		t := add(derivedBuiltin(tok, name))
		t.lex = lk
	}
	dec := add(newSimple("decimal", pDecimal, wsCollapse))
	integer := add(derivedBuiltin(dec, "integer"))
	integer.lex = lexInteger
	integer.fractionDigits = 0
	ints := []struct{ name, lo, hi string }{
		{"nonPositiveInteger", "", "0"},
		{"negativeInteger", "", "-1"},
		{"long", "-9223372036854775808", "9223372036854775807"},
		{"int", "-2147483648", "2147483647"},
		{"short", "-32768", "32767"},
		{"byte", "-128", "127"},
		{"nonNegativeInteger", "0", ""},
		{"unsignedLong", "0", "18446744073709551615"},
		{"unsignedInt", "0", "4294967295"},
		{"unsignedShort", "0", "65535"},
		{"unsignedByte", "0", "255"},
		{"positiveInteger", "1", ""},
	}
	for _, in := range ints {
		t := add(derivedBuiltin(integer, in.name))
		if in.lo != "" {
			t.minInc = decPtr(in.lo)
		}
		if in.hi != "" {
			t.maxInc = decPtr(in.hi)
		}
	}
	add(newSimple("float", pFloat, wsCollapse))
	add(newSimple("double", pFloat, wsCollapse))
	add(newSimple("boolean", pBoolean, wsCollapse))
	add(newSimple("date", pDate, wsCollapse))
	add(newSimple("dateTime", pDateTime, wsCollapse))
	add(newSimple("time", pTime, wsCollapse))
	add(newSimple("gYear", pGYear, wsCollapse))
	add(newSimple("gYearMonth", pGYearMonth, wsCollapse))
	add(newSimple("base64Binary", pBase64, wsCollapse))
	add(newSimple("hexBinary", pHex, wsCollapse))
	add(newSimple("anyURI", pAnyURI, wsCollapse))
	return m
}()

func derivedBuiltin(base *simpleType, name string) *simpleType {
	t := base.derive(name)
	t.builtin = name
	return t
}

// normalize applies the whiteSpace facet without allocating when the value
// is already normal.
func normalize(s string, ws wsMode) string {
	switch ws {
	case wsReplace:
		if strings.ContainsAny(s, "\t\n\r") {
			return strings.Map(func(r rune) rune {
				if r == '\t' || r == '\n' || r == '\r' {
					return ' '
				}
				return r
			}, s)
		}
	case wsCollapse:
		if needsCollapse(s) {
			return strings.Join(strings.FieldsFunc(s, isXMLSpace), " ")
		}
	}
	return s
}

func isXMLSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

func needsCollapse(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\n', '\r':
			return true
		case ' ':
			if i+1 < len(s) && s[i+1] == ' ' {
				return true
			}
		}
	}
	return false
}

// quoteValue renders a value for an error message, truncated.
func quoteValue(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

func (st *simpleType) typeName() string {
	if st.name != "" {
		return st.name
	}
	return "anonymous type derived from " + st.builtin
}

// validate checks a raw (unnormalised) value; it returns "" when valid or an
// error message.
func (st *simpleType) validate(raw string) string {
	v := normalize(raw, st.ws)
	var dec decimal
	switch st.prim {
	case pDecimal:
		var ok bool
		dec, ok = parseDecimal(v, st.lex == lexInteger)
		if !ok {
			return fmt.Sprintf("cvc-datatype-valid.1.2.1: %s is not a valid value for '%s'", quoteValue(v), st.builtin)
		}
	default:
		if !st.lexicalOK(v) {
			return fmt.Sprintf("cvc-datatype-valid.1.2.1: %s is not a valid value for '%s'", quoteValue(v), st.builtin)
		}
	}
	for _, step := range st.patterns {
		ok := false
		for _, p := range step {
			if p.re.MatchString(v) {
				ok = true
				break
			}
		}
		if !ok {
			return fmt.Sprintf("cvc-pattern-valid: value %s is not facet-valid with respect to pattern '%s' for type '%s'", quoteValue(v), step[0].src, st.typeName())
		}
	}
	if st.enums != nil || st.enumDecs != nil {
		ok := false
		if st.prim == pDecimal {
			for _, e := range st.enumDecs {
				if e.cmp(dec) == 0 {
					ok = true
					break
				}
			}
		} else {
			for _, e := range st.enums {
				if e == v {
					ok = true
					break
				}
			}
		}
		if !ok {
			return fmt.Sprintf("cvc-enumeration-valid: value %s is not facet-valid with respect to enumeration [%s]", quoteValue(v), st.enumList())
		}
	}
	if st.length >= 0 || st.minLen >= 0 || st.maxLen >= 0 {
		n := st.valueLength(v)
		switch {
		case st.length >= 0 && n != st.length:
			return fmt.Sprintf("cvc-length-valid: value %s with length %d is not facet-valid with respect to length %d for type '%s'", quoteValue(v), n, st.length, st.typeName())
		case st.minLen >= 0 && n < st.minLen:
			return fmt.Sprintf("cvc-minLength-valid: value %s with length %d is not facet-valid with respect to minLength %d for type '%s'", quoteValue(v), n, st.minLen, st.typeName())
		case st.maxLen >= 0 && n > st.maxLen:
			return fmt.Sprintf("cvc-maxLength-valid: value %s with length %d is not facet-valid with respect to maxLength %d for type '%s'", quoteValue(v), n, st.maxLen, st.typeName())
		}
	}
	if st.prim == pDecimal {
		switch {
		case st.minInc != nil && dec.cmp(*st.minInc) < 0:
			return fmt.Sprintf("cvc-minInclusive-valid: value %s is not facet-valid with respect to minInclusive '%s' for type '%s'", quoteValue(v), st.minInc, st.typeName())
		case st.maxInc != nil && dec.cmp(*st.maxInc) > 0:
			return fmt.Sprintf("cvc-maxInclusive-valid: value %s is not facet-valid with respect to maxInclusive '%s' for type '%s'", quoteValue(v), st.maxInc, st.typeName())
		case st.minExc != nil && dec.cmp(*st.minExc) <= 0:
			return fmt.Sprintf("cvc-minExclusive-valid: value %s is not facet-valid with respect to minExclusive '%s' for type '%s'", quoteValue(v), st.minExc, st.typeName())
		case st.maxExc != nil && dec.cmp(*st.maxExc) >= 0:
			return fmt.Sprintf("cvc-maxExclusive-valid: value %s is not facet-valid with respect to maxExclusive '%s' for type '%s'", quoteValue(v), st.maxExc, st.typeName())
		case st.totalDigits >= 0 && dec.totalDigits() > st.totalDigits:
			return fmt.Sprintf("cvc-totalDigits-valid: value %s has %d total digits, but the number of total digits has been limited to %d", quoteValue(v), dec.totalDigits(), st.totalDigits)
		case st.fractionDigits >= 0 && len(dec.fp) > st.fractionDigits:
			return fmt.Sprintf("cvc-fractionDigits-valid: value %s has %d fraction digits, but the number of fraction digits has been limited to %d", quoteValue(v), len(dec.fp), st.fractionDigits)
		}
	}
	return ""
}

func (st *simpleType) enumList() string {
	var parts []string
	if st.prim == pDecimal {
		for _, e := range st.enumDecs {
			parts = append(parts, e.String())
		}
	} else {
		parts = st.enums
	}
	const max = 12
	if len(parts) > max {
		return strings.Join(parts[:max], ", ") + ", …"
	}
	return strings.Join(parts, ", ")
}

// valueLength measures a value for the length facets: characters for
// strings and URIs, octets for binary types.
func (st *simpleType) valueLength(v string) int {
	switch st.prim {
	case pBase64:
		s := stripSpace(v)
		n := len(s) / 4 * 3
		if strings.HasSuffix(s, "==") {
			n -= 2
		} else if strings.HasSuffix(s, "=") {
			n--
		}
		return n
	case pHex:
		return len(v) / 2
	}
	return utf8.RuneCountInString(v)
}

func stripSpace(s string) string {
	if !strings.ContainsAny(s, " \t\n\r") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isXMLSpace(r) {
			return -1
		}
		return r
	}, s)
}

func (st *simpleType) lexicalOK(v string) bool {
	switch st.prim {
	case pString:
		switch st.lex {
		case lexNCName:
			return isName(v, false)
		case lexName:
			return isName(v, true)
		case lexNMTOKEN:
			return isNmtoken(v)
		case lexLanguage:
			return languageRE.MatchString(v)
		}
		return true
	case pFloat:
		return floatRE.MatchString(v)
	case pBoolean:
		return v == "true" || v == "false" || v == "1" || v == "0"
	case pDate:
		return validDate(v)
	case pDateTime:
		return validDateTime(v)
	case pTime:
		return validTime(v)
	case pGYear:
		return validGYear(v)
	case pGYearMonth:
		return validGYearMonth(v)
	case pBase64:
		return validBase64(v)
	case pHex:
		if len(v)%2 != 0 {
			return false
		}
		for i := 0; i < len(v); i++ {
			c := v[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		return true
	case pAnyURI:
		return true
	}
	return true
}

var floatRE = regexp.MustCompile(`^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF|NaN)$`)

var languageRE = regexp.MustCompile(`^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$`)

// validBase64 accepts canonical base64 with optional blanks between
// characters (the collapsed value may still contain single spaces).
func validBase64(v string) bool {
	s := stripSpace(v)
	if len(s)%4 != 0 {
		return false
	}
	_, err := base64.StdEncoding.Strict().DecodeString(s)
	return err == nil
}

func isNameStart(r rune, colon bool) bool {
	return r == '_' || colon && r == ':' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0xC0 && r != 0xD7 && r != 0xF7 && r < 0x300 || r >= 0x370 && r != 0x37E && r < 0x2000 || r >= 0x3001 && r < 0xD800 || r >= 0xF900 && r < 0xFDD0 || r >= 0x10000 && r < 0xF0000
}

func isNameChar(r rune, colon bool) bool {
	return isNameStart(r, colon) || r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7 || r >= 0x300 && r <= 0x36F || r == 0x203F || r == 0x2040
}

func isName(s string, colon bool) bool {
	for i, r := range s {
		if i == 0 && !isNameStart(r, colon) || !isNameChar(r, colon) {
			return false
		}
	}
	return s != ""
}

func isNmtoken(s string) bool {
	for _, r := range s {
		if !isNameChar(r, true) {
			return false
		}
	}
	return s != ""
}
