package wire

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestAmountText(t *testing.T) {
	for _, c := range []struct {
		cents gateway.Cents
		text  string
	}{{0, "0.00"}, {1, "0.01"}, {1050, "10.50"}, {100001050, "1000010.50"}} {
		b, err := AmountOf(c.cents).MarshalText()
		if err != nil || string(b) != c.text {
			t.Errorf("%d: %q %v, want %q", c.cents, b, err, c.text)
		}
		var a Amount
		if err := a.UnmarshalText([]byte(c.text)); err != nil || a.Cents() != c.cents {
			t.Errorf("%q: %d %v", c.text, a, err)
		}
	}
	for _, bad := range []string{"10.5", "10", "1.0000105e+06", "10.500", "-1.00", ""} {
		var a Amount
		if err := a.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q accepted as %d", bad, a)
		}
	}
}

func TestBase64Text(t *testing.T) {
	var b Base64
	if err := b.UnmarshalText([]byte("PFJQ\r\n VC8+\n")); err != nil || string(b) != "<RPT/>" {
		t.Fatalf("%q %v", b, err)
	}
	out, _ := Base64("<RPT/>").MarshalText()
	if string(out) != "PFJQVC8+" {
		t.Errorf("%s", out)
	}
	if err := b.UnmarshalText([]byte("not base64!")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestDatesKeepText(t *testing.T) {
	var v struct {
		XMLName xml.Name `xml:"x"`
		D       Date     `xml:"d"`
		DT      DateTime `xml:"dt"`
	}
	in := `<x><d>2026-11-23</d><dt>2026-11-23T17:13:30.123+01:00</dt></x>`
	if err := xml.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	out, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "<d>2026-11-23</d><dt>2026-11-23T17:13:30.123+01:00</dt>") {
		t.Errorf("dates rewritten: %s", out)
	}
	rome, _ := time.LoadLocation("Europe/Rome")
	tm, err := DateTime("2026-11-23T17:13:30").Time(rome)
	if err != nil || tm.Hour() != 17 || tm.Location() != rome {
		t.Errorf("%v %v", tm, err)
	}
	if DateTimeOf(tm) != "2026-11-23T17:13:30" || DateOf(tm) != "2026-11-23" {
		t.Error("formatting")
	}
	d, err := Date("2026-11-23").Time(rome)
	if err != nil || d.Day() != 23 {
		t.Errorf("%v %v", d, err)
	}
}

func TestRoot(t *testing.T) {
	name := xml.Name{Space: "urn:x", Local: "req"}
	got := Root(xml.StartElement{Name: xml.Name{Local: "Req"}}, "Req", name)
	if got.Name.Local != "ns:req" || got.Attr[0].Value != "urn:x" {
		t.Errorf("%+v", got)
	}
	given := xml.StartElement{Name: xml.Name{Local: "ppt:req"}}
	if got := Root(given, "Req", name); got.Name.Local != "ppt:req" || len(got.Attr) != 0 {
		t.Errorf("prefixed start changed: %+v", got)
	}
}
