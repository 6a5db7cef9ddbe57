// Package xsdvalid is a small, pure-Go XML Schema 1.0 validator for the
// subset of XSD used by the SIL and pagoPA payload schemas (Dovuti/Pagati,
// RPT/RT, FlussoRiversamento). It exists so that the production binary,
// built with CGO_ENABLED=0 and without xmllint, can reject payloads that fail
// the schema the way MyPay does.
//
// A Schema is compiled once (regular expressions, content automata) and is
// then immutable and safe for concurrent use. Validation streams
// encoding/xml tokens and stops at the first error.
//
// Unsupported schema constructs (substitution groups, identity constraints,
// list/union types, character-class subtraction, ...) make Compile fail
// rather than being silently ignored.
package xsdvalid
