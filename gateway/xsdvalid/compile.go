package xsdvalid

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Schema is a compiled schema set. It is immutable and safe for concurrent
// use.
type Schema struct {
	elements map[qname]*element // global element declarations
	laxNS    map[string]bool    // imported namespaces whose schema is not loaded
	anyType  *complexType
}

// schemaDoc is one loaded schema document.
type schemaDoc struct {
	path          string
	tns           string
	chameleon     bool // included without a targetNamespace: adopts the includer's
	elemQualified bool
	attrQualified bool
	root          *xnode
}

type compiler struct {
	fsys fs.FS
	docs map[string]*schemaDoc // by path + "#" + tns

	simpleDefs, complexDefs, elemDefs, attrDefs, groupDefs, attrGroupDefs map[qname]*xnode

	loadedNS map[string]bool
	laxNS    map[string]bool

	simples    map[*xnode]*simpleType
	complexes  map[*xnode]*complexType
	globals    map[qname]*element
	globalAttr map[qname]*attrUse
	busy       map[*xnode]bool // cycle detection
	anyType    *complexType
}

// Compile loads the schema document name from fsys, together with the
// documents it includes or imports (schemaLocation resolved relative to the
// including document inside fsys), and compiles it. Imports that cannot be
// resolved make their namespace lax: elements from it are accepted without
// validation.
func Compile(fsys fs.FS, name string) (*Schema, error) {
	c := &compiler{
		fsys:          fsys,
		docs:          map[string]*schemaDoc{},
		simpleDefs:    map[qname]*xnode{},
		complexDefs:   map[qname]*xnode{},
		elemDefs:      map[qname]*xnode{},
		attrDefs:      map[qname]*xnode{},
		groupDefs:     map[qname]*xnode{},
		attrGroupDefs: map[qname]*xnode{},
		loadedNS:      map[string]bool{},
		laxNS:         map[string]bool{},
		simples:       map[*xnode]*simpleType{},
		complexes:     map[*xnode]*complexType{},
		globals:       map[qname]*element{},
		globalAttr:    map[qname]*attrUse{},
		busy:          map[*xnode]bool{},
	}
	c.anyType = &complexType{
		name:     "anyType",
		kind:     contentMixed,
		attrWild: &wildcard{any: true, process: processLax, desc: "any attribute"},
	}
	c.anyType.particle = &particle{kind: pkAny, min: 0, max: -1, wild: &wildcard{any: true, process: processLax, desc: "any element"}}
	d, err := compileDFA(c.anyType.particle)
	if err != nil {
		return nil, err
	}
	c.anyType.dfa = d

	if _, err := c.load(path.Clean(name), nil); err != nil {
		return nil, err
	}
	for ns := range c.loadedNS {
		delete(c.laxNS, ns)
	}
	// Compile every global component, so that errors surface now and the
	// result is immutable.
	for q, n := range c.simpleDefs {
		if _, err := c.simple(n); err != nil {
			return nil, fmt.Errorf("type %s: %w", q.local, err)
		}
	}
	for _, n := range c.complexDefs {
		if _, err := c.complex(n); err != nil {
			return nil, err
		}
	}
	for q := range c.elemDefs {
		if _, err := c.globalElement(q, nil); err != nil {
			return nil, err
		}
	}
	for n, ct := range c.complexes {
		if err := c.finishContent(n, ct); err != nil {
			return nil, err
		}
	}
	return &Schema{elements: c.globals, laxNS: c.laxNS, anyType: c.anyType}, nil
}

func (c *compiler) load(p string, includer *schemaDoc) (*schemaDoc, error) {
	data, err := fs.ReadFile(c.fsys, p)
	if err != nil {
		return nil, fmt.Errorf("xsd: %w", err)
	}
	doc := &schemaDoc{path: p}
	root, err := parseXSDTree(data, doc)
	if err != nil {
		return nil, err
	}
	doc.root = root
	doc.tns = root.attr("targetNamespace")
	if includer != nil {
		switch {
		case !root.has("targetNamespace"):
			doc.tns, doc.chameleon = includer.tns, true
		case doc.tns != includer.tns:
			return nil, fmt.Errorf("xsd %s: included schema has targetNamespace %q, includer has %q", p, doc.tns, includer.tns)
		}
	}
	key := p + "#" + doc.tns
	if d, ok := c.docs[key]; ok {
		return d, nil
	}
	c.docs[key] = doc
	doc.elemQualified = root.attr("elementFormDefault") == "qualified"
	doc.attrQualified = root.attr("attributeFormDefault") == "qualified"
	c.loadedNS[doc.tns] = true

	for _, n := range root.kids {
		switch n.local {
		case "include", "import":
			loc := n.attr("schemaLocation")
			target := ""
			if loc != "" && !strings.Contains(loc, "://") && !strings.HasPrefix(loc, "/") {
				target = path.Join(path.Dir(p), loc)
				if _, err := fs.Stat(c.fsys, target); err != nil {
					target = ""
				}
			}
			if n.local == "include" {
				if target == "" {
					return nil, n.errorf("cannot resolve schemaLocation %q", loc)
				}
				if _, err := c.load(target, doc); err != nil {
					return nil, err
				}
				continue
			}
			ns := n.attr("namespace")
			if target == "" {
				c.laxNS[ns] = true
				continue
			}
			d, err := c.load(target, nil)
			if err != nil {
				return nil, err
			}
			if d.tns != ns {
				return nil, n.errorf("imported schema has targetNamespace %q, expected %q", d.tns, ns)
			}
		case "simpleType", "complexType", "element", "attribute", "group", "attributeGroup":
			q := qname{doc.tns, n.attr("name")}
			if q.local == "" {
				return nil, n.errorf("global component without a name")
			}
			m := map[string]map[qname]*xnode{
				"simpleType": c.simpleDefs, "complexType": c.complexDefs, "element": c.elemDefs,
				"attribute": c.attrDefs, "group": c.groupDefs, "attributeGroup": c.attrGroupDefs,
			}[n.local]
			if old, dup := m[q]; dup && old.doc.path != n.doc.path {
				return nil, n.errorf("duplicate global %s %s", n.local, q)
			}
			if n.local == "simpleType" {
				if _, dup := c.complexDefs[q]; dup {
					return nil, n.errorf("duplicate type %s", q)
				}
			}
			if n.local == "complexType" {
				if _, dup := c.simpleDefs[q]; dup {
					return nil, n.errorf("duplicate type %s", q)
				}
			}
			m[q] = n
		case "notation":
		default:
			return nil, n.errorf("unsupported top-level schema component")
		}
	}
	return doc, nil
}

// qnameAttr resolves a QName-valued attribute in the scope of n.
func (c *compiler) qnameAttr(n *xnode, attr string) (qname, error) {
	v := strings.TrimSpace(n.attr(attr))
	prefix, local, ok := strings.Cut(v, ":")
	if !ok {
		prefix, local = "", v
	}
	uri, found := n.ns[prefix]
	if prefix != "" && !found {
		return qname{}, n.errorf("%s=%q: undeclared prefix %q", attr, v, prefix)
	}
	if uri == "" && n.doc.chameleon {
		uri = n.doc.tns
	}
	return qname{uri, local}, nil
}

// typeRef resolves a type name to a simple or complex type.
func (c *compiler) typeRef(n *xnode, attr string) (*simpleType, *complexType, error) {
	return c.typeRefBase(n, attr, false)
}

// typeRefBase is typeRef; asBase rejects types still being compiled
// (circular derivation).
func (c *compiler) typeRefBase(n *xnode, attr string, asBase bool) (*simpleType, *complexType, error) {
	q, err := c.qnameAttr(n, attr)
	if err != nil {
		return nil, nil, err
	}
	if q.ns == xsdNS {
		if st, ok := builtins[q.local]; ok {
			return st, nil, nil
		}
		if q.local == "anyType" {
			return nil, c.anyType, nil
		}
		return nil, nil, n.errorf("unsupported built-in type %s", q.local)
	}
	if d, ok := c.simpleDefs[q]; ok {
		st, err := c.simple(d)
		return st, nil, err
	}
	if d, ok := c.complexDefs[q]; ok {
		if asBase && c.busy[d] {
			return nil, nil, n.errorf("circular derivation of %s", q)
		}
		ct, err := c.complex(d)
		return nil, ct, err
	}
	if !c.loadedNS[q.ns] {
		return nil, c.anyType, nil
	}
	return nil, nil, n.errorf("undefined type %s", q)
}

func child(n *xnode, names ...string) []*xnode {
	var out []*xnode
	for _, k := range n.kids {
		for _, name := range names {
			if k.local == name {
				out = append(out, k)
			}
		}
	}
	return out
}

// simple compiles a named or anonymous xsd:simpleType.
func (c *compiler) simple(n *xnode) (*simpleType, error) {
	if st, ok := c.simples[n]; ok {
		return st, nil
	}
	if c.busy[n] {
		return nil, n.errorf("circular type derivation")
	}
	c.busy[n] = true
	defer delete(c.busy, n)
	name := n.attr("name")
	var st *simpleType
	for _, k := range n.kids {
		switch k.local {
		case "restriction":
			base, err := c.restrictionBase(k)
			if err != nil {
				return nil, err
			}
			if st, err = c.facets(k, base, name); err != nil {
				return nil, err
			}
		case "list", "union":
			return nil, k.errorf("list and union simple types are not supported")
		default:
			return nil, k.errorf("unexpected in simpleType")
		}
	}
	if st == nil {
		return nil, n.errorf("simpleType without restriction")
	}
	c.simples[n] = st
	return st, nil
}

func (c *compiler) restrictionBase(k *xnode) (*simpleType, error) {
	if k.has("base") {
		st, ct, err := c.typeRef(k, "base")
		if err != nil {
			return nil, err
		}
		if st == nil {
			if ct == c.anyType {
				return builtins["anySimpleType"], nil
			}
			return nil, k.errorf("simple type restriction of complex type %s", ct.name)
		}
		return st, nil
	}
	inline := child(k, "simpleType")
	if len(inline) != 1 {
		return nil, k.errorf("restriction needs a base")
	}
	return c.simple(inline[0])
}

// facets derives a simple type from base applying the facets children of
// restriction node r.
func (c *compiler) facets(r *xnode, base *simpleType, name string) (*simpleType, error) {
	t := base.derive(name)
	var pats []pattern
	var enums []string
	hasEnum := false
	isDec := base.prim == pDecimal
	for _, f := range r.kids {
		v := f.attr("value")
		switch f.local {
		case "simpleType":
			continue // inline base, handled by restrictionBase
		case "pattern":
			re, err := compilePattern(v)
			if err != nil {
				return nil, f.errorf("%v", err)
			}
			pats = append(pats, pattern{src: v, re: re})
		case "enumeration":
			hasEnum = true
			enums = append(enums, v)
		case "length", "minLength", "maxLength", "totalDigits", "fractionDigits":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				return nil, f.errorf("invalid value %q", v)
			}
			switch f.local {
			case "length":
				t.length = n
			case "minLength":
				t.minLen = n
			case "maxLength":
				t.maxLen = n
			case "totalDigits", "fractionDigits":
				if !isDec {
					return nil, f.errorf("facet only supported on decimal types")
				}
				if f.local == "totalDigits" {
					t.totalDigits = n
				} else {
					t.fractionDigits = n
				}
			}
		case "minInclusive", "maxInclusive", "minExclusive", "maxExclusive":
			if !isDec {
				return nil, f.errorf("range facets are only supported on decimal types")
			}
			d, ok := parseDecimal(strings.TrimSpace(v), base.lex == lexInteger)
			if !ok {
				return nil, f.errorf("invalid value %q for %s", v, base.builtin)
			}
			switch f.local {
			case "minInclusive":
				t.minInc, t.minExc = &d, nil
			case "maxInclusive":
				t.maxInc, t.maxExc = &d, nil
			case "minExclusive":
				t.minExc, t.minInc = &d, nil
			case "maxExclusive":
				t.maxExc, t.maxInc = &d, nil
			}
		case "whiteSpace":
			switch v {
			case "preserve":
				t.ws = wsPreserve
			case "replace":
				t.ws = wsReplace
			case "collapse":
				t.ws = wsCollapse
			default:
				return nil, f.errorf("invalid whiteSpace %q", v)
			}
		default:
			return nil, f.errorf("unsupported facet")
		}
	}
	if len(pats) > 0 {
		t.patterns = append(t.patterns, pats)
	}
	if hasEnum {
		t.enums, t.enumDecs = nil, nil
		for _, e := range enums {
			if isDec {
				d, ok := parseDecimal(normalize(e, wsCollapse), base.lex == lexInteger)
				if !ok {
					return nil, r.errorf("enumeration value %q is not a valid %s", e, base.builtin)
				}
				t.enumDecs = append(t.enumDecs, d)
			} else {
				t.enums = append(t.enums, normalize(e, t.ws))
			}
		}
		if t.enums == nil && !isDec {
			t.enums = []string{}
		}
	}
	return t, nil
}

// occurs reads minOccurs/maxOccurs.
func occurs(n *xnode) (int, int, error) {
	lo, hi := 1, 1
	if v, ok := n.attrs["minOccurs"]; ok {
		x, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || x < 0 {
			return 0, 0, n.errorf("invalid minOccurs %q", v)
		}
		lo = x
	}
	if v, ok := n.attrs["maxOccurs"]; ok {
		v = strings.TrimSpace(v)
		if v == "unbounded" {
			hi = -1
		} else {
			x, err := strconv.Atoi(v)
			if err != nil || x < 0 {
				return 0, 0, n.errorf("invalid maxOccurs %q", v)
			}
			hi = x
		}
	}
	if hi >= 0 && lo > hi {
		return 0, 0, n.errorf("minOccurs greater than maxOccurs")
	}
	return lo, hi, nil
}

// complex compiles an xsd:complexType. The type is registered before its
// content so that recursive element declarations resolve.
func (c *compiler) complex(n *xnode) (*complexType, error) {
	if ct, ok := c.complexes[n]; ok {
		return ct, nil
	}
	if c.busy[n] {
		return nil, n.errorf("circular complex type derivation")
	}
	c.busy[n] = true
	defer delete(c.busy, n)
	ct := &complexType{name: n.attr("name")}
	if ct.name == "" {
		ct.name = "anonymous"
	}
	c.complexes[n] = ct
	mixed := n.attr("mixed") == "true" || n.attr("mixed") == "1"
	var own *particle
	var attrNodes []*xnode
	var baseCT *complexType
	derivation := ""
	for _, k := range n.kids {
		switch k.local {
		case "sequence", "choice", "all", "group":
			p, err := c.particle(k)
			if err != nil {
				return nil, err
			}
			own = p
		case "attribute", "attributeGroup", "anyAttribute":
			attrNodes = append(attrNodes, k)
		case "simpleContent":
			if err := c.simpleContent(k, ct); err != nil {
				return nil, err
			}
		case "complexContent":
			if v, ok := k.attrs["mixed"]; ok {
				mixed = v == "true" || v == "1"
			}
			for _, d := range k.kids {
				if d.local != "extension" && d.local != "restriction" {
					return nil, d.errorf("unexpected in complexContent")
				}
				derivation = d.local
				_, b, err := c.typeRefBase(d, "base", true)
				if err != nil {
					return nil, err
				}
				if b == nil {
					return nil, d.errorf("complexContent base must be a complex type")
				}
				if b.particle == nil && b.kind != contentEmpty && b != c.anyType {
					return nil, d.errorf("base type %s has simple content", b.name)
				}
				baseCT = b
				for _, g := range d.kids {
					switch g.local {
					case "sequence", "choice", "all", "group":
						p, err := c.particle(g)
						if err != nil {
							return nil, err
						}
						own = p
					case "attribute", "attributeGroup", "anyAttribute":
						attrNodes = append(attrNodes, g)
					default:
						return nil, g.errorf("unexpected in %s", d.local)
					}
				}
			}
		case "unique", "key", "keyref":
			return nil, k.errorf("identity constraints are not supported")
		default:
			return nil, k.errorf("unexpected in complexType")
		}
	}
	if ct.kind == contentSimple {
		return ct, nil
	}
	// Content: extension appends the own particle to the base's.
	p := own
	if p != nil && isEmptyParticle(p) {
		p = nil
	}
	if derivation == "extension" {
		ct.attrs = append(ct.attrs, baseCT.attrs...)
		ct.attrWild = baseCT.attrWild
		switch {
		case baseCT.particle == nil:
		case p == nil:
			p = baseCT.particle
		default:
			if baseCT.particle.kind == pkAll || p.kind == pkAll {
				return nil, n.errorf("extension involving xsd:all is not supported")
			}
			p = &particle{kind: pkSequence, min: 1, max: 1, children: []*particle{baseCT.particle, p}}
		}
		if baseCT == c.anyType {
			mixed = true
		}
	} else if derivation == "restriction" {
		ct.attrs = append(ct.attrs, baseCT.attrs...)
	}
	ct.particle = p
	switch {
	case p == nil && mixed:
		ct.kind = contentMixed
		ct.particle = &particle{kind: pkSequence, min: 1, max: 1}
	case p == nil:
		ct.kind = contentEmpty
	case mixed:
		ct.kind = contentMixed
	default:
		ct.kind = contentElementOnly
	}
	if err := c.attributes(attrNodes, ct, derivation == "restriction"); err != nil {
		return nil, err
	}
	return ct, nil
}

func isEmptyParticle(p *particle) bool {
	if p.max == 0 {
		return true
	}
	switch p.kind {
	case pkSequence, pkChoice, pkAll:
		for _, c := range p.children {
			if !isEmptyParticle(c) {
				return false
			}
		}
		return true
	}
	return false
}

// finishContent builds the automaton of a complex type, once all element
// declarations exist.
func (c *compiler) finishContent(n *xnode, ct *complexType) error {
	if ct.particle == nil || ct.dfa != nil || ct.all != nil {
		return nil
	}
	var err error
	if ct.particle.kind == pkAll {
		ct.all, err = compileAll(ct.particle)
	} else {
		ct.dfa, err = compileDFA(ct.particle)
	}
	if err != nil {
		return n.errorf("%v", err)
	}
	return nil
}

func (c *compiler) simpleContent(k *xnode, ct *complexType) error {
	ct.kind = contentSimple
	for _, d := range k.kids {
		if d.local != "extension" && d.local != "restriction" {
			return d.errorf("unexpected in simpleContent")
		}
		st, b, err := c.typeRefBase(d, "base", true)
		if err != nil {
			return err
		}
		if b != nil {
			if b.kind != contentSimple {
				return d.errorf("simpleContent base %s has no simple content", b.name)
			}
			st = b.simple
			ct.attrs = append(ct.attrs, b.attrs...)
			ct.attrWild = b.attrWild
		}
		if d.local == "restriction" {
			if st, err = c.facets(d, st, ""); err != nil {
				return err
			}
		}
		ct.simple = st
		var attrNodes []*xnode
		for _, g := range d.kids {
			switch g.local {
			case "attribute", "attributeGroup", "anyAttribute":
				attrNodes = append(attrNodes, g)
			}
		}
		if err := c.attributes(attrNodes, ct, d.local == "restriction"); err != nil {
			return err
		}
	}
	if ct.simple == nil {
		return k.errorf("simpleContent without extension or restriction")
	}
	return nil
}

// attributes adds attribute uses; in a restriction they override the
// inherited ones and use="prohibited" removes them.
func (c *compiler) attributes(nodes []*xnode, ct *complexType, restriction bool) error {
	for _, a := range nodes {
		switch a.local {
		case "anyAttribute":
			w, err := c.wildcard(a)
			if err != nil {
				return err
			}
			ct.attrWild = w
		case "attributeGroup":
			q, err := c.qnameAttr(a, "ref")
			if err != nil {
				return err
			}
			g, ok := c.attrGroupDefs[q]
			if !ok {
				return a.errorf("undefined attributeGroup %s", q)
			}
			if c.busy[g] {
				return a.errorf("circular attributeGroup %s", q)
			}
			c.busy[g] = true
			err = c.attributes(g.kids, ct, restriction)
			delete(c.busy, g)
			if err != nil {
				return err
			}
		case "attribute":
			u, err := c.attribute(a)
			if err != nil {
				return err
			}
			ct.attrs = slicesDeleteFunc(ct.attrs, func(x *attrUse) bool { return x.name == u.name })
			if a.attr("use") != "prohibited" {
				ct.attrs = append(ct.attrs, u)
			}
		default:
			return a.errorf("unexpected among attributes")
		}
	}
	return nil
}

func slicesDeleteFunc(s []*attrUse, del func(*attrUse) bool) []*attrUse {
	out := s[:0:0]
	for _, x := range s {
		if !del(x) {
			out = append(out, x)
		}
	}
	return out
}

func (c *compiler) attribute(a *xnode) (*attrUse, error) {
	u := &attrUse{required: a.attr("use") == "required"}
	if a.has("fixed") {
		f := a.attr("fixed")
		u.fixed = &f
	}
	if a.has("ref") {
		q, err := c.qnameAttr(a, "ref")
		if err != nil {
			return nil, err
		}
		if q.ns == xmlNS {
			u.name = q
			return u, nil
		}
		g, ok := c.attrDefs[q]
		if !ok {
			if c.loadedNS[q.ns] {
				return nil, a.errorf("undefined attribute %s", q)
			}
			u.name = q
			return u, nil
		}
		base, err := c.attribute(g)
		if err != nil {
			return nil, err
		}
		u.name, u.st = q, base.st
		if u.fixed == nil {
			u.fixed = base.fixed
		}
		return u, nil
	}
	u.name = qname{local: a.attr("name")}
	global := a.doc.root == nil || isTopLevel(a)
	if global || a.attr("form") == "qualified" || !a.has("form") && a.doc.attrQualified {
		u.name.ns = a.doc.tns
	}
	switch {
	case a.has("type"):
		st, ct, err := c.typeRef(a, "type")
		if err != nil {
			return nil, err
		}
		if st == nil {
			if ct != c.anyType {
				return nil, a.errorf("attribute type must be simple")
			}
			st = builtins["anySimpleType"]
		}
		u.st = st
	case len(child(a, "simpleType")) == 1:
		st, err := c.simple(child(a, "simpleType")[0])
		if err != nil {
			return nil, err
		}
		u.st = st
	default:
		u.st = builtins["anySimpleType"]
	}
	return u, nil
}

func isTopLevel(n *xnode) bool {
	for _, k := range n.doc.root.kids {
		if k == n {
			return true
		}
	}
	return false
}

func (c *compiler) wildcard(n *xnode) (*wildcard, error) {
	w := &wildcard{process: processStrict}
	switch n.attr("processContents") {
	case "", "strict":
	case "lax":
		w.process = processLax
	case "skip":
		w.process = processSkip
	default:
		return nil, n.errorf("invalid processContents")
	}
	ns := strings.TrimSpace(n.attr("namespace"))
	switch ns {
	case "", "##any":
		w.any = true
		w.desc = "any element"
	case "##other":
		w.not, w.notNS = true, n.doc.tns
		w.desc = "any element not in namespace " + strconv.Quote(n.doc.tns)
	default:
		w.list = map[string]bool{}
		var names []string
		for _, f := range strings.Fields(ns) {
			switch f {
			case "##targetNamespace":
				f = n.doc.tns
			case "##local":
				f = ""
			}
			w.list[f] = true
			names = append(names, strconv.Quote(f))
		}
		w.desc = "any element in namespace " + strings.Join(names, " or ")
	}
	if n.local == "anyAttribute" {
		w.desc = strings.Replace(w.desc, "element", "attribute", 1)
	}
	return w, nil
}

// particle compiles sequence/choice/all/group/element/any.
func (c *compiler) particle(n *xnode) (*particle, error) {
	lo, hi, err := occurs(n)
	if err != nil {
		return nil, err
	}
	p := &particle{min: lo, max: hi}
	switch n.local {
	case "element":
		p.kind = pkElement
		if p.elem, err = c.localElement(n); err != nil {
			return nil, err
		}
	case "any":
		p.kind = pkAny
		if p.wild, err = c.wildcard(n); err != nil {
			return nil, err
		}
	case "sequence", "choice", "all":
		p.kind = map[string]particleKind{"sequence": pkSequence, "choice": pkChoice, "all": pkAll}[n.local]
		for _, k := range n.kids {
			switch k.local {
			case "element", "any", "sequence", "choice", "group":
				if n.local == "all" && k.local != "element" {
					return nil, k.errorf("xsd:all may only contain elements")
				}
				cp, err := c.particle(k)
				if err != nil {
					return nil, err
				}
				p.children = append(p.children, cp)
			default:
				return nil, k.errorf("unexpected in %s", n.local)
			}
		}
	case "group":
		q, err := c.qnameAttr(n, "ref")
		if err != nil {
			return nil, err
		}
		g, ok := c.groupDefs[q]
		if !ok {
			return nil, n.errorf("undefined group %s", q)
		}
		if c.busy[g] {
			return nil, n.errorf("circular group %s", q)
		}
		c.busy[g] = true
		defer delete(c.busy, g)
		if len(g.kids) != 1 {
			return nil, g.errorf("group must contain exactly one sequence, choice or all")
		}
		inner, err := c.particle(g.kids[0])
		if err != nil {
			return nil, err
		}
		p.kind, p.children = pkSequence, []*particle{inner}
		if inner.kind == pkAll {
			inner.min, inner.max = p.min, p.max
			return inner, nil
		}
	default:
		return nil, n.errorf("unexpected particle")
	}
	return p, nil
}

// localElement compiles an element particle: a reference or a local
// declaration.
func (c *compiler) localElement(n *xnode) (*element, error) {
	if n.has("ref") {
		q, err := c.qnameAttr(n, "ref")
		if err != nil {
			return nil, err
		}
		return c.globalElement(q, n)
	}
	e := &element{name: qname{local: n.attr("name")}}
	if n.attr("form") == "qualified" || !n.has("form") && n.doc.elemQualified {
		e.name.ns = n.doc.tns
	}
	if err := c.elementBody(n, e); err != nil {
		return nil, err
	}
	return e, nil
}

// globalElement returns the global declaration q; from is the referencing
// node (nil when compiling the global itself).
func (c *compiler) globalElement(q qname, from *xnode) (*element, error) {
	if e, ok := c.globals[q]; ok {
		return e, nil
	}
	n, ok := c.elemDefs[q]
	if !ok {
		if !c.loadedNS[q.ns] {
			return &element{name: q, lax: true}, nil
		}
		return nil, from.errorf("undefined element %s", q)
	}
	e := &element{name: q}
	c.globals[q] = e
	if err := c.elementBody(n, e); err != nil {
		return nil, err
	}
	return e, nil
}

func (c *compiler) elementBody(n *xnode, e *element) error {
	if e.name.local == "" {
		return n.errorf("element without name")
	}
	for _, a := range []string{"substitutionGroup", "abstract"} {
		if n.has(a) && !(a == "abstract" && n.attr(a) == "false") {
			return n.errorf("%s is not supported", a)
		}
	}
	e.nillable = n.attr("nillable") == "true" || n.attr("nillable") == "1"
	if n.has("fixed") {
		f := n.attr("fixed")
		e.fixed = &f
	}
	var err error
	switch {
	case n.has("type"):
		e.st, e.ct, err = c.typeRef(n, "type")
	default:
		e.ct = c.anyType
	}
	if err != nil {
		return err
	}
	for _, k := range n.kids {
		switch k.local {
		case "simpleType":
			e.ct = nil
			e.st, err = c.simple(k)
		case "complexType":
			e.st = nil
			e.ct, err = c.complex(k)
		case "unique", "key", "keyref":
			err = k.errorf("identity constraints are not supported")
		default:
			err = k.errorf("unexpected in element")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
