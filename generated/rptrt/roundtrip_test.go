package rptrt

import (
	"testing"

	"github.com/ponte-pagopa/ponte/generated/internal/wiretest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func schemas(t *testing.T) []string {
	return []string{
		wiretest.Schema(t, "pagopa/pagopa-api/gad/xsd/PagInf_RPT_RT_6_2_0.xsd"),
		xsdtest.Path("PagInf_RPT_RT_6_2_0.xsd"),
	}
}

func TestRPTSamples(t *testing.T) {
	for _, c := range []struct {
		sample string
		dsv    int
	}{
		{"pagopa-nodo-dei-pagamenti-test/RPT1_cart5_T001.xml", 5},
		{"pagopa-nodo-dei-pagamenti-test/RPT_T003.xml", 1},
		{"pagopa-nodo-dei-pagamenti-test/RPT1_multibeneficiario.xml", 1},
		{"pagopa-nodo-dei-pagamenti-test/RPT2_multibeneficiario.xml", 1},
		{"wisp-converter/rpt.xml", 1},
		{"wisp-converter/rptBollo.xml", 2},
	} {
		t.Run(c.sample, func(t *testing.T) {
			_, doc := wiretest.Payload(t, wiretest.Sample(t, c.sample))
			for _, s := range schemas(t) {
				var rpt RPT
				wiretest.RoundTrip(t, doc, &rpt, s)
				if n := len(rpt.DatiVersamento.DatiSingoloVersamento); n != c.dsv {
					t.Errorf("datiSingoloVersamento: %d, want %d", n, c.dsv)
				}
			}
		})
	}
}

func TestRTSample(t *testing.T) {
	_, doc := wiretest.Payload(t, wiretest.Sample(t, "pagopa-nodo-dei-pagamenti-test/RT_T003.xml"))
	for _, s := range schemas(t) {
		var rt RT
		wiretest.RoundTrip(t, doc, &rt, s)
		if len(rt.DatiPagamento.DatiSingoloPagamento) == 0 {
			t.Error("datiSingoloPagamento lost")
		}
	}
}
