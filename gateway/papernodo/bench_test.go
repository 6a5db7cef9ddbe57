package papernodo

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// BenchmarkPaaInviaRT measures one positive RT through HTTP, the SOAP
// endpoint and SQLite: decode, the RT's schema validation, the lookups and
// the RecordRT transaction. The carts are prepared before the timer.
func BenchmarkPaaInviaRT(b *testing.B) {
	h := newHarness(b, "sqlite")
	envs := make([]string, b.N)
	for i := range envs {
		sp := h.newSentCart(1050, 200)
		envs[i] = envelope(sp.head(), ptr(""), sp.rt(b, rpt.EsitoEseguito))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		status, raw := h.post(envs[i])
		if status != http.StatusOK || !strings.Contains(string(raw), "<esito>OK</esito>") {
			b.Fatalf("HTTP %d %s", status, raw)
		}
	}
}

// BenchmarkPaaInviaRTDuplicate is the node retrying an RT already stored:
// everything but the write.
func BenchmarkPaaInviaRTDuplicate(b *testing.B) {
	h := newHarness(b, "sqlite")
	sp := h.newSentCart(1050, 200)
	env := envelope(sp.head(), ptr(""), sp.rt(b, rpt.EsitoEseguito))
	if _, raw := h.post(env); !strings.Contains(string(raw), "<esito>OK</esito>") {
		b.Fatalf("first delivery: %s", raw)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, raw := h.post(env); !strings.Contains(string(raw), CodeRTDuplicata) {
			b.Fatalf("%s", raw)
		}
	}
}
