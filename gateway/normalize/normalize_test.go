package normalize

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

func TestAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Via Roma 1", "Via Roma 1"},
		{"Piazza San Marco, 1/A (int. 3) dell'Arco & C.", "Piazza San Marco, 1/A (int. 3) dell'Arco & C."},
		{"Via Nazionale già Sant'Andrea", "Via Nazionale gia Sant'Andrea"},
		{"Città di Castello", "Citta di Castello"},
		{"ÀÉÌÒÙ àèéìòù çñ", "AEIOU aeeiou cn"},
		{"Łódź", "Lodz"},
		{"Straße", "Stra e"},            // ß does not decompose
		{"Via#Roma;;;;1", "Via Roma 1"}, // a run of junk is one space
		{"Via\tRoma\n1", "Via Roma 1"},
		{"  Via Roma  ", "Via Roma"},
		{"€€€", ""},
		{"", ""},
		{"Via \"Roma\" n° 3", "Via  Roma  n  3"},
		{"Via Roma 1 👍", "Via Roma 1"},
		{"Виа", ""},
	} {
		if got := Address(c.in); got != c.want {
			t.Errorf("Address(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Runs are cut every 70 (address) and 16 (civico) characters.
	if got := Address("a" + strings.Repeat("#", 71) + "b"); got != "a  b" {
		t.Errorf("Address(71 junk) = %q", got)
	}
	if got := Address("a" + strings.Repeat("#", 70) + "b"); got != "a b" {
		t.Errorf("Address(70 junk) = %q", got)
	}
	if got := Civico("1" + strings.Repeat("#", 17) + "b"); got != "1  b" {
		t.Errorf("Civico(17 junk) = %q", got)
	}
	if got := Civico("12/bis°"); got != "12/bis" {
		t.Errorf("Civico = %q", got)
	}
}

func TestNation(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"IT", "IT"}, {"it", "IT"}, {"De", "DE"}, {"SM", "SM"}, {"VA", "VA"},
		{"XX", ""}, {"UK", ""}, {"ITA", ""}, {"", ""}, {" IT", ""}, {"I", ""},
	} {
		if got := Nation(c.in); got != c.want {
			t.Errorf("Nation(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if len(nations) != 249 {
		t.Errorf("%d nations, want 249", len(nations))
	}
}

// The embedded list matches the system's ISO 3166 table when there is one.
func TestNationsMatchTzdata(t *testing.T) {
	f, err := os.Open("/usr/share/zoneinfo/iso3166.tab")
	if err != nil {
		t.Skip("no iso3166.tab:", err)
	}
	defer f.Close()
	sys := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		code, _, _ := strings.Cut(line, "\t")
		sys[code] = true
		if _, ok := nations[code]; !ok {
			t.Errorf("%s missing from nations", code)
		}
	}
	for c := range nations {
		if !sys[c] {
			t.Errorf("%s not in iso3166.tab", c)
		}
	}
}

func TestProvince(t *testing.T) {
	for _, c := range []struct{ nation, in, want string }{
		{"IT", "VE", "VE"}, {"IT", "ve", "VE"}, {"it", "Rm", "RM"},
		{"IT", "SU", "SU"}, {"IT", "MB", "MB"}, {"IT", "BT", "BT"},
		{"IT", "XX", ""}, {"IT", "FO", ""}, {"IT", "", ""}, {"IT", "VEN", ""},
		{"DE", "VE", ""}, {"", "VE", ""},
	} {
		if got := Province(c.nation, c.in); got != c.want {
			t.Errorf("Province(%q,%q) = %q, want %q", c.nation, c.in, got, c.want)
		}
	}
	if len(provinces) != 107 {
		t.Errorf("%d provinces, want 107", len(provinces))
	}
}

func TestCAP(t *testing.T) {
	for _, c := range []struct{ nation, in, want string }{
		{"IT", "30100", "30100"}, {"it", "00118", "00118"},
		{"IT", "3010", ""}, {"IT", "301000", ""}, {"IT", "3010A", ""}, {"IT", "", ""},
		{"IT", "30 100", ""},
		{"FR", "75001", "75001"}, {"GB", "SW1A1AA", "SW1A1AA"},
		{"GB", "SW1A 1AA", ""}, {"PL", "00-950", ""}, // MyPay: alphanumerics only
		{"", "ABC123", "ABC123"}, {"US", "12345678901234567", ""},
		{"US", "1234567890123456", "1234567890123456"}, {"DE", "", ""},
	} {
		if got := CAP(c.nation, c.in); got != c.want {
			t.Errorf("CAP(%q,%q) = %q, want %q", c.nation, c.in, got, c.want)
		}
	}
}

func TestEmail(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"mario.rossi@example.it", true},
		{"m_r+tag@sub.example.com", true},
		{"o'brien@example.ie", true},
		{"a|b{c}~^`@host", true}, // the class is permissive
		{"x@localhost", true},
		{"x@1.2.3.4", true},
		{"", false},
		{"@example.it", false},
		{"mario@", false},
		{"mario@@example.it", false},
		{"mario rossi@example.it", false},
		{"mario@exa_mple.it", false},
		{"mario@example.it\n", false},
		{"màrio@example.it", false},
		{strings.Repeat("a", 250) + "@b.it", true},
		{strings.Repeat("a", 252) + "@b.it", false},
	} {
		if got := Email(c.in); got != c.want {
			t.Errorf("Email(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
