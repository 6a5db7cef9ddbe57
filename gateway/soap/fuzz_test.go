package soap

import (
	"bytes"
	"encoding/xml"
	"testing"
	"time"
)

// FuzzDecode checks that no input panics or runs away, and that a decoded
// envelope always names an operation. The committed corpus under
// testdata/fuzz/FuzzDecode runs as an ordinary test.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(validEnvelope))
	lim := Limits{MaxDepth: 32, MaxTokens: 10_000, MaxTokenBytes: 64 << 10, MaxBytes: 256 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		req, err := Decode(bytes.NewReader(data), lim)
		if err != nil {
			faultOf(t, err)
			return
		}
		if req.Operation.Local == "" {
			t.Fatal("nil error without an operation")
		}
		// Re-encoded header children must stand alone with the same root.
		for _, el := range req.HeaderElements {
			var n anyNode
			if err := xml.Unmarshal(el.Raw, &n); err != nil {
				t.Fatalf("header raw %q: %v", el.Raw, err)
			}
			if n.XMLName != el.Name {
				t.Fatalf("header raw %q decodes as %v, want %v", el.Raw, n.XMLName, el.Name)
			}
		}
		if err := req.DecodeBody(new(anyNode)); err != nil {
			faultOf(t, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v on %d bytes", d, len(data))
		}
	})
}
