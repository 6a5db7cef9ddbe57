// Package wsdl holds the WSDL documents Ponte serves and implements, together
// with the SIL payload schema that the SIL WSDL imports by a bare relative
// location (so both can be served side by side under /ws/pa/).
package wsdl

import "embed"

// FS holds every .wsdl and .xsd file of this directory.
//
//go:embed *.wsdl *.xsd
var FS embed.FS
