package papernodo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestEnteCache(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, "sqlite")
	c := newEnteCache(time.Hour)

	// An unknown dominio is not remembered: the ente created next is
	// found at once.
	const cf = "00000000002"
	if _, err := c.byCodiceFiscale(ctx, h.db, cf); !errors.Is(err, gateway.ErrNotFound) {
		t.Fatalf("unknown dominio: %v", err)
	}
	e := &gateway.Ente{
		CodIpa: "c_new", CodiceFiscale: cf, Denominazione: "Ente Nuovo",
		State: gateway.EnteEsercizio, AuxDigit: 3, SegregationCode: "03",
		IntermediaryID: testInterm, StationID: testStazione,
	}
	must(t, h.db.CreateEnte(ctx, e))
	got, err := c.byCodiceFiscale(ctx, h.db, cf)
	if err != nil || got.CodIpa != "c_new" {
		t.Fatalf("new ente: %+v, %v", got, err)
	}

	// A found ente is kept for the TTL: a change in the store shows only
	// after it.
	e.StationID = "80007580279_02"
	must(t, h.db.UpdateEnte(ctx, e))
	if got, _ := c.byCodiceFiscale(ctx, h.db, cf); got.StationID != testStazione {
		t.Errorf("within the TTL: stazione %s, want the cached %s", got.StationID, testStazione)
	}
	short := newEnteCache(time.Millisecond)
	if _, err := short.byCodiceFiscale(ctx, h.db, testDominio); err != nil {
		t.Fatal(err)
	}
	h.ente.StationID = "80007580279_09"
	must(t, h.db.UpdateEnte(ctx, h.ente))
	time.Sleep(5 * time.Millisecond)
	if got, _ := short.byCodiceFiscale(ctx, h.db, testDominio); got == nil || got.StationID != "80007580279_09" {
		t.Errorf("after the TTL: %+v", got)
	}
}
