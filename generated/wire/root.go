package wire

import "encoding/xml"

// RootPrefix is the prefix Root binds to the root's namespace.
const RootPrefix = "ns"

// Root picks the start element for a generated root type of a schema without
// elementFormDefault="qualified", and writes it as <ns:name xmlns:ns="…">.
// encoding/xml would otherwise declare the namespace as the default one and
// pull the unqualified children into it.
//
// encoding/xml hands a Marshaler a start named after the Go type when the
// caller chose no name (xml.Marshal); that start is replaced by the element
// name. A start without a namespace, such as an already prefixed
// "ppt:paaSILImportaDovutoRisposta", is kept as given.
func Root(start xml.StartElement, goType string, name xml.Name) xml.StartElement {
	if start.Name.Space == "" && start.Name.Local == goType {
		start.Name = name
	}
	if start.Name.Space == "" {
		return start
	}
	attrs := make([]xml.Attr, 0, len(start.Attr)+1)
	attrs = append(attrs, xml.Attr{Name: xml.Name{Local: "xmlns:" + RootPrefix}, Value: start.Name.Space})
	attrs = append(attrs, start.Attr...)
	return xml.StartElement{Name: xml.Name{Local: RootPrefix + ":" + start.Name.Local}, Attr: attrs}
}
