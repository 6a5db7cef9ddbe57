package xsdvalid

import (
	"errors"
	"testing"
)

// FuzzValidate checks that arbitrary input never panics and that every
// rejection is a *ValidationError. Seeds live in testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	s := projectDovuti(f)
	f.Add([]byte(versamentoMinimal))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := s.ValidateBytes(data)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("error %T is not a *ValidationError: %v", err, err)
		}
	})
}
