package xsd_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// span locates one element of a document by byte offsets, with the namespace
// declarations it inherits from its ancestors, so that it can be cut out as a
// standalone document that still resolves every prefix it uses.
type span struct {
	name      xml.Name          // Space is the namespace URI
	parent    int               // index in the span list, -1 for the root
	start     int64             // offset of '<'
	startEnd  int64             // offset just past the start tag
	end       int64             // offset just past the end tag
	inherited map[string]string // prefix -> URI in scope at the parent
	own       map[string]bool   // prefixes declared on the element itself
	attrs     []xml.Attr        // raw attributes (prefixes unresolved)
}

// spans lists every element of doc in document order.
func spans(doc []byte) ([]span, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		idx   int
		scope map[string]string
	}
	var (
		out   []span
		stack []frame
	)
	for {
		off := dec.InputOffset()
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			parent, inherited := -1, map[string]string{}
			if len(stack) > 0 {
				parent, inherited = stack[len(stack)-1].idx, stack[len(stack)-1].scope
			}
			scope := make(map[string]string, len(inherited)+2)
			for p, u := range inherited {
				scope[p] = u
			}
			own := map[string]bool{}
			for _, a := range tok.Attr {
				switch {
				case a.Name.Space == "xmlns":
					scope[a.Name.Local], own[a.Name.Local] = a.Value, true
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					scope[""], own[""] = a.Value, true
				}
			}
			uri, ok := scope[tok.Name.Space]
			if !ok && tok.Name.Space != "" {
				return nil, fmt.Errorf("undeclared prefix %q", tok.Name.Space)
			}
			out = append(out, span{
				name: xml.Name{Space: uri, Local: tok.Name.Local}, parent: parent,
				start: off, startEnd: dec.InputOffset(), inherited: inherited, own: own,
				attrs: append([]xml.Attr(nil), tok.Attr...),
			})
			stack = append(stack, frame{idx: len(out) - 1, scope: scope})
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, errors.New("unbalanced end tag")
			}
			out[stack[len(stack)-1].idx].end = dec.InputOffset()
			stack = stack[:len(stack)-1]
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no element")
	}
	return out, nil
}

// attr returns the value of the unprefixed attribute local of s.
func (s span) attr(local string) string {
	for _, a := range s.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// cut returns the element of s as a standalone document: inherited namespace
// declarations are copied onto its start tag, and extra is inserted as its
// first content.
func cut(doc []byte, s span, extra string) []byte {
	var decls []string
	for p, u := range s.inherited {
		if s.own[p] {
			continue
		}
		if p == "" {
			decls = append(decls, fmt.Sprintf(` xmlns="%s"`, u))
		} else {
			decls = append(decls, fmt.Sprintf(` xmlns:%s="%s"`, p, u))
		}
	}
	sort.Strings(decls)
	tag := doc[s.start:s.startEnd]
	nameEnd := bytes.IndexAny(tag, " \t\r\n/>")
	var b bytes.Buffer
	b.Write(tag[:nameEnd])
	b.WriteString(strings.Join(decls, ""))
	b.Write(tag[nameEnd:])
	b.WriteString(extra)
	b.Write(doc[s.startEnd:s.end])
	return b.Bytes()
}

// children returns the indexes of the element children of span i.
func children(all []span, i int) []int {
	var out []int
	for j := i + 1; j < len(all); j++ {
		if all[j].parent == i {
			out = append(out, j)
		}
	}
	return out
}

// payloads returns the elements to validate in doc: the children of a SOAP
// Header and Body, or the root itself for a bare document.
func payloads(doc []byte) ([][]byte, []xml.Name, error) {
	all, err := spans(doc)
	if err != nil {
		return nil, nil, err
	}
	pick := []int{0}
	if all[0].name.Local == "Envelope" {
		pick = nil
		for _, c := range children(all, 0) {
			if l := all[c].name.Local; l == "Header" || l == "Body" {
				pick = append(pick, children(all, c)...)
			}
		}
	}
	var (
		docs  [][]byte
		names []xml.Name
	)
	for _, i := range pick {
		docs = append(docs, cut(doc, all[i], ""))
		names = append(names, all[i].name)
	}
	return docs, names, nil
}
