package sil

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

type recorder struct {
	mu  sync.Mutex
	evs []*gateway.Event
}

func (r *recorder) Record(ev *gateway.Event) { r.mu.Lock(); r.evs = append(r.evs, ev); r.mu.Unlock() }

func (r *recorder) last() *gateway.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.evs[len(r.evs)-1]
}

// The journal gets the ente, IUD, IUV, esito and fault code of each call.
func TestImportaJournalKeys(t *testing.T) {
	h := newHarness(t, "sqlite")
	rec := &recorder{}
	ep := soap.NewEndpoint("SIL", soap.DefaultServerConfig(), rec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h.svc.Register(ep)
	h.srv = httptest.NewServer(ep)
	defer h.srv.Close()

	a := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "J-1"}.xml()), "true"))
	ev := rec.last()
	if ev.Operation != opImporta || ev.CodIpa != testCodIpa || ev.IUD != "J-1" || ev.IUV != a.IUV || ev.IUV == "" || ev.Esito != "OK" || ev.FaultCode != "" {
		t.Errorf("ok event %+v", ev)
	}
	h.post(t, importaEnvelope(testCodIpa, "sbagliata1", b64(vers{IUD: "J-2"}.xml()), ""))
	ev = rec.last()
	if ev.CodIpa != testCodIpa || ev.IUD != "J-2" || ev.Esito != "KO" || ev.FaultCode != gateway.CodeEnteNonValido {
		t.Errorf("fault event %+v", ev)
	}
}
