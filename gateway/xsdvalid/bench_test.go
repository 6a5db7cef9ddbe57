package xsdvalid

import (
	"testing"

	"github.com/ponte-pagopa/ponte/wsdl"
)

// projectDovuti compiles the project's own SIL payload schema.
func projectDovuti(tb testing.TB) *Schema {
	tb.Helper()
	s, err := Compile(wsdl.FS, "PagInf_Dovuti_Pagati_6_2_0.xsd")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func BenchmarkValidateVersamento(b *testing.B) {
	s := projectDovuti(b)
	doc := []byte(versamentoDoc)
	if err := s.ValidateBytes(doc); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.ValidateBytes(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompileDovuti(b *testing.B) {
	for b.Loop() {
		projectDovuti(b)
	}
}
