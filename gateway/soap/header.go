package soap

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
)

const xmlNS = "http://www.w3.org/XML/1998/namespace"

// binding is one namespace declaration in scope; prefix "" is the default.
type binding struct{ prefix, url string }

// declarations returns scope extended with the xmlns attributes of se.
func declarations(scope []binding, se xml.StartElement) []binding {
	out := append([]binding(nil), scope...)
	for _, a := range se.Attr {
		switch {
		case a.Name.Space == "xmlns":
			out = append(out, binding{a.Name.Local, a.Value})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			out = append(out, binding{"", a.Value})
		}
	}
	return out
}

// maxBindings caps the namespace declarations in scope while a header
// child is captured, which keeps lookups cheap; real messages use a few.
const maxBindings = 64

// current maps each prefix to its innermost binding.
func current(scope []binding) map[string]string {
	m := make(map[string]string, len(scope))
	for _, b := range scope {
		m[b.prefix] = b.url
	}
	return m
}

// lookup finds a prefix currently bound to url, innermost first.
// Attributes cannot use the default namespace.
func lookup(scope []binding, cur map[string]string, url string, forAttr bool) (string, bool) {
	for i := len(scope) - 1; i >= 0; i-- {
		b := scope[i]
		if b.url == url && cur[b.prefix] == url && !(forAttr && b.prefix == "") {
			return b.prefix, true
		}
	}
	return "", false
}

// captureElement consumes the subtree started by root and re-encodes it.
// The root re-declares every inherited binding, so the fragment parses on
// its own with the same QNames, QName-valued attributes included. Comments
// and processing instructions are dropped.
func captureElement(dec *xml.Decoder, root xml.StartElement, inherited []binding) (Element, error) {
	var buf bytes.Buffer
	el := Element{Name: root.Name, text: map[string]string{}}
	scopes := [][]binding{}
	var names []string // start-tag names, for the matching end tags
	scope := inherited
	gen := 0
	var child string
	var childText strings.Builder
	depth := 0

	for t := xml.Token(root); ; {
		switch t := t.(type) {
		case xml.StartElement:
			var extra []binding
			if depth == 0 {
				extra = visible(inherited, t)
			}
			scopes = append(scopes, scope)
			scope = declarations(append(scope, extra...), t)
			if len(scope) > maxBindings {
				return Element{}, clientFault("troppe dichiarazioni di namespace nell'header", nil)
			}
			cur := current(scope)
			// Names first: they may need fresh declarations.
			var attrs bytes.Buffer
			qname := func(n xml.Name, forAttr bool) string {
				switch {
				case n.Space == "" || (forAttr && n.Space == "xmlns"):
					if n.Space == "xmlns" {
						return "xmlns:" + n.Local
					}
					return n.Local
				case n.Space == xmlNS:
					return "xml:" + n.Local
				}
				p, ok := lookup(scope, cur, n.Space, forAttr)
				if !ok {
					for p = ""; p == "" || cur[p] != ""; {
						gen++
						p = "ns" + strconv.Itoa(gen)
					}
					scope = append(scope, binding{p, n.Space})
					cur[p] = n.Space
					extra = append(extra, binding{p, n.Space})
				}
				if p == "" {
					return n.Local
				}
				return p + ":" + n.Local
			}
			name := qname(t.Name, false)
			names = append(names, name)
			for _, a := range t.Attr {
				attrs.WriteByte(' ')
				attrs.WriteString(qname(a.Name, true))
				attrs.WriteString(`="`)
				xml.EscapeText(&attrs, []byte(a.Value))
				attrs.WriteByte('"')
			}
			buf.WriteString("<" + name)
			for _, b := range extra {
				if b.prefix == "" {
					buf.WriteString(` xmlns="`)
				} else {
					buf.WriteString(` xmlns:` + b.prefix + `="`)
				}
				xml.EscapeText(&buf, []byte(b.url))
				buf.WriteByte('"')
			}
			buf.Write(attrs.Bytes())
			buf.WriteByte('>')
			depth++
			if depth == 2 {
				child = t.Name.Local
				childText.Reset()
			}
		case xml.EndElement:
			buf.WriteString("</" + names[len(names)-1] + ">")
			names = names[:len(names)-1]
			scope = scopes[len(scopes)-1]
			scopes = scopes[:len(scopes)-1]
			if depth == 2 {
				if _, seen := el.text[child]; !seen {
					el.text[child] = strings.TrimSpace(childText.String())
				}
			}
			depth--
			if depth == 0 {
				el.Raw = buf.Bytes()
				return el, nil
			}
		case xml.CharData:
			xml.EscapeText(&buf, t)
			if depth == 2 {
				childText.Write(t)
			}
		}
		var err error
		if t, err = dec.Token(); err != nil {
			return Element{}, asFault(err)
		}
	}
}

// visible keeps the innermost binding of each prefix that root does not
// declare itself.
func visible(scope []binding, root xml.StartElement) []binding {
	var out []binding
	seen := map[string]bool{}
	for _, b := range declarations(nil, root) {
		seen[b.prefix] = true
	}
	for i := len(scope) - 1; i >= 0; i-- {
		if !seen[scope[i].prefix] {
			seen[scope[i].prefix] = true
			out = append(out, scope[i])
		}
	}
	// Restore document order for stable output.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
