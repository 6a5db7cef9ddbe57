// Package wire holds the XML value types shared by the generated SOAP and
// payload packages: exact two-decimal amounts, dates kept as their text,
// base64 content and the prefixed root that keeps unqualified children in no
// namespace.
package wire
