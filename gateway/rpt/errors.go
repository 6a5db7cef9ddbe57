package rpt

import "fmt"

// SchemaError is a document that is not well-formed or not valid against
// PagInf_RPT_RT_6_2_0 (the node answers PPT_SINTASSI_XSD, an ente
// PAA_SINTASSI_XSD). Err is the validator's message, with its line.
type SchemaError struct {
	Doc string // "RPT" or "RT"
	Err error
}

func (e *SchemaError) Error() string {
	return e.Doc + " not valid against PagInf_RPT_RT_6_2_0: " + e.Err.Error()
}

func (e *SchemaError) Unwrap() error { return e.Err }

// InvalidError is a schema-valid document, or a Request or Outcome given to
// a builder, whose content is inconsistent (the node answers PPT_SEMANTICA).
type InvalidError struct {
	Doc   string
	Field string
	Msg   string
}

func (e *InvalidError) Error() string { return e.Doc + " " + e.Field + ": " + e.Msg }

func invalid(doc, field, format string, args ...any) *InvalidError {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	return &InvalidError{Doc: doc, Field: field, Msg: format}
}
