package journal

import (
	"regexp"
	"unicode/utf8"
)

// Masked replaces every secret the journal must never hold.
const Masked = "***"

// CutMarker ends a body cut at the cap (the soap endpoint writes the same).
const CutMarker = "…[troncato]"

var (
	// The start tag of any element whose local name contains "password"
	// (any case, any prefix), then its content up to the next tag or the
	// end of a cut body; CDATA sections are content too.
	passwordElem = regexp.MustCompile(`(?i)(<(?:[^\s<>/:!?="']+:)?[^\s<>/:!?="']*password[^\s<>/:!?="']*(?:\s[^<>]*)?>)((?:<!\[CDATA\[(?s:.*?)(?:\]\]>|$)|[^<])*)`)
	// An attribute whose name contains "password".
	passwordAttr = regexp.MustCompile(`(?i)(\s(?:[^\s<>/:!?="']+:)?[^\s<>/:!?="']*password[^\s<>/:!?="']*\s*=\s*)("[^"]*"?|'[^']*'?)`)
)

// Mask hides the content of password elements and attributes. It works on
// text, not a parse tree, so that broken and cut bodies are masked too.
func Mask(s string) string {
	s = passwordElem.ReplaceAllString(s, "${1}"+Masked)
	return passwordAttr.ReplaceAllString(s, `${1}"`+Masked+`"`)
}

// Cut shortens s to at most n bytes on a rune boundary and marks the cut.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + CutMarker
}
