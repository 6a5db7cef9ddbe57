package journal

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Masked replaces every secret the journal must never hold.
const Masked = "***"

// CutMarker ends a body cut at the cap (the soap endpoint writes the same).
const CutMarker = "…[troncato]"

// Mask hides the content of every element, and the value of every
// attribute, whose local name contains "password" in any case, with any
// prefix. It works on text, not a parse tree, so that broken and cut bodies
// are masked too. It runs on every journaled exchange, so it is a single
// scan driven by occurrences of the word rather than a regular expression.
func Mask(s string) string {
	var spans []span
	for i := 0; ; {
		j := indexFold(s, i)
		if j < 0 {
			break
		}
		i = j + len(word)
		if in(spans, j) {
			continue
		}
		nameStart, ok := nameStartAt(s, j)
		if !ok {
			continue
		}
		end := j + len(word)
		for end < len(s) && isNameByte(s[end]) {
			end++
		}
		i = end // the word again in the same name changes nothing
		switch {
		case nameStart > 0 && s[nameStart-1] == '<':
			if sp, ok := elementContent(s, end); ok {
				spans = append(spans, sp)
			}
		case nameStart > 0 && isSpace(s[nameStart-1]):
			if sp, ok := attributeValue(s, end); ok {
				spans = append(spans, sp)
			}
		}
	}
	if len(spans) == 0 {
		return s
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		if sp.from < last {
			continue
		}
		b.WriteString(s[last:sp.from])
		b.WriteString(sp.with)
		last = sp.to
	}
	b.WriteString(s[last:])
	return b.String()
}

const word = "password"

// span is a replacement of s[from:to].
type span struct {
	from, to int
	with     string
}

func in(spans []span, i int) bool {
	for _, sp := range spans {
		if i >= sp.from && i < sp.to {
			return true
		}
	}
	return false
}

// indexFold finds word in s from i, ASCII case-insensitively.
func indexFold(s string, i int) int {
	for ; i+len(word) <= len(s); i++ {
		if c := s[i]; (c == 'p' || c == 'P') && strings.EqualFold(s[i:i+len(word)], word) {
			return i
		}
	}
	return -1
}

// nameStartAt walks back from j over a name, allowing one "prefix:".
func nameStartAt(s string, j int) (int, bool) {
	k := j
	for k > 0 && isNameByte(s[k-1]) {
		k--
	}
	if k > 0 && s[k-1] == ':' {
		p := k - 1
		for p > 0 && isNameByte(s[p-1]) {
			p--
		}
		if p == k-1 { // ":" with no prefix before it
			return 0, false
		}
		k = p
	}
	return k, true
}

// elementContent: after a start tag's name ending at end, the tag must
// close with ">" (attributes allowed, no "<"); the content runs to the next
// tag, CDATA sections included, or to the end of a cut body.
func elementContent(s string, end int) (span, bool) {
	if end >= len(s) {
		return span{}, false
	}
	tagEnd := -1
	switch {
	case s[end] == '>':
		tagEnd = end
	case isSpace(s[end]):
		if k := strings.IndexAny(s[end:], "<>"); k >= 0 && s[end+k] == '>' {
			tagEnd = end + k
		}
	}
	if tagEnd < 0 {
		return span{}, false
	}
	from, k := tagEnd+1, tagEnd+1
	for k < len(s) {
		// Any case, like the markup it guards against: masking too much
		// of a malformed body is fine, too little is not.
		if len(s)-k >= 9 && strings.EqualFold(s[k:k+9], "<![CDATA[") {
			if e := strings.Index(s[k+9:], "]]>"); e >= 0 { // ]]> has no case
				k += 9 + e + 3
			} else {
				k = len(s)
			}
			continue
		}
		if s[k] == '<' {
			break
		}
		k++
	}
	return span{from, k, Masked}, true
}

// attributeValue: name = "value" or 'value' (the closing quote may be cut).
func attributeValue(s string, end int) (span, bool) {
	k := end
	for k < len(s) && isSpace(s[k]) {
		k++
	}
	if k >= len(s) || s[k] != '=' {
		return span{}, false
	}
	k++
	for k < len(s) && isSpace(s[k]) {
		k++
	}
	if k >= len(s) || (s[k] != '"' && s[k] != '\'') {
		return span{}, false
	}
	to := len(s)
	if e := strings.IndexByte(s[k+1:], s[k]); e >= 0 {
		to = k + 1 + e + 1
	}
	return span{k, to, `"` + Masked + `"`}, true
}

// isNameByte: what the masker takes as part of a name (anything but
// white space, markup and quote characters).
func isNameByte(c byte) bool {
	switch c {
	case '<', '>', '/', ':', '!', '?', '=', '"', '\'':
		return false
	}
	return !isSpace(c)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

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
