package xsdvalid

import (
	"strconv"
	"strings"
)

// ValidationError describes the first schema or well-formedness violation
// found in a document. Element is the local name of the element concerned
// (the parent, for content-model errors); Line is 1-based, 0 if unknown.
type ValidationError struct {
	Line    int
	Element string
	Msg     string
}

// Error renders the error in the spirit of xmllint/Xerces messages, e.g.
// "line 12: element datiVersamento: cvc-complex-type.2.4.a: unexpected
// element {ns}foo, expected identificativoUnivocoDovuto".
func (e *ValidationError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Element != "" {
		b.WriteString("element ")
		b.WriteString(e.Element)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// nameIn formats q relative to the namespace of its context: the local name
// when it is in that namespace, {ns}local otherwise.
func nameIn(q qname, ctxNS string) string {
	if q.ns == ctxNS {
		return q.local
	}
	if q.ns == "" {
		return q.local + " (no namespace)"
	}
	return q.String()
}

func expectedList(names []string) string {
	const max = 8
	switch {
	case len(names) == 0:
		return "no further child element"
	case len(names) == 1:
		return names[0]
	case len(names) > max:
		return "one of: " + strings.Join(names[:max], ", ") + ", …"
	}
	return "one of: " + strings.Join(names, ", ")
}
