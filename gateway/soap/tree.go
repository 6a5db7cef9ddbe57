package soap

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// Tree is any element as received. Decoding a body into it never fails on
// content, so a handler names every structural fault itself (encoding/xml
// would silently skip unknown or missing elements), or rebuilds the
// element with Document for a schema to judge.
type Tree struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []Tree     `xml:",any"`
	Text    string     `xml:",chardata"`
}

// Document writes t as a standalone document with every namespace
// declared where it is used: the decoder resolved the prefixes, including
// those declared on the Envelope or Body, which the element's own text
// would lack. No default namespace is declared, so an unqualified element
// stays unqualified and a qualified one keeps its namespace; namespace
// declarations among the attributes are dropped, any other attribute
// kept (the schemas allow none, so it is reported).
func (t *Tree) Document() []byte {
	var b bytes.Buffer
	t.write(&b, 0)
	return b.Bytes()
}

func (t *Tree) write(b *bytes.Buffer, depth int) {
	name := t.XMLName.Local
	var decl string
	if ns := t.XMLName.Space; ns != "" {
		prefix := "n" + strconv.Itoa(depth)
		name = prefix + ":" + name
		decl = " xmlns:" + prefix + `="` + escapeAttr(ns) + `"`
	}
	b.WriteString("<" + name + decl)
	for i, a := range t.Attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		if a.Name.Space == "" {
			b.WriteString(" " + a.Name.Local + `="` + escapeAttr(a.Value) + `"`)
			continue
		}
		prefix := "a" + strconv.Itoa(depth) + "_" + strconv.Itoa(i)
		b.WriteString(" xmlns:" + prefix + `="` + escapeAttr(a.Name.Space) + `" ` + prefix + ":" + a.Name.Local + `="` + escapeAttr(a.Value) + `"`)
	}
	b.WriteByte('>')
	xml.EscapeText(b, []byte(t.Text))
	for i := range t.Nodes {
		t.Nodes[i].write(b, depth+1)
	}
	b.WriteString("</" + name + ">")
}
