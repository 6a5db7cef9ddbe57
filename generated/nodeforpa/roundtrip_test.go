package nodeforpa

import (
	"testing"

	"github.com/ponte-pagopa/ponte/generated/internal/wiretest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestSamples(t *testing.T) {
	const dir = "pagopa-nodo-dei-pagamenti-test/"
	wiretest.RunSamples(t, wiretest.Cases{
		dir + "nodoChiediElencoFlussiRendicontazione_T112.xml": func() any { return new(NodoChiediElencoFlussiRendicontazione) },
		dir + "nodoChiediFlussoRendicontazione_T112.xml":       func() any { return new(NodoChiediFlussoRendicontazione) },
	}, wiretest.Schema(t, "pagopa/pagopa-api/wsdl/xsd/nodeForPa.xsd"), xsdtest.Path("nodeForPa.xsd"))
}
