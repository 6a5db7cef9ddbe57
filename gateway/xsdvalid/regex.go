package xsdvalid

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// compilePattern translates an XSD regular expression (XML Schema Part 2,
// appendix F) into an anchored RE2 expression. XSD patterns always match the
// whole value, have no anchors ('^' and '$' are ordinary characters) and use
// Unicode-aware \d, \w, \i, \c escapes.
func compilePattern(xsd string) (*regexp.Regexp, error) {
	re, err := translatePattern(xsd)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", xsd, err)
	}
	c, err := regexp.Compile(re)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", xsd, err)
	}
	return c, nil
}

func translatePattern(p string) (string, error) {
	var b strings.Builder
	b.WriteString(`^(?:`)
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case '\\':
			s, n, err := translateEscape(rs, i)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
			i += n - 1
		case '[':
			s, n, err := translateClass(rs, i)
			if err != nil {
				return "", err
			}
			b.WriteString(s)
			i += n - 1
		case '.':
			b.WriteString(`[^\n\r]`)
		case '(':
			b.WriteString(`(?:`)
		case ')', '|', '*', '+', '?':
			b.WriteRune(r)
		case '{':
			j := i + 1
			for j < len(rs) && rs[j] != '}' {
				j++
			}
			if j >= len(rs) || !validQuantifier(string(rs[i+1:j])) {
				return "", fmt.Errorf("invalid quantifier at offset %d", i)
			}
			b.WriteString(string(rs[i : j+1]))
			i = j
		case ']', '}':
			return "", fmt.Errorf("unescaped %q at offset %d", r, i)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`)$`)
	return b.String(), nil
}

func validQuantifier(q string) bool {
	lo, hi, comma := strings.Cut(q, ",")
	if !allDigits(lo) {
		return false
	}
	if comma && hi != "" && !allDigits(hi) {
		return false
	}
	return true
}

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

// translateClass handles a character class starting at rs[i] == '['.
// It returns the RE2 text and the number of runes consumed.
func translateClass(rs []rune, i int) (string, int, error) {
	start := i
	i++
	var b strings.Builder
	b.WriteByte('[')
	if i < len(rs) && rs[i] == '^' {
		b.WriteByte('^')
		i++
	}
	first := true
	for {
		if i >= len(rs) {
			return "", 0, fmt.Errorf("unterminated character class at offset %d", start)
		}
		r := rs[i]
		if r == ']' && !first {
			b.WriteByte(']')
			return b.String(), i - start + 1, nil
		}
		first = false
		if r == '[' {
			return "", 0, fmt.Errorf("unsupported nested class or class subtraction at offset %d", i)
		}
		if r == '-' && i+1 < len(rs) && rs[i+1] == '[' {
			return "", 0, fmt.Errorf("character class subtraction is not supported (offset %d)", i)
		}
		// One class item: a single character (possibly escaped), a range,
		// or a multi-character escape.
		var lo rune
		if r == '\\' {
			s, n, single, err := classEscape(rs, i)
			if err != nil {
				return "", 0, err
			}
			if single < 0 { // multi-character escape: cannot start a range
				b.WriteString(s)
				i += n
				continue
			}
			lo = single
			i += n
		} else {
			lo = r
			i++
		}
		if i+1 < len(rs) && rs[i] == '-' && rs[i+1] != ']' && rs[i+1] != '[' {
			i++
			var hi rune
			if rs[i] == '\\' {
				_, n, single, err := classEscape(rs, i)
				if err != nil {
					return "", 0, err
				}
				if single < 0 {
					return "", 0, fmt.Errorf("invalid range end at offset %d", i)
				}
				hi = single
				i += n
			} else {
				hi = rs[i]
				i++
			}
			if hi < lo {
				return "", 0, fmt.Errorf("invalid range %q-%q", lo, hi)
			}
			fmt.Fprintf(&b, `\x{%x}-\x{%x}`, lo, hi)
			continue
		}
		fmt.Fprintf(&b, `\x{%x}`, lo)
	}
}

// classEscape translates an escape inside a character class. For a single
// character escape it returns the character (single >= 0); otherwise the
// class body text to splice in and single = -1.
func classEscape(rs []rune, i int) (s string, n int, single rune, err error) {
	if i+1 >= len(rs) {
		return "", 0, 0, fmt.Errorf("trailing backslash")
	}
	if c, ok := singleCharEscape(rs[i+1]); ok {
		return "", 2, c, nil
	}
	body, n, err := multiEscape(rs, i, true)
	return body, n, -1, err
}

// translateEscape translates an escape outside a character class.
func translateEscape(rs []rune, i int) (string, int, error) {
	if i+1 >= len(rs) {
		return "", 0, fmt.Errorf("trailing backslash")
	}
	if c, ok := singleCharEscape(rs[i+1]); ok {
		return regexp.QuoteMeta(string(c)), 2, nil
	}
	body, n, err := multiEscape(rs, i, false)
	return body, n, err
}

// singleCharEscape reports the character denoted by \c. Besides the XSD
// single-character escapes it accepts any escaped ASCII punctuation (e.g.
// "\/", used by the SIL schema), as libxml2 and Xerces do.
func singleCharEscape(c rune) (rune, bool) {
	switch c {
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	if c < 0x80 && unicode.IsPunct(c) || c < 0x80 && unicode.IsSymbol(c) {
		return c, true
	}
	return 0, false
}

// multiEscape handles \d \D \s \S \w \W \i \I \c \C \p{..} \P{..}. In a
// class the result is a class body; outside it is a complete atom.
func multiEscape(rs []rune, i int, inClass bool) (string, int, error) {
	c := rs[i+1]
	// Each escape is a set (pos) and its complement (neg). Outside a class
	// a complement can be written as a negated class; inside one it must
	// be spelled out as explicit ranges (computed lazily).
	var pos, neg, key string
	n := 2
	switch c {
	case 'd', 'D':
		pos, neg = `\p{Nd}`, `\P{Nd}`
	case 's', 'S':
		pos, key = `\x20\t\n\r`, "s"
	case 'w', 'W':
		neg, key = `\p{P}\p{Z}\p{C}`, "w"
	case 'i', 'I':
		pos, key = `\p{L}_:`, "i"
	case 'c', 'C':
		pos, key = nameCharBody, "c"
	case 'p', 'P':
		if i+2 >= len(rs) || rs[i+2] != '{' {
			return "", 0, fmt.Errorf("malformed \\%c escape", c)
		}
		j := i + 3
		for j < len(rs) && rs[j] != '}' {
			j++
		}
		if j >= len(rs) {
			return "", 0, fmt.Errorf("malformed \\%c escape", c)
		}
		name := string(rs[i+3 : j])
		if _, ok := unicode.Categories[name]; !ok {
			return "", 0, fmt.Errorf("unsupported Unicode property \\%c{%s}", c, name)
		}
		n = j - i + 1
		pos, neg = `\p{`+name+`}`, `\P{`+name+`}`
	default:
		return "", 0, fmt.Errorf("unknown escape \\%c", c)
	}
	upper := c >= 'A' && c <= 'Z'
	if c == 'w' || c == 'W' {
		upper = !upper // the natural form of \w is the complement of \W
		pos = neg
	}
	if !upper {
		if inClass {
			return pos, n, nil
		}
		return "[" + pos + "]", n, nil
	}
	if key == "" {
		if inClass {
			return neg, n, nil
		}
		return "[" + neg + "]", n, nil
	}
	if inClass {
		return complementBody(key), n, nil
	}
	return "[^" + pos + "]", n, nil
}

// nameCharBody approximates XML NameChar for \c.
const nameCharBody = `\p{L}\p{Nd}\p{Mn}\p{Mc}\p{Nl}\p{Lm}._:\x{2d}\x{b7}`

var (
	complementMu sync.Mutex
	complements  = map[string]string{
		// \S: everything except the four XML blanks.
		"s": `\x00-\x08\x0b\x0c\x0e-\x1f\x{21}-\x{10ffff}`,
	}
)

// complementBody returns a class body (explicit ranges) for a set that RE2
// can only express as a negated class, so that it can be embedded in
// another class.
func complementBody(which string) string {
	complementMu.Lock()
	defer complementMu.Unlock()
	if b, ok := complements[which]; ok {
		return b
	}
	var b string
	switch which {
	case "w": // \w: everything except punctuation, separators and others
		b = rangesNotIn(unicode.P, unicode.Z, unicode.C)
	case "i":
		b = rangesNotIn(unicode.L, underscoreColon)
	case "c":
		b = rangesNotIn(unicode.L, unicode.Nd, unicode.Mn, unicode.Mc, unicode.Nl, unicode.Lm, nameExtra)
	}
	complements[which] = b
	return b
}

var underscoreColon = &unicode.RangeTable{R16: []unicode.Range16{{Lo: ':', Hi: ':', Stride: 1}, {Lo: '_', Hi: '_', Stride: 1}}}

var nameExtra = &unicode.RangeTable{R16: []unicode.Range16{{Lo: '-', Hi: '.', Stride: 1}, {Lo: ':', Hi: ':', Stride: 1}, {Lo: '_', Hi: '_', Stride: 1}, {Lo: 0xb7, Hi: 0xb7, Stride: 1}}}

func rangesNotIn(tables ...*unicode.RangeTable) string {
	var b strings.Builder
	in := func(r rune) bool {
		for _, t := range tables {
			if unicode.Is(t, r) {
				return true
			}
		}
		return false
	}
	start := rune(-1)
	flush := func(end rune) {
		if start < 0 {
			return
		}
		b.WriteString(`\x{` + strconv.FormatInt(int64(start), 16) + `}`)
		if end > start {
			b.WriteString(`-\x{` + strconv.FormatInt(int64(end), 16) + `}`)
		}
		start = -1
	}
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if in(r) {
			flush(r - 1)
		} else if start < 0 {
			start = r
		}
	}
	flush(unicode.MaxRune)
	return b.String()
}
