package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

func fullDovuto(enteID int64, iud, iuv string) *gateway.Dovuto {
	return &gateway.Dovuto{
		EnteID: enteID, IUD: iud, IUV: iuv,
		TipoDovuto: "TARI", TipoVersamento: "ALL",
		Amount: gateway.MaxAmount, Commission: 150,
		DueDate: "2031-12-31", Causale: "TARI 2025 rata unica",
		DatiSpecificiRiscossione: "9/0101100IM/",
		Bilancio: &gateway.Bilancio{Capitoli: []gateway.Capitolo{
			{Code: "CAP1", Office: "UFF1", Accertamenti: []gateway.Accertamento{{Code: "ACC1", Amount: 99999999900}, {Code: "ACC2", Amount: 99}}},
			{Code: "CAP2", Accertamenti: []gateway.Accertamento{{Amount: 0}}},
		}},
		Payer: &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi", Address: "Via Roma",
			Civic: "1", CAP: "00100", Locality: "Roma", Province: "RM", Nation: "IT", Email: "mario@example.it"},
		Secondary: &gateway.SecondaryBeneficiary{CodiceFiscale: "80000000000", Denominazione: "Provincia",
			IBAN: "IT60X0542811101000000654321", Address: "Piazza", Civic: "2", CAP: "00100",
			Locality: "Roma", Province: "RM", Nation: "IT", Causale: "TEFA",
			DatiSpecificiRiscossione: "9/0101100IM/", Amount: 5000},
		Flusso: "_c_a001_IMPORT-DOVUTO",
	}
}

func TestDovutoRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_a001")
		d := fullDovuto(e.ID, "IUD-1", "01000000000000001")
		if err := db.InsertDovuto(ctx, d); err != nil {
			t.Fatal(err)
		}
		if d.ID == 0 || d.State != gateway.DovutoDaPagare || d.CreatedAt.IsZero() {
			t.Fatalf("InsertDovuto did not set ID/state/times: %+v", d)
		}
		byIUD, err := db.FindDovutoByIUD(ctx, e.ID, "IUD-1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byIUD, d) {
			t.Fatalf("FindDovutoByIUD = %+v\nwant %+v", byIUD, d)
		}
		if byIUD.Amount != 99999999999 || byIUD.Bilancio.Total() != 99999999999 {
			t.Fatalf("amounts changed: %d, bilancio %d", byIUD.Amount, byIUD.Bilancio.Total())
		}
		byIUV, err := db.FindDovutoByIUV(ctx, e.ID, "01000000000000001")
		if err != nil || byIUV.ID != d.ID {
			t.Fatalf("FindDovutoByIUV = %+v, %v", byIUV, err)
		}

		// Optional parts absent: no IUV, bilancio, payer, secondary, due date.
		bare := &gateway.Dovuto{EnteID: e.ID, IUD: "IUD-2", TipoDovuto: "TARI", Amount: 1}
		if err := db.InsertDovuto(ctx, bare); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindDovutoByIUD(ctx, e.ID, "IUD-2")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, bare) {
			t.Fatalf("bare dovuto = %+v\nwant %+v", got, bare)
		}
		_, err = db.FindDovutoByIUV(ctx, e.ID, "")
		wantErr(t, err, gateway.ErrNotFound)
		_, err = db.FindDovutoByIUD(ctx, e.ID, "missing")
		wantErr(t, err, gateway.ErrNotFound)
		// Another ente does not see it.
		o := mustEnte(t, db, "c_b002")
		_, err = db.FindDovutoByIUD(ctx, o.ID, "IUD-1")
		wantErr(t, err, gateway.ErrNotFound)
	})
}

func TestDovutoUniqueness(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_a001")
		o := mustEnte(t, db, "c_b002")
		ins := func(ente int64, iud, iuv string) error {
			return db.InsertDovuto(ctx, &gateway.Dovuto{EnteID: ente, IUD: iud, IUV: iuv, TipoDovuto: "TARI", Amount: 100})
		}
		if err := ins(e.ID, "A", "01000000000000001"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, ins(e.ID, "A", "01000000000000002"), gateway.CodeImportIUDDuplicato)
		wantCode(t, ins(e.ID, "B", "01000000000000001"), gateway.CodeImportIUVDuplicato)
		// Many dovuti without IUV are fine; the same IUD/IUV at another ente too.
		for _, iud := range []string{"C", "D"} {
			if err := ins(e.ID, iud, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := ins(o.ID, "A", "01000000000000001"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, ins(424242, "Z", ""), gateway.ErrNotFound)
	})
}

func TestDovutoModifyAnnul(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_a001")
		d := fullDovuto(e.ID, "IUD-1", "01000000000000001")
		if err := db.InsertDovuto(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := db.InsertDovuto(ctx, &gateway.Dovuto{EnteID: e.ID, IUD: "IUD-2", IUV: "01000000000000002", TipoDovuto: "TARI", Amount: 1}); err != nil {
			t.Fatal(err)
		}

		// Modify with an empty IUV keeps the assigned one.
		m := &gateway.Dovuto{EnteID: e.ID, IUD: "IUD-1", TipoDovuto: "TARI", Amount: 4200, Causale: "nuova",
			Payer: &gateway.Payer{Type: "G", ID: "01234567890", Name: "ACME"}}
		if err := db.ModifyDovuto(ctx, m); err != nil {
			t.Fatal(err)
		}
		if m.ID != d.ID || m.IUV != d.IUV || !m.CreatedAt.Equal(d.CreatedAt) {
			t.Fatalf("ModifyDovuto result %+v", m)
		}
		got, err := db.FindDovutoByIUD(ctx, e.ID, "IUD-1")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("after modify = %+v\nwant %+v", got, m)
		}
		if got.Bilancio != nil || got.Secondary != nil || got.DueDate != "" {
			t.Fatalf("modify kept old optional parts: %+v", got)
		}

		// Taking another dovuto's IUV.
		wantCode(t, db.ModifyDovuto(ctx, &gateway.Dovuto{EnteID: e.ID, IUD: "IUD-1", IUV: "01000000000000002", TipoDovuto: "TARI", Amount: 1}), gateway.CodeImportIUVDuplicato)
		wantErr(t, db.ModifyDovuto(ctx, &gateway.Dovuto{EnteID: e.ID, IUD: "missing", TipoDovuto: "TARI", Amount: 1}), gateway.ErrNotFound)
		wantErr(t, db.AnnulDovuto(ctx, e.ID, "missing"), gateway.ErrNotFound)

		if err := db.AnnulDovuto(ctx, e.ID, "IUD-1"); err != nil {
			t.Fatal(err)
		}
		got, err = db.FindDovutoByIUD(ctx, e.ID, "IUD-1")
		if err != nil || got.State != gateway.DovutoAnnullato {
			t.Fatalf("annulled dovuto = %+v, %v", got, err)
		}
		wantErr(t, db.AnnulDovuto(ctx, e.ID, "IUD-1"), gateway.ErrConflict)
		wantErr(t, db.ModifyDovuto(ctx, &gateway.Dovuto{EnteID: e.ID, IUD: "IUD-1", TipoDovuto: "TARI", Amount: 1}), gateway.ErrConflict)

		// An annulled IUD stays used and cannot be inserted again.
		for _, iud := range []string{"IUD-1", "IUD-2"} {
			used, err := db.IUDUsed(ctx, e.ID, iud)
			if err != nil || !used {
				t.Fatalf("IUDUsed(%s) = %v, %v", iud, used, err)
			}
		}
		used, err := db.IUDUsed(ctx, e.ID, "never")
		if err != nil || used {
			t.Fatalf("IUDUsed(never) = %v, %v", used, err)
		}
		wantCode(t, db.InsertDovuto(ctx, &gateway.Dovuto{EnteID: e.ID, IUD: "IUD-1", TipoDovuto: "TARI", Amount: 1}), gateway.CodeImportIUDDuplicato)
	})
}
