package papernodo

import (
	"encoding/xml"

	"github.com/ponte-pagopa/ponte/gateway"
	gen "github.com/ponte-pagopa/ponte/generated/papernodo"
)

const (
	esitoOK = "OK"
	esitoKO = "KO"
)

// Response element names.
var (
	nameInviaRTRisposta              = xml.Name{Space: NS, Local: "paaInviaRTRisposta"}
	nameInviaEsitoStornoRisposta     = xml.Name{Space: NS, Local: "paaInviaEsitoStornoRisposta"}
	nameInviaRichiestaRevocaRisposta = xml.Name{Space: NS, Local: "paaInviaRichiestaRevocaRisposta"}
)

// faultBean puts e on the wire with id = identificativoDominio. faultCode,
// faultString and id are always written (the schema requires them, and a
// bean without them is what the node cannot read).
func faultBean(e *gateway.Error, id string) *gen.FaultBean {
	fb := &gen.FaultBean{FaultCode: e.Code, FaultString: e.String, Id: id, Description: e.Description}
	if e.Serial != nil {
		n := int32(*e.Serial)
		fb.Serial = &n
	}
	return fb
}

// inviaRTRisposta is the paaInviaRT answer: esito OK without fault, or KO
// with it, nested as the schema wants
// (ppt:paaInviaRTRisposta/paaInviaRTRisposta/{fault?, esito}).
func inviaRTRisposta(e *gateway.Error, id string) *gen.PaaInviaRTRisposta {
	r := &gen.PaaInviaRTRisposta{}
	if e == nil {
		r.PaaInviaRTRisposta.Esito = esitoOK
		return r
	}
	r.PaaInviaRTRisposta.Fault = faultBean(e, id)
	r.PaaInviaRTRisposta.Esito = esitoKO
	return r
}
