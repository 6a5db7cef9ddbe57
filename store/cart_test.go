package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func newItem(e *gateway.Ente, iud string, amount gateway.Cents) *gateway.Dovuto {
	return &gateway.Dovuto{EnteID: e.ID, IUD: iud, TipoDovuto: "TARI", TipoVersamento: "ALL",
		Amount: amount, Causale: "TARI " + iud, DatiSpecificiRiscossione: "9/0101100IM/"}
}

func newPayment(e *gateway.Ente, items ...*gateway.Dovuto) *gateway.Payment {
	p := &gateway.Payment{EnteID: e.ID, CodIpa: e.CodIpa, Dominio: e.CodiceFiscale, Items: items}
	for _, d := range items {
		p.Amount += d.Amount
	}
	return p
}

func newCart(e *gateway.Ente, idSession string, payments ...*gateway.Payment) *gateway.Cart {
	return &gateway.Cart{IDSession: idSession, Token: "tok-" + idSession, Kind: gateway.CartEsterno,
		EnteID: e.ID, CodIpa: e.CodIpa, ShowMyPay: "SHORT", ReturnURL: "https://ente.example.it/back",
		Payments: payments, ExpiresAt: time.Date(2031, 1, 2, 3, 4, 5, 6000, time.UTC)}
}

func mustCreateCart(t *testing.T, db *DB, c *gateway.Cart) *gateway.Cart {
	t.Helper()
	if err := db.CreateCart(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// fillPrepared sets what is decided just before sending: an IUV (unless the
// payment has one, as an avviso does), CCP, message ID, time and RPT.
func fillPrepared(c *gateway.Cart) {
	c.Email = "pagatore@example.it"
	for _, p := range c.Payments {
		if p.IUV == "" {
			p.IUV = fmt.Sprintf("%017d", p.ID)
		}
		p.CCP = fmt.Sprintf("ccp%d", p.ID)
		p.MessageID = fmt.Sprintf("msg%d", p.ID)
		p.RequestedAt = time.Date(2030, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 7200))
		p.RPT = []byte("<RPT " + p.IUV + "/" + p.CCP + "/>")
	}
}

func mustPrepare(t *testing.T, db *DB, c *gateway.Cart) {
	t.Helper()
	fillPrepared(c)
	if err := db.PrepareCart(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// mustSend prepares c and marks it sent.
func mustSend(t *testing.T, db *DB, c *gateway.Cart) {
	t.Helper()
	mustPrepare(t, db, c)
	if err := db.MarkCartSent(context.Background(), c.ID, "https://node/pay?id="+c.IDSession, "node-"+c.IDSession); err != nil {
		t.Fatal(err)
	}
}

func findCart(t *testing.T, db *DB, idSession string) *gateway.Cart {
	t.Helper()
	c, err := db.FindCart(context.Background(), idSession)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rtFor(p *gateway.Payment, esito string, n int) *gateway.Receipt {
	amount := p.Amount
	if esito != gateway.EsitoEseguito {
		amount = 0
	}
	return &gateway.Receipt{Esito: esito, Amount: amount, MessageID: fmt.Sprintf("rt%d-%d", p.ID, n),
		IssuedAt: time.Date(2030, 5, 6, 8, 0, 0, 0, time.UTC),
		RT:       []byte(fmt.Sprintf("<RT iuv=%q esito=%q n=%d/>", p.IUV, esito, n))}
}

func mustRecord(t *testing.T, db *DB, p *gateway.Payment, rt *gateway.Receipt, want gateway.RTOutcome) {
	t.Helper()
	got, err := db.RecordRT(context.Background(), p.ID, rt)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("RecordRT(%s) = %d, want %d", rt.Esito, got, want)
	}
}

func countReceipts(t *testing.T, db *DB, paymentID int64) int {
	t.Helper()
	var n int
	if err := db.r.QueryRow(db.r.Rebind(`SELECT COUNT(*) FROM receipt WHERE payment_id = ?`), paymentID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCartState(t *testing.T, db *DB, idSession string, want gateway.CartState) *gateway.Cart {
	t.Helper()
	c := findCart(t, db, idSession)
	if c.State != want {
		t.Fatalf("cart %s is %s, want %s", idSession, c.State, want)
	}
	return c
}

func wantDovutoState(t *testing.T, db *DB, d *gateway.Dovuto, want gateway.DovutoState) {
	t.Helper()
	got, err := db.FindDovutoByIUD(context.Background(), d.EnteID, d.IUD)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != want {
		t.Fatalf("dovuto %s is %s, want %s", d.IUD, got.State, want)
	}
}

func wantIUDUsed(t *testing.T, db *DB, enteID int64, iud string, want bool) {
	t.Helper()
	used, err := db.IUDUsed(context.Background(), enteID, iud)
	if err != nil {
		t.Fatal(err)
	}
	if used != want {
		t.Fatalf("IUDUsed(%d, %s) = %v, want %v", enteID, iud, used, want)
	}
}

func TestCartRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := mustEnte(t, db, "c_a001"), mustEnte(t, db, "c_b002")
		full := fullDovuto(a.ID, "IUD-1", "")
		full.Amount = gateway.MaxAmount
		bare := &gateway.Dovuto{IUD: "IUD-2", TipoDovuto: "TARI", Amount: 1} // takes the payment's ente
		second := newItem(b, "IUD-B", 5000)
		c := newCart(a, "sess-1", newPayment(a, full, bare), newPayment(b, second))
		c.Kind, c.ShowMyPay, c.MultiBeneficiary = gateway.CartEsternoMultiente, "NONE", true
		c.Payer = &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi", Email: "m@example.it"}
		c.ExpiresAt = time.Date(2031, 1, 2, 5, 4, 5, 6007008, time.FixedZone("CET", 3600))
		mustCreateCart(t, db, c)

		if c.ID == 0 || c.State != gateway.CartPredisposto || c.CreatedAt.IsZero() {
			t.Fatalf("CreateCart did not set ID/state/times: %+v", c)
		}
		if !c.ExpiresAt.Equal(time.Date(2031, 1, 2, 4, 4, 5, 6007000, time.UTC)) {
			t.Fatalf("ExpiresAt = %v", c.ExpiresAt)
		}
		for i, p := range c.Payments {
			if p.ID == 0 || p.CartID != c.ID || p.Position != i+1 || p.State != gateway.PaymentNew {
				t.Fatalf("payment %d: %+v", i, p)
			}
		}
		if bare.EnteID != a.ID {
			t.Fatalf("item without ente: got %d", bare.EnteID)
		}
		got := findCart(t, db, "sess-1")
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("FindCart = %s\nwant %s", dump(got), dump(c))
		}
		if p := got.Payments[0]; p.Amount != gateway.MaxAmount+1 || p.Items[0].Amount != gateway.MaxAmount ||
			p.Items[0].Bilancio.Total() != 99999999999 || p.Items[1].IUD != "IUD-2" || p.Items[0].Payer.Name != "Mario Rossi" {
			t.Fatalf("payment 1 read back wrong: %s", dump(p))
		}

		byToken, err := db.FindCartByToken(ctx, "tok-sess-1")
		if err != nil || !reflect.DeepEqual(byToken, c) {
			t.Fatalf("FindCartByToken = %v, %v", byToken, err)
		}
		byID, err := db.FindCartByID(ctx, c.ID)
		if err != nil || !reflect.DeepEqual(byID, c) {
			t.Fatalf("FindCartByID = %v, %v", byID, err)
		}
		for _, f := range []func() (*gateway.Cart, error){
			func() (*gateway.Cart, error) { return db.FindCart(ctx, "nope") },
			func() (*gateway.Cart, error) { return db.FindCartByID(ctx, c.ID+1000) },
			func() (*gateway.Cart, error) { return db.FindCartByToken(ctx, "sess-1") },
			func() (*gateway.Cart, error) { return db.FindCartByNodeSession(ctx, "") }, // not sent yet
		} {
			_, err := f()
			wantErr(t, err, gateway.ErrNotFound)
		}

		mustSend(t, db, c)
		byNode, err := db.FindCartByNodeSession(ctx, "node-sess-1")
		if err != nil {
			t.Fatal(err)
		}
		if byNode.ID != c.ID || byNode.State != gateway.CartInCorso || byNode.NodeURL != "https://node/pay?id=sess-1" ||
			byNode.Email != "pagatore@example.it" || byNode.Payments[1].State != gateway.PaymentSent {
			t.Fatalf("FindCartByNodeSession = %s", dump(byNode))
		}

		dup := newCart(a, "sess-1", newPayment(a, newItem(a, "IUD-3", 1)))
		dup.Token = "other"
		wantErr(t, db.CreateCart(ctx, dup), gateway.ErrConflict)
		dup = newCart(a, "sess-2", newPayment(a, newItem(a, "IUD-3", 1)))
		dup.Token = c.Token
		wantErr(t, db.CreateCart(ctx, dup), gateway.ErrConflict)
		wantErr(t, db.CreateCart(ctx, newCart(&gateway.Ente{ID: 999, CodIpa: "x"}, "sess-3")), gateway.ErrNotFound)
		if _, err := db.FindCart(ctx, "sess-2"); err == nil {
			t.Fatal("a failed CreateCart left a cart behind")
		}
	})
}

func dump(v any) string { return fmt.Sprintf("%+v", v) }

func TestPrepareCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustEnte(t, db, "c_a001")
		c := mustCreateCart(t, db, newCart(a, "s1", newPayment(a, newItem(a, "IUD-1", 100), newItem(a, "IUD-2", 200))))
		wantIUDUsed(t, db, a.ID, "IUD-1", false) // created, not prepared
		c.IDCarrello = "carrello-1"
		mustPrepare(t, db, c)
		got := findCart(t, db, "s1")
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("after PrepareCart FindCart = %s\nwant %s", dump(got), dump(c))
		}
		p := got.Payments[0]
		if got.State != gateway.CartPredisposto || got.Email != "pagatore@example.it" || got.IDCarrello != "carrello-1" ||
			p.IUV == "" || p.CCP == "" || p.MessageID == "" || string(p.RPT) != "<RPT "+p.IUV+"/"+p.CCP+"/>" ||
			!p.RequestedAt.Equal(time.Date(2030, 5, 6, 5, 8, 9, 123456000, time.UTC)) ||
			p.Items[0].IUV != p.IUV || p.Items[1].IUV != p.IUV {
			t.Fatalf("prepared cart read back wrong: %s", dump(got))
		}
		wantIUDUsed(t, db, a.ID, "IUD-1", true)
		wantIUDUsed(t, db, a.ID, "IUD-2", true)

		// Once only.
		wantErr(t, db.PrepareCart(ctx, c), gateway.ErrConflict)

		// Found by (dominio, IUV, CCP), by (dominio, IUV), by IUD.
		fp, err := db.FindPayment(ctx, a.CodiceFiscale, p.IUV, p.CCP)
		if err != nil || !reflect.DeepEqual(fp, p) {
			t.Fatalf("FindPayment = %s, %v\nwant %s", dump(fp), err, dump(p))
		}
		for _, args := range [][3]string{{a.CodiceFiscale, p.IUV, "other"}, {"other", p.IUV, p.CCP}, {a.CodiceFiscale, "", ""}} {
			_, err := db.FindPayment(ctx, args[0], args[1], args[2])
			wantErr(t, err, gateway.ErrNotFound)
		}
		ps, err := db.FindPayments(ctx, a.CodiceFiscale, p.IUV)
		if err != nil || len(ps) != 1 || !reflect.DeepEqual(ps[0], p) {
			t.Fatalf("FindPayments = %s, %v", dump(ps), err)
		}
		ps, err = db.FindPaymentsByIUD(ctx, a.ID, "IUD-2")
		if err != nil || len(ps) != 1 || !reflect.DeepEqual(ps[0], p) {
			t.Fatalf("FindPaymentsByIUD = %s, %v", dump(ps), err)
		}
		if ps, err := db.FindPaymentsByIUD(ctx, a.ID, "IUD-9"); err != nil || len(ps) != 0 {
			t.Fatalf("FindPaymentsByIUD(unknown) = %s, %v", dump(ps), err)
		}

		// Unknown cart; a cart that left PREDISPOSTO.
		wantErr(t, db.PrepareCart(ctx, &gateway.Cart{ID: 999}), gateway.ErrNotFound)
		ab := mustCreateCart(t, db, newCart(a, "s2", newPayment(a, newItem(a, "IUD-3", 100))))
		if err := db.MarkCartFailed(ctx, ab.ID, gateway.CartAbort, "annullato"); err != nil {
			t.Fatal(err)
		}
		fillPrepared(ab)
		wantErr(t, db.PrepareCart(ctx, ab), gateway.ErrConflict)
		wantIUDUsed(t, db, a.ID, "IUD-3", false)
		got = wantCartState(t, db, "s2", gateway.CartAbort)
		if got.Error != "annullato" || got.Payments[0].State != gateway.PaymentRefused || got.Payments[0].CCP != "" {
			t.Fatalf("aborted cart: %s", dump(got))
		}
		wantErr(t, db.MarkCartSent(ctx, ab.ID, "u", "s"), gateway.ErrConflict)
		wantErr(t, db.MarkCartFailed(ctx, ab.ID, gateway.CartAbort, "again"), gateway.ErrConflict)
		wantErr(t, db.MarkCartSent(ctx, 999, "u", "s"), gateway.ErrNotFound)
		if err := db.MarkCartFailed(ctx, c.ID, gateway.CartPagato, ""); err == nil {
			t.Fatal("MarkCartFailed accepted PAGATO")
		}
	})
}

func TestPrepareCartDuplicateIUD(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := mustEnte(t, db, "c_a001"), mustEnte(t, db, "c_b002")
		first := mustCreateCart(t, db, newCart(a, "s1", newPayment(a, newItem(a, "IUD-X", 100))))
		// Both carts exist before either is prepared: the SIL's IUDUsed
		// check passed for both.
		second := mustCreateCart(t, db, newCart(a, "s2",
			newPayment(a, newItem(a, "IUD-NEW", 100)),
			newPayment(a, newItem(a, "IUD-OK", 50), newItem(a, "IUD-X", 100))))
		other := mustCreateCart(t, db, newCart(b, "s3", newPayment(b, newItem(b, "IUD-X", 100))))
		mustPrepare(t, db, first)

		fillPrepared(second)
		err := db.PrepareCart(ctx, second)
		wantCode(t, err, gateway.CodeIUDDuplicato)
		if ge := err.(*gateway.Error); ge.String != "IUD [IUD-X] già inviato" {
			t.Fatalf("faultString %q", ge.String)
		}
		got := wantCartState(t, db, "s2", gateway.CartPredisposto)
		if got.Email != "" || got.Payments[0].IUV != "" || got.Payments[0].CCP != "" || got.Payments[0].RPT != nil ||
			got.Payments[0].Items[0].IUV != "" {
			t.Fatalf("failed PrepareCart wrote: %s", dump(got))
		}
		wantIUDUsed(t, db, a.ID, "IUD-NEW", false)
		wantIUDUsed(t, db, a.ID, "IUD-OK", false)

		// The same IUD for another ente is fine.
		mustPrepare(t, db, other)
		wantIUDUsed(t, db, b.ID, "IUD-X", true)

		// An IUD a dovuto holds cannot be taken by a new item either.
		if err := db.InsertDovuto(ctx, newItem(a, "IUD-D", 100)); err != nil {
			t.Fatal(err)
		}
		third := mustCreateCart(t, db, newCart(a, "s4", newPayment(a, newItem(a, "IUD-D", 100))))
		fillPrepared(third)
		wantCode(t, db.PrepareCart(ctx, third), gateway.CodeIUDDuplicato)
		wantCartState(t, db, "s4", gateway.CartPredisposto)

		// A taken IUD stays taken when its cart fails.
		if err := db.MarkCartFailed(ctx, first.ID, gateway.CartNonInviabile, "PPT_CANALE_IRRAGGIUNGIBILE"); err != nil {
			t.Fatal(err)
		}
		wantIUDUsed(t, db, a.ID, "IUD-X", true)
		wantCode(t, db.PrepareCart(ctx, second), gateway.CodeIUDDuplicato)
	})
}

// avvisoCart is a cart paying the existing dovuto d.
func avvisoCart(e *gateway.Ente, idSession string, d *gateway.Dovuto) *gateway.Cart {
	item := *d
	p := newPayment(e, &item)
	p.IUV = d.IUV
	c := newCart(e, idSession, p)
	c.Kind = gateway.CartAvviso
	return c
}

func mustDovuto(t *testing.T, db *DB, e *gateway.Ente, iud, iuv string) *gateway.Dovuto {
	t.Helper()
	d := newItem(e, iud, 4200)
	d.IUV = iuv
	if err := db.InsertDovuto(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAvvisoCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustEnte(t, db, "c_a001")
		d := mustDovuto(t, db, a, "AVV-1", "01000000000000001")

		c1 := mustCreateCart(t, db, avvisoCart(a, "s1", d))
		if got := findCart(t, db, "s1"); got.Payments[0].Items[0].ID != d.ID || got.Payments[0].Items[0].State != gateway.DovutoDaPagare {
			t.Fatalf("avviso item: %s", dump(got.Payments[0].Items[0]))
		}
		mustPrepare(t, db, c1)
		wantDovutoState(t, db, d, gateway.DovutoIniziato)
		if got := findCart(t, db, "s1"); got.Payments[0].Items[0].State != gateway.DovutoIniziato {
			t.Fatalf("item state after PrepareCart: %s", got.Payments[0].Items[0].State)
		}

		// Not payable while c1 holds it: nothing written.
		c2 := mustCreateCart(t, db, avvisoCart(a, "s2", d))
		fillPrepared(c2)
		wantErr(t, db.PrepareCart(ctx, c2), gateway.ErrConflict)
		if got := findCart(t, db, "s2"); got.Payments[0].CCP != "" {
			t.Fatalf("failed PrepareCart wrote the CCP")
		}

		if err := db.MarkCartFailed(ctx, c1.ID, gateway.CartNonInviabile, "PPT_STAZIONE_INT_PA_IRRAGGIUNGIBILE"); err != nil {
			t.Fatal(err)
		}
		wantDovutoState(t, db, d, gateway.DovutoDaPagare)
		wantIUDUsed(t, db, a.ID, "AVV-1", true)

		// Payable again: a new attempt, same IUV, new CCP.
		if err := db.PrepareCart(ctx, c2); err != nil {
			t.Fatal(err)
		}
		wantDovutoState(t, db, d, gateway.DovutoIniziato)
		ps, err := db.FindPayments(ctx, a.CodiceFiscale, d.IUV)
		if err != nil || len(ps) != 2 || ps[0].ID != c1.Payments[0].ID || ps[1].ID != c2.Payments[0].ID ||
			ps[0].State != gateway.PaymentRefused || ps[1].State != gateway.PaymentNew {
			t.Fatalf("FindPayments = %s, %v", dump(ps), err)
		}
		ps, err = db.FindPaymentsByIUD(ctx, a.ID, "AVV-1")
		if err != nil || len(ps) != 2 || ps[0].ID != c1.Payments[0].ID || ps[1].ID != c2.Payments[0].ID {
			t.Fatalf("FindPaymentsByIUD = %s, %v", dump(ps), err)
		}
	})
}

func TestRecordRT(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustEnte(t, db, "c_a001")

		t.Run("positive", func(t *testing.T) {
			d := mustDovuto(t, db, a, "P-1", "01000000000000011")
			c := mustCreateCart(t, db, avvisoCart(a, "pos", d))
			mustSend(t, db, c)
			p := c.Payments[0]
			rt := rtFor(p, gateway.EsitoEseguito, 1)
			mustRecord(t, db, p, rt, gateway.RTStored)
			if rt.ID == 0 || rt.PaymentID != p.ID || rt.ReceivedAt.IsZero() {
				t.Fatalf("RecordRT did not set ID/payment/time: %+v", rt)
			}
			got := wantCartState(t, db, "pos", gateway.CartPagato)
			if gp := got.Payments[0]; gp.State != gateway.PaymentReceived || !reflect.DeepEqual(gp.Receipt, rt) {
				t.Fatalf("payment %s\nreceipt %+v\nwant %+v", gp.State, gp.Receipt, rt)
			}
			wantDovutoState(t, db, d, gateway.DovutoCompletato)

			again := rtFor(p, gateway.EsitoEseguito, 1)
			mustRecord(t, db, p, again, gateway.RTDuplicate)
			if again.ID != rt.ID {
				t.Fatalf("duplicate names receipt %d, want %d", again.ID, rt.ID)
			}
			if n := countReceipts(t, db, p.ID); n != 1 {
				t.Fatalf("%d receipts after a duplicate", n)
			}

			// Positive then negative: stored, superseded, still PAGATO.
			mustRecord(t, db, p, rtFor(p, gateway.EsitoNonEseguito, 2), gateway.RTSuperseded)
			got = wantCartState(t, db, "pos", gateway.CartPagato)
			if got.Payments[0].Receipt.ID != rt.ID || countReceipts(t, db, p.ID) != 2 {
				t.Fatalf("negative RT after a positive one took over: %+v", got.Payments[0].Receipt)
			}
			wantDovutoState(t, db, d, gateway.DovutoCompletato)
		})

		t.Run("negative then positive", func(t *testing.T) {
			d := mustDovuto(t, db, a, "N-1", "01000000000000012")
			c := mustCreateCart(t, db, avvisoCart(a, "neg", d))
			mustSend(t, db, c)
			p := c.Payments[0]
			mustRecord(t, db, p, rtFor(p, gateway.EsitoNonEseguito, 1), gateway.RTStored)
			wantCartState(t, db, "neg", gateway.CartNonPagato)
			wantDovutoState(t, db, d, gateway.DovutoDaPagare)

			pos := rtFor(p, gateway.EsitoEseguito, 2)
			mustRecord(t, db, p, pos, gateway.RTStored)
			got := wantCartState(t, db, "neg", gateway.CartPagato)
			if got.Payments[0].Receipt.ID != pos.ID || got.Payments[0].Receipt.Esito != gateway.EsitoEseguito {
				t.Fatalf("deciding receipt %+v", got.Payments[0].Receipt)
			}
			wantDovutoState(t, db, d, gateway.DovutoCompletato)
		})

		t.Run("several payments", func(t *testing.T) {
			b := mustEnte(t, db, "c_b002")
			c := mustCreateCart(t, db, newCart(a, "multi",
				newPayment(a, newItem(a, "M-1", 100)), newPayment(b, newItem(b, "M-2", 200)), newPayment(a, newItem(a, "M-3", 300))))
			mustSend(t, db, c)
			for i, p := range c.Payments {
				mustRecord(t, db, p, rtFor(p, gateway.EsitoEseguito, 1), gateway.RTStored)
				want := gateway.CartInCorso
				if i == len(c.Payments)-1 {
					want = gateway.CartPagato
				}
				wantCartState(t, db, "multi", want)
			}

			mixed := mustCreateCart(t, db, newCart(a, "mixed",
				newPayment(a, newItem(a, "X-1", 100)), newPayment(a, newItem(a, "X-2", 200))))
			mustSend(t, db, mixed)
			mustRecord(t, db, mixed.Payments[1], rtFor(mixed.Payments[1], gateway.EsitoNonEseguito, 1), gateway.RTStored)
			wantCartState(t, db, "mixed", gateway.CartInCorso)
			mustRecord(t, db, mixed.Payments[0], rtFor(mixed.Payments[0], gateway.EsitoEseguito, 1), gateway.RTStored)
			wantCartState(t, db, "mixed", gateway.CartParzPagato)
		})

		t.Run("refused", func(t *testing.T) {
			_, err := db.RecordRT(ctx, 999, &gateway.Receipt{Esito: "0", RT: []byte("x")})
			wantErr(t, err, gateway.ErrNotFound)
			c := mustCreateCart(t, db, newCart(a, "bad", newPayment(a, newItem(a, "B-1", 100))))
			mustSend(t, db, c)
			for _, rt := range []*gateway.Receipt{{Esito: "5", RT: []byte("x")}, {Esito: "0"}} {
				if _, err := db.RecordRT(ctx, c.Payments[0].ID, rt); err == nil {
					t.Fatalf("RecordRT accepted %+v", rt)
				}
			}
			if n := countReceipts(t, db, c.Payments[0].ID); n != 0 {
				t.Fatalf("%d receipts stored", n)
			}
		})
	})
}

// TestRecordRTConcurrent sends the same RT twenty times at once, as a node
// retrying on timeouts might: it must be stored once.
func TestRecordRTConcurrent(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		a := mustEnte(t, db, "c_a001")
		d := mustDovuto(t, db, a, "C-1", "01000000000000021")
		c := mustCreateCart(t, db, avvisoCart(a, "conc", d))
		mustSend(t, db, c)
		p := c.Payments[0]

		const n = 20
		// Open the connections and prepare the statements first: a new
		// PostgreSQL connection takes long enough to keep the calls apart.
		warmPool(t, db, n)
		other := mustCreateCart(t, db, newCart(a, "warm", newPayment(a, newItem(a, "W-1", 1))))
		mustSend(t, db, other)
		mustRecord(t, db, other.Payments[0], rtFor(other.Payments[0], gateway.EsitoEseguito, 1), gateway.RTStored)

		var (
			wg       sync.WaitGroup
			outcomes [n]gateway.RTOutcome
			errs     [n]error
			start    = make(chan struct{})
		)
		for i := range n {
			wg.Go(func() {
				<-start
				outcomes[i], errs[i] = db.RecordRT(context.Background(), p.ID, rtFor(p, gateway.EsitoEseguito, 1))
			})
		}
		close(start)
		wg.Wait()
		stored := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			switch outcomes[i] {
			case gateway.RTStored:
				stored++
			case gateway.RTDuplicate:
			default:
				t.Fatalf("call %d: outcome %d", i, outcomes[i])
			}
		}
		if stored != 1 || countReceipts(t, db, p.ID) != 1 {
			t.Fatalf("%d calls stored, %d receipts; want 1 and 1", stored, countReceipts(t, db, p.ID))
		}
		wantCartState(t, db, "conc", gateway.CartPagato)
		wantDovutoState(t, db, d, gateway.DovutoCompletato)
	})
}

// warmPool leaves n open connections in the PostgreSQL pool.
func warmPool(t *testing.T, db *DB, n int) {
	t.Helper()
	if db.dialect != Postgres { // one writer connection
		return
	}
	ctx := context.Background()
	conns := make([]*sql.Conn, 0, n)
	for range n {
		c, err := db.w.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestCartOutcome(t *testing.T) {
	for _, c := range []struct {
		esiti []string
		want  gateway.CartState
	}{
		{[]string{"0"}, gateway.CartPagato},
		{[]string{"0", "0", "0"}, gateway.CartPagato},
		{[]string{"1"}, gateway.CartNonPagato},
		{[]string{"1", "1"}, gateway.CartNonPagato},
		{[]string{"0", "1"}, gateway.CartParzPagato},
		{[]string{"1", "0"}, gateway.CartParzPagato},
		{[]string{"2"}, gateway.CartParzPagato},
		{[]string{"2", "1"}, gateway.CartParzPagato},
		{[]string{"0", "2"}, gateway.CartParzPagato},
		{[]string{"3"}, gateway.CartDecorrTerm},
		{[]string{"3", "1"}, gateway.CartDecorrTerm},
		{[]string{"3", "0"}, gateway.CartDecorrTermParz},
		{[]string{"2", "3"}, gateway.CartDecorrTermParz},
		{[]string{"4"}, gateway.CartDecorrTermParz},
		{[]string{"4", "1"}, gateway.CartDecorrTermParz},
		{[]string{"0", "4"}, gateway.CartDecorrTermParz},
	} {
		if got := cartOutcome(c.esiti); got != c.want {
			t.Errorf("cartOutcome(%v) = %s, want %s", c.esiti, got, c.want)
		}
	}
}

func TestDecides(t *testing.T) {
	for _, c := range []struct {
		cur, next string
		want      bool
	}{
		{"", "1", true}, {"", "0", true},
		{"1", "0", true}, {"1", "1", true}, {"3", "1", true}, {"1", "2", true},
		{"0", "0", false}, {"0", "1", false}, {"0", "2", false},
		{"2", "0", true}, {"2", "1", false}, {"4", "3", false}, {"4", "0", true},
	} {
		if got := decides(c.cur, c.next); got != c.want {
			t.Errorf("decides(%q, %q) = %v, want %v", c.cur, c.next, got, c.want)
		}
	}
}

// TestRecordRTConcurrentCart sends the RTs of every payment of a cart at
// once: whichever commits last must see the others and settle the cart.
func TestRecordRTConcurrentCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		a := mustEnte(t, db, "c_a001")
		const payments = 5
		warmPool(t, db, payments)
		for round := range 10 {
			id := fmt.Sprintf("cc%d", round)
			var ps []*gateway.Payment
			for i := range payments {
				ps = append(ps, newPayment(a, newItem(a, fmt.Sprintf("%s-%d", id, i), 100)))
			}
			c := mustCreateCart(t, db, newCart(a, id, ps...))
			mustSend(t, db, c)
			var (
				wg    sync.WaitGroup
				errs  [payments]error
				start = make(chan struct{})
			)
			for i, p := range c.Payments {
				wg.Go(func() {
					<-start
					_, errs[i] = db.RecordRT(context.Background(), p.ID, rtFor(p, gateway.EsitoEseguito, 1))
				})
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("payment %d: %v", i, err)
				}
			}
			wantCartState(t, db, id, gateway.CartPagato)
		}
	})
}
