package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/sim"
)

// An RT the node never pushes is recovered: the recovery job asks the
// RPT's state, finds no RT while the citizen has not paid, and once the
// node holds one fetches a copy, stored as paaInviaRT would have stored
// it.
func TestReceiptRecovery(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.RecoveryAfter, cfg.RecoveryEvery, cfg.RecoveryBackoff = time.Millisecond, 50*time.Millisecond, 200*time.Millisecond
		e := startE2E(t, cfg, nil)
		var g sim.GlobalDelivery
		e.api(t, http.MethodPost, "/delivery", `{"mode":"never","count":1}`, &g)
		idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "REC-1", Importo: "9.00"})
		e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", func(string) {
			// Before the citizen pays, the node has no RT: the job asks
			// and waits.
			deadline := time.Now().Add(10 * time.Second)
			for e.stats(t).Calls[sim.OpChiediStatoRPT] == 0 {
				if time.Now().After(deadline) {
					t.Fatal("recovery never asked the node")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if n := e.stats(t).Calls[sim.OpChiediCopiaRT]; n != 0 {
				t.Errorf("%d nodoChiediCopiaRT before the node had an RT", n)
			}
		})
		a := e.waitPagati(t, idSession)
		if a.Fault != nil {
			t.Fatalf("pagati after recovery: %+v", a.Fault)
		}
		c := e.cart(t, idSession)
		p := c.Payments[0]
		if c.State != gateway.CartPagato || p.Receipt == nil || p.Receipt.Esito != gateway.EsitoEseguito {
			t.Fatalf("cart %s, receipt %+v", c.State, p.Receipt)
		}
		st := e.stats(t)
		if st.Calls[sim.OpChiediStatoRPT] < 2 || st.Calls[sim.OpChiediCopiaRT] < 1 {
			t.Errorf("node calls %v: recovery must ask the state, then copy", st.Calls)
		}
		if ds := e.waitDelivered(t, keyOf(p), 0); ds.Attempts != 0 {
			t.Errorf("the node pushed the RT after all: %+v", ds)
		}
	})
}
