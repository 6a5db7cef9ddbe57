package node

import (
	"encoding/xml"
	"errors"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

// FuzzDecodeResponse feeds arbitrary bytes to the decoder of every
// operation's answer and to the checks that turn it into an error. Nothing
// may panic or run away, and every failure must be a *NodeFault or wrap
// ErrMalformed. The committed corpus under
// testdata/fuzz/FuzzDecodeResponse runs as an ordinary test.
func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(envelope(`<ppt:nodoInviaRPTRisposta xmlns:ppt="` + nsPPT + `"><esito>OK</esito><redirect>1</redirect><url>u</url></ppt:nodoInviaRPTRisposta>`)))
	const limit = 256 << 10
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		check := func(op string, v any, interpret func() error) {
			err := decodeResponse(data, xml.Name{Space: nsPPT, Local: op + "Risposta"}, v, limit)
			if err == nil {
				err = interpret()
			}
			var nf *NodeFault
			if err != nil && !errors.As(err, &nf) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s: unexpected error %T %v", op, err, err)
			}
			if nf != nil {
				_ = nf.Error() // must not panic on any field combination
			}
		}
		var a nodoperpa.NodoInviaRPTRisposta
		check("nodoInviaRPT", &a, func() error { return koFault(a.Fault, a.Esito) })
		var b nodoperpa.NodoInviaCarrelloRPTRisposta
		check("nodoInviaCarrelloRPT", &b, func() error { return carrelloFault(&b) })
		var c nodoperpa.NodoChiediStatoRPTRisposta
		check("nodoChiediStatoRPT", &c, func() error { return koFault(c.Fault, "") })
		var d nodoperpa.NodoChiediCopiaRTRisposta
		check("nodoChiediCopiaRT", &d, func() error { return koFault(d.Fault, "") })
		var e nodoperpa.NodoChiediListaPendentiRPTRisposta
		check("nodoChiediListaPendentiRPT", &e, func() error { return koFault(e.Fault, "") })
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v on %d bytes", d, len(data))
		}
	})
}
