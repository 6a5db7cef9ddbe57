package sil

import (
	"regexp"
	"slices"
	"testing"

	"github.com/ponte-pagopa/ponte/wsdl"
)

// The operation table must list exactly the operations of the WSDL Ponte
// serves, with the header flag matching the messages that carry
// intestazionePPT.
func TestOperationsMatchWSDL(t *testing.T) {
	src, err := wsdl.FS.ReadFile("PagamentiTelematiciDovutiPagati.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	var inWSDL []string
	for _, m := range regexp.MustCompile(`<wsdl:operation name="(paaSIL\w+)"`).FindAllSubmatch(src, -1) {
		if !slices.Contains(inWSDL, string(m[1])) {
			inWSDL = append(inWSDL, string(m[1]))
		}
	}
	var ours []string
	for _, op := range operations {
		ours = append(ours, op.name)
	}
	slices.Sort(inWSDL)
	slices.Sort(ours)
	if !slices.Equal(inWSDL, ours) {
		t.Fatalf("operations differ:\nWSDL %v\nours %v", inWSDL, ours)
	}
	for _, op := range operations {
		re := regexp.MustCompile(`(?s)<wsdl:message name="` + op.name + `"[^>]*>(.*?)</wsdl:message>`)
		m := re.FindSubmatch(src)
		if m == nil {
			t.Errorf("%s: no request message", op.name)
			continue
		}
		if hasHeader := regexp.MustCompile(`intestazionePPT`).Match(m[1]); hasHeader != op.header {
			t.Errorf("%s: header %v in the WSDL, %v in the table", op.name, hasHeader, op.header)
		}
	}
}
