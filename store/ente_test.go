package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestEnte(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := &gateway.Ente{
			CodIpa: "c_h501", CodiceFiscale: "02438750586", Denominazione: "Roma Capitale",
			State: gateway.EnteEsercizio, PasswordHash: "$argon2id$x",
			IBAN: "IT60X0542811101000000123456", IBANPostale: "IT60X0760111101000000123456", ContoPostale: "123456",
			AuxDigit: 3, ApplicationCode: "01", SegregationCode: "47",
			IntermediaryID: "80007580279", StationID: "80007580279_01", StationPassword: "secret",
			RedirectURL: "https://ente.example/ritorno",
		}
		if err := db.CreateEnte(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || e.CreatedAt.IsZero() || !e.UpdatedAt.Equal(e.CreatedAt) {
			t.Fatalf("CreateEnte did not set ID/times: %+v", e)
		}
		got, err := db.FindEnte(ctx, "c_h501")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("FindEnte = %+v\nwant %+v", got, e)
		}
		byCF, err := db.FindEnteByCF(ctx, "02438750586")
		if err != nil || byCF.ID != e.ID {
			t.Fatalf("FindEnteByCF = %+v, %v", byCF, err)
		}

		_, err = db.FindEnte(ctx, "nope")
		wantErr(t, err, gateway.ErrNotFound)
		_, err = db.FindEnteByCF(ctx, "nope")
		wantErr(t, err, gateway.ErrNotFound)

		// Uniqueness of cod_ipa and of codice fiscale.
		wantErr(t, db.CreateEnte(ctx, &gateway.Ente{CodIpa: "c_h501", CodiceFiscale: "other", State: gateway.EnteInserito}), gateway.ErrConflict)
		wantErr(t, db.CreateEnte(ctx, &gateway.Ente{CodIpa: "other", CodiceFiscale: "02438750586", State: gateway.EnteInserito}), gateway.ErrConflict)

		// Update replaces fields and keeps CreatedAt.
		time.Sleep(2 * time.Millisecond)
		e.Denominazione = "Comune di Roma"
		e.State = gateway.EntePreEsercizio
		e.StationPassword = "new"
		if err := db.UpdateEnte(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err = db.FindEnte(ctx, "c_h501")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, e) || !got.UpdatedAt.After(got.CreatedAt) {
			t.Fatalf("after update = %+v\nwant %+v", got, e)
		}
		wantErr(t, db.UpdateEnte(ctx, &gateway.Ente{ID: 999999, CodIpa: "x", CodiceFiscale: "y"}), gateway.ErrNotFound)

		other := mustEnte(t, db, "a_first")
		other.CodIpa = "c_h501"
		wantErr(t, db.UpdateEnte(ctx, other), gateway.ErrConflict)

		list, err := db.ListEnti(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].CodIpa != "a_first" || list[1].CodIpa != "c_h501" {
			t.Fatalf("ListEnti = %+v", list)
		}
	})
}

func TestTipoDovuto(t *testing.T) {
	forEachStore(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		e := mustEnte(t, db, "c_a001")
		td := &gateway.TipoDovuto{
			EnteID: e.ID, Code: "TARI", Description: "Tassa rifiuti", Enabled: true,
			DueDateMandatory: true, TaxonomyCode: "9/0101100IM/",
		}
		if err := db.UpsertTipoDovuto(ctx, td); err != nil {
			t.Fatal(err)
		}
		id, created := td.ID, td.CreatedAt
		if id == 0 {
			t.Fatal("no ID")
		}
		got, err := db.FindTipoDovuto(ctx, e.ID, "TARI")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, td) {
			t.Fatalf("FindTipoDovuto = %+v\nwant %+v", got, td)
		}

		// The second upsert updates the same row.
		time.Sleep(2 * time.Millisecond)
		upd := &gateway.TipoDovuto{EnteID: e.ID, Code: "TARI", Description: "TARI 2025",
			Enabled: false, AllowAnonymousCF: true, FixedAmount: 1600}
		if err := db.UpsertTipoDovuto(ctx, upd); err != nil {
			t.Fatal(err)
		}
		if upd.ID != id || !upd.CreatedAt.Equal(created) || !upd.UpdatedAt.After(created) {
			t.Fatalf("upsert made a new row or lost CreatedAt: %+v (id %d, created %v)", upd, id, created)
		}
		got, err = db.FindTipoDovuto(ctx, e.ID, "TARI")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, upd) {
			t.Fatalf("after upsert = %+v\nwant %+v", got, upd)
		}

		if err := db.UpsertTipoDovuto(ctx, &gateway.TipoDovuto{EnteID: e.ID, Code: gateway.MarcaBolloDigitale, Enabled: true, FixedAmount: 1600}); err != nil {
			t.Fatal(err)
		}
		other := mustEnte(t, db, "c_b002")
		if err := db.UpsertTipoDovuto(ctx, &gateway.TipoDovuto{EnteID: other.ID, Code: "MENSA"}); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListTipiDovuto(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Code != gateway.MarcaBolloDigitale || list[1].Code != "TARI" {
			t.Fatalf("ListTipiDovuto = %+v", list)
		}

		_, err = db.FindTipoDovuto(ctx, e.ID, "MENSA")
		wantErr(t, err, gateway.ErrNotFound)
		wantErr(t, db.UpsertTipoDovuto(ctx, &gateway.TipoDovuto{EnteID: 424242, Code: "X"}), gateway.ErrNotFound)
	})
}
