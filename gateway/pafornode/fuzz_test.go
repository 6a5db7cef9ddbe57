package pafornode

import (
	"encoding/xml"
	"errors"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/pafornode"
)

// FuzzCheckSendRTV2 feeds paSendRTV2Request elements to the body check.
// Seeds: the two below and testdata/fuzz/FuzzCheckSendRTV2. Whatever the input it must
// not panic; it fails only with PAA_SINTASSI_EXTRAXSD; a body it finds
// valid, re-encoded from the wire type, is valid again and decodes to
// the same receipt.
func FuzzCheckSendRTV2(f *testing.F) {
	f.Add([]byte(`<pafn:paSendRTV2Request xmlns:pafn="` + NS + `">` + ids(tDominio, tBroker, tStation) +
		receipt("a1b2c3d4e5f60718293a4b5c6d7e8f90", "302000000000000101", "02000000000000101", 12345) + `</pafn:paSendRTV2Request>`))
	f.Add([]byte(`<pafn:paVerifyPaymentNoticeReq xmlns:pafn="` + NS + `">` + ids(tDominio, tBroker, tStation) + qr(tDominio, "302000000000000101") + `</pafn:paVerifyPaymentNoticeReq>`))
	svc, err := New(Config{Store: nil2{}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var raw soap.Tree
		if xml.Unmarshal(body, &raw) != nil {
			return // the SOAP decoder answers those with a SOAP fault
		}
		var in gen.PaSendRTV2Request
		invalid, err := svc.check(&raw, &in)
		for _, e := range []error{invalid, err} {
			if e == nil {
				continue
			}
			var ge *gateway.Error
			if !errors.As(e, &ge) || ge.Code != CodeSintassiExtraXSD || ge.Description == "" || len(ge.Description) > maxDescription {
				t.Fatalf("error %v is not a bounded PAA_SINTASSI_EXTRAXSD", e)
			}
		}
		if err != nil || invalid != nil {
			return
		}
		out, err := xml.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var again soap.Tree
		if err := xml.Unmarshal(out, &again); err != nil {
			t.Fatal(err)
		}
		var back gen.PaSendRTV2Request
		if invalid, err := svc.check(&again, &back); invalid != nil || err != nil {
			t.Fatalf("re-encoded body refused: %v %v\n%s", invalid, err, out)
		}
		if back.Receipt.ReceiptId != in.Receipt.ReceiptId || back.Receipt.PaymentAmount != in.Receipt.PaymentAmount {
			t.Fatalf("round trip changed the receipt")
		}
	})
}

// nil2 is a Store that is never called: the check reads nothing.
type nil2 struct{ Store }
