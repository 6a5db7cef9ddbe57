package main

import (
	"bytes"
	"net/http"
	"strings"
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
			// (The attempt recorded, not the node's call counted: the
			// answer must have come before the payment.)
			deadline := time.Now().Add(10 * time.Second)
			for e.cart(t, idSession).Payments[0].Recovery.Attempts == 0 {
				if time.Now().After(deadline) {
					t.Fatal("recovery never asked the node")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if r := e.cart(t, idSession).Payments[0].Recovery; !strings.Contains(r.Last, "non ancora disponibile") || r.Next.IsZero() {
				t.Errorf("first attempt %+v: the node has no RT yet, so recovery must plan another", r)
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
		// Every attempt is on the payment, for operators without SQL.
		if p.Recovery.Attempts < 2 || !strings.HasPrefix(p.Recovery.Last, "RT recuperata") {
			t.Errorf("recovery record %+v", p.Recovery)
		}
		env := map[string]string{"PONTE_DATA_DIR": cfg.DataDir, "PONTE_DATABASE_URL": cfg.DatabaseURL}
		var out bytes.Buffer
		if err := run(t.Context(), []string{"payments", "show", "--id-session", idSession}, strings.NewReader(""), &out, &out,
			func(k string) string { return env[k] }); err != nil {
			t.Fatalf("payments show: %v\n%s", err, out.String())
		}
		for _, want := range []string{"PAGATO", p.IUV, "receipt esito 0", "recovery: ", "RT recuperata", "REC-1"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("payments show lacks %q:\n%s", want, out.String())
			}
		}
	})
}
