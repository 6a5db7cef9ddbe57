package exportcsv

import "testing"

func TestAppend(t *testing.T) {
	for _, c := range []struct{ in, text, value string }{
		{"", "", ""},
		{"abc", `"abc"`, `"abc"`},
		{`a"b""`, `"a""b"""""`, `"a""b"""""`},
		{"=1+2", `"'=1+2"`, `"=1+2"`},
		{"+39", `"'+39"`, `"+39"`},
		{"-5.00", `"'-5.00"`, `"-5.00"`},
		{"@SUM", `"'@SUM"`, `"@SUM"`},
		{"\tx", "\"'\tx\"", "\"\tx\""},
		{"\rx", "\"'\rx\"", "\"\rx\""},
		{"a=b\nc", "\"a=b\nc\"", "\"a=b\nc\""},
	} {
		if got := string(AppendText(nil, c.in)); got != c.text {
			t.Errorf("AppendText(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := string(AppendTextBytes(nil, []byte(c.in))); got != c.text {
			t.Errorf("AppendTextBytes(%q) = %q, want %q", c.in, got, c.text)
		}
		if got := string(AppendValue(nil, c.in)); got != c.value {
			t.Errorf("AppendValue(%q) = %q, want %q", c.in, got, c.value)
		}
	}
}
