package wire

import (
	"encoding/base64"
	"strings"
)

// Base64 is xsd:base64Binary: the decoded bytes in Go, standard base64 text
// on the wire. Decoding ignores the line breaks and spaces SOAP stacks insert.
type Base64 []byte

// MarshalText writes standard padded base64 on one line.
func (b Base64) MarshalText() ([]byte, error) {
	out := make([]byte, base64.StdEncoding.EncodedLen(len(b)))
	base64.StdEncoding.Encode(out, b)
	return out, nil
}

// UnmarshalText decodes standard base64, ignoring XML whitespace.
func (b *Base64) UnmarshalText(text []byte) error {
	s := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, string(text))
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	*b = out
	return nil
}
