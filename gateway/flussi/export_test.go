package flussi

import (
	"archive/zip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/storetest"
)

// exportNow is when the tests' exports run.
var exportNow = time.Date(2026, 3, 6, 9, 0, 0, 0, gateway.Rome)

type exportEnv struct {
	db    *store.DB
	ente  *gateway.Ente
	files Files
	n     int
}

func newExportEnv(t testing.TB, db *store.DB) *exportEnv {
	t.Helper()
	e := &gateway.Ente{CodIpa: testIpa, CodiceFiscale: "80007580279", Denominazione: "Comune di Prova",
		State: gateway.EnteEsercizio, AuxDigit: 3, ApplicationCode: "01", SegregationCode: "01"}
	if err := db.CreateEnte(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return &exportEnv{db: db, ente: e, files: Files{Root: t.TempDir()}}
}

// paid stores a sent one-item cart and a positive RT for it, paid at;
// change edits the RT before it is encoded. It returns the RT bytes.
func (e *exportEnv) paid(t testing.TB, item *gateway.Dovuto, at time.Time, change func(*rpt.Receipt)) []byte {
	t.Helper()
	ctx := context.Background()
	e.n++
	item.EnteID = e.ente.ID
	p := &gateway.Payment{EnteID: e.ente.ID, CodIpa: e.ente.CodIpa, Dominio: e.ente.CodiceFiscale,
		Items: []*gateway.Dovuto{item}, Amount: item.Amount}
	c := &gateway.Cart{IDSession: fmt.Sprintf("s%d", e.n), Token: fmt.Sprintf("t%d", e.n), Kind: gateway.CartEsterno,
		EnteID: e.ente.ID, CodIpa: e.ente.CodIpa, Payments: []*gateway.Payment{p}}
	must(t, e.db.CreateCart(ctx, c))
	p.IUV, p.CCP, p.MessageID = fmt.Sprintf("010000000000000%02d", e.n), fmt.Sprintf("CCP%d", e.n), fmt.Sprintf("MSG-%d", e.n)
	p.RequestedAt, p.RPT = at, []byte("<RPT/>")
	must(t, e.db.PrepareCart(ctx, c))
	must(t, e.db.MarkCartSent(ctx, c.ID, "https://node", fmt.Sprintf("n%d", e.n)))
	fee := gateway.Cents(150)
	r := &rpt.Receipt{Dominio: e.ente.CodiceFiscale, Stazione: "80007580279_01",
		IdentificativoMessaggioRicevuta: fmt.Sprintf("RT-%d", e.n), DataOra: at,
		RiferimentoMessaggioRichiesta: p.MessageID, RiferimentoDataRichiesta: at,
		IstitutoAttestante:  rpt.Attestante{Tipo: "B", Codice: "ABCDITMM", Denominazione: "Banca", Indirizzo: "Via X"},
		EnteBeneficiario:    rpt.Ente{Codice: e.ente.CodiceFiscale, Denominazione: "Comune di Prova"},
		Pagatore:            rpt.Soggetto{Tipo: "F", Codice: testCF, Anagrafica: "Mario Rossi", Email: "m@x.it"},
		ImportoTotalePagato: item.Amount, IUV: p.IUV, CCP: p.CCP,
		Payments: []rpt.Payment{{SingoloImportoPagato: item.Amount, Esito: "ESEGUITO", DataEsito: at, IUR: "IUR-1",
			Causale: item.Causale, DatiSpecifici: "9/0101100IM/", CommissioniPSP: &fee,
			Allegato: &rpt.Allegato{Tipo: "ES", Testo: []byte("esito")}}}}
	if change != nil {
		change(r)
	}
	b, err := rpt.EncodeRT(r)
	must(t, err)
	out, err := e.db.RecordRT(ctx, p.ID, &gateway.Receipt{Esito: "0", Amount: item.Amount, MessageID: r.IdentificativoMessaggioRicevuta,
		IssuedAt: at, TipoFirma: "", RT: b, ReceivedAt: at})
	if err != nil || out != gateway.RTStored {
		t.Fatalf("RecordRT = %v, %v", out, err)
	}
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// csvLine quotes the non-empty values and joins them as the export does.
func csvLine(vals ...string) string {
	for i, v := range vals {
		if v != "" {
			vals[i] = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
	}
	return strings.Join(vals, ";")
}

// readExport returns the lines of the only entry of the zip at rel,
// checking the entry is named as the zip.
func readExport(t testing.TB, files Files, rel string) []string {
	t.Helper()
	abs, err := files.Abs(rel)
	must(t, err)
	zr, err := zip.OpenReader(abs)
	must(t, err)
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != strings.TrimSuffix(path.Base(rel), ".zip")+".csv" {
		t.Fatalf("zip entries %v", zr.File)
	}
	rc, err := zr.File[0].Open()
	must(t, err)
	b, err := io.ReadAll(rc)
	must(t, err)
	if !strings.HasSuffix(string(b), "\n") {
		t.Fatalf("no final newline: %q", b)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestExportVersions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		ctx := context.Background()
		e := newExportEnv(t, db)
		at := time.Date(2026, 3, 5, 10, 11, 12, 0, gateway.Rome)
		item := &gateway.Dovuto{IUD: "IUD-1", TipoDovuto: "TARI", Amount: 1234, Causale: "TARI 2026",
			DatiSpecificiRiscossione: "9/0101100IM/", Flusso: "FLUSSO1",
			Bilancio: &gateway.Bilancio{Capitoli: []gateway.Capitolo{{Code: "CAP1", Accertamenti: []gateway.Accertamento{{Code: "ACC1", Amount: 1234}}}}}}
		rtDoc := e.paid(t, item, at, nil)
		iuv := "01000000000000001"
		base := []string{"FLUSSO1", "0", "IUD-1", iuv, "6.2.0", "80007580279", "80007580279_01", "RT-1",
			"2026-03-05T10:11:12", "MSG-1", "2026-03-05",
			"B", "ABCDITMM", "Banca", "", "", "Via X", "", "", "", "", "",
			"G", "80007580279", "Comune di Prova", "", "", "", "", "", "", "", "",
			"", "", "", "", "", "", "", "", "", "",
			"F", testCF, "Mario Rossi", "", "", "", "", "", "", "m@x.it",
			"0", "12.34", iuv, "CCP1", "12.34", "ESEGUITO", "2026-03-05", "IUR-1", "TARI 2026", "9/0101100IM/", "TARI"}
		if len(base) != 64 {
			t.Fatalf("golden row has %d columns", len(base))
		}
		ricevuta := []string{"", base64.StdEncoding.EncodeToString(rtDoc), "1", "1.50", "ES", "esito"}
		bilancio := "<bilancio><capitolo><codCapitolo>CAP1</codCapitolo><accertamento><codAccertamento>ACC1</codAccertamento><importo>12.34</importo></accertamento></capitolo></bilancio>"

		for i, c := range []struct {
			version  string
			ricevuta bool
			name     string
		}{
			{"1.0", false, `^\d+_ESTRAZIONE_DOVUTI_2026-03-06_09_00_00$`},
			{"1.1", true, `^C_TEST-\d+_ESTRAZIONE_DOVUTI_20260306090000-1_1$`},
			{"1.2", false, `^C_TEST-\d+_ESTRAZIONE_DOVUTI_20260306090000-1_2$`},
			{"1.2", true, ""},
			{"1.3", false, `^C_TEST-\d+_ESTRAZIONE_DOVUTI_20260306090000-1_3$`},
			{"1.3", true, ""},
		} {
			t.Run(fmt.Sprintf("%s-%v", c.version, c.ricevuta), func(t *testing.T) {
				f := &gateway.ExportFlusso{Kind: gateway.ExportPagati, EnteID: e.ente.ID, CodIpa: testIpa,
					RequestToken: fmt.Sprintf("tok%d", i), From: time.Date(2026, 3, 5, 0, 0, 0, 0, gateway.Rome),
					To: time.Date(2026, 3, 5, 0, 0, 0, 0, gateway.Rome), Version: c.version, Ricevuta: c.ricevuta}
				must(t, db.CreateExport(ctx, f))
				must(t, Export(ctx, db, e.files, f, exportNow))
				if f.State != gateway.ExportDone || f.Rows != 1 || !strings.HasPrefix(f.Path, "C_TEST/EXPORT/2026_03/") {
					t.Fatalf("export %+v", f)
				}
				if c.name != "" {
					if !regexp.MustCompile(c.name).MatchString(strings.TrimSuffix(path.Base(f.Path), ".zip")) {
						t.Errorf("name %s, want %s", f.Path, c.name)
					}
				}
				header := append([]string(nil), pagatiColumns...)
				row := append([]string(nil), base...)
				if c.ricevuta {
					header = append(header, ricevutaColumns...)
					row = append(row, ricevuta...)
				}
				switch c.version {
				case "1.2":
					header = append(header, "bilancio")
					row = append(row, bilancio)
				case "1.3":
					header = append(header, "bilancio", "cod_fiscale_pa1", "de_nome_pa1", "cod_tassonomico_dovuto_pa1")
					row = append(row, bilancio, "", "", "")
				}
				lines := readExport(t, e.files, f.Path)
				if len(lines) != 2 {
					t.Fatalf("%d lines", len(lines))
				}
				if want := csvLine(header...); lines[0] != want {
					t.Errorf("header\n got %s\nwant %s", lines[0], want)
				}
				if want := csvLine(row...); lines[1] != want {
					t.Errorf("row\n got %s\nwant %s", lines[1], want)
				}
			})
		}

		// Nothing in range: no file, done with 0 rows.
		f := &gateway.ExportFlusso{Kind: gateway.ExportPagati, EnteID: e.ente.ID, CodIpa: testIpa, RequestToken: "empty",
			From: time.Date(2026, 3, 6, 0, 0, 0, 0, gateway.Rome), To: time.Date(2026, 3, 7, 0, 0, 0, 0, gateway.Rome), Version: "1.1"}
		must(t, db.CreateExport(ctx, f))
		must(t, Export(ctx, db, e.files, f, exportNow))
		if f.State != gateway.ExportDone || f.Rows != 0 || f.Path != "" {
			t.Fatalf("empty export %+v", f)
		}
		var left []string
		must(t, filepath.WalkDir(e.files.Root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				left = append(left, p)
			}
			return err
		}))
		if len(left) != 6 { // the six exports above, no temporary file
			t.Errorf("files left: %v", left)
		}
	})
}

// TestExportFormulaInjection checks that outside text starting with a
// formula character is neutralised, and Ponte's own values are not.
func TestExportFormulaInjection(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		ctx := context.Background()
		e := newExportEnv(t, db)
		at := time.Date(2026, 3, 5, 10, 0, 0, 0, gateway.Rome)
		e.paid(t, &gateway.Dovuto{IUD: "-IUD", TipoDovuto: "@TIPO", Amount: 100, Causale: "+SUM(A1)",
			DatiSpecificiRiscossione: "9/0101100IM/", Flusso: "=FLUSSO"}, at, func(r *rpt.Receipt) {
			r.Pagatore.Anagrafica = "=HYPERLINK(\"http://x\";\"y\")"
			r.Pagatore.Indirizzo = "\tVia"
		})
		f := &gateway.ExportFlusso{Kind: gateway.ExportPagati, EnteID: e.ente.ID, CodIpa: testIpa, RequestToken: "inj",
			From: at, To: at, Version: "1.0"}
		must(t, db.CreateExport(ctx, f))
		must(t, Export(ctx, db, e.files, f, exportNow))
		line := readExport(t, e.files, f.Path)[1]
		for _, want := range []string{`"'=FLUSSO";"0";"'-IUD";`, `;"'=HYPERLINK(""http://x"";""y"")";"'` + "\tVia" + `";`,
			`;"'+SUM(A1)";`, `;"'@TIPO"`, `;"1.00";"ESEGUITO";"2026-03-05";`} {
			if !strings.Contains(line, want) {
				t.Errorf("row lacks %s:\n%s", want, line)
			}
		}
	})
}

func TestExportScaduti(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		ctx := context.Background()
		e := newExportEnv(t, db)
		d := &gateway.Dovuto{EnteID: e.ente.ID, IUD: "S1", IUV: "01000000000000099", State: gateway.DovutoDaPagare,
			TipoDovuto: "TARI", TipoVersamento: "ALL", Amount: 5000, DueDate: "2026-01-31", Causale: "=TARI",
			DatiSpecificiRiscossione: "9/0101100IM/", Payer: &gateway.Payer{Type: "F", ID: testCF, Name: "Mario Rossi"}}
		must(t, db.InsertDovuto(ctx, d))
		f := &gateway.ExportFlusso{Kind: gateway.ExportScaduti, EnteID: e.ente.ID, CodIpa: testIpa, RequestToken: "scad-1",
			From: time.Date(2026, 2, 1, 0, 0, 0, 0, gateway.Rome), To: time.Date(2026, 2, 1, 0, 0, 0, 0, gateway.Rome), TipoDovuto: "TARI"}
		must(t, db.CreateExport(ctx, f))
		must(t, Export(ctx, db, e.files, f, exportNow))
		if f.Rows != 1 || f.Path != "C_TEST/EXPORT_DOVUTI_SCADUTI/2026-03/EXP_SCADUTI_scad-1.zip" {
			t.Fatalf("export %+v", f)
		}
		lines := readExport(t, e.files, f.Path)
		created := d.CreatedAt.In(gateway.Rome).Format(gateway.DateLayout)
		if want := csvLine(ScadutiHeader...); lines[0] != want {
			t.Errorf("header %s", lines[0])
		}
		want := csvLine("S1", "01000000000000099", created, "F", testCF, "Mario Rossi", "", "", "", "", "", "", "",
			"2026-01-31", "50.00", "", "TARI", "ALL", "'=TARI", "9/0101100IM/", "", "")
		if lines[1] != want {
			t.Errorf("row\n got %s\nwant %s", lines[1], want)
		}
	})
}
