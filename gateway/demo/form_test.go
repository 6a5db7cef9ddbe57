package demo

import (
	"encoding/base64"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestParseEuro(t *testing.T) {
	good := map[string]gateway.Cents{
		"25": 2500, "25,5": 2550, "25,50": 2550, "25.50": 2550, "1.234,56": 123456, "€ 7,05": 705, "0,01": 1, " 3 €": 300,
	}
	for in, want := range good {
		if got, ok := parseEuro(in); !ok || got != want {
			t.Errorf("parseEuro(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "12,345", "1,2,3", "-5", "12.5.0", ",50", "1e3", "9999999999999"} {
		if got, ok := parseEuro(in); ok {
			t.Errorf("parseEuro(%q) = %d, want refused", in, got)
		}
	}
}

func TestFormatEuro(t *testing.T) {
	for c, want := range map[gateway.Cents]string{0: "€ 0,00", 5: "€ 0,05", 2550: "€ 25,50", 123456789: "€ 1.234.567,89"} {
		if got := formatEuro(c); got != want {
			t.Errorf("formatEuro(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestPagatiDecoding(t *testing.T) {
	doc := pagatiXML("0", "12.00")
	xsdtest.Validate(t, xsdtest.Path("PagInf_Dovuti_Pagati_6_2_0.xsd"), []byte(doc)) // the fixture is a real Pagati
	once := base64.StdEncoding.EncodeToString([]byte(doc))
	for name, text := range map[string]string{"double": base64.StdEncoding.EncodeToString([]byte(once)), "single": once} {
		p, err := parsePagati(text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if p.Dati.Esito != "0" || p.Dati.IUV != "01000000000012345" || p.RicevutaID != "RT-7F3A21" || len(p.Dati.Singoli) != 1 {
			t.Errorf("%s: %+v", name, p)
		}
	}
	if _, err := parsePagati(base64.StdEncoding.EncodeToString([]byte(`<Pagati/>`))); err == nil {
		t.Error("a Pagati outside the payload namespace was accepted")
	}
}

func TestPlainCausale(t *testing.T) {
	for in, want := range map[string]string{
		"/RFB/01000000000012345/42.50/TXT/Mensa novembre": "Mensa novembre",
		"/RFS/RF23567483937849450550875/10.00/TXT/TARI":   "TARI",
		"TARI 2025 rata unica":                            "TARI 2025 rata unica",
		"/RFB/01000000000012345/42.50":                    "/RFB/01000000000012345/42.50",
	} {
		if got := plainCausale(in); got != want {
			t.Errorf("plainCausale(%q) = %q, want %q", in, got, want)
		}
	}
}
