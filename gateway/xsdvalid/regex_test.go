package xsdvalid

import (
	"strings"
	"testing"
)

// Every pattern used by the SIL, RPT/RT and FlussoRiversamento schemas,
// with values that must and must not match.
func TestSchemaPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{`[0-9]{1,1}`, []string{"0", "9"}, []string{"", "10", "a", "٣"}},
		{`\d+\.\d{2}`, []string{"0.00", "123.45", "٣.٤٥"}, []string{"1.5", "1.000", "+1.00", "1,00", ".50", "1.00\n"}},
		{`[A-Z]{2,2}`, []string{"IT"}, []string{"it", "ITA", "I"}},
		{`[0129]{1}\/\S{3,138}`, []string{"9/abc", "0/3321.00", "2/" + strings.Repeat("x", 138)}, []string{"5/abc", "9/ab", "9/a c", "9/ab\tc", "2/" + strings.Repeat("x", 139)}},
		{`[0129]{1}/\S{3,138}`, []string{"1/xyz"}, []string{"1/xy"}},
		{`9\/\d{2}\d{2}\d{3}\w{2}\/\S{0,129}`, []string{"9/1234567AB/", "9/1234567àé/x"}, []string{"9/1234567A/", "9/1234567A-/x", "9/12345/x"}},
		{`[a-zA-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30}`, []string{"IT60X0542811101000000123456"}, []string{"IT6", "I760X"}},
		{`[A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1}`, []string{"UNCRITMM", "UNCRITMMXXX"}, []string{"UNCRIT1M", "UNCRITMO", "UNCRITMMXX"}},
		{`[a-zA-Z0-9_!#$%&'*+/=?` + "`" + `{|}~^.-]+@[a-zA-Z0-9.-]+`, []string{"a.b@c.it", "^x-{y}@h"}, []string{"a b@c", "@c", "a@b@c"}},
		{`[a-zA-Z0-9_\.\+\-]+@[a-zA-Z0-9\-]+(\.[a-zA-Z0-9\-]+)*`, []string{"a.b+c@d-e.f.it"}, []string{"a@b.", "a@b..c"}},
		{`.{1,70}`, []string{"x", strings.Repeat("é", 70)}, []string{"", "a\nb", strings.Repeat("x", 71)}},
		{`[a-zA-Z0-9\-_]{1,35}`, []string{"2024-05-31IDPSP_1"}, []string{"a#b", ""}},
		// Anchoring and literal ^ $ outside classes.
		{`a|b`, []string{"a", "b"}, []string{"ab"}},
		{`\^x\$`, []string{"^x$"}, []string{"x"}},
		{`[^\s]+`, []string{"abc"}, []string{"a b"}},
		{`[\w-]+`, []string{"ab-c"}, []string{"a b", "a.b"}},
		{`\i\c*`, []string{"_a1", "x.y-z"}, []string{"1a"}},
	}
	for _, tt := range tests {
		re, err := compilePattern(tt.pattern)
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		for _, s := range tt.match {
			if !re.MatchString(s) {
				t.Errorf("%s: %q should match", tt.pattern, s)
			}
		}
		for _, s := range tt.noMatch {
			if re.MatchString(s) {
				t.Errorf("%s: %q should not match", tt.pattern, s)
			}
		}
	}
}

func TestPatternErrors(t *testing.T) {
	for _, p := range []string{`[a-z-[aeiou]]`, `\q`, `a{x}`, `[abc`, `\p{IsBasicLatin}`, `a]`} {
		if _, err := compilePattern(p); err == nil {
			t.Errorf("%s: expected a compile error", p)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %q does not quote the pattern", p, err)
		}
	}
}
