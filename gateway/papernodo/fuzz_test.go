package papernodo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	gen "github.com/ponte-pagopa/ponte/generated/papernodo"
)

// FuzzDecodeBody feeds paaInviaRT body elements to the decoder. Seeds are
// in testdata/fuzz/FuzzDecodeBody. Whatever the input, decoding must not
// panic, must fail only with PAA_SINTASSI_EXTRAXSD, and what it accepts
// must survive a round trip through the generated wire type.
func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(`<ppt:paaInviaRT xmlns:ppt="http://ws.pagamenti.telematici.gov/"><tipoFirma></tipoFirma><rt>PFJULz4=</rt></ppt:paaInviaRT>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeBody(body)
		if err != nil {
			var ge *gateway.Error
			if !errors.As(err, &ge) || ge.Code != CodeSintassiExtraXSD || ge.String == "" || ge.Description == "" {
				t.Fatalf("error %v is not a complete PAA_SINTASSI_EXTRAXSD", err)
			}
			if len(ge.Description) > maxDescription+len("…") {
				t.Fatalf("description of %d bytes", len(ge.Description))
			}
			return
		}
		out, err := xml.Marshal(gen.PaaInviaRT{TipoFirma: got.TipoFirma, Rt: got.Rt})
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeBody(out)
		if err != nil {
			t.Fatalf("re-encoded body refused: %v\n%s", err, out)
		}
		if back.TipoFirma != got.TipoFirma || !bytes.Equal(back.Rt, got.Rt) {
			t.Fatalf("round trip changed the body: %q/%q, then %q/%q", got.TipoFirma, got.Rt, back.TipoFirma, back.Rt)
		}
	})
}
