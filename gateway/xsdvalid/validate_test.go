package xsdvalid

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestRejectsDoctype(t *testing.T) {
	s := projectDovuti(t)
	doc := `<?xml version="1.0"?><!DOCTYPE Versamento [<!ENTITY x "y">]>` + versamentoMinimal
	err := s.ValidateBytes([]byte(doc))
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Msg, "DOCTYPE") {
		t.Fatalf("got %v, want DOCTYPE refusal", err)
	}
}

func TestDepthLimitMessage(t *testing.T) {
	s := compileFeatures(t)
	// The lax wildcard lets arbitrary nesting through, so only the depth
	// cap rejects this document.
	inner := strings.Repeat("<o:x>", MaxDepth) + strings.Repeat("</o:x>", MaxDepth)
	doc := mut(featBase, `<o:anything/>`, inner)
	err := s.ValidateBytes([]byte(doc))
	if err == nil || !strings.Contains(err.Error(), "nesting exceeds") {
		t.Fatalf("got %v, want depth error", err)
	}
	ok := mut(featBase, `<o:anything/>`, strings.Repeat("<o:x>", 40)+strings.Repeat("</o:x>", 40))
	if err := s.ValidateBytes([]byte(ok)); err != nil {
		t.Fatalf("nesting 40 rejected: %v", err)
	}
}

func compileFeatures(t *testing.T) *Schema {
	return compileFile(t, "testdata/features/features.xsd")
}

func TestValidateReaderWithBOM(t *testing.T) {
	s := projectDovuti(t)
	if err := s.Validate(strings.NewReader("\xef\xbb\xbf" + versamentoDoc)); err != nil {
		t.Fatal(err)
	}
	err := s.Validate(strings.NewReader(mut(versamentoDoc, ">123.45<", ">10.5<")))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v", err)
	}
	if ve.Element != "importoSingoloVersamento" || ve.Line != 22 || !strings.Contains(ve.Msg, "pattern") {
		t.Errorf("unexpected error fields: %+v", ve)
	}
	want := `line 22: element importoSingoloVersamento: cvc-pattern-valid: value "10.5" is not facet-valid with respect to pattern '\d+\.\d{2}' for type 'stImportoPositivo'`
	if ve.Error() != want {
		t.Errorf("Error() = %s\nwant      %s", ve.Error(), want)
	}
}

func TestUnqualifiedChildMessage(t *testing.T) {
	s := projectDovuti(t)
	err := s.ValidateBytes([]byte(mut(versamentoDoc, "<azione>I</azione>", `<azione xmlns="">I</azione>`)))
	want := "element Versamento: cvc-complex-type.2.4.a: unexpected element azione (no namespace), expected {" + nsEnte + "}azione"
	if err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("got %v\nwant suffix %s", err, want)
	}
}

func TestConcurrentValidation(t *testing.T) {
	s := projectDovuti(t)
	bad := []byte(mut(versamentoDoc, ">123.45<", ">0.00<"))
	good := []byte(versamentoDoc)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if err := s.ValidateBytes(good); err != nil {
					t.Errorf("goroutine %d: %v", i, err)
					return
				}
				if err := s.ValidateBytes(bad); err == nil {
					t.Errorf("goroutine %d: invalid accepted", i)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestCompileErrors(t *testing.T) {
	fsys := mapFS{
		"sub.xsd":   `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" substitutionGroup="b"/></xs:schema>`,
		"list.xsd":  `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="l"><xs:list itemType="xs:int"/></xs:simpleType></xs:schema>`,
		"undef.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="nope"/></xs:schema>`,
		"pat.xsd":   `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="p"><xs:restriction base="xs:string"><xs:pattern value="[a-z-[aeiou]]"/></xs:restriction></xs:simpleType></xs:schema>`,
		"key.xsd":   `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a"><xs:key name="k"><xs:selector xpath="."/><xs:field xpath="@id"/></xs:key></xs:element></xs:schema>`,
	}
	for name := range fsys {
		if _, err := Compile(fsys, name); err == nil {
			t.Errorf("%s: expected compile error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
