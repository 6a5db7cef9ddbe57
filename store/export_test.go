package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// realRT is a schema-valid RT for p: esito 0 pays every item, 1 none, 2
// the first only; paid on at's day.
func realRT(t testing.TB, p *gateway.Payment, esito rpt.Esito, at time.Time, n int) *gateway.Receipt {
	t.Helper()
	r := &rpt.Receipt{
		Dominio: p.Dominio, Stazione: "97735020584_01",
		IdentificativoMessaggioRicevuta: fmt.Sprintf("RT-%d-%d", p.ID, n), DataOra: at,
		RiferimentoMessaggioRichiesta: p.MessageID, RiferimentoDataRichiesta: at,
		IstitutoAttestante: rpt.Attestante{Tipo: "B", Codice: "ABCDITMM", Denominazione: "Banca \"Uno\""},
		EnteBeneficiario:   rpt.Ente{Codice: p.Dominio, Denominazione: "Comune"},
		Pagatore:           rpt.Soggetto{Tipo: "F", Codice: "RSSMRA80A01H501U", Anagrafica: "=HYPERLINK(\"x\")", Email: "a@b.it"},
		Esito:              esito, IUV: p.IUV, CCP: p.CCP,
	}
	for i, it := range p.Items {
		paid := esito == rpt.EsitoEseguito || esito == rpt.EsitoParziale && i == 0
		amount := gateway.Cents(0)
		if paid {
			amount = it.Amount
			r.ImportoTotalePagato += amount
		}
		r.Payments = append(r.Payments, rpt.Payment{SingoloImportoPagato: amount, Esito: "ESEGUITO", DataEsito: at,
			IUR: fmt.Sprintf("IUR%d", i), Causale: "-causale " + it.IUD, DatiSpecifici: "9/0101100IM/"})
	}
	b, err := rpt.EncodeRT(r)
	if err != nil {
		t.Fatal(err)
	}
	e := "0"
	if esito != rpt.EsitoEseguito {
		e = fmt.Sprint(int(esito))
	}
	return &gateway.Receipt{Esito: e, Amount: r.ImportoTotalePagato, MessageID: r.IdentificativoMessaggioRicevuta,
		IssuedAt: at, RT: b, ReceivedAt: at.Add(time.Minute)}
}

type pagatoRow struct {
	iud, fields string
	receiptID   int64
}

func pagati(t *testing.T, db *DB, paymentID int64) []pagatoRow {
	t.Helper()
	rows, err := db.r.Query(db.r.Rebind(`SELECT iud, fields, receipt_id FROM pagato WHERE payment_id = ? ORDER BY position`), paymentID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []pagatoRow
	for rows.Next() {
		var r pagatoRow
		if err := rows.Scan(&r.iud, &r.fields, &r.receiptID); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func sentCart(t *testing.T, db *DB, e *gateway.Ente, id string, items ...*gateway.Dovuto) *gateway.Payment {
	t.Helper()
	c := mustCreateCart(t, db, newCart(e, id, newPayment(e, items...)))
	mustSend(t, db, c)
	return c.Payments[0]
}

func TestRecordRTPagato(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		e := mustEnte(t, db, "c_p001")
		at := time.Date(2030, 5, 6, 10, 0, 0, 0, gateway.Rome)

		p := sentCart(t, db, e, "s1", newItem(e, "A1", 1000), newItem(e, "A2", 250))
		rt := realRT(t, p, rpt.EsitoEseguito, at, 1)
		mustRecord(t, db, p, rt, gateway.RTStored)
		got := pagati(t, db, p.ID)
		if len(got) != 2 || got[0].iud != "A1" || got[1].iud != "A2" || got[0].receiptID != rt.ID {
			t.Fatalf("pagato = %+v", got)
		}
		want := `"` + p.IUV + `";"6.2.0";"` + e.CodiceFiscale + `";"97735020584_01";"RT-` + fmt.Sprint(p.ID) +
			`-1";"2030-05-06T10:00:00";"` + p.MessageID + `";"2030-05-06";"B";"ABCDITMM";"Banca ""Uno""";;;;;;;;;"G";"` +
			e.CodiceFiscale + `";"Comune";;;;;;;;;;;;;;;;;;;"F";"RSSMRA80A01H501U";"'=HYPERLINK(""x"")";;;;;;;"a@b.it";"0";"12.50";"` +
			p.IUV + `";"` + p.CCP + `";"10.00";"ESEGUITO";"2030-05-06";"IUR0";"'-causale A1";"9/0101100IM/"`
		if got[0].fields != want {
			t.Errorf("fields\n got %s\nwant %s", got[0].fields, want)
		}
		// The same RT again: nothing new.
		mustRecord(t, db, p, rt, gateway.RTDuplicate)
		if n := len(pagati(t, db, p.ID)); n != 2 {
			t.Fatalf("after duplicate: %d rows", n)
		}

		// Negative, then positive.
		q := sentCart(t, db, e, "s2", newItem(e, "B1", 700))
		mustRecord(t, db, q, realRT(t, q, rpt.EsitoNonEseguito, at, 1), gateway.RTStored)
		if n := len(pagati(t, db, q.ID)); n != 0 {
			t.Fatalf("negative RT: %d rows", n)
		}
		pos := realRT(t, q, rpt.EsitoEseguito, at, 2)
		mustRecord(t, db, q, pos, gateway.RTStored)
		if got := pagati(t, db, q.ID); len(got) != 1 || got[0].receiptID != pos.ID {
			t.Fatalf("positive after negative: %+v", got)
		}

		// Partial: only the paid item.
		r := sentCart(t, db, e, "s3", newItem(e, "C1", 100), newItem(e, "C2", 200))
		mustRecord(t, db, r, realRT(t, r, rpt.EsitoParziale, at, 1), gateway.RTStored)
		if got := pagati(t, db, r.ID); len(got) != 1 || got[0].iud != "C1" {
			t.Fatalf("partial: %+v", got)
		}
	})
}

func TestExportFlussoLease(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_p002")
		f := &gateway.ExportFlusso{Kind: gateway.ExportPagati, EnteID: e.ID, CodIpa: e.CodIpa, RequestToken: "tok1",
			From: time.Date(2030, 1, 1, 0, 0, 0, 0, gateway.Rome), To: time.Date(2030, 1, 31, 0, 0, 0, 0, gateway.Rome), Version: "1.1"}
		if err := db.CreateExport(ctx, f); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateExport(ctx, &gateway.ExportFlusso{Kind: gateway.ExportPagati, EnteID: e.ID, RequestToken: "tok1"}); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("same token: %v", err)
		}
		got, err := db.ClaimExport(ctx, "w1", time.Minute)
		if err != nil || got == nil || got.ID != f.ID || got.State != gateway.ExportRunning || !got.From.Equal(f.From) {
			t.Fatalf("claim = %+v, %v", got, err)
		}
		if again, err := db.ClaimExport(ctx, "w2", time.Minute); again != nil || err != nil {
			t.Fatalf("second claim = %+v, %v", again, err)
		}
		if err := db.RenewExport(ctx, f.ID, "w2", time.Minute); !errors.Is(err, gateway.ErrConflict) {
			t.Fatalf("renew by other: %v", err)
		}
		if err := db.RenewExport(ctx, f.ID, "w1", time.Minute); err != nil {
			t.Fatal(err)
		}
		got.State, got.Path, got.Rows = gateway.ExportDone, "c_p002/EXPORT/x.zip", 3
		if err := db.FinishExport(ctx, got, "w1"); err != nil {
			t.Fatal(err)
		}
		back, err := db.FindExportByToken(ctx, "tok1")
		if err != nil || back.State != gateway.ExportDone || back.Path != got.Path || back.Rows != 3 || back.FinishedAt.IsZero() {
			t.Fatalf("find = %+v, %v", back, err)
		}
		if _, err := db.FindExportByToken(ctx, "nope"); !errors.Is(err, gateway.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
	})
}

// TestExportRowsSelection checks both selections at their boundaries.
func TestExportRowsSelection(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_p003")
		day := func(d int) time.Time { return time.Date(2030, 3, d, 23, 30, 0, 0, gateway.Rome) }
		var received []time.Time
		for i, d := range []int{1, 2, 3, 4} {
			p := sentCart(t, db, e, fmt.Sprintf("x%d", i), newItem(e, fmt.Sprintf("D%d", d), 100))
			rt := realRT(t, p, rpt.EsitoEseguito, day(d), 1)
			mustRecord(t, db, p, rt, gateway.RTStored)
			received = append(received, rt.ReceivedAt)
		}
		list := func(f *gateway.ExportFlusso) string {
			var got []string
			err := db.ExportRows(ctx, f, func(r *gateway.PagatoRow) error {
				got = append(got, string(r.IUD))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(got, ",")
		}
		midnight := func(d int) time.Time { return time.Date(2030, 3, d, 0, 0, 0, 0, gateway.Rome) }
		f := &gateway.ExportFlusso{EnteID: e.ID, From: midnight(2), To: midnight(3), Version: "1.0"}
		if got := list(f); got != "D2,D3" {
			t.Errorf("days 2-3: %s", got)
		}
		f = &gateway.ExportFlusso{EnteID: e.ID, Incremental: true, From: received[1], To: received[3], Version: "1.0"}
		if got := list(f); got != "D2,D3" {
			t.Errorf("incremental [r2, r4): %s", got)
		}
		f.TipoDovuto = "OTHER"
		if got := list(f); got != "" {
			t.Errorf("other tipo: %s", got)
		}
		f.TipoDovuto, f.Ricevuta, f.Version = "TARI", true, "1.3"
		var rt []byte
		err := db.ExportRows(ctx, f, func(r *gateway.PagatoRow) error {
			rt = append(rt[:0], r.RT...)
			if string(r.Ricevuta) != `"1";;;` {
				t.Errorf("ricevuta %q", r.Ricevuta)
			}
			return nil
		})
		if err != nil || !strings.Contains(string(rt), "<") {
			t.Fatalf("ricevuta rows: %v %q", err, rt)
		}
	})
}

func TestScadutiRows(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_p004")
		for i, due := range []string{"2030-01-01", "2030-01-09", "2030-01-10", ""} {
			d := newItem(e, fmt.Sprintf("S%d", i), 100)
			d.DueDate, d.State = due, gateway.DovutoDaPagare
			if i == 1 {
				d.TipoDovuto = "IMU"
			}
			if err := db.InsertDovuto(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		f := &gateway.ExportFlusso{EnteID: e.ID, TipoDovuto: "TARI;IMU", To: time.Date(2030, 1, 10, 0, 0, 0, 0, gateway.Rome)}
		var got []string
		if err := db.ScadutiRows(ctx, f, func(d *gateway.Dovuto) error { got = append(got, d.IUD); return nil }); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ",") != "S0,S1" {
			t.Fatalf("scaduti = %v", got)
		}
	})
}

// BenchmarkRecordRTPagato is BenchmarkRecordRT with a real, positive RT:
// the receipt also fills its export row.
func BenchmarkRecordRTPagato(b *testing.B) {
	benchStores(b, func(b *testing.B, db *DB, e *gateway.Ente) {
		ctx := context.Background()
		at := time.Date(2030, 5, 6, 10, 0, 0, 0, gateway.Rome)
		rts := make([]*gateway.Receipt, b.N)
		carts := make([]*gateway.Cart, b.N)
		for i := range carts {
			carts[i] = benchSentCart(b, db, e, i+1)
			rts[i] = realRT(b, carts[i].Payments[0], rpt.EsitoEseguito, at, 1)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			p := carts[i].Payments[0]
			if out, err := db.RecordRT(ctx, p.ID, rts[i]); err != nil || out != gateway.RTStored {
				b.Fatalf("RecordRT = %d, %v", out, err)
			}
		}
	})
}
