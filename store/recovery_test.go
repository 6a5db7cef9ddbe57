package store

import (
	"context"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// TestClaimPendingRPTs: recovery takes the RPTs the node accepted and the
// prepared ones of carts whose sending was never recorded (Unconfirmed),
// once each within the lease; never an unprepared cart's, nor an
// activation at a PSP (its sender's), nor one with an RT.
func TestClaimPendingRPTs(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_rec001")
		sent := mustCreateCart(t, db, newCart(e, "REC-SENT", newPayment(e, newItem(e, "R1", 100))))
		mustSend(t, db, sent)
		lost := mustCreateCart(t, db, newCart(e, "REC-LOST", newPayment(e, newItem(e, "R2", 100))))
		mustPrepare(t, db, lost)                                                           // then the process died
		mustCreateCart(t, db, newCart(e, "REC-NEW", newPayment(e, newItem(e, "R3", 100)))) // never prepared
		psp := newCart(e, "REC-PSP", newPayment(e, newItem(e, "R4", 100)))
		psp.Kind = gateway.CartAttivatoPSP
		mustCreateCart(t, db, psp)
		mustPrepare(t, db, psp)
		paid := mustCreateCart(t, db, newCart(e, "REC-PAID", newPayment(e, newItem(e, "R5", 100))))
		mustSend(t, db, paid)
		mustRecord(t, db, paid.Payments[0], rtFor(paid.Payments[0], gateway.EsitoEseguito, 1), gateway.RTStored)

		got, err := db.ClaimPendingRPTs(ctx, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]bool{sent.Payments[0].ID: false, lost.Payments[0].ID: true}
		if len(got) != len(want) {
			t.Fatalf("claimed %+v", got)
		}
		for _, p := range got {
			if u, ok := want[p.PaymentID]; !ok || u != p.Unconfirmed {
				t.Errorf("claimed %+v", p)
			}
		}
		if again, _ := db.ClaimPendingRPTs(ctx, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), time.Minute, 10); len(again) != 0 {
			t.Errorf("claimed again within the lease: %+v", again)
		}
	})
}

// TestClaimPendingSkipsModelloUnico: payments of an ente on the modello
// unico are not asked about with the legacy primitives.
func TestClaimPendingSkipsModelloUnico(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_mu001")
		e.StationVersion = gateway.StationUnico
		if err := db.UpdateEnte(ctx, e); err != nil {
			t.Fatal(err)
		}
		c := mustCreateCart(t, db, newCart(e, "MU-SENT", newPayment(e, newItem(e, "M1", 100))))
		mustSend(t, db, c)
		got, err := db.ClaimPendingRPTs(ctx, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC), time.Minute, 10)
		if err != nil || len(got) != 0 {
			t.Fatalf("claimed %+v, %v", got, err)
		}
	})
}
