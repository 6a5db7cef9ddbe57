package checkout

import (
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestFormatEuro(t *testing.T) {
	for _, tc := range []struct {
		c    gateway.Cents
		want string
	}{
		{0, "€ 0,00"}, {1, "€ 0,01"}, {10, "€ 0,10"}, {100, "€ 1,00"}, {99999, "€ 999,99"},
		{100000, "€ 1.000,00"}, {123456, "€ 1.234,56"}, {12345678, "€ 123.456,78"},
		{gateway.MaxAmount, "€ 999.999.999,99"}, {-123456, "€ -1.234,56"},
	} {
		if got := formatEuro(tc.c); got != tc.want {
			t.Errorf("formatEuro(%d) = %q, want %q", tc.c, got, tc.want)
		}
	}
}

func TestReturnURL(t *testing.T) {
	for _, tc := range []struct{ base, esito, want string }{
		{"https://ente.it/back", "OK", "https://ente.it/back?idSession=S+1%2F2&esito=OK"},
		{"https://ente.it/back?", "OK", "https://ente.it/back?idSession=S+1%2F2&esito=OK"},
		// The ente's own parameters stay as written and in their order.
		{"https://ente.it/back?z=1&a=%C3%A8+x&flag", "ERROR", "https://ente.it/back?z=1&a=%C3%A8+x&flag&idSession=S+1%2F2&esito=ERROR"},
		// Ponte's parameters replace stale ones.
		{"https://ente.it/back?esito=OK&idSession=old&p=2", "ERROR", "https://ente.it/back?p=2&idSession=S+1%2F2&esito=ERROR"},
		{"https://ente.it/back?x=1#frammento", "OK", "https://ente.it/back?x=1&idSession=S+1%2F2&esito=OK#frammento"},
		{" http://ente.it:8080/p ", "OK", "http://ente.it:8080/p?idSession=S+1%2F2&esito=OK"},
		{"", "OK", ""},
		{"javascript:alert(1)", "OK", ""},
		{"/relativo", "OK", ""},
		{"ftp://ente.it/x", "OK", ""},
	} {
		c := &gateway.Cart{IDSession: "S 1/2", ReturnURL: tc.base}
		if got := returnURL(c, tc.esito); got != tc.want {
			t.Errorf("returnURL(%q) = %q, want %q", tc.base, got, tc.want)
		}
	}
}
