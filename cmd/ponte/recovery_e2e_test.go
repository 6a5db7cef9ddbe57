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

// recoveryCase pays a dovuto whose RT the node never pushes, with the
// node's first answer to nodoChiediStatoRPT forced to code, and returns
// the cart once paid (or fails after the wait).
func recoveryCase(t *testing.T, e *e2e, iud, code string, wait time.Duration) *gateway.Cart {
	t.Helper()
	var g sim.GlobalDelivery
	e.api(t, http.MethodPost, "/delivery", `{"mode":"never","count":1}`, &g)
	idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: iud, Importo: "7.00"})
	e.api(t, http.MethodPost, "/faults", `{"next":{"faultCode":"`+code+`","operation":"`+sim.OpChiediStatoRPT+`","count":1}}`, nil)
	e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)
	deadline := time.Now().Add(wait)
	for {
		// Paid, and the attempt that paid it recorded (RecoverRT commits
		// the RT before the attempt is noted).
		c := e.cart(t, idSession)
		if c.State == gateway.CartPagato && strings.HasPrefix(c.Payments[0].Recovery.Last, "RT recuperata") {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("cart %s after %s: recovery %+v", c.State, wait, c.Payments[0].Recovery)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The node first says it does not know the RPT, then has its RT: recovery
// does not give up on an RPT the node accepted, and copies the RT.
func TestRecoveryUnknownThenReceipt(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.RecoveryAfter, cfg.RecoveryEvery, cfg.RecoveryBackoff = time.Millisecond, 50*time.Millisecond, 100*time.Millisecond
		e := startE2E(t, cfg, nil)
		c := recoveryCase(t, e, "REC-UNKNOWN", "PPT_RPT_SCONOSCIUTA", 10*time.Second)
		r := c.Payments[0].Recovery
		if r.Attempts < 2 || !strings.HasPrefix(r.Last, "RT recuperata") || e.stats(t).Faults["PPT_RPT_SCONOSCIUTA"] != 1 {
			t.Errorf("recovery %+v, node faults %v", r, e.stats(t).Faults)
		}
	})
}

// The node says it is over its threshold: recovery stops calling for the
// pause, then goes on and copies the RT.
func TestRecoveryHonoursNodeThreshold(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.RecoveryAfter, cfg.RecoveryEvery, cfg.RecoveryBackoff = time.Millisecond, 50*time.Millisecond, 100*time.Millisecond
		cfg.RecoveryPause = 1500 * time.Millisecond
		e := startE2E(t, cfg, nil)
		var (
			paused time.Time
			calls  int
		)
		done := make(chan *gateway.Cart)
		go func() { done <- recoveryCase(t, e, "REC-SOGLIA", "PPT_SUPERAMENTOSOGLIA", 15*time.Second) }()
		// Once the node has refused, no call for the pause.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if e.stats(t).Faults["PPT_SUPERAMENTOSOGLIA"] == 1 {
				paused, calls = time.Now(), e.stats(t).Calls[sim.OpChiediStatoRPT]
				break
			}
		}
		if paused.IsZero() {
			t.Fatal("the node's threshold was never hit")
		}
		time.Sleep(time.Second)
		if n := e.stats(t).Calls[sim.OpChiediStatoRPT]; n != calls {
			t.Errorf("%d nodoChiediStatoRPT during the pause", n-calls)
		}
		c := <-done
		if r := c.Payments[0].Recovery; r.Attempts < 2 || !strings.HasPrefix(r.Last, "RT recuperata") {
			t.Errorf("recovery %+v", r)
		}
	})
}

// ponteCLI runs one command against the test's store.
func ponteCmd(t *testing.T, cfg *Config, args ...string) string {
	t.Helper()
	env := map[string]string{"PONTE_DATA_DIR": cfg.DataDir, "PONTE_DATABASE_URL": cfg.DatabaseURL}
	var out bytes.Buffer
	if err := run(t.Context(), args, strings.NewReader(""), &out, &out, func(k string) string { return env[k] }); err != nil {
		t.Fatalf("ponte %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// Operators without SQL: retry-rt brings recovery back to a payment it
// had put off for an hour; expire ends a cart nobody paid, and a receipt
// arriving afterwards still decides it.
func TestPaymentsRetryAndExpire(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.RecoveryAfter, cfg.RecoveryEvery, cfg.RecoveryBackoff = time.Millisecond, 50*time.Millisecond, time.Hour
		e := startE2E(t, cfg, nil)

		// retry-rt
		var g sim.GlobalDelivery
		e.api(t, http.MethodPost, "/delivery", `{"mode":"never","count":1}`, &g)
		e.api(t, http.MethodPost, "/faults", `{"next":{"faultCode":"PPT_SYSTEM_ERROR","operation":"`+sim.OpChiediStatoRPT+`","count":1}}`, nil)
		idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "OPS-RETRY", Importo: "3.00"})
		e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", nil)
		deadline := time.Now().Add(5 * time.Second)
		for e.cart(t, idSession).Payments[0].Recovery.Attempts == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		if c := e.cart(t, idSession); c.State != gateway.CartInCorso || c.Payments[0].Recovery.Attempts != 1 {
			t.Fatalf("before retry-rt: %s, recovery %+v", c.State, c.Payments[0].Recovery)
		}
		if out := ponteCmd(t, cfg, "payments", "retry-rt", "--id-session", idSession); !strings.Contains(out, "recovery asks the node") {
			t.Fatalf("retry-rt: %s", out)
		}
		deadline = time.Now().Add(5 * time.Second)
		for e.cart(t, idSession).State != gateway.CartPagato {
			if time.Now().After(deadline) {
				t.Fatalf("after retry-rt: %+v", e.cart(t, idSession).Payments[0].Recovery)
			}
			time.Sleep(20 * time.Millisecond)
		}

		// expire
		idSession, landing = e.inviaDovuti(t, dovutoE2E{IUD: "OPS-EXPIRE", Importo: "4.00"})
		resp, _ := e.confirm(t, landing)
		nodeURL := resp.Header.Get("Location")
		if out := ponteCmd(t, cfg, "payments", "expire", "--id-session", idSession); !strings.Contains(out, "PAGAM_IN_CORSO -> SCADUTO") {
			t.Fatalf("expire: %s", out)
		}
		if a := e.chiediPagati(t, idSession); a.Fault == nil || a.Fault.Code != "PAA_PAGAMENTO_SCADUTO" {
			t.Errorf("paaSILChiediPagati of an expired cart: %+v", a.Fault)
		}
		// The citizen pays after all: the receipt decides.
		sess := nodeURL[strings.Index(nodeURL, "idSession=")+len("idSession="):]
		e.api(t, http.MethodPost, "/sessions/"+sess+"/pay", `{"esito":"OK"}`, nil)
		deadline = time.Now().Add(5 * time.Second)
		for e.cart(t, idSession).State != gateway.CartPagato {
			if time.Now().After(deadline) {
				t.Fatalf("late receipt did not decide the expired cart: %s", e.cart(t, idSession).State)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// Decorrenza termini: the citizen never pays and the node keeps no RT;
// after the terms and three attempts Ponte closes the payment with a
// negative RT of its own (esito 3), which the SIL reports; a payment made
// after all still supersedes it.
func TestRecoveryDecorrenzaTermini(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.RecoveryAfter, cfg.RecoveryEvery, cfg.RecoveryBackoff = time.Millisecond, 50*time.Millisecond, 50*time.Millisecond
		cfg.RecoveryDecorrenza = 300 * time.Millisecond
		e := startE2E(t, cfg, nil)
		idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "REC-DT", Importo: "5.00"})
		resp, _ := e.confirm(t, landing)
		nodeURL := resp.Header.Get("Location")
		deadline := time.Now().Add(10 * time.Second)
		for {
			c := e.cart(t, idSession)
			if c.State == gateway.CartDecorrTerm && strings.HasPrefix(c.Payments[0].Recovery.Last, "decorrenza termini") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cart %s, recovery %+v", c.State, c.Payments[0].Recovery)
			}
			time.Sleep(20 * time.Millisecond)
		}
		p := e.cart(t, idSession).Payments[0]
		if r := p.Receipt; r == nil || r.Esito != gateway.EsitoDecorrenzaTermini || !strings.HasPrefix(r.MessageID, "###") || p.Recovery.Attempts < 3 {
			t.Fatalf("receipt esito %v message %v, recovery %+v", r != nil && r.Esito != "", r != nil && r.MessageID != "", p.Recovery)
		}
		if a := e.chiediPagati(t, idSession); a.Fault != nil || decodePagatiE2E(t, a.Pagati).Esito != "3" {
			t.Errorf("paaSILChiediPagati after decorrenza: %+v", a.Fault)
		}
		// The citizen pays after all: the positive RT supersedes.
		sess := nodeURL[strings.Index(nodeURL, "idSession=")+len("idSession="):]
		e.api(t, http.MethodPost, "/sessions/"+sess+"/pay", `{"esito":"OK"}`, nil)
		deadline = time.Now().Add(5 * time.Second)
		for e.cart(t, idSession).State != gateway.CartPagato {
			if time.Now().After(deadline) {
				t.Fatalf("late payment did not supersede: %s", e.cart(t, idSession).State)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// The sweep: recovery has put a payment off for an hour; once the citizen
// pays, the node's pending list (nodoChiediListaPendentiRPT) no longer has
// it, so recovery asks about it at once and copies its RT.
func TestRecoverySweep(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.RecoveryAfter, cfg.RecoveryEvery, cfg.RecoveryBackoff = time.Millisecond, 50*time.Millisecond, time.Hour
		cfg.RecoverySweep = 200 * time.Millisecond
		e := startE2E(t, cfg, nil)
		var g sim.GlobalDelivery
		e.api(t, http.MethodPost, "/delivery", `{"mode":"never","count":1}`, &g)
		idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "REC-SWEEP", Importo: "6.00"})
		e.payFlow(t, idSession, landing, sim.AzionePaga, "ok", "OK", func(string) {
			deadline := time.Now().Add(5 * time.Second)
			for e.cart(t, idSession).Payments[0].Recovery.Attempts == 0 {
				if time.Now().After(deadline) {
					t.Fatal("recovery never asked")
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
		deadline := time.Now().Add(5 * time.Second)
		for {
			c := e.cart(t, idSession)
			if c.State == gateway.CartPagato && strings.HasPrefix(c.Payments[0].Recovery.Last, "RT recuperata") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not recovered: %s %+v", c.State, c.Payments[0].Recovery)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := e.stats(t).Calls[sim.OpChiediListaPendentiRPT]; n < 1 {
			t.Errorf("%d nodoChiediListaPendentiRPT", n)
		}
	})
}
