package papernodo

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/ponte-pagopa/ponte/generated/wire"
)

// decodeBase64 is a faster wire.Base64.UnmarshalText: same bytes, same
// errors.
func TestDecodeBase64LikeWire(t *testing.T) {
	for _, in := range []string{
		"", "PFJUPjwvUlQ+", "PFJU\nPjwv\r\nUlQ+", " \tPFJUPjwvUlQ+ \n", "PF JU Pj wv Ul Q+",
		"PFJUPjwvUlQ", "PFJUPjwvUlQ+=", "PFJU*jwvUlQ+", "PFJU-_wvUlQ+", "PFJUèPjwvUlQ+", "====",
	} {
		var w wire.Base64
		wantErr := w.UnmarshalText([]byte(in))
		got, err := decodeBase64(in)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) || (err == nil && !bytes.Equal(got, w)) {
			t.Errorf("%q: got %q, %v; wire %q, %v", in, got, err, w, wantErr)
		}
	}
}
