package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// kind is how a Go type behaves on the wire, which decides pointer and
// omitempty for optional elements.
type kind int

const (
	kString  kind = iota // string newtypes, dates, non-money decimals: "" means absent
	kBytes               // wire.Base64: empty means absent
	kScalar              // bool, numbers, Amount: zero is a real value, so optional ones are pointers
	kComplex             // structs
)

// goName mirrors gowsdl's identifier mapping (normalize + makePublic).
func goName(local string) string {
	r := []rune(strings.Map(func(r rune) rune {
		if r == '.' {
			return '_'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return r
		}
		return -1
	}, local))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// simpleDecl is the Go form of an XSD simple type.
type simpleDecl struct {
	decl string // right-hand side: "string", "= wire.Amount", …
	kind kind
	enum bool // gowsdl's enumeration constants stay valid
}

func builtin(local string, st *simpleType) simpleDecl {
	switch local {
	case "boolean":
		return simpleDecl{"bool", kScalar, false}
	case "int", "unsignedShort":
		return numeric("int32", st)
	case "short", "byte", "unsignedByte":
		return numeric("int16", st)
	case "long", "integer", "positiveInteger", "nonNegativeInteger", "negativeInteger",
		"nonPositiveInteger", "unsignedInt", "unsignedLong":
		return numeric("int64", st)
	case "float", "double":
		return numeric("float64", st)
	case "decimal":
		if st != nil && isMoney(st) {
			return simpleDecl{"= wire.Amount", kScalar, false}
		}
		return simpleDecl{"= wire.Decimal", kString, st != nil && len(st.enum) > 0}
	case "date":
		return simpleDecl{"= wire.Date", kString, false}
	case "dateTime":
		return simpleDecl{"= wire.DateTime", kString, false}
	case "base64Binary":
		return simpleDecl{"= wire.Base64", kBytes, false}
	}
	// string, token, anyURI, QName, gYear, time, … keep their text.
	return simpleDecl{"string", kString, st != nil && len(st.enum) > 0}
}

// numeric keeps numbers as numbers, except enumerations: gowsdl writes their
// constants as strings, and a code list is text anyway.
func numeric(t string, st *simpleType) simpleDecl {
	if st != nil && len(st.enum) > 0 {
		return simpleDecl{"string", kString, true}
	}
	return simpleDecl{t, kScalar, false}
}

// isMoney: a decimal with two fraction digits, by pattern or facet.
func isMoney(st *simpleType) bool {
	if st.frac == 2 {
		return true
	}
	for _, p := range st.pattern {
		if strings.Contains(p, `\.\d{2}`) || strings.Contains(p, `\.[0-9]{2}`) || strings.Contains(p, `\.[0-9]{1,2}`) || strings.Contains(p, `\.\d{1,2}`) {
			return true
		}
	}
	return false
}

// rewriter turns one gowsdl file into the repaired package source.
type rewriter struct {
	m    *model
	pkg  string
	src  string // input file name, for the package comment
	fset *token.FileSet
	gsrc []byte

	complexByGo map[string]*complexType
	elemByGo    map[string]*element
	simpleByGo  map[string]*simpleType
	localUse    map[*complexType]bool // used as element type or extension base
	defaults    map[*complexType]map[string]bool
	rootOf      map[*complexType]*element // complex types that carry XMLName

	out      bytes.Buffer
	emitted  map[string]bool
	simpleGo map[string]simpleDecl // emitted simple types by Go name
}

func newRewriter(m *model, pkg, src string) (*rewriter, error) {
	r := &rewriter{
		m: m, pkg: pkg, src: src,
		complexByGo: map[string]*complexType{},
		elemByGo:    map[string]*element{},
		simpleByGo:  map[string]*simpleType{},
		localUse:    map[*complexType]bool{},
		defaults:    map[*complexType]map[string]bool{},
		rootOf:      map[*complexType]*element{},
		emitted:     map[string]bool{},
		simpleGo:    map[string]simpleDecl{},
	}
	for _, q := range sortedQNames(m.complex) {
		if q.ns == nsSOAPEnv {
			continue
		}
		n := goName(q.local)
		if prev, ok := r.complexByGo[n]; ok && !sameShape(prev, m.complex[q]) {
			return nil, fmt.Errorf("complex types %s and %s share the Go name %s", prev.name, q, n)
		}
		if _, ok := r.complexByGo[n]; !ok {
			r.complexByGo[n] = m.complex[q]
		}
	}
	for _, q := range m.order {
		if q.ns == nsSOAPEnv {
			continue
		}
		if _, ok := r.elemByGo[goName(q.local)]; !ok {
			r.elemByGo[goName(q.local)] = m.elements[q]
		}
	}
	for _, q := range sortedQNames(m.simple) {
		n := goName(q.local)
		if prev, ok := r.simpleByGo[n]; ok && r.simpleDecl(prev) != r.simpleDecl(m.simple[q]) {
			return nil, fmt.Errorf("simple types %s and %s share the Go name %s with different forms", prev.name, q, n)
		}
		if _, ok := r.simpleByGo[n]; !ok {
			r.simpleByGo[n] = m.simple[q]
		}
	}
	all := r.allComplex()
	for _, ct := range all {
		if ct.base != nil {
			if b := m.complex[*ct.base]; b != nil {
				r.localUse[b] = true
			}
		}
		for _, p := range ct.parts {
			if c := r.partComplex(p); c != nil {
				r.localUse[c] = true
			}
		}
	}
	for _, q := range m.order {
		e := m.elements[q]
		if q.ns == nsSOAPEnv || e.anon != nil {
			continue
		}
		ct := m.complex[e.typ]
		if ct != nil && goName(q.local) == goName(e.typ.local) && !r.localUse[ct] {
			r.rootOf[ct] = e
		}
	}
	if err := r.computeDefaults(); err != nil {
		return nil, err
	}
	return r, nil
}

func sortedQNames[V any](m map[qname]V) []qname {
	keys := make([]qname, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b qname) int { return strings.Compare(a.String(), b.String()) })
	return keys
}

func sameShape(a, b *complexType) bool {
	if len(a.parts) != len(b.parts) || (a.base == nil) != (b.base == nil) {
		return false
	}
	for i := range a.parts {
		pa, pb := a.parts[i], b.parts[i]
		if pa.name != pb.name || pa.typ.local != pb.typ.local || pa.min != pb.min || pa.max != pb.max {
			return false
		}
	}
	return true
}

func (r *rewriter) allComplex() []*complexType {
	var all []*complexType
	for _, q := range sortedQNames(r.m.complex) {
		all = append(all, r.m.complex[q])
	}
	return append(all, r.m.anons...)
}

// partComplex is the complex type of a particle, if it has one.
func (r *rewriter) partComplex(p *particle) *complexType {
	if p.anon != nil {
		return p.anon
	}
	if e, ok := r.m.elements[p.typ]; ok && p.ns == p.typ.ns && p.name == p.typ.local {
		if e.anon != nil {
			return e.anon
		}
		return r.m.complex[e.typ]
	}
	return r.m.complex[p.typ]
}

// computeDefaults finds, for every complex type, which default namespaces
// can be in scope for its children. A qualified child needs its namespace in
// its tag unless the default in scope is always that namespace.
func (r *rewriter) computeDefaults() error {
	add := func(ct *complexType, ns map[string]bool) bool {
		if ct == nil {
			return false
		}
		d := r.defaults[ct]
		if d == nil {
			d = map[string]bool{}
			r.defaults[ct] = d
		}
		changed := false
		for n := range ns {
			if !d[n] {
				d[n] = true
				changed = true
			}
		}
		return changed
	}
	for _, q := range r.m.order {
		e := r.m.elements[q]
		if q.ns == nsSOAPEnv {
			continue
		}
		ct := e.anon
		if ct == nil {
			ct = r.m.complex[e.typ]
		}
		if ct == nil {
			continue
		}
		if e.schema.qualified {
			add(ct, map[string]bool{q.ns: true})
		} else {
			add(ct, map[string]bool{"": true}) // written with a prefix, see wire.PrefixRoot
		}
	}
	for changed := true; changed; {
		changed = false
		for _, ct := range r.allComplex() {
			d := r.defaults[ct]
			if len(d) == 0 {
				continue
			}
			if ct.base != nil {
				changed = add(r.m.complex[*ct.base], d) || changed
			}
			for _, p := range ct.parts {
				c := r.partComplex(p)
				if c == nil {
					continue
				}
				if r.explicitNS(p) {
					changed = add(c, map[string]bool{p.ns: true}) || changed
				} else {
					changed = add(c, d) || changed
				}
			}
		}
	}
	for _, ct := range r.allComplex() {
		for _, p := range ct.parts {
			if p.ns == "" && len(r.defaults[ct]) > 0 && !onlyKey(r.defaults[ct], "") {
				return fmt.Errorf("unqualified element %s inside a namespaced default: encoding/xml cannot reset it", p.name)
			}
		}
	}
	return nil
}

func onlyKey(m map[string]bool, k string) bool { return len(m) == 1 && m[k] }

func (r *rewriter) explicitNS(p *particle) bool {
	if p.ns == "" {
		return false
	}
	d := r.defaults[p.owner]
	return len(d) > 0 && !onlyKey(d, p.ns)
}

func (r *rewriter) simpleDecl(st *simpleType) simpleDecl {
	if st.list {
		return simpleDecl{"string", kString, false}
	}
	return builtin(st.base.local, st)
}

// run rewrites the gowsdl output.
func (r *rewriter) run(gsrc []byte) ([]byte, error) {
	r.fset = token.NewFileSet()
	r.gsrc = gsrc
	f, err := parser.ParseFile(r.fset, "gowsdl.go", gsrc, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parse gowsdl output: %w", err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue // client methods and constructor
		}
		switch g.Tok {
		case token.TYPE:
			for _, s := range g.Specs {
				if err := r.typeSpec(s.(*ast.TypeSpec)); err != nil {
					return nil, err
				}
			}
		case token.CONST:
			if err := r.constDecl(g); err != nil {
				return nil, err
			}
		}
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "// Code generated by gowsdl v0.5.0 and generated/gen from %s; DO NOT EDIT.\n\n", r.src)
	fmt.Fprintf(&head, "// Package %s holds the XML types of %s.\npackage %s\n\n", r.pkg, r.src, r.pkg)
	text := r.out.String()
	var imports []string
	if strings.Contains(text, "xml.") {
		imports = append(imports, `"encoding/xml"`)
	}
	if strings.Contains(text, "wire.") {
		imports = append(imports, "\n"+`"github.com/ponte-pagopa/ponte/generated/wire"`)
	}
	if len(imports) > 0 {
		fmt.Fprintf(&head, "import (\n%s\n)\n\n", strings.Join(imports, "\n"))
	}
	src := append(head.Bytes(), text...)
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("gofmt: %w\n%s", err, src)
	}
	return out, nil
}

func (r *rewriter) typeSpec(ts *ast.TypeSpec) error {
	name := ts.Name.Name
	if !ast.IsExported(name) {
		return nil // the client struct
	}
	if _, ok := ts.Type.(*ast.InterfaceType); ok {
		return nil // the client interface
	}
	switch name {
	case "AnyType", "AnyURI", "NCName":
		return nil // gowsdl prelude; builtins are mapped directly
	}
	if r.emitted[name] {
		return nil // gowsdl repeats types defined in several schemas
	}
	if st, ok := ts.Type.(*ast.StructType); ok {
		if ct := r.complexByGo[name]; ct != nil {
			r.emitted[name] = true
			return r.structDecl(name, st, ct, r.rootOf[ct])
		}
		if e := r.elemByGo[name]; e != nil && e.anon != nil {
			r.emitted[name] = true
			return r.structDecl(name, st, e.anon, e)
		}
		if r.isSOAPEnv(name) {
			return nil
		}
		return fmt.Errorf("struct %s has no schema counterpart", name)
	}
	if e := r.elemByGo[name]; e != nil {
		if ct := r.m.complex[e.typ]; ct != nil {
			r.emitted[name] = true
			return r.rootWrapper(name, e, ct)
		}
	}
	if st := r.simpleByGo[name]; st != nil {
		if st.name.ns == nsSOAPEnv {
			return nil
		}
		d := r.simpleDecl(st)
		r.emitted[name] = true
		r.simpleGo[name] = d
		fmt.Fprintf(&r.out, "type %s %s\n\n", name, d.decl)
		return nil
	}
	if r.isSOAPEnv(name) {
		return nil
	}
	return fmt.Errorf("type %s has no schema counterpart", name)
}

func (r *rewriter) isSOAPEnv(goname string) bool {
	for q := range r.m.complex {
		if q.ns == nsSOAPEnv && goName(q.local) == goname {
			return true
		}
	}
	for q := range r.m.simple {
		if q.ns == nsSOAPEnv && goName(q.local) == goname {
			return true
		}
	}
	for q := range r.m.elements {
		if q.ns == nsSOAPEnv && goName(q.local) == goname {
			return true
		}
	}
	return false
}

// constDecl keeps enumeration constants of string-based types.
func (r *rewriter) constDecl(g *ast.GenDecl) error {
	var keep []ast.Spec
	for _, s := range g.Specs {
		vs := s.(*ast.ValueSpec)
		id, ok := vs.Type.(*ast.Ident)
		if !ok {
			continue
		}
		d, ok := r.simpleGo[id.Name]
		if !ok || !d.enum || r.emitted["const "+vs.Names[0].Name] {
			continue
		}
		r.emitted["const "+vs.Names[0].Name] = true
		vs.Doc, vs.Comment = nil, nil
		keep = append(keep, vs)
	}
	if len(keep) == 0 {
		return nil
	}
	r.out.WriteString("const (\n")
	for _, s := range keep {
		vs := s.(*ast.ValueSpec)
		var b bytes.Buffer
		if err := printer.Fprint(&b, token.NewFileSet(), vs.Values[0]); err != nil {
			return err
		}
		fmt.Fprintf(&r.out, "%s %s = %s\n", vs.Names[0].Name, vs.Type.(*ast.Ident).Name, b.String())
	}
	r.out.WriteString(")\n\n")
	return nil
}

func (r *rewriter) structDecl(name string, st *ast.StructType, ct *complexType, root *element) error {
	fmt.Fprintf(&r.out, "type %s ", name)
	if err := r.structBody(&r.out, name, st, ct, root); err != nil {
		return err
	}
	r.out.WriteString("\n\n")
	if root != nil && !root.schema.qualified {
		r.prefixedMarshal(name, root)
	}
	return nil
}

// rootWrapper replaces gowsdl's `type Elem CtType` (which loses the root
// name) with a struct that names the root and embeds the complex type.
func (r *rewriter) rootWrapper(name string, e *element, ct *complexType) error {
	fmt.Fprintf(&r.out, "type %s struct {\n\tXMLName xml.Name `xml:\"%s %s\"`\n\t%s\n}\n\n",
		name, e.name.ns, e.name.local, goName(ct.name.local))
	if !e.schema.qualified {
		r.prefixedMarshal(name, e)
	}
	return nil
}

func (r *rewriter) prefixedMarshal(name string, e *element) {
	fmt.Fprintf(&r.out, `// MarshalXML writes the root with a prefix so that its unqualified children stay in no namespace.
func (v %[1]s) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain %[1]s
	return e.EncodeElement(plain(v), wire.Root(start, %[1]q, xml.Name{Space: %[2]q, Local: %[3]q}))
}

`, name, e.name.ns, e.name.local)
}

func (r *rewriter) structBody(w *bytes.Buffer, name string, st *ast.StructType, ct *complexType, root *element) error {
	w.WriteString("struct {\n")
	if root != nil {
		fmt.Fprintf(w, "XMLName xml.Name `xml:\"%s %s\"`\n", root.name.ns, root.name.local)
	}
	// Elements are written in schema order: gowsdl moves xsd:choice members
	// after the sequence, which the schema rejects.
	elems := map[*particle]*bytes.Buffer{}
	for _, f := range st.Fields.List {
		tag := ""
		if f.Tag != nil {
			t, _ := strconv.Unquote(f.Tag.Value)
			tag = reflect.StructTag(t).Get("xml")
		}
		tagName, opts, _ := strings.Cut(tag, ",")
		switch {
		case len(f.Names) == 0 && tag == "": // embedded extension base, as a value
			base := f.Type
			if s, ok := base.(*ast.StarExpr); ok {
				base = s.X
			}
			id, ok := base.(*ast.Ident)
			if !ok || ct.base == nil || goName(ct.base.local) != id.Name {
				return fmt.Errorf("%s: unexpected embedded field", name)
			}
			fmt.Fprintf(w, "%s\n", id.Name)
		case len(f.Names) == 0: // nameless attribute from an attribute ref
			continue
		case f.Names[0].Name == "XMLName":
			continue
		case strings.HasPrefix(opts, "attr") && slices.Contains(ct.refs, tagName):
			continue
		case strings.HasPrefix(opts, "attr"):
			if !slices.Contains(ct.attrs, tagName) {
				return fmt.Errorf("%s.%s: unknown attribute", name, f.Names[0].Name)
			}
			fmt.Fprintf(w, "%s string `xml:\"%s,attr,omitempty\"`\n", f.Names[0].Name, tagName)
		case opts == "any" || opts == "innerxml":
			return fmt.Errorf("%s: wildcard content is not supported", name)
		default:
			p := findPart(ct, tagName)
			if p == nil {
				return fmt.Errorf("%s.%s: no element %q in the schema", name, f.Names[0].Name, tagName)
			}
			if elems[p] != nil {
				return fmt.Errorf("%s: element %s appears twice", name, p.name)
			}
			elems[p] = new(bytes.Buffer)
			if err := r.field(elems[p], name, f.Names[0].Name, f.Type, p); err != nil {
				return err
			}
		}
	}
	for _, p := range ct.parts {
		if elems[p] == nil {
			return fmt.Errorf("%s: element %s missing from gowsdl output", name, p.name)
		}
		w.Write(elems[p].Bytes())
	}
	w.WriteString("}")
	return nil
}

func findPart(ct *complexType, name string) *particle {
	for _, p := range ct.parts {
		if p.name == name {
			return p
		}
	}
	return nil
}

func (r *rewriter) field(w *bytes.Buffer, owner, fname string, gtype ast.Expr, p *particle) error {
	typ, k, err := r.partType(owner, fname, gtype, p)
	if err != nil {
		return err
	}
	tag := p.name
	if r.explicitNS(p) {
		tag = p.ns + " " + p.name
	}
	switch {
	case p.max != 1:
		typ = "[]" + typ
	case p.min >= 1:
	case k == kScalar || k == kComplex:
		typ = "*" + typ
		tag += ",omitempty"
	default:
		tag += ",omitempty"
	}
	fmt.Fprintf(w, "%s %s `xml:\"%s\"`\n", fname, typ, tag)
	return nil
}

// partType is the Go element type of a particle and its wire kind.
func (r *rewriter) partType(owner, fname string, gtype ast.Expr, p *particle) (string, kind, error) {
	if p.anon != nil {
		st := innerStruct(gtype)
		if st == nil {
			return "", 0, fmt.Errorf("%s.%s: expected an inline struct", owner, fname)
		}
		var b bytes.Buffer
		if err := r.structBody(&b, owner+"."+fname, st, p.anon, nil); err != nil {
			return "", 0, err
		}
		return b.String(), kComplex, nil
	}
	t := p.typ
	if e, ok := r.m.elements[t]; ok && p.name == t.local && p.ns == t.ns && r.m.complex[t] == nil && r.m.simple[t] == nil {
		if e.anon != nil {
			return goName(e.name.local), kComplex, nil
		}
		t = e.typ
	}
	if t.ns == nsXSD {
		d := builtin(t.local, nil)
		if strings.HasPrefix(d.decl, "= ") {
			return strings.TrimPrefix(d.decl, "= "), d.kind, nil
		}
		return d.decl, d.kind, nil
	}
	if st := r.m.simple[t]; st != nil {
		return goName(t.local), r.simpleDecl(st).kind, nil
	}
	if r.m.complex[t] != nil {
		return goName(t.local), kComplex, nil
	}
	return "", 0, fmt.Errorf("%s.%s: unknown type %s", owner, fname, t)
}

func innerStruct(e ast.Expr) *ast.StructType {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ArrayType:
			e = t.Elt
		case *ast.StructType:
			return t
		default:
			return nil
		}
	}
}
