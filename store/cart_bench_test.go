package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

// benchStores runs f on a migrated database of each dialect.
func benchStores(b *testing.B, f func(b *testing.B, db *DB, e *gateway.Ente)) {
	for _, c := range []struct {
		name string
		open func(testing.TB) *DB
	}{{Postgres, openPostgres}, {SQLite, openSQLite}} {
		b.Run(c.name, func(b *testing.B) {
			db := c.open(b)
			e := &gateway.Ente{CodIpa: "c_a001", CodiceFiscale: "CF1", State: gateway.EnteEsercizio}
			if err := db.CreateEnte(context.Background(), e); err != nil {
				b.Fatal(err)
			}
			f(b, db, e)
		})
	}
}

// benchSentCart creates, prepares and sends a one-payment cart whose item
// is an existing dovuto (an avviso), as paaInviaRT finds it.
func benchSentCart(b *testing.B, db *DB, e *gateway.Ente, n int) *gateway.Cart {
	ctx := context.Background()
	d := newItem(e, fmt.Sprintf("B-%d", n), 4200)
	d.IUV = fmt.Sprintf("%017d", n)
	if err := db.InsertDovuto(ctx, d); err != nil {
		b.Fatal(err)
	}
	item := *d
	p := newPayment(e, &item)
	p.IUV = d.IUV
	c := newCart(e, fmt.Sprintf("bench-%d", n), p)
	if err := db.CreateCart(ctx, c); err != nil {
		b.Fatal(err)
	}
	fillPrepared(c)
	if err := db.PrepareCart(ctx, c); err != nil {
		b.Fatal(err)
	}
	if err := db.MarkCartSent(ctx, c.ID, "https://node/pay", "node-"+c.IDSession); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkRecordRT stores the first, positive RT of a sent cart: the
// payment, its dovuto and the cart all move.
func BenchmarkRecordRT(b *testing.B) {
	benchStores(b, func(b *testing.B, db *DB, e *gateway.Ente) {
		ctx := context.Background()
		carts := make([]*gateway.Cart, b.N)
		for i := range carts {
			carts[i] = benchSentCart(b, db, e, i+1)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			p := carts[i].Payments[0]
			if out, err := db.RecordRT(ctx, p.ID, rtFor(p, gateway.EsitoEseguito, 1)); err != nil || out != gateway.RTStored {
				b.Fatalf("RecordRT = %d, %v", out, err)
			}
		}
	})
}

// BenchmarkFindCart reads a paid cart: payment, item and receipt.
func BenchmarkFindCart(b *testing.B) {
	benchStores(b, func(b *testing.B, db *DB, e *gateway.Ente) {
		ctx := context.Background()
		c := benchSentCart(b, db, e, 1)
		p := c.Payments[0]
		if _, err := db.RecordRT(ctx, p.ID, rtFor(p, gateway.EsitoEseguito, 1)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			got, err := db.FindCart(ctx, c.IDSession)
			if err != nil || len(got.Payments) != 1 || got.Payments[0].Receipt == nil || len(got.Payments[0].Items) != 1 {
				b.Fatalf("FindCart = %+v, %v", got, err)
			}
		}
	})
}

// BenchmarkFindPayment reads a paid payment as paaInviaRT does.
func BenchmarkFindPayment(b *testing.B) {
	benchStores(b, func(b *testing.B, db *DB, e *gateway.Ente) {
		ctx := context.Background()
		c := benchSentCart(b, db, e, 1)
		p := c.Payments[0]
		if _, err := db.RecordRT(ctx, p.ID, rtFor(p, gateway.EsitoEseguito, 1)); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for b.Loop() {
			got, err := db.FindPayment(ctx, p.Dominio, p.IUV, p.CCP)
			if err != nil || got.Receipt == nil || len(got.Items) != 1 {
				b.Fatalf("FindPayment = %+v, %v", got, err)
			}
		}
	})
}
