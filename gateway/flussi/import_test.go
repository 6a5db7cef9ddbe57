package flussi

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/storetest"
)

const (
	testIpa = "C_TEST"
	testCF  = "RSSMRA80A01H501U"
)

// importEnv is a store with one ente and its tipi, a files tree and an
// Importer over them.
type importEnv struct {
	t     testing.TB
	db    *store.DB
	ente  *gateway.Ente
	files Files
	im    *Importer
	ctx   context.Context
}

func newImportEnv(t testing.TB, db *store.DB) *importEnv {
	t.Helper()
	ctx := context.Background()
	e := &gateway.Ente{CodIpa: testIpa, CodiceFiscale: "80007580279", Denominazione: "Comune di Prova",
		State: gateway.EnteEsercizio, IBAN: "IT60X0542811101000000123456", AuxDigit: 3,
		ApplicationCode: "01", SegregationCode: "01"}
	if err := db.CreateEnte(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, td := range []*gateway.TipoDovuto{
		{Code: "TARI", Enabled: true},
		{Code: "SPENTO", Enabled: false},
		{Code: "SCAD", Enabled: true, DueDateMandatory: true},
	} {
		td.EnteID = e.ID
		if err := db.UpsertTipoDovuto(ctx, td); err != nil {
			t.Fatal(err)
		}
	}
	files := Files{Root: t.TempDir()}
	return &importEnv{t: t, db: db, ente: e, files: files, ctx: ctx,
		im: &Importer{Store: db, Enti: db, IUVs: db, Files: files,
			Clock: gateway.FixedClock{T: time.Date(2026, 11, 23, 10, 0, 0, 0, gateway.Rome)}}}
}

// row is one CSV line in the 1_4 layout; fields names the columns to
// change from a valid default.
func row(v Version, set map[int]string) string {
	f := []string{
		"IUD1", "", "F", testCF, "Mario Rossi", "Via Roma", "1", "00100", "Roma", "RM", "IT",
		"mario@example.it", "2030-12-31", "10.50", "", "TARI", "", "TARI 2026", "9/0101100IM/TARI",
		"", "true", "false", "", "", "", "", "", "", "", "", "", "", "", "", "I",
	}
	for i, s := range set {
		f[i] = s
	}
	var cols []string
	switch v {
	case V1_0, V1_1:
		cols = append(f[:19:19], f[34])
	case V1_2:
		cols = append(f[:20:20], f[34])
	case V1_3:
		cols = append(f[:21:21], f[34])
	default:
		cols = f
	}
	return strings.Join(cols, ";")
}

// zipFile writes a zip with the named entries and returns its path.
func zipFile(t testing.TB, dir, name string, entries map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for n, body := range entries {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// csvZip is a well-formed flusso: <base>.zip holding <base>.csv.
func csvZip(t testing.TB, dir, base string, lines ...string) string {
	return zipFile(t, dir, base+".zip", map[string]string{base + ".csv": "header\n" + strings.Join(lines, "\n") + "\n"})
}

// load records the zip at src as uploaded and returns the flusso.
func (e *importEnv) load(t testing.TB, src string) *gateway.ImportFlusso {
	t.Helper()
	body, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(src)
	token := fmt.Sprintf("tok-%d", time.Now().UnixNano())
	rel := e.files.ImportUpload(testIpa, token, name)
	abs, _ := e.files.Abs(rel)
	os.MkdirAll(filepath.Dir(abs), 0o750)
	if err := os.WriteFile(abs, body, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(body)
	fn, _ := ParseFileName(name)
	f := &gateway.ImportFlusso{EnteID: e.ente.ID, CodIpa: testIpa, RequestToken: token, FileName: name,
		IUF: fn.IUF, Version: fn.Version, Path: rel, MD5: hex.EncodeToString(sum[:]), Size: int64(len(body))}
	if err := e.db.CreateImport(e.ctx, f); err != nil {
		t.Fatal(err)
	}
	return f
}

// run claims and processes the flusso and returns it as stored.
func (e *importEnv) run(t testing.TB, f *gateway.ImportFlusso) *gateway.ImportFlusso {
	t.Helper()
	c, err := e.db.ClaimImportByID(e.ctx, f.ID, "test", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.im.Process(e.ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	got, err := e.db.FindImportByToken(e.ctx, f.RequestToken)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// resultLines reads the CSV inside a result zip.
func (e *importEnv) resultLines(t testing.TB, rel string) []string {
	t.Helper()
	abs, err := e.files.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(abs)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		t.Fatalf("%s has %d entries", rel, len(zr.File))
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []string
	sc := bufio.NewScanner(rc)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func TestImportEveryVersion(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		e := newImportEnv(t, db)
		for _, v := range []Version{V1_0, V1_1, V1_2, V1_3, V1_4} {
			t.Run(v.String(), func(t *testing.T) {
				base := fmt.Sprintf("%s-IUF%s-%s", testIpa, strings.ReplaceAll(v.String(), "_", ""), v)
				iud := func(n int) string { return fmt.Sprintf("V%s-%d", v, n) }
				lines := []string{
					row(v, map[int]string{0: iud(1)}),
					row(v, map[int]string{0: iud(2), 13: "0"}), // importo 0
					row(v, map[int]string{0: iud(1)}),          // IUD repeated
				}
				if v == V1_4 {
					lines = append(lines, row(v, map[int]string{0: iud(4), 21: "true", 22: "80007580279", 23: "Altro ente",
						24: "IT60X0542811101000000123456", 31: "9/0101100IM/X", 33: "2.00"}))
				}
				f := e.run(t, e.load(t, csvZip(t, t.TempDir(), base, lines...)))
				wantImported := int64(1)
				if v == V1_4 {
					wantImported = 2
				}
				if f.State != gateway.ImportDone || f.ErrorCode != "" || f.Imported != wantImported || f.Rejected != 2 {
					t.Fatalf("flusso = %+v", f)
				}
				d, err := db.FindDovutoByIUD(e.ctx, e.ente.ID, iud(1))
				if err != nil {
					t.Fatal(err)
				}
				if d.Amount != 1050 || d.State != gateway.DovutoDaPagare || d.Flusso != f.IUF {
					t.Errorf("dovuto = %+v", d)
				}
				if v >= V1_3 && (len(d.IUV) != 17 || !strings.HasPrefix(d.IUV, "0100")) {
					t.Errorf("generated IUV = %q", d.IUV)
				}
				if v < V1_3 && d.IUV != "" {
					t.Errorf("IUV = %q without flagGeneraIuv", d.IUV)
				}
				if v == V1_4 {
					d4, err := db.FindDovutoByIUD(e.ctx, e.ente.ID, iud(4))
					if err != nil || d4.Secondary == nil || d4.Secondary.Amount != 200 {
						t.Errorf("multi-beneficiary dovuto = %+v, %v", d4, err)
					}
				}
				scarti := e.resultLines(t, f.ScartiPath)
				if len(scarti) != 3 || scarti[0] != "header;cod_rifiuto;de_rifiuto" {
					t.Fatalf("scarti = %q", scarti)
				}
				if !strings.HasPrefix(scarti[1], lines[1]+";") || !strings.Contains(scarti[1], "PAA_IMPORT_SINTASSI_CSV_IMPORTO") {
					t.Errorf("scarto importo = %q", scarti[1])
				}
				if !strings.HasPrefix(scarti[2], lines[2]+";"+gateway.CodeImportIUDDuplicato+";") {
					t.Errorf("scarto IUD = %q", scarti[2])
				}
				iuvs := e.resultLines(t, f.IUVPath)
				if int64(len(iuvs)) != 1+wantImported || iuvs[0] != "header" {
					t.Fatalf("IUV file = %q", iuvs)
				}
				if v >= V1_3 && !strings.Contains(iuvs[1], ";"+d.IUV+";") {
					t.Errorf("IUV line %q lacks %s", iuvs[1], d.IUV)
				}
			})
		}
	})
}

func TestImportAzioni(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		e := newImportEnv(t, db)
		v := V1_3
		f := e.run(t, e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFA-1_3",
			row(v, map[int]string{0: "A1"}), row(v, map[int]string{0: "A2"}), row(v, map[int]string{0: "A3"}))))
		if f.Imported != 3 {
			t.Fatalf("first flusso = %+v", f)
		}
		a1, _ := db.FindDovutoByIUD(e.ctx, e.ente.ID, "A1")
		// M changes A1 and keeps its IUV; A annuls A2; M and A of a missing
		// dovuto and I of an existing IUD are refused.
		f = e.run(t, e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFB-1_3",
			row(v, map[int]string{0: "A1", 13: "99.99", 20: "false", 34: "M"}),
			row(v, map[int]string{0: "A2", 34: "A"}),
			row(v, map[int]string{0: "NOPE", 34: "M"}),
			row(v, map[int]string{0: "NOPE2", 34: "A"}),
			row(v, map[int]string{0: "A3", 34: "I"}),
			row(v, map[int]string{0: "A4", 34: "X"}))))
		if f.Imported != 2 || f.Rejected != 4 {
			t.Fatalf("second flusso = %+v", f)
		}
		m, _ := db.FindDovutoByIUD(e.ctx, e.ente.ID, "A1")
		if m.Amount != 9999 || m.IUV != a1.IUV || m.IUV == "" {
			t.Errorf("modified = %+v (IUV before %s)", m, a1.IUV)
		}
		if a, _ := db.FindDovutoByIUD(e.ctx, e.ente.ID, "A2"); a.State != gateway.DovutoAnnullato {
			t.Errorf("annulled state = %s", a.State)
		}
		scarti := strings.Join(e.resultLines(t, f.ScartiPath), "\n")
		for _, code := range []string{gateway.CodeImportDovutoNonPresente, gateway.CodeImportIUDDuplicato, "PAA_IMPORT_SINTASSI_CSV_AZIONE"} {
			if !strings.Contains(scarti, code) {
				t.Errorf("scarti lack %s:\n%s", code, scarti)
			}
		}
		// The same IUF again is a duplicate flusso: nothing is read.
		dup := e.run(t, e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFB-1_3", row(v, map[int]string{0: "Z1"}))))
		if dup.State != gateway.ImportAborted || dup.ErrorCode != gateway.CodeImportFlussoDuplicato {
			t.Errorf("re-upload = %+v", dup)
		}
		if _, err := db.FindDovutoByIUD(e.ctx, e.ente.ID, "Z1"); err == nil {
			t.Error("a duplicate flusso stored a row")
		}
	})
}

func TestImportDueDateInThePast(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		e := newImportEnv(t, db)
		v := V1_3
		f := e.run(t, e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFD-1_3",
			row(v, map[int]string{0: "D1", 15: "SCAD", 12: "2020-01-01"}),
			row(v, map[int]string{0: "D2", 15: "TARI", 12: "2020-01-01"}),
			row(v, map[int]string{0: "D3", 15: "SCAD", 12: "2030-01-01"}))))
		if f.Imported != 2 || f.Rejected != 1 {
			t.Fatalf("flusso = %+v", f)
		}
		scarti := e.resultLines(t, f.ScartiPath)
		if len(scarti) != 2 || !strings.HasPrefix(scarti[1], "D1;") || !strings.Contains(scarti[1], gateway.CodeImportDataScadenzaObbligatoria) {
			t.Errorf("scarti = %q", scarti)
		}
	})
}

// A flusso of new rows takes the fast path; one that meets an IUD or IUV
// already stored falls back to the staged path and refuses just those
// rows.
func TestImportFastPathFallsBack(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		e := newImportEnv(t, db)
		v := V1_3
		first := e.run(t, e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFX-1_3",
			row(v, map[int]string{0: "X1"}), row(v, map[int]string{0: "X2", 1: "01123456789012345", 20: "false"}))))
		if first.Imported != 2 || first.Rejected != 0 {
			t.Fatalf("first = %+v", first)
		}
		f := e.run(t, e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFY-1_3",
			row(v, map[int]string{0: "X3"}),
			row(v, map[int]string{0: "X1"}),
			row(v, map[int]string{0: "X4", 1: "01123456789012345", 20: "false"}),
			row(v, map[int]string{0: "X5"}))))
		if f.State != gateway.ImportDone || f.Imported != 2 || f.Rejected != 2 {
			t.Fatalf("second = %+v", f)
		}
		scarti := e.resultLines(t, f.ScartiPath)
		if len(scarti) != 3 || !strings.HasPrefix(scarti[1], "X1;") || !strings.Contains(scarti[1], gateway.CodeImportIUDDuplicato) ||
			!strings.HasPrefix(scarti[2], "X4;") || !strings.Contains(scarti[2], gateway.CodeImportIUVDuplicato) {
			t.Errorf("scarti = %q", scarti)
		}
		if iuvs := e.resultLines(t, f.IUVPath); len(iuvs) != 3 || !strings.HasPrefix(iuvs[1], "X3;") || !strings.HasPrefix(iuvs[2], "X5;") {
			t.Errorf("IUV file = %q", iuvs)
		}
		for _, iud := range []string{"X3", "X5"} {
			if d, err := db.FindDovutoByIUD(e.ctx, e.ente.ID, iud); err != nil || d.Flusso != "IUFY" {
				t.Errorf("%s = %+v, %v", iud, d, err)
			}
		}
	})
}

// A second upload of an IUF whose first upload is still waiting or
// running is refused as "in caricamento"; the first then imports.
func TestImportIUFStillLoading(t *testing.T) {
	storetest.Run(t, func(t *testing.T, _ string, db *store.DB) {
		e := newImportEnv(t, db)
		e.im.Clock = nil // the rule compares with the upload time
		v := V1_3
		first := e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFL-1_3", row(v, map[int]string{0: "L1"})))
		second := e.load(t, csvZip(t, t.TempDir(), testIpa+"-IUFL-1_3", row(v, map[int]string{0: "L2"})))
		if got := e.run(t, second); got.State != gateway.ImportAborted || got.ErrorCode != gateway.CodeImportFlussoCaricamento {
			t.Fatalf("second upload = %+v", got)
		}
		if got := e.run(t, first); got.State != gateway.ImportDone || got.Imported != 1 {
			t.Fatalf("first upload = %+v", got)
		}
		if _, err := db.FindDovutoByIUD(e.ctx, e.ente.ID, "L2"); err == nil {
			t.Error("the refused upload stored a row")
		}
	})
}
