package journal

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, in, want string
		secrets        []string
	}{
		{"plain", `<password>segreto1</password>`, `<password>***</password>`, []string{"segreto1"}},
		{"prefixed", `<ppt:password>segreto1</ppt:password>`, `<ppt:password>***</ppt:password>`, []string{"segreto1"}},
		{"mypivot", `<passwordMypivot>segreto2</passwordMypivot>`, `<passwordMypivot>***</passwordMypivot>`, []string{"segreto2"}},
		{"upper case", `<PASSWORD>segreto1</PASSWORD>`, `<PASSWORD>***</PASSWORD>`, []string{"segreto1"}},
		{"with attributes", `<ns:UserPassword xmlns:ns="urn:x" a='1'>segreto1</ns:UserPassword>`, `<ns:UserPassword xmlns:ns="urn:x" a='1'>***</ns:UserPassword>`, []string{"segreto1"}},
		{"blanks around", "<password>\n   segreto1 \n</password>", "<password>***</password>", []string{"segreto1"}},
		{"escaped", `<password>a&amp;b&lt;c</password>`, `<password>***</password>`, []string{"a&amp;b"}},
		{"cdata", `<password><![CDATA[seg<ret>o]]></password>`, `<password>***</password>`, []string{"seg", "ret"}},
		{"cut in text", `<a><password>segre`, `<a><password>***`, []string{"segre"}},
		{"cut in cdata", `<password><![CDATA[segre`, `<password>***`, []string{"segre"}},
		{"several", `<ppt:x><password>uno11111</password><elementoListaDovuti><password>ab12cd34</password></elementoListaDovuti></ppt:x>`,
			`<ppt:x><password>***</password><elementoListaDovuti><password>***</password></elementoListaDovuti></ppt:x>`, []string{"uno11111", "ab12cd34"}},
		{"attribute", `<x password="segreto1" other="keep"/>`, `<x password="***" other="keep"/>`, []string{"segreto1"}},
		{"prefixed attribute", `<x a:dbPassword='segreto1'>t</x>`, `<x a:dbPassword="***">t</x>`, []string{"segreto1"}},
		{"neighbours kept", `<password>p</password><codIpaEnte>C_H501</codIpaEnte>`, `<password>***</password><codIpaEnte>C_H501</codIpaEnte>`, nil},
		{"word in text kept", `<causale>password dimenticata</causale>`, `<causale>password dimenticata</causale>`, nil},
		{"empty element", `<password/><b>x</b>`, `<password/><b>x</b>`, nil},
		{"no xml", `nothing to see`, `nothing to see`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Mask(tt.in)
			if got != tt.want {
				t.Errorf("Mask(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			for _, s := range tt.secrets {
				if strings.Contains(got, s) {
					t.Errorf("secret %q survived: %q", s, got)
				}
			}
		})
	}
}

func TestCut(t *testing.T) {
	if got := Cut("abc", 3); got != "abc" {
		t.Fatalf("got %q", got)
	}
	if got := Cut("abcdef", 3); got != "abc"+CutMarker {
		t.Fatalf("got %q", got)
	}
	// "à" is two bytes: a cut at 3 must not split the second one.
	got := Cut("àààà", 3)
	if got != "à"+CutMarker || !utf8.ValidString(got) {
		t.Fatalf("got %q", got)
	}
	for n := 0; n < 12; n++ {
		if s := Cut("aé€😀b", n); !utf8.ValidString(s) {
			t.Fatalf("cut at %d gave invalid UTF-8 %q", n, s)
		}
	}
}
