package iuv

import "testing"

// FuzzIUVFromNumeroAvviso: never panics, and whatever it accepts is
// consistent with NumeroAvviso.
func FuzzIUVFromNumeroAvviso(f *testing.F) {
	for _, s := range []string{"301000000000000144", "002123456789012353", "01000000000000144", "123456789012353", "", "1", "3", "0xx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, nav string) {
		iuv, err := IUVFromNumeroAvviso(nav)
		if err != nil {
			if iuv != "" {
				t.Fatalf("error with IUV %q", iuv)
			}
			return
		}
		switch len(nav) {
		case 15, 17:
			if iuv != nav {
				t.Fatalf("%q → %q", nav, iuv)
			}
			return
		case 18:
		default:
			t.Fatalf("accepted length %d", len(nav))
		}
		if !allDigits(nav) {
			return
		}
		var back string
		switch nav[0] {
		case '3':
			back, err = NumeroAvviso(3, "", iuv)
		case '0':
			back, err = NumeroAvviso(0, nav[1:3], iuv)
		default:
			t.Fatalf("accepted aux digit %c", nav[0])
		}
		if err != nil || back != nav {
			t.Fatalf("%q → %q → %q, %v", nav, iuv, back, err)
		}
		_ = FormatNumeroAvviso(nav)
		_ = NAVCheckDigitsValid(nav)
	})
}
