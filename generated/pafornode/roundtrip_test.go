package pafornode

import (
	"testing"

	"github.com/ponte-pagopa/ponte/generated/internal/wiretest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestSamples(t *testing.T) {
	const sanp, nodo = "pagopa-api-SANP2.5.1/", "pagopa-nodo-dei-pagamenti-test/"
	wiretest.RunSamples(t, wiretest.Cases{
		sanp + "200PaVerifyPaymentNotice.xml":  func() any { return new(PaVerifyPaymentNoticeRes) },
		nodo + "paVerifyPaymentNoticeRes.xml":  func() any { return new(PaVerifyPaymentNoticeRes) },
		sanp + "ReqPaGetPayment.xml":           func() any { return new(PaGetPaymentReq) },
		sanp + "200PaGetPayment.xml":           func() any { return new(PaGetPaymentRes) },
		nodo + "paGetPaymentRes.xml":           func() any { return new(PaGetPaymentRes) },
		sanp + "ReqPaSendRT.xml":               func() any { return new(PaSendRTReq) },
		sanp + "200PaSendRT.xml":               func() any { return new(PaSendRTRes) },
		nodo + "paSendRTRes_KO.xml":            func() any { return new(PaSendRTRes) },
		"wisp-converter/paSendRTV2Request.xml": func() any { return new(PaSendRTV2Request) },
	}, wiretest.Schema(t, "pagopa/pagopa-api/wsdl/xsd/paForNode.xsd"), xsdtest.Path("paForNode.xsd"))
}
