package xsdvalid

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// MaxDepth is the deepest element nesting accepted in a document.
const MaxDepth = 64

const xsiNS = "http://www.w3.org/2001/XMLSchema-instance"

// ValidateBytes validates a complete document held in memory.
func (s *Schema) ValidateBytes(b []byte) error {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return s.validate(bytes.NewReader(b))
}

// Validate validates a complete document read from r. The caller bounds the
// size of r. The document element must be a global element of the schema;
// DOCTYPE and other directives are refused.
func (s *Schema) Validate(r io.Reader) error {
	br := bufio.NewReader(r)
	if p, err := br.Peek(3); err == nil && string(p) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	return s.validate(br)
}

type nsBinding struct{ prefix, uri string }

type frame struct {
	raw    xml.Name // as written, for end-tag matching
	name   qname
	el     *element // nil inside a skipped subtree
	ct     *complexType
	st     *simpleType // simple type of the character content
	state  int
	seen   uint64
	nilled bool
	nsMark int // len(bindings) before this element's declarations
	skip   bool
	last   qname // previous child element, for messages
}

// validator holds per-document state; pooled to avoid allocations.
type validator struct {
	s        *Schema
	d        *xml.Decoder
	stack    []frame
	bindings []nsBinding
	text     []byte
	skip     int // number of open frames with skip set
	rootDone bool
	sawRoot  bool
}

var validatorPool = sync.Pool{New: func() any { return &validator{} }}

func (s *Schema) validate(r io.Reader) error {
	v := validatorPool.Get().(*validator)
	defer func() {
		v.s, v.d = nil, nil
		v.stack, v.bindings, v.text = v.stack[:0], v.bindings[:0], v.text[:0]
		v.skip, v.rootDone, v.sawRoot = 0, false, false
		validatorPool.Put(v)
	}()
	v.s = s
	v.d = xml.NewDecoder(r)
	v.d.CharsetReader = charsetReader
	return v.run()
}

func (v *validator) line() int {
	l, _ := v.d.InputPos()
	return l
}

func (v *validator) fail(elem string, format string, args ...any) error {
	return &ValidationError{Line: v.line(), Element: elem, Msg: fmt.Sprintf(format, args...)}
}

func (v *validator) run() error {
	for {
		tok, err := v.d.RawToken()
		if err == io.EOF {
			if len(v.stack) > 0 {
				return v.fail("", "XML syntax error: unexpected end of document")
			}
			if !v.sawRoot {
				return v.fail("", "document has no root element")
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return &ValidationError{Line: se.Line, Msg: "XML syntax error: " + se.Msg}
			}
			return &ValidationError{Line: v.line(), Msg: "XML error: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := v.start(t); err != nil {
				return err
			}
		case xml.EndElement:
			if err := v.end(t); err != nil {
				return err
			}
		case xml.CharData:
			if err := v.chars(t); err != nil {
				return err
			}
		case xml.Directive:
			return v.fail("", "DOCTYPE and other markup declarations are not allowed")
		case xml.ProcInst, xml.Comment:
		}
	}
}

func (v *validator) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return xmlNS, true
	}
	for i := len(v.bindings) - 1; i >= 0; i-- {
		if v.bindings[i].prefix == prefix {
			return v.bindings[i].uri, true
		}
	}
	return "", prefix == ""
}

func (v *validator) start(t xml.StartElement) error {
	if v.rootDone {
		return v.fail(t.Name.Local, "extra content at the end of the document")
	}
	if len(v.stack) >= MaxDepth {
		return v.fail(t.Name.Local, "document nesting exceeds %d levels", MaxDepth)
	}
	mark := len(v.bindings)
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "xmlns":
			if a.Value == "" || a.Name.Local == "xmlns" || a.Name.Local == "xml" && a.Value != xmlNS {
				return v.fail(t.Name.Local, "invalid namespace declaration xmlns:%s", a.Name.Local)
			}
			v.bindings = append(v.bindings, nsBinding{a.Name.Local, a.Value})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			v.bindings = append(v.bindings, nsBinding{"", a.Value})
		}
	}
	uri, ok := v.lookup(t.Name.Space)
	if !ok {
		return v.fail(t.Name.Local, "namespace prefix %q is not defined", t.Name.Space)
	}
	name := qname{uri, t.Name.Local}
	f := frame{raw: t.Name, name: name, nsMark: mark}

	if v.skip > 0 {
		f.skip = true
		v.skip++
		v.stack = append(v.stack, f)
		return v.checkAttrNames(t)
	}
	var el *element
	if len(v.stack) == 0 {
		v.sawRoot = true
		el = v.s.elements[name]
		if el == nil {
			return v.fail(name.local, "cvc-elt.1: cannot find the declaration of element %s", name)
		}
	} else {
		p := &v.stack[len(v.stack)-1]
		var w *wildcard
		var err error
		if el, w, err = v.matchChild(p, name); err != nil {
			return err
		}
		if w != nil {
			el = nil
			if w.process != processSkip {
				el = v.s.elements[name]
				if el == nil && w.process == processStrict && !v.s.laxNS[name.ns] {
					return v.fail(p.name.local, "cvc-complex-type.2.4.c: no declaration for element %s, required by a strict wildcard", name)
				}
			}
		}
	}
	if el == nil || el.lax {
		f.skip = true
		v.skip++
		v.stack = append(v.stack, f)
		return v.checkAttrNames(t)
	}
	f.el = el
	if el.ct != nil {
		f.ct = el.ct
		if el.ct.kind == contentSimple {
			f.st = el.ct.simple
		}
	} else {
		f.st = el.st
	}
	v.text = v.text[:0]
	v.stack = append(v.stack, f)
	return v.checkAttrs(t, &v.stack[len(v.stack)-1])
}

// matchChild advances the parent's content model with a child element.
func (v *validator) matchChild(p *frame, name qname) (*element, *wildcard, error) {
	switch {
	case p.nilled:
		return nil, nil, v.fail(p.name.local, "cvc-elt.3.2.1: element is nil (xsi:nil) and cannot have child element %s", name)
	case p.st != nil:
		return nil, nil, v.fail(p.name.local, "cvc-type.3.1.2: element has a simple type and cannot have child element %s", name)
	case p.ct.kind == contentEmpty:
		return nil, nil, v.fail(p.name.local, "cvc-complex-type.2.1: element must be empty, unexpected child element %s", name)
	case p.ct.all != nil:
		m := p.ct.all
		for i, e := range m.elems {
			if e.name == name {
				if p.seen&(1<<i) != 0 {
					return nil, nil, v.fail(p.name.local, "cvc-complex-type.2.4.a: element %s occurs more than once", name)
				}
				p.seen |= 1 << i
				return e, nil, nil
			}
		}
		var exp []string
		for i, e := range m.elems {
			if p.seen&(1<<i) == 0 {
				exp = append(exp, nameIn(e.name, p.name.ns))
			}
		}
		return nil, nil, v.fail(p.name.local, "cvc-complex-type.2.4.a: unexpected element %s, expected %s", name, expectedList(exp))
	}
	next, el, w, ok := p.ct.dfa.step(p.state, name)
	if !ok {
		exp := p.ct.dfa.expected(p.state)
		ctx := p.name.ns
		for _, e := range p.ct.dfa.states[p.state].edges {
			if e.name.local == name.local {
				ctx = "\x00" // namespace mismatch: spell out every namespace
			}
		}
		for i, e := range p.ct.dfa.states[p.state].edges {
			exp[i] = nameIn(e.name, ctx)
		}
		got := name.String()
		if name.ns == "" {
			got += " (no namespace)"
		}
		switch {
		case name == p.last:
			return nil, nil, v.fail(p.name.local, "cvc-complex-type.2.4.d: element %s occurs more times than allowed here, expected %s", got, expectedList(exp))
		case len(exp) == 0:
			return nil, nil, v.fail(p.name.local, "cvc-complex-type.2.4.d: unexpected element %s, no further child element is allowed", got)
		}
		return nil, nil, v.fail(p.name.local, "cvc-complex-type.2.4.a: unexpected element %s, expected %s", got, expectedList(exp))
	}
	p.state = next
	p.last = name
	return el, w, nil
}

// resolveAttr resolves an attribute name (unprefixed: no namespace).
func (v *validator) resolveAttr(a xml.Attr, elem string) (qname, error) {
	if a.Name.Space == "" {
		return qname{local: a.Name.Local}, nil
	}
	uri, ok := v.lookup(a.Name.Space)
	if !ok || a.Name.Space == "" {
		return qname{}, v.fail(elem, "namespace prefix %q of attribute %s is not defined", a.Name.Space, a.Name.Local)
	}
	return qname{uri, a.Name.Local}, nil
}

func isNSDecl(a xml.Attr) bool {
	return a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns"
}

// checkAttrNames resolves attribute names and rejects duplicates; it is all
// that is done for skipped elements.
func (v *validator) checkAttrNames(t xml.StartElement) error {
	var buf [8]qname
	names := buf[:0]
	for _, a := range t.Attr {
		if isNSDecl(a) {
			continue
		}
		q, err := v.resolveAttr(a, t.Name.Local)
		if err != nil {
			return err
		}
		for _, o := range names {
			if o == q {
				return v.fail(t.Name.Local, "attribute %s redefined", q)
			}
		}
		names = append(names, q)
	}
	return nil
}

func (v *validator) checkAttrs(t xml.StartElement, f *frame) error {
	if err := v.checkAttrNames(t); err != nil {
		return err
	}
	elem := f.name.local
	var present uint64
	for _, a := range t.Attr {
		if isNSDecl(a) {
			continue
		}
		q, _ := v.resolveAttr(a, elem)
		if q.ns == xsiNS {
			if err := v.xsiAttr(f, q.local, a.Value); err != nil {
				return err
			}
			continue
		}
		var use *attrUse
		idx := -1
		if f.ct != nil {
			for i, u := range f.ct.attrs {
				if u.name == q {
					use, idx = u, i
					break
				}
			}
		}
		if use == nil {
			if f.ct != nil && f.ct.attrWild != nil && f.ct.attrWild.allows(q.ns) {
				continue
			}
			return v.fail(elem, "cvc-complex-type.3.2.2: attribute %s is not allowed", nameIn(q, ""))
		}
		if idx < 64 {
			present |= 1 << idx
		}
		if use.st != nil {
			if msg := use.st.validate(a.Value); msg != "" {
				return v.fail(elem, "attribute %s: %s", q.local, msg)
			}
		}
		if use.fixed != nil && normalize(a.Value, wsOf(use.st)) != normalize(*use.fixed, wsOf(use.st)) {
			return v.fail(elem, "cvc-attribute.4: attribute %s must have the fixed value %s", q.local, quoteValue(*use.fixed))
		}
	}
	if f.ct != nil {
		for i, u := range f.ct.attrs {
			if u.required && (i >= 64 || present&(1<<i) == 0) && !hasAttr(t, u.name, v) {
				return v.fail(elem, "cvc-complex-type.4: attribute %s is required", nameIn(u.name, ""))
			}
		}
	}
	return nil
}

func hasAttr(t xml.StartElement, q qname, v *validator) bool {
	for _, a := range t.Attr {
		if isNSDecl(a) {
			continue
		}
		if n, err := v.resolveAttr(a, ""); err == nil && n == q {
			return true
		}
	}
	return false
}

func wsOf(st *simpleType) wsMode {
	if st == nil {
		return wsPreserve
	}
	return st.ws
}

func (v *validator) xsiAttr(f *frame, local, value string) error {
	switch local {
	case "schemaLocation", "noNamespaceSchemaLocation":
		return nil
	case "nil":
		val := normalize(value, wsCollapse)
		if !builtins["boolean"].lexicalOK(val) {
			return v.fail(f.name.local, "xsi:nil: %s is not a valid boolean", quoteValue(value))
		}
		if val == "true" || val == "1" {
			if !f.el.nillable {
				return v.fail(f.name.local, "cvc-elt.3.1: element is not nillable, xsi:nil is not allowed")
			}
			f.nilled = true
		}
		return nil
	case "type":
		return v.fail(f.name.local, "xsi:type is not supported")
	}
	return v.fail(f.name.local, "cvc-complex-type.3.2.2: attribute xsi:%s is not allowed", local)
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

func (v *validator) chars(t xml.CharData) error {
	if len(v.stack) == 0 {
		if !isBlank(t) {
			return v.fail("", "text is not allowed outside the document element")
		}
		return nil
	}
	f := &v.stack[len(v.stack)-1]
	switch {
	case f.skip:
	case f.st != nil:
		v.text = append(v.text, t...)
	case f.nilled:
		if !isBlank(t) {
			return v.fail(f.name.local, "cvc-elt.3.2.1: element is nil (xsi:nil) and cannot have text content")
		}
	case f.ct.kind == contentMixed:
	case f.ct.kind == contentEmpty:
		// cvc-complex-type.2.1 forbids any character, even whitespace.
		return v.fail(f.name.local, "cvc-complex-type.2.1: element must be empty, character content is not allowed")
	default:
		if !isBlank(t) {
			return v.fail(f.name.local, "cvc-complex-type.2.3: text is not allowed in element-only content: %s", quoteValue(strings.TrimSpace(string(t))))
		}
	}
	return nil
}

func (v *validator) end(t xml.EndElement) error {
	if len(v.stack) == 0 {
		return v.fail(t.Name.Local, "XML syntax error: unexpected end element </%s>", t.Name.Local)
	}
	f := &v.stack[len(v.stack)-1]
	if f.raw != t.Name {
		return v.fail(f.name.local, "XML syntax error: element <%s> closed by </%s>", rawName(f.raw), rawName(t.Name))
	}
	if err := v.finish(f); err != nil {
		return err
	}
	if f.skip {
		v.skip--
	}
	v.bindings = v.bindings[:f.nsMark]
	v.stack = v.stack[:len(v.stack)-1]
	if len(v.stack) == 0 {
		v.rootDone = true
	}
	return nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// finish runs the end-of-element checks.
func (v *validator) finish(f *frame) error {
	switch {
	case f.skip:
		return nil
	case f.nilled:
		if f.st != nil && len(v.text) > 0 {
			return v.fail(f.name.local, "cvc-elt.3.2.1: element is nil (xsi:nil) and cannot have text content")
		}
		return nil
	case f.st != nil:
		val := string(v.text)
		v.text = v.text[:0]
		if f.el.fixed != nil && val == "" {
			val = *f.el.fixed
		}
		if msg := f.st.validate(val); msg != "" {
			return v.fail(f.name.local, "%s", msg)
		}
		if f.el.fixed != nil && normalize(val, f.st.ws) != normalize(*f.el.fixed, f.st.ws) {
			return v.fail(f.name.local, "cvc-elt.5.2.2.2.2: value %s does not match the fixed value %s", quoteValue(val), quoteValue(*f.el.fixed))
		}
	case f.ct.all != nil:
		if miss := f.ct.all.missing(f.seen); miss != nil {
			return v.fail(f.name.local, "cvc-complex-type.2.4.b: content is incomplete, missing %s", strings.Join(miss, ", "))
		}
	case f.ct.dfa != nil:
		if !f.ct.dfa.states[f.state].accept {
			var exp []string
			for _, e := range f.ct.dfa.states[f.state].edges {
				exp = append(exp, nameIn(e.name, f.name.ns))
			}
			for _, w := range f.ct.dfa.states[f.state].wilds {
				exp = append(exp, w.w.desc)
			}
			return v.fail(f.name.local, "cvc-complex-type.2.4.b: content is incomplete, expected %s", expectedList(exp))
		}
	}
	return nil
}
