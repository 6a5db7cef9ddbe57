package sil

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// BenchmarkImportaDovuto measures the whole server side of
// paaSILImportaDovuto (envelope decoding, payload XSD validation, checks,
// IUV generation, SQLite insert, response encoding) in process, with the
// production cache settings. Requests are built before the timer starts.
func BenchmarkImportaDovuto(b *testing.B) {
	h := newHarness(b, "sqlite")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := New(Config{Enti: h.db, Dovuti: h.db, IUV: h.db, Auth: auth.NewVerifier(time.Minute, nil),
		Clock: gateway.FixedClock{T: testNow}, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	ep := soap.NewEndpoint("SIL", soap.DefaultServerConfig(), nil, log)
	svc.Register(ep)

	reqs := make([][]byte, b.N)
	for i := range reqs {
		reqs[i] = []byte(importaEnvelope(testCodIpa, testPassword,
			b64(vers{IUD: fmt.Sprintf("BENCH-%09d", i), Bilancio: bilancio150}.xml()), "true"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := httptest.NewRequest(http.MethodPost, "/ws/pa/PagamentiTelematiciDovutiPagati", strings.NewReader(string(reqs[i])))
		r.Header.Set("Content-Type", "text/xml; charset=utf-8")
		w := httptest.NewRecorder()
		ep.ServeHTTP(w, r)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<esito>OK</esito>") {
			b.Fatalf("HTTP %d: %s", w.Code, w.Body)
		}
	}
}
