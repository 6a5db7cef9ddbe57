package sil

import (
	"errors"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

// The payload parsers must never panic, and every failure must be a
// PAA_XML_NON_VALIDO *gateway.Error. Seeds live in testdata/fuzz/<Name>.

func fuzzService(f *testing.F) *Service {
	s := &Service{}
	if _, err := loadPayloadSchema(); err != nil {
		f.Fatal(err)
	}
	return s
}

func checkFuzzErr(t *testing.T, gerr *gateway.Error) {
	if gerr == nil {
		return
	}
	var ge *gateway.Error
	if !errors.As(error(gerr), &ge) || ge.Code != gateway.CodeXMLNonValido {
		t.Fatalf("unexpected error %v", gerr)
	}
}

func FuzzDecodeVersamento(f *testing.F) {
	s := fuzzService(f)
	f.Add([]byte(b64(vers{}.xml())))
	f.Add([]byte(b64(b64(vers{Bilancio: bilancio150}.xml()))))
	f.Add([]byte("not base64"))
	f.Fuzz(func(t *testing.T, text []byte) {
		v, gerr := s.decodeVersamento(text, "c_x000")
		checkFuzzErr(t, gerr)
		if gerr == nil && v == nil {
			t.Fatal("nil versamento without error")
		}
	})
}

func FuzzDecodeDovuti(f *testing.F) {
	s := fuzzService(f)
	f.Add([]byte(b64(dovutiXML("F", goodCF, goodEmail, "ALL", "", dov{}, dov{Extra: mbGood}))))
	f.Add([]byte(b64("<Dovuti/>")))
	f.Fuzz(func(t *testing.T, text []byte) {
		d, gerr := s.decodeDovuti(text, opInviaDovuti, "c_x000")
		checkFuzzErr(t, gerr)
		if gerr == nil && d == nil {
			t.Fatal("nil document without error")
		}
	})
}
