package avvisi

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

func TestZip(t *testing.T) {
	if got := FileName(goldenCF, "01000000000000144"); got != "avviso_99999000013_01000000000000144.pdf" {
		t.Fatalf("FileName = %q", got)
	}
	mod := time.Date(2025, 5, 6, 7, 8, 10, 0, time.UTC)
	files := []ZipFile{
		{Name: FileName(goldenCF, "a"), Data: []byte("%PDF-1 one"), Modified: mod},
		{Name: FileName(goldenCF, "b"), Data: bytes.Repeat([]byte("two"), 1000)},
	}
	var buf bytes.Buffer
	if err := Zip(&buf, files...); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 {
		t.Fatalf("%d entries", len(zr.File))
	}
	for i, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name != files[i].Name || !bytes.Equal(data, files[i].Data) {
			t.Errorf("entry %d: %q %q", i, f.Name, data)
		}
	}
	if !zr.File[0].Modified.Equal(mod) {
		t.Errorf("modified = %v", zr.File[0].Modified)
	}
	if err := Zip(io.Discard, files[0], files[0]); err == nil {
		t.Error("duplicate names accepted")
	}
	if err := Zip(io.Discard, ZipFile{}); err == nil {
		t.Error("empty name accepted")
	}
}

func TestFromDovuto(t *testing.T) {
	e := &gateway.Ente{CodIpa: "ENTE", CodiceFiscale: "01234567897", Denominazione: "Comune di Città", AuxDigit: 3, ContoPostale: "123456"}
	d := &gateway.Dovuto{IUD: "X", IUV: "01000000000000144", Amount: 10000, DueDate: "2026-12-31", Causale: "TARI 2026",
		Payer:     &gateway.Payer{ID: "RSSMRA80A01H501U", Name: "Mario Rossi", Address: "Via Roma", Civic: "1", CAP: "30100", Locality: "Venezia", Province: "VE"},
		Secondary: &gateway.SecondaryBeneficiary{Amount: 2500}}
	a, err := FromDovuto(e, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	r := a.Rate[0]
	if r.NumeroAvviso != "301000000000000144" || r.Importo != 12500 || r.Scadenza.Format(gateway.DateLayout) != "2026-12-31" ||
		!a.Postale() || a.Destinatario.CF != "RSSMRA80A01H501U" || len(a.Destinatario.Indirizzo) != 2 ||
		a.Destinatario.Indirizzo[1] != "30100 Venezia (VE)" {
		t.Errorf("avviso %+v", a)
	}
	if got := QRPayload(r.NumeroAvviso, e.CodiceFiscale, r.Importo); got != "PAGOPA|002|301000000000000144|01234567897|12500" {
		t.Errorf("QR %s", got)
	}
}
