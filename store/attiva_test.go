package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// newActivation stores a payable dovuto of e with IUV iuv and returns the
// activation of it with CCP ccp.
func newActivation(t *testing.T, db *DB, e *gateway.Ente, iud, iuv, ccp string) (*gateway.Activation, *gateway.Dovuto) {
	t.Helper()
	d := fullDovuto(e.ID, iud, iuv)
	d.Amount, d.Secondary = 12050, nil
	if err := db.InsertDovuto(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return activationOf(e, d, ccp), d
}

func activationOf(e *gateway.Ente, d *gateway.Dovuto, ccp string) *gateway.Activation {
	item := *d
	return &gateway.Activation{
		Cart: &gateway.Cart{IDSession: "att-" + ccp, Token: "tok-" + ccp, EnteID: e.ID, CodIpa: e.CodIpa, ShowMyPay: "NONE",
			Payments: []*gateway.Payment{{EnteID: e.ID, CodIpa: e.CodIpa, Dominio: e.CodiceFiscale, IUV: d.IUV, CCP: ccp,
				MessageID: "msg-" + ccp, RequestedAt: time.Date(2030, 5, 6, 8, 0, 0, 0, time.UTC), Amount: d.Amount,
				RPT: []byte("<RPT/>"), Items: []*gateway.Dovuto{&item}}}},
		PSP: "BNLIITRR", Broker: "BNLIITRR", Channel: "BNLIITRR_01",
	}
}

func TestActivatePSP(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_att")
		a, d := newActivation(t, db, e, "IUD-A1", "12000000000000001", "CCP-1")

		got, err := db.ActivatePSP(ctx, a)
		if err != nil || got != gateway.ActivationNew {
			t.Fatalf("ActivatePSP = %d, %v", got, err)
		}
		wantDovutoState(t, db, d, gateway.DovutoIniziato)
		c := wantCartState(t, db, a.Cart.IDSession, gateway.CartInCorso)
		if c.Kind != gateway.CartAttivatoPSP || len(c.Payments) != 1 || c.Payments[0].State != gateway.PaymentNew ||
			len(c.Payments[0].Items) != 1 || c.Payments[0].Items[0].ID != d.ID {
			t.Fatalf("stored cart %s", dump(c))
		}

		// Claimed once: the lease hides it from a second claim.
		claimed, err := db.ClaimRPTsToSend(ctx, time.Minute, 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim = %v, %v", claimed, err)
		}
		r := claimed[0]
		if r.PaymentID != a.Cart.Payments[0].ID || r.CCP != "CCP-1" || r.Channel != "BNLIITRR_01" || string(r.RPT) != "<RPT/>" {
			t.Fatalf("claimed %+v", r)
		}
		if again, _ := db.ClaimRPTsToSend(ctx, time.Minute, 10); len(again) != 0 {
			t.Fatalf("claimed twice: %+v", again)
		}
		// A failure comes due again at its time, with the attempt counted.
		if err := db.RetryRPT(ctx, r.PaymentID, "timeout", time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		claimed, _ = db.ClaimRPTsToSend(ctx, time.Minute, 10)
		if len(claimed) != 1 || claimed[0].Attempts != 1 || claimed[0].Last != "timeout" {
			t.Fatalf("after retry: %+v", claimed)
		}
		if err := db.MarkRPTSent(ctx, r.PaymentID, "OK"); err != nil {
			t.Fatal(err)
		}
		p, err := db.FindPayment(ctx, e.CodiceFiscale, d.IUV, "CCP-1")
		if err != nil || p.State != gateway.PaymentSent {
			t.Fatalf("payment %+v, %v", p, err)
		}

		// The same activation again: queued again, nothing new stored.
		got, err = db.ActivatePSP(ctx, activationOf(e, d, "CCP-1"))
		if err != nil || got != gateway.ActivationRepeated {
			t.Fatalf("repeated ActivatePSP = %d, %v", got, err)
		}
		if claimed, _ = db.ClaimRPTsToSend(ctx, time.Minute, 10); len(claimed) != 1 || claimed[0].PaymentID != r.PaymentID {
			t.Fatalf("requeued: %+v", claimed)
		}
		if ps, _ := db.FindPayments(ctx, e.CodiceFiscale, d.IUV); len(ps) != 1 {
			t.Fatalf("%d payments", len(ps))
		}
		// Another CCP while the dovuto is in progress: conflict.
		if _, err := db.ActivatePSP(ctx, activationOf(e, d, "CCP-2")); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("second CCP: %v", err)
		}

		// The RT completes the dovuto and the cart.
		if err := db.MarkRPTSent(ctx, r.PaymentID, "PPT_RPT_DUPLICATA"); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, db, p, rtFor(p, gateway.EsitoEseguito, 1), gateway.RTStored)
		wantDovutoState(t, db, d, gateway.DovutoCompletato)
		wantCartState(t, db, a.Cart.IDSession, gateway.CartPagato)
		if _, err := db.ActivatePSP(ctx, activationOf(e, d, "CCP-1")); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("activation of a paid payment: %v", err)
		}
	})
}

func TestActivatePSPRefusals(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_att")
		a, d := newActivation(t, db, e, "IUD-B1", "12000000000000002", "CCP-B")

		// Another amount than the dovuto's: nothing stored.
		wrong := activationOf(e, d, "CCP-B")
		wrong.Cart.Payments[0].Items[0].Amount = 100
		if _, err := db.ActivatePSP(ctx, wrong); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("wrong amount: %v", err)
		}
		wantDovutoState(t, db, d, gateway.DovutoDaPagare)
		if ps, _ := db.FindPayments(ctx, e.CodiceFiscale, d.IUV); len(ps) != 0 {
			t.Fatalf("%d payments after a refusal", len(ps))
		}

		if _, err := db.ActivatePSP(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimRPTsToSend(ctx, time.Minute, 10); err != nil {
			t.Fatal(err)
		}
		// A refused RPT ends the cart and frees the dovuto.
		if err := db.RefuseRPT(ctx, a.Cart.Payments[0].ID, "PPT_CANALE_SCONOSCIUTO"); err != nil {
			t.Fatal(err)
		}
		c := wantCartState(t, db, a.Cart.IDSession, gateway.CartNonInviabile)
		if c.Error != "PPT_CANALE_SCONOSCIUTO" || c.Payments[0].State != gateway.PaymentRefused {
			t.Fatalf("refused cart %s", dump(c))
		}
		wantDovutoState(t, db, d, gateway.DovutoDaPagare)
		if claimed, _ := db.ClaimRPTsToSend(ctx, -time.Hour, 10); len(claimed) != 0 {
			t.Fatalf("refused RPT claimed: %+v", claimed)
		}

		// An annulled dovuto cannot be activated.
		d2 := fullDovuto(e.ID, "IUD-B2", "12000000000000003")
		d2.Secondary = nil
		if err := db.InsertDovuto(ctx, d2); err != nil {
			t.Fatal(err)
		}
		if err := db.AnnulDovuto(ctx, e.ID, d2.IUD); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ActivatePSP(ctx, activationOf(e, d2, "CCP-C")); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("annulled: %v", err)
		}
	})
}
