// Package xsd holds Ponte's own XML schemas: the pagoPA payloads and SOAP
// body types, and standalone copies of the schemas that the WSDLs in ../wsdl
// carry inline, so that messages can be validated with xmllint.
package xsd

import "embed"

// FS holds every .xsd file of this directory.
//
//go:embed *.xsd
var FS embed.FS
