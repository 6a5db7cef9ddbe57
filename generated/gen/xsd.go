package main

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	nsXSD     = "http://www.w3.org/2001/XMLSchema"
	nsWSDL    = "http://schemas.xmlsoap.org/wsdl/"
	nsSOAPEnv = "http://schemas.xmlsoap.org/soap/envelope/"
)

// node is a parsed XML element with its in-scope prefix bindings, needed to
// resolve QName-valued attributes such as type="dp:ctDovuti".
type node struct {
	name  xml.Name
	attr  map[string]string
	scope map[string]string
	kids  []*node
}

func parseTree(r io.Reader) (*node, error) {
	dec := xml.NewDecoder(r)
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name, attr: map[string]string{}, scope: map[string]string{}}
			if len(stack) > 0 {
				n.scope = stack[len(stack)-1].scope
			}
			decls := map[string]string{}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					decls[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					decls[""] = a.Value
				case a.Name.Space == "":
					n.attr[a.Name.Local] = a.Value
				}
			}
			if len(decls) > 0 {
				scope := make(map[string]string, len(n.scope)+len(decls))
				for k, v := range n.scope {
					scope[k] = v
				}
				for k, v := range decls {
					scope[k] = v
				}
				n.scope = scope
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func (n *node) is(local string) bool { return n.name.Space == nsXSD && n.name.Local == local }

func (n *node) qname(attr string) (qname, bool) {
	v, ok := n.attr[attr]
	if !ok {
		return qname{}, false
	}
	prefix, local := "", v
	if i := strings.IndexByte(v, ':'); i >= 0 {
		prefix, local = v[:i], v[i+1:]
	}
	return qname{ns: n.scope[prefix], local: local}, true
}

type qname struct{ ns, local string }

func (q qname) String() string { return "{" + q.ns + "}" + q.local }

// schema facts needed by the post-processor.
type schema struct {
	ns        string
	qualified bool // elementFormDefault="qualified"
}

type complexType struct {
	name   qname // local is "" for anonymous types
	schema *schema
	base   *qname // complexContent extension base
	parts  []*particle
	attrs  []string // named attributes
	refs   []string // attribute refs (soapenv:actor…): dropped from the Go types
}

type particle struct {
	name     string
	ns       string // namespace the element is written in ("" when unqualified)
	typ      qname
	anon     *complexType
	min, max int // max < 0: unbounded
	owner    *complexType
}

type simpleType struct {
	name    qname
	base    qname // nearest XSD builtin
	enum    []string
	pattern []string
	frac    int // fractionDigits, -1 if absent
	list    bool
}

type element struct {
	name   qname
	typ    qname
	anon   *complexType
	schema *schema
}

// model is every schema reachable from one WSDL or XSD file.
type model struct {
	complex  map[qname]*complexType
	simple   map[qname]*simpleType
	elements map[qname]*element
	order    []qname // global elements in document order
	loaded   map[string]bool
	anons    []*complexType
}

func loadModel(path string) (*model, error) {
	m := &model{
		complex:  map[qname]*complexType{},
		simple:   map[qname]*simpleType{},
		elements: map[qname]*element{},
		loaded:   map[string]bool{},
	}
	if err := m.loadFile(path); err != nil {
		return nil, err
	}
	if err := m.resolveSimpleBases(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *model) loadFile(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if m.loaded[abs] {
		return nil
	}
	m.loaded[abs] = true
	f, err := os.Open(abs)
	if err != nil {
		return err
	}
	defer f.Close()
	root, err := parseTree(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var schemas []*node
	switch {
	case root.name.Space == nsWSDL && root.name.Local == "definitions":
		for _, k := range root.kids {
			if k.name.Space == nsWSDL && k.name.Local == "types" {
				for _, s := range k.kids {
					if s.is("schema") {
						schemas = append(schemas, s)
					}
				}
			}
		}
	case root.is("schema"):
		schemas = append(schemas, root)
	default:
		return fmt.Errorf("%s: neither a WSDL nor an XSD", path)
	}
	for _, s := range schemas {
		if err := m.loadSchema(s, filepath.Dir(abs)); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

func (m *model) loadSchema(s *node, dir string) error {
	sc := &schema{ns: s.attr["targetNamespace"], qualified: s.attr["elementFormDefault"] == "qualified"}
	for _, k := range s.kids {
		switch {
		case k.is("import"), k.is("include"):
			if loc := k.attr["schemaLocation"]; loc != "" {
				if err := m.loadFile(filepath.Join(dir, loc)); err != nil {
					return err
				}
			}
		case k.is("element"):
			e := &element{name: qname{sc.ns, k.attr["name"]}, schema: sc}
			if t, ok := k.qname("type"); ok {
				e.typ = t
			} else if ct := child(k, "complexType"); ct != nil {
				a, err := m.parseComplex(ct, qname{}, sc)
				if err != nil {
					return fmt.Errorf("element %s: %w", e.name.local, err)
				}
				e.anon = a
			} else {
				return fmt.Errorf("element %s: no type", e.name.local)
			}
			if _, dup := m.elements[e.name]; !dup {
				m.elements[e.name] = e
				m.order = append(m.order, e.name)
			}
		case k.is("complexType"):
			name := qname{sc.ns, k.attr["name"]}
			ct, err := m.parseComplex(k, name, sc)
			if err != nil {
				return fmt.Errorf("complexType %s: %w", name.local, err)
			}
			if _, dup := m.complex[name]; !dup {
				m.complex[name] = ct
			}
		case k.is("simpleType"):
			name := qname{sc.ns, k.attr["name"]}
			st, err := parseSimple(k, name)
			if err != nil {
				return fmt.Errorf("simpleType %s: %w", name.local, err)
			}
			if _, dup := m.simple[name]; !dup {
				m.simple[name] = st
			}
		case k.is("group"), k.is("attributeGroup"):
			return fmt.Errorf("xsd:%s is not supported", k.name.Local)
		}
	}
	return nil
}

func child(n *node, local string) *node {
	for _, k := range n.kids {
		if k.is(local) {
			return k
		}
	}
	return nil
}

func (m *model) parseComplex(n *node, name qname, sc *schema) (*complexType, error) {
	ct := &complexType{name: name, schema: sc}
	if name.local == "" {
		m.anons = append(m.anons, ct)
	}
	body := n
	if cc := child(n, "complexContent"); cc != nil {
		ext := child(cc, "extension")
		if ext == nil {
			return nil, fmt.Errorf("complexContent without extension is not supported")
		}
		b, _ := ext.qname("base")
		ct.base = &b
		body = ext
	}
	if child(n, "simpleContent") != nil {
		return nil, fmt.Errorf("simpleContent is not supported")
	}
	for _, k := range body.kids {
		switch {
		case k.is("sequence"), k.is("choice"), k.is("all"):
			if err := m.parseGroup(ct, k, false); err != nil {
				return nil, err
			}
		case k.is("attribute"):
			if a := k.attr["name"]; a != "" {
				ct.attrs = append(ct.attrs, a)
			} else if ref, ok := k.qname("ref"); ok {
				ct.refs = append(ct.refs, ref.local)
			}
		}
	}
	return ct, nil
}

// parseGroup flattens sequences and choices. Members of a choice are optional
// one by one: "exactly one" is left to the caller.
func (m *model) parseGroup(ct *complexType, g *node, inChoice bool) error {
	inChoice = inChoice || g.is("choice")
	gmin, gmax, err := occurs(g)
	if err != nil {
		return err
	}
	for _, k := range g.kids {
		switch {
		case k.is("sequence"), k.is("choice"):
			if err := m.parseGroup(ct, k, inChoice); err != nil {
				return err
			}
		case k.is("element"):
			p := &particle{owner: ct}
			p.min, p.max, err = occurs(k)
			if err != nil {
				return err
			}
			if inChoice || gmin == 0 {
				p.min = 0
			}
			if gmax != 1 && p.max >= 0 {
				if gmax < 0 {
					p.max = -1
				} else {
					p.max *= gmax
				}
			}
			if ref, ok := k.qname("ref"); ok {
				p.name, p.ns = ref.local, ref.ns
				p.typ = ref // resolved through m.elements
			} else {
				p.name = k.attr["name"]
				if ct.schema.qualified || k.attr["form"] == "qualified" {
					p.ns = ct.schema.ns
				}
				if t, ok := k.qname("type"); ok {
					p.typ = t
				} else if c := child(k, "complexType"); c != nil {
					a, err := m.parseComplex(c, qname{}, ct.schema)
					if err != nil {
						return err
					}
					p.anon = a
				} else if s := child(k, "simpleType"); s != nil {
					st, err := parseSimple(s, qname{})
					if err != nil {
						return err
					}
					p.typ = st.base // anonymous simple types collapse to their builtin
				} else {
					p.typ = qname{nsXSD, "anyType"}
				}
			}
			ct.parts = append(ct.parts, p)
		case k.is("any"):
			// wildcard: nothing to type
		}
	}
	return nil
}

func occurs(n *node) (lo, hi int, err error) {
	lo, hi = 1, 1
	if v, ok := n.attr["minOccurs"]; ok {
		if lo, err = strconv.Atoi(v); err != nil {
			return 0, 0, err
		}
	}
	if v, ok := n.attr["maxOccurs"]; ok {
		if v == "unbounded" {
			hi = -1
		} else if hi, err = strconv.Atoi(v); err != nil {
			return 0, 0, err
		}
	}
	return lo, hi, nil
}

func parseSimple(n *node, name qname) (*simpleType, error) {
	st := &simpleType{name: name, frac: -1}
	if l := child(n, "list"); l != nil {
		st.list = true
		st.base = qname{nsXSD, "string"}
		return st, nil
	}
	if child(n, "union") != nil {
		st.base = qname{nsXSD, "string"}
		return st, nil
	}
	r := child(n, "restriction")
	if r == nil {
		return nil, fmt.Errorf("simpleType without restriction")
	}
	st.base, _ = r.qname("base")
	for _, f := range r.kids {
		switch {
		case f.is("enumeration"):
			st.enum = append(st.enum, f.attr["value"])
		case f.is("pattern"):
			st.pattern = append(st.pattern, f.attr["value"])
		case f.is("fractionDigits"):
			st.frac, _ = strconv.Atoi(f.attr["value"])
		}
	}
	return st, nil
}

// resolveSimpleBases walks restriction chains down to an XSD builtin,
// inheriting patterns and fractionDigits on the way.
func (m *model) resolveSimpleBases() error {
	for _, st := range m.simple {
		seen := map[qname]bool{}
		for st.base.ns != nsXSD {
			if seen[st.base] {
				return fmt.Errorf("simpleType %s: restriction cycle", st.name.local)
			}
			seen[st.base] = true
			b, ok := m.simple[st.base]
			if !ok {
				return fmt.Errorf("simpleType %s: unknown base %s", st.name.local, st.base)
			}
			if len(st.pattern) == 0 {
				st.pattern = b.pattern
			}
			if st.frac < 0 {
				st.frac = b.frac
			}
			st.list = st.list || b.list
			st.base = b.base
		}
	}
	return nil
}
