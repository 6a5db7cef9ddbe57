package nodoperpa

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/generated/internal/wiretest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestSamples(t *testing.T) {
	const dir = "pagopa-nodo-dei-pagamenti-test/"
	wiretest.RunSamples(t, wiretest.Cases{
		dir + "nodoInviaRPT_T003.xml":                          func() any { return new(NodoInviaRPT) },
		"wisp-converter/nodoInviaRPT.xml":                      func() any { return new(NodoInviaRPT) },
		dir + "nodoInviaCarrelloRPT_5RPT_T001.xml":             func() any { return new(NodoInviaCarrelloRPT) },
		dir + "nodoInviaCarrelloRPT_multibeneficiario.xml":     func() any { return new(NodoInviaCarrelloRPT) },
		dir + "nodoChiediCopiaRT_T113.xml":                     func() any { return new(NodoChiediCopiaRT) },
		dir + "nodoChiediStatoRPT_T101.xml":                    func() any { return new(NodoChiediStatoRPT) },
		dir + "nodoChiediListaPendentiRPT_T105.xml":            func() any { return new(NodoChiediListaPendentiRPT) },
		dir + "nodoChiediElencoFlussiRendicontazione_T112.xml": func() any { return new(NodoChiediElencoFlussiRendicontazione) },
		dir + "nodoChiediFlussoRendicontazione_T112.xml":       func() any { return new(NodoChiediFlussoRendicontazione) },
	}, xsdtest.Path("nodoperpa-types.xsd"))
}

// base64Binary content travels coded; decoding accepts wrapped lines.
func TestNodoInviaRPTBase64(t *testing.T) {
	v := NodoInviaRPT{Password: "password01", IdentificativoPSP: "ABI03069", IdentificativoIntermediarioPSP: "ABI03069", IdentificativoCanale: "C1", Rpt: []byte("<RPT/>")}
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "<rpt>PFJQVC8+</rpt>") {
		t.Errorf("rpt not base64: %s", b)
	}
	xsdtest.Validate(t, xsdtest.Path("nodoperpa-types.xsd"), b)
	wrapped := strings.Replace(string(b), "PFJQVC8+", "PFJQ\r\n  VC8+", 1)
	var back NodoInviaRPT
	if err := xml.Unmarshal([]byte(wrapped), &back); err != nil {
		t.Fatal(err)
	}
	if string(back.Rpt) != "<RPT/>" {
		t.Errorf("rpt = %q", back.Rpt)
	}
}

// The header travels next to the body; its children are unqualified too.
func TestIntestazionePPT(t *testing.T) {
	h := IntestazionePPT{
		IdentificativoIntermediarioPA: "80007580279", IdentificativoStazioneIntermediarioPA: "80007580279_01",
		IdentificativoDominio: "80007580279", IdentificativoUnivocoVersamento: "RF23000000000000000001234", CodiceContestoPagamento: "n/a",
	}
	b, err := xml.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	xsdtest.Validate(t, xsdtest.Path("nodoperpa-ppthead.xsd"), b)
	var back IntestazionePPT
	if err := xml.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.CodiceContestoPagamento != "n/a" {
		t.Errorf("decoded %+v", back)
	}
}
