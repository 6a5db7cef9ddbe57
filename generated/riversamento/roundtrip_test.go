package riversamento

import (
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/generated/internal/wiretest"
)

func TestFlussoRiversamentoSample(t *testing.T) {
	_, doc := wiretest.Payload(t, wiretest.Sample(t, "pagopa-nodo-dei-pagamenti-test/FlussoRiversamento_sample.xml"))
	var f FlussoRiversamento
	out := wiretest.RoundTrip(t, doc, &f, wiretest.Schema(t, "pagopa/pagopa-api/xsd-common/FlussoRiversamento_1_0_4.xsd"))
	if len(f.DatiSingoliPagamenti) == 0 {
		t.Fatal("datiSingoliPagamenti lost")
	}
	if !strings.Contains(string(out), ">"+f.ImportoTotalePagamenti.String()+"<") {
		t.Errorf("importoTotalePagamenti %s not written as read", f.ImportoTotalePagamenti)
	}
}
