package main

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// demoRow is a valid 1_3 line for ENTE_DEMO (22 columns, IUV generated).
func demoRow(iud string) string {
	return iud + ";;F;RSSMRA80A01H501U;Mario Rossi;Via Roma;1;00100;Roma;RM;IT;mario@example.it;2030-12-31;12.34;;TARI;;TARI 2026;9/0101100IM/TARI;;true;I"
}

type zipEntry struct{ name, body string }

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// flussoZip is <base>.zip holding <base>.csv with a header and lines.
func flussoZip(t testing.TB, base string, lines ...string) []byte {
	return makeZip(t, zipEntry{base + ".csv", "IUD;codIuv;...\n" + strings.Join(lines, "\n") + "\n"})
}

type flussiAnswer struct {
	XMLName            xml.Name
	UploadURL          string `xml:"uploadUrl"`
	AuthorizationToken string `xml:"authorizationToken"`
	RequestToken       string `xml:"requestToken"`
	ImportPath         string `xml:"importPath"`
	Stato              string `xml:"stato"`
	URLFileScarti      string `xml:"urlFileScarti"`
	URLFileIUV         string `xml:"urlFileIUV"`
	URLFileAvvisi      string `xml:"urlFileAvvisi"`
	Fault              *struct {
		Code   string `xml:"faultCode"`
		String string `xml:"faultString"`
	} `xml:"fault"`
}

// demoOp posts a header operation of ENTE_DEMO and returns the body's
// first element.
func (e *e2e) demoOp(t *testing.T, op string) []byte {
	t.Helper()
	env := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead"` +
		` xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/"><soapenv:Header><ppthead:intestazionePPT><codIpaEnte>ENTE_DEMO</codIpaEnte></ppthead:intestazionePPT></soapenv:Header><soapenv:Body>` +
		op + `</soapenv:Body></soapenv:Envelope>`
	resp, err := e.client.Post(e.base+SILPath, "text/xml; charset=utf-8", strings.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("SIL: HTTP %d\n%s", resp.StatusCode, raw)
	}
	return innerBody(t, raw)
}

// flussiOp posts an import operation and decodes its answer.
func (e *e2e) flussiOp(t *testing.T, op string) *flussiAnswer {
	t.Helper()
	body := e.demoOp(t, op)
	var a flussiAnswer
	if err := xml.Unmarshal(body, &a); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return &a
}

func (e *e2e) autorizza(t *testing.T) *flussiAnswer {
	t.Helper()
	a := e.flussiOp(t, `<ppt:paaSILAutorizzaImportFlusso><password>demopass123</password></ppt:paaSILAutorizzaImportFlusso>`)
	if a.Fault != nil || a.UploadURL != e.base+"/public/mybox/uploadFlusso" || a.AuthorizationToken == "" || a.RequestToken == "" || a.ImportPath != "/IMPORT" {
		t.Fatalf("autorizza = %+v", a)
	}
	return a
}

func (e *e2e) statoImport(t *testing.T, token string) *flussiAnswer {
	t.Helper()
	return e.flussiOp(t, `<ppt:paaSILChiediStatoImportFlusso><requestToken>`+token+`</requestToken><password>demopass123</password>`+
		`<fileScarti>true</fileScarti><fileIUV>true</fileIUV><fileAvvisi>true</fileAvvisi></ppt:paaSILChiediStatoImportFlusso>`)
}

// waitImport polls the stato until the flusso leaves the queue.
func (e *e2e) waitImport(t *testing.T, token string) *flussiAnswer {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := e.statoImport(t, token)
		if a.Fault != nil {
			t.Fatalf("stato: %+v", a.Fault)
		}
		if a.Stato != "LOAD_IMPORT" && a.Stato != "IMPORT_IN_ELAB" {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("flusso %s still %s", token, a.Stato)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// upload sends body as the one file part (under an arbitrary field name,
// token as a form field) and returns MyPay's JSON answer.
func (e *e2e) upload(t *testing.T, authToken, filename string, body []byte) map[string]string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("authorizationToken", authToken)
	fw, _ := mw.CreateFormFile("qualsiasi", filename)
	fw.Write(body)
	mw.Close()
	resp, err := e.client.Post(e.base+"/public/mybox/uploadFlusso", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || len(out) != 1 {
		t.Fatalf("upload: HTTP %d, %v, %v", resp.StatusCode, out, err)
	}
	return out[0]
}

// download fetches a result link and returns the lines of its CSV.
func (e *e2e) download(t *testing.T, link string) []string {
	t.Helper()
	resp, body := e.get(t, link)
	if resp.StatusCode != 200 {
		t.Fatalf("download %s: HTTP %d %s", link, resp.StatusCode, body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil || len(zr.File) != 1 {
		t.Fatalf("download: %v", err)
	}
	rc, _ := zr.File[0].Open()
	b, _ := io.ReadAll(rc)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// The SIL's import contract end to end: authorise, upload, poll, download
// the result files, and the refusals around it.
func TestImportFlussoOverSIL(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.FlussiPoll = 50 * time.Millisecond
		e := startE2E(t, cfg, nil)
		a := e.autorizza(t)

		// Before the upload the token is unknown, as in MyPay.
		if s := e.statoImport(t, a.RequestToken); s.Fault == nil || s.Fault.Code != gateway.CodeRequestTokenNonValido {
			t.Fatalf("stato before upload = %+v", s)
		}
		const base = "ENTE_DEMO-TARI2026-1_3"
		ok := e.upload(t, a.AuthorizationToken, base+".zip", flussoZip(t, base, demoRow("S1"), demoRow("S2"), "S3;;F;XXX"))
		if ok["fileName"] != base+".zip" || ok["fileSize"] == "" {
			t.Fatalf("upload = %v", ok)
		}
		if again := e.upload(t, a.AuthorizationToken, base+".zip", flussoZip(t, base, demoRow("S9"))); again["codice"] != "400" ||
			!strings.Contains(again["descrizione"], "Request token già usato") {
			t.Errorf("second upload with one token = %v", again)
		}
		s := e.waitImport(t, a.RequestToken)
		if s.Stato != "IMPORT_ESEGUITO" || s.URLFileIUV == "" || s.URLFileScarti == "" {
			t.Fatalf("stato = %+v", s)
		}
		iuvs := e.download(t, s.URLFileIUV)
		scarti := e.download(t, s.URLFileScarti)
		if len(iuvs) != 3 || len(scarti) != 2 || !strings.HasPrefix(scarti[1], "S3;;F;XXX;PAA_IMPORT_SINTASSI_CSV") {
			t.Fatalf("IUV file %q, scarti %q", iuvs, scarti)
		}
		d, err := e.a.db.FindDovutoByIUD(t.Context(), 1, "S1")
		if err != nil || len(d.IUV) != 17 || !strings.Contains(iuvs[1], d.IUV) {
			t.Fatalf("dovuto S1 = %+v, %v; IUV line %q", d, err, iuvs[1])
		}
		// The avvisi of the flusso (1_3): one PDF per imported row, named
		// after its IUV, rendered on request.
		if s.URLFileAvvisi == "" {
			t.Fatal("no urlFileAvvisi")
		}
		resp, body := e.get(t, s.URLFileAvvisi)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Disposition") != `attachment; filename="`+base+`_AVVISI_PDF.zip"` {
			t.Fatalf("avvisi download: HTTP %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil || len(zr.File) != 2 || zr.File[0].Name != "avviso_"+d.IUV+".pdf" {
			t.Fatalf("avvisi zip: %v, %d entries", err, len(zr.File))
		}
		for _, f := range zr.File {
			rc, _ := f.Open()
			pdf, _ := io.ReadAll(rc)
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Errorf("%s is not a PDF", f.Name)
			}
		}
		// A link is good for its own file only.
		u, _ := url.Parse(s.URLFileIUV)
		q := u.Query()
		q.Set("filename", strings.Replace(q.Get("filename"), "_IUV", "_SCARTI", 1))
		u.RawQuery = q.Encode()
		if resp, _ := e.get(t, u.String()); resp.StatusCode != http.StatusNotFound {
			t.Errorf("tampered link: HTTP %d", resp.StatusCode)
		}
		// Wrong password.
		if w := e.flussiOp(t, `<ppt:paaSILChiediStatoImportFlusso><requestToken>`+a.RequestToken+`</requestToken><password>sbagliata</password></ppt:paaSILChiediStatoImportFlusso>`); w.Fault == nil || w.Fault.Code != gateway.CodeEnteNonValido {
			t.Errorf("wrong password = %+v", w)
		}
		// The same IUF again: a duplicate flusso, nothing read.
		b := e.autorizza(t)
		e.upload(t, b.AuthorizationToken, base+".zip", flussoZip(t, base, demoRow("S4")))
		if s := e.waitImport(t, b.RequestToken); s.Stato != gateway.CodeImportFlussoDuplicato {
			t.Errorf("re-upload stato = %+v", s)
		}
		if _, err := e.a.db.FindDovutoByIUD(t.Context(), 1, "S4"); err == nil {
			t.Error("the duplicate flusso stored a row")
		}
	})
}

// Every hostile file gets a clear answer — an upload refusal, a flow-level
// stato or a row code — and nothing half-written.
func TestImportHostileFiles(t *testing.T) {
	bomb := strings.Repeat("0", 20<<20) // compresses about 1000 to 1
	noise := make([]byte, 2<<20)
	rand.Read(noise)
	cases := []struct {
		name     string
		file     string
		body     func(t *testing.T) []byte
		upload   string // substring of the upload refusal; "" means accepted
		stato    string // final stato when accepted
		rowCode  string // code expected in the _SCARTI file
		wantIUDs []string
	}{
		{name: "zip bomb", file: "ENTE_DEMO-BOMB-1_3.zip",
			body:  func(t *testing.T) []byte { return makeZip(t, zipEntry{"ENTE_DEMO-BOMB-1_3.csv", "h\n" + bomb}) },
			stato: gateway.CodeImportErroreGenerico},
		{name: "entry not named after the zip", file: "ENTE_DEMO-ALIEN-1_3.zip",
			body:   func(t *testing.T) []byte { return makeZip(t, zipEntry{"altro.csv", "h\n" + demoRow("H1")}) },
			upload: "non ha il nome dello zip"},
		{name: "path traversal", file: "ENTE_DEMO-TRAV-1_3.zip",
			body: func(t *testing.T) []byte {
				return makeZip(t, zipEntry{"ENTE_DEMO-TRAV-1_3.csv", "h\n" + demoRow("H2")}, zipEntry{"ENTE_DEMO-TRAV-1_3./../../../etc/x", "x"})
			},
			upload: "non ha il nome dello zip"},
		{name: "wrong version", file: "ENTE_DEMO-VER-1_9.zip",
			body:  func(t *testing.T) []byte { return flussoZip(t, "ENTE_DEMO-VER-1_9", demoRow("H3")) },
			stato: "PAA_IMPORT_FILE_VERSIONE_ERR(1_9)"},
		{name: "another ente's name", file: "ALTRO-IUF-1_3.zip",
			body:  func(t *testing.T) []byte { return flussoZip(t, "ALTRO-IUF-1_3", demoRow("H4")) },
			stato: "PAA_IMPORT_ENTE_ERR(ALTRO,ENTE_DEMO)"},
		{name: "name without three parts", file: "ENTE_DEMO-1_3.zip",
			body:  func(t *testing.T) []byte { return flussoZip(t, "ENTE_DEMO-1_3", demoRow("H5")) },
			stato: "PAA_IMPORT_NOME_FILE_ERR(ENTE_DEMO-1_3.zip)"},
		{name: "no csv", file: "ENTE_DEMO-NOCSV-1_3.zip",
			body:  func(t *testing.T) []byte { return makeZip(t, zipEntry{"ENTE_DEMO-NOCSV-1_3.txt", "h\n"}) },
			stato: gateway.CodeImportNoCSV},
		{name: "wrong column count", file: "ENTE_DEMO-COLS-1_3.zip",
			body: func(t *testing.T) []byte {
				return flussoZip(t, "ENTE_DEMO-COLS-1_3", demoRow("H6")+";extra", demoRow("H7"))
			},
			stato: "IMPORT_ESEGUITO", rowCode: "PAA_IMPORT_SINTASSI_CSV", wantIUDs: []string{"H7"}},
		{name: "broken quoting", file: "ENTE_DEMO-QUOTE-1_3.zip",
			body: func(t *testing.T) []byte {
				return flussoZip(t, "ENTE_DEMO-QUOTE-1_3", `"H8;`+demoRow("x")[2:], demoRow("H9"))
			},
			stato: "IMPORT_ESEGUITO", rowCode: "PAA_IMPORT_SINTASSI_CSV", wantIUDs: []string{"H9"}},
		{name: "non-UTF-8 bytes", file: "ENTE_DEMO-UTF-1_3.zip",
			body: func(t *testing.T) []byte {
				return flussoZip(t, "ENTE_DEMO-UTF-1_3", strings.Replace(demoRow("H10"), "Mario", "M\xe0rio", 1), demoRow("H11"))
			},
			stato: "IMPORT_ESEGUITO", rowCode: "PAA_IMPORT_SINTASSI_CSV", wantIUDs: []string{"H11"}},
		{name: "no data rows", file: "ENTE_DEMO-EMPTY-1_3.zip",
			body:  func(t *testing.T) []byte { return flussoZip(t, "ENTE_DEMO-EMPTY-1_3") },
			stato: "PAA_IMPORT_FLUSSO_VUOTO"},
		{name: "over the size limit", file: "ENTE_DEMO-BIG-1_3.zip",
			body:   func(t *testing.T) []byte { return makeZip(t, zipEntry{"ENTE_DEMO-BIG-1_3.csv", string(noise)}) },
			upload: "dimensione massima"},
		{name: "not a zip", file: "ENTE_DEMO-NOZIP-1_3.zip",
			body:   func(t *testing.T) []byte { return []byte("IUD;codIuv\n") },
			upload: "non è uno zip valido"},
		{name: "not .zip", file: "ENTE_DEMO-CSV-1_3.csv",
			body:   func(t *testing.T) []byte { return []byte("IUD;codIuv\n") },
			upload: "deve terminare con .zip"},
	}
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.FlussiPoll = 50 * time.Millisecond
		cfg.ImportMaxBytes = 1 << 20
		e := startE2E(t, cfg, nil)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				a := e.autorizza(t)
				got := e.upload(t, a.AuthorizationToken, c.file, c.body(t))
				if c.upload != "" {
					if got["codice"] != "400" || !strings.Contains(got["descrizione"], c.upload) {
						t.Fatalf("upload = %v, want refusal %q", got, c.upload)
					}
					if s := e.statoImport(t, a.RequestToken); s.Fault == nil || s.Fault.Code != gateway.CodeRequestTokenNonValido {
						t.Errorf("a refused upload left a flusso: %+v", s)
					}
					return
				}
				if got["fileName"] != c.file {
					t.Fatalf("upload = %v", got)
				}
				s := e.waitImport(t, a.RequestToken)
				if s.Stato != c.stato {
					t.Fatalf("stato = %q, want %q", s.Stato, c.stato)
				}
				if c.rowCode != "" {
					scarti := e.download(t, s.URLFileScarti)
					if len(scarti) != 2 || !strings.Contains(scarti[1], ";"+c.rowCode) {
						t.Errorf("scarti = %q, want %s", scarti, c.rowCode)
					}
				}
				for _, iud := range c.wantIUDs {
					if _, err := e.a.db.FindDovutoByIUD(t.Context(), 1, iud); err != nil {
						t.Errorf("valid row %s not imported: %v", iud, err)
					}
				}
			})
		}
		// Nothing of a refused flusso or row reached the dovuti.
		for i := 1; i <= 10; i++ {
			if i == 7 || i == 9 {
				continue
			}
			if d, err := e.a.db.FindDovutoByIUD(t.Context(), 1, fmt.Sprintf("H%d", i)); err == nil {
				t.Errorf("refused row stored: %+v", d)
			}
		}
	})
}

type exportAnswer struct {
	RequestToken string `xml:"requestToken"`
	Stato        string `xml:"stato"`
	DownloadURL  string `xml:"downloadUrl"`
	Fault        *struct {
		Code string `xml:"faultCode"`
	} `xml:"fault"`
}

func (e *e2e) exportOp(t *testing.T, op string) *exportAnswer {
	t.Helper()
	body := e.demoOp(t, op)
	var a exportAnswer
	if err := xml.Unmarshal(body, &a); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return &a
}

// A payment made through the SIL comes back in the export of paid
// dovuti, booked and fetched over the SIL.
func TestExportPagatiOverSIL(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		cfg.FlussiPoll = 50 * time.Millisecond
		e := startE2E(t, cfg, nil)
		idSession, landing := e.inviaDovuti(t, dovutoE2E{IUD: "EXP-1", Importo: "42.00"})
		e.payFlow(t, idSession, landing, "paga", "ok", "OK", nil)
		if a := e.waitPagati(t, idSession); a.Fault != nil {
			t.Fatalf("pagati: %+v", a.Fault)
		}
		today := time.Now().In(gateway.Rome).Format(gateway.DateLayout)
		book := func(from, to string) string {
			a := e.exportOp(t, `<ppt:paaSILPrenotaExportFlusso><password>demopass123</password><dateFrom>`+from+`</dateFrom><dateTo>`+to+
				`</dateTo><versioneTracciato>1.3</versioneTracciato></ppt:paaSILPrenotaExportFlusso>`)
			if a.Fault != nil || a.RequestToken == "" {
				t.Fatalf("prenota = %+v", a)
			}
			return a.RequestToken
		}
		wait := func(token string) *exportAnswer {
			deadline := time.Now().Add(20 * time.Second)
			for {
				a := e.exportOp(t, `<ppt:paaSILChiediStatoExportFlusso><password>demopass123</password><requestToken>`+token+`</requestToken></ppt:paaSILChiediStatoExportFlusso>`)
				if a.Fault != nil {
					t.Fatalf("stato = %+v", a.Fault)
				}
				if a.Stato != "LOAD_EXPORT" && a.Stato != "EXPORT_IN_ELAB" {
					return a
				}
				if time.Now().After(deadline) {
					t.Fatalf("export still %s", a.Stato)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		s := wait(book(today, today))
		if s.Stato != "EXPORT_ESEGUITO" || s.DownloadURL == "" {
			t.Fatalf("export = %+v", s)
		}
		lines := e.download(t, s.DownloadURL)
		c := e.cart(t, idSession)
		if len(lines) != 2 || !strings.HasPrefix(lines[0], `"iuf";"numRigaFlusso";"codIud";"codIuv"`) ||
			!strings.Contains(lines[1], `"EXP-1";"`+c.Payments[0].IUV+`"`) || !strings.Contains(lines[1], `"42.00"`) {
			t.Errorf("export CSV = %q", lines)
		}
		if s := wait(book("2020-01-01", "2020-01-31")); s.Stato != "EXPORT_ESEGUITO_NESSUN_DOVUTO_TROVATO" || s.DownloadURL != "" {
			t.Errorf("empty export = %+v", s)
		}
		if a := e.exportOp(t, `<ppt:paaSILPrenotaExportFlusso><password>demopass123</password><dateFrom>2026-02-01</dateFrom><dateTo>2026-01-01</dateTo></ppt:paaSILPrenotaExportFlusso>`); a.Fault == nil || a.Fault.Code != gateway.CodeIntervalloDateNonValido {
			t.Errorf("reversed dates = %+v", a)
		}
	})
}
