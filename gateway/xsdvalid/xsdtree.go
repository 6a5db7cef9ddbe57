package xsdvalid

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// xnode is one element of a schema document in the XSD namespace, with the
// namespace bindings in scope (needed to resolve QName-valued attributes).
type xnode struct {
	local string
	attrs map[string]string // unqualified attributes only
	ns    map[string]string // prefix -> URI, "" for the default namespace
	kids  []*xnode
	line  int
	doc   *schemaDoc
}

func (n *xnode) attr(name string) string { return n.attrs[name] }

func (n *xnode) has(name string) bool { _, ok := n.attrs[name]; return ok }

// errorf builds a compile error pointing at the schema location.
func (n *xnode) errorf(format string, args ...any) error {
	return fmt.Errorf("xsd %s:%d: <%s>: %s", n.doc.path, n.line, n.local, fmt.Sprintf(format, args...))
}

const xmlNS = "http://www.w3.org/XML/1998/namespace"

// parseXSDTree reads a schema document, keeping only XSD-namespace elements
// and skipping annotations.
func parseXSDTree(data []byte, doc *schemaDoc) (*xnode, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	var stack []*xnode
	var root *xnode
	skip := 0 // depth inside a skipped subtree
	scopes := []map[string]string{{"xml": xmlNS}}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("xsd %s: %w", doc.path, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := d.InputPos()
			scope := scopes[len(scopes)-1]
			var attrs map[string]string
			copied := false
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					if !copied {
						scope = copyScope(scope)
						copied = true
					}
					scope[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					if !copied {
						scope = copyScope(scope)
						copied = true
					}
					scope[""] = a.Value
				case a.Name.Space == "":
					if attrs == nil {
						attrs = map[string]string{}
					}
					attrs[a.Name.Local] = a.Value
				}
			}
			scopes = append(scopes, scope)
			if skip > 0 || t.Name.Space != xsdNS || t.Name.Local == "annotation" {
				skip++
				continue
			}
			n := &xnode{local: t.Name.Local, attrs: attrs, ns: scope, line: line, doc: doc}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			scopes = scopes[:len(scopes)-1]
			if skip > 0 {
				skip--
				continue
			}
			stack = stack[:len(stack)-1]
		case xml.Directive:
			return nil, fmt.Errorf("xsd %s: DOCTYPE and other directives are not supported", doc.path)
		}
	}
	if root == nil || root.local != "schema" {
		return nil, fmt.Errorf("xsd %s: root element is not xsd:schema", doc.path)
	}
	return root, nil
}

func copyScope(m map[string]string) map[string]string {
	c := make(map[string]string, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// charsetReader accepts the single-byte encodings payloads commonly declare
// besides UTF-8.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "l1":
		return &latin1Reader{r: r}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

// latin1Reader converts ISO-8859-1 bytes to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
	out []byte
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if len(l.out) == 0 {
		if cap(l.buf) == 0 {
			l.buf = make([]byte, 2048)
		}
		k := min(max(len(p)/2, 1), len(l.buf))
		n, err := l.r.Read(l.buf[:k])
		l.out = l.out[:0]
		for _, b := range l.buf[:n] {
			if b < 0x80 {
				l.out = append(l.out, b)
			} else {
				l.out = append(l.out, 0xC0|b>>6, 0x80|b&0x3F)
			}
		}
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}
