package xsdvalid

import (
	"os"
	"testing"
)

const featBase = `<t:root xmlns:t="urn:test" version="1.0" id="r1">
<t:amount currency="EUR">12.50</t:amount>
<t:party kind="spa"><t:name>ACME	srl</t:name><t:vat>IT01234567890</t:vat></t:party>
<t:a>-5</t:a><t:b>true</t:b><t:c>3</t:c>
<t:when>10:00:00</t:when><t:year>2024</t:year>
<t:bag><t:z>2024-01-01</t:z><t:x>9</t:x></t:bag>
<t:note>free <t:em>text</t:em> here</t:note>
<local>tok</local>
<t:empty flag="0"/>
<o:other xmlns:o="urn:other"><o:anything/></o:other>
</t:root>`

func featureCases() []docCase {
	b := featBase
	return []docCase{
		{"base", b, true},
		{"minimal", `<root xmlns="urn:test"><amount currency="EUR">1</amount><a>1</a></root>`, true},
		{"choice repeated 3", mut(b, "<t:a>-5</t:a>", "<t:a>1</t:a><t:a>2</t:a>"), true},
		{"choice repeated 4", mut(b, "<t:a>-5</t:a>", "<t:a>1</t:a><t:a>2</t:a><t:a>3</t:a>"), false},
		{"choice missing", mut(b, "<t:a>-5</t:a><t:b>true</t:b><t:c>3</t:c>", ""), false},
		{"all any order", mut(b, "<t:z>2024-01-01</t:z><t:x>9</t:x>", "<t:y>0</t:y><t:z>2024-01-01</t:z><t:x>9</t:x>"), true},
		{"all missing", mut(b, "<t:x>9</t:x>", ""), false},
		{"all duplicate", mut(b, "<t:x>9</t:x>", "<t:x>9</t:x><t:x>8</t:x>"), false},
		{"nil note", mut(b, "<t:note>free <t:em>text</t:em> here</t:note>", `<t:note xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>`), true},
		{"nil note with content", mut(b, "<t:note>free", `<t:note xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true">free`), false},
		{"missing required attribute", mut(b, ` currency="EUR"`, ""), false},
		{"bad attribute pattern", mut(b, `currency="EUR"`, `currency="eur"`), false},
		{"fixed attribute wrong", mut(b, `version="1.0"`, `version="2.0"`), false},
		{"bad NCName attribute", mut(b, `id="r1"`, `id="1r"`), false},
		{"money zero", mut(b, ">12.50<", ">0<"), false},
		{"money 999.99", mut(b, ">12.50<", ">999.99<"), true},
		{"money 1000", mut(b, ">12.50<", ">1000<"), false},
		{"money fraction", mut(b, ">12.50<", ">12.505<"), false},
		{"money trailing zeros", mut(b, ">12.50<", ">12.5000<"), true},
		{"extension missing vat", mut(b, "<t:vat>IT01234567890</t:vat>", ""), false},
		{"extension missing kind", mut(b, ` kind="spa"`, ""), false},
		{"vat alt pattern", mut(b, "IT01234567890", "DE12345678901"), true},
		{"vat bad length", mut(b, "IT01234567890", "DE1234567890"), false},
		{"int overflow", mut(b, "<t:a>-5</t:a>", "<t:a>2147483648</t:a>"), false},
		{"positive zero", mut(b, "<t:c>3</t:c>", "<t:c>0</t:c>"), false},
		{"boolean bad", mut(b, "<t:b>true</t:b>", "<t:b>yes</t:b>"), false},
		{"time 24", mut(b, "10:00:00", "24:00:00"), true},
		{"time bad", mut(b, "10:00:00", "10:60:00"), false},
		{"gyear bad", mut(b, "<t:year>2024</t:year>", "<t:year>24</t:year>"), false},
		{"local qualified wrongly", mut(b, "<local>tok</local>", "<t:local>tok</t:local>"), false},
		{"empty with text", mut(b, `<t:empty flag="0"/>`, `<t:empty flag="0">x</t:empty>`), false},
		{"empty with whitespace", mut(b, `<t:empty flag="0"/>`, `<t:empty flag="0"> </t:empty>`), false},
		{"wildcard same namespace", mut(b, "<o:other", `<t:other/><o:other`), false},
		{"wildcard skip unknown", mut(b, `<o:anything/>`, `<o:anything a="1">text</o:anything>`), true},
		{"mixed text ok", mut(b, "free ", "lots of free "), true},
		{"xml lang attr rejected", mut(b, `id="r1"`, `id="r1" xml:lang="it"`), false},
	}
}

func TestDifferentialFeatures(t *testing.T) {
	differential(t, "testdata/features/features.xsd", featureCases())
}

// A reference into an imported namespace whose schema cannot be loaded is
// accepted laxly (xmllint refuses to compile such a schema).
func TestUnresolvedImportIsLax(t *testing.T) {
	fsys := os.DirFS("testdata/features")
	s, err := Compile(fsys, "lax.xsd")
	if err != nil {
		t.Fatal(err)
	}
	ok := `<d xmlns="urn:lax"><v>1</v><ext:Signature xmlns:ext="urn:external"><ext:anything a="b">x</ext:anything></ext:Signature></d>`
	if err := s.ValidateBytes([]byte(ok)); err != nil {
		t.Errorf("valid: %v", err)
	}
	wrong := `<d xmlns="urn:lax"><v>1</v><ext:Other xmlns:ext="urn:external"/></d>`
	if err := s.ValidateBytes([]byte(wrong)); err == nil {
		t.Error("element other than the referenced one accepted")
	}
	missing := `<d xmlns="urn:lax"><v>1</v></d>`
	if err := s.ValidateBytes([]byte(missing)); err == nil {
		t.Error("missing referenced element accepted")
	}
}
