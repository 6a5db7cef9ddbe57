package papernodo

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
		dir + "paaInviaRTRisposta_OK.xml":                       func() any { return new(PaaInviaRTRisposta) },
		dir + "paaInviaRTRisposta_KO_PAA_RT_DUPLICATA_T003.xml": func() any { return new(PaaInviaRTRisposta) },
	}, xsdtest.Path("papernodo-types.xsd"))
}

// Our paaInviaRT answer: fault first, children unqualified, required
// faultString written even when empty.
func TestPaaInviaRTRispostaFault(t *testing.T) {
	v := PaaInviaRTRisposta{PaaInviaRTRisposta: EsitoPaaInviaRT{
		Risposta: Risposta{Fault: &FaultBean{FaultCode: "PAA_RT_DUPLICATA", Id: "80007580279"}},
		Esito:    "KO",
	}}
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	xsdtest.Validate(t, xsdtest.Path("papernodo-types.xsd"), b)
	if !strings.Contains(string(b), "<faultString></faultString>") {
		t.Errorf("required faultString dropped: %s", b)
	}
	var back PaaInviaRTRisposta
	if err := xml.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.PaaInviaRTRisposta.Fault == nil || back.PaaInviaRTRisposta.Fault.FaultCode != "PAA_RT_DUPLICATA" {
		t.Errorf("decoded %+v", back)
	}
}
