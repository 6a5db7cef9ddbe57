package sil

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi"
	"github.com/ponte-pagopa/ponte/gateway/signed"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

const testMypivot = "pivot-secret"

// exportHarness is the harness with the five export operations wired as
// the lead wires them in Register.
func exportHarness(t *testing.T, h *harness) *signed.Signer {
	signer := signed.New("k", func() time.Time { return testNow })
	h.svc.EnableExport(h.db, signer, testMypivot)
	for op, fn := range map[string]soap.Handler{
		opPrenotaExport:             h.svc.handlePrenotaExport,
		opPrenotaExportIncrementale: h.svc.handlePrenotaExportIncrementale,
		opChiediStatoExport:         h.svc.handleChiediStatoExport,
		opPrenotaExportScaduti:      h.svc.handlePrenotaExportScaduti,
		opChiediStatoExportScaduti:  h.svc.handleChiediStatoExportScaduti,
	} {
		h.ep.Register(xml.Name{Space: NS, Local: op}, fn)
	}
	return signer
}

// exportEnvelope is a header operation's request with body as its children.
func exportEnvelope(op, codIpa, body string) string {
	return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/">` +
		`<soapenv:Header><ppthead:intestazionePPT><codIpaEnte>` + codIpa + `</codIpaEnte></ppthead:intestazionePPT></soapenv:Header>` +
		`<soapenv:Body><ppt:` + op + `>` + body + `</ppt:` + op + `></soapenv:Body></soapenv:Envelope>`
}

type exportAnswer struct {
	RequestToken string `xml:"requestToken"`
	DateTo       string `xml:"dateTo"`
	Stato        string `xml:"stato"`
	DownloadURL  string `xml:"downloadUrl"`
	NomeFile     string `xml:"nomeFile"`
	PathFile     string `xml:"pathFile"`
}

func (h *harness) export(t *testing.T, op, codIpa, body string) (*answer, *exportAnswer) {
	t.Helper()
	a := h.post(t, exportEnvelope(op, codIpa, body))
	var e exportAnswer
	if err := xml.Unmarshal(a.Body, &e); err != nil {
		t.Fatal(err)
	}
	return a, &e
}

func TestPrenotaExportFaults(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		exportHarness(t, h)
		pw := `<password>` + testPassword + `</password>`
		for _, c := range []struct {
			name, op, codIpa, body, code string
		}{
			{"unknown ente", opPrenotaExport, "c_nope", pw + `<dateFrom>2025-01-01</dateFrom><dateTo>2025-01-02</dateTo>`, gateway.CodeEnteNonValido},
			{"wrong password", opPrenotaExport, testCodIpa, `<password>sbagliata1</password><dateFrom>2025-01-01</dateFrom><dateTo>2025-01-02</dateTo>`, gateway.CodeEnteNonValido},
			{"ente inserito", opPrenotaExport, testInserito, pw + `<dateFrom>2025-01-01</dateFrom><dateTo>2025-01-02</dateTo>`, gateway.CodeEnteNonValido},
			{"no dateFrom", opPrenotaExport, testCodIpa, pw + `<dateTo>2025-01-02</dateTo>`, gateway.CodeDateFromNonValido},
			{"bad dateFrom", opPrenotaExport, testCodIpa, pw + `<dateFrom>01/01/2025</dateFrom><dateTo>2025-01-02</dateTo>`, gateway.CodeDateFromNonValido},
			{"no dateTo", opPrenotaExport, testCodIpa, pw + `<dateFrom>2025-01-01</dateFrom>`, gateway.CodeDateToNonValido},
			{"to before from", opPrenotaExport, testCodIpa, pw + `<dateFrom>2025-01-02</dateFrom><dateTo>2025-01-01</dateTo>`, gateway.CodeIntervalloDateNonValido},
			{"unknown tipo", opPrenotaExport, testCodIpa, pw + `<dateFrom>2025-01-01</dateFrom><dateTo>2025-01-02</dateTo><identificativoTipoDovuto>NOPE</identificativoTipoDovuto>`, gateway.CodeTipoDovutoNonValido},
			{"bad version", opPrenotaExport, testCodIpa, pw + `<dateFrom>2025-01-01</dateFrom><dateTo>2025-01-02</dateTo><versioneTracciato>1.4</versioneTracciato>`, gateway.CodeVersioneTracciato},
			{"incr to before from", opPrenotaExportIncrementale, testCodIpa, pw + `<dateFrom>2025-01-02T10:00:00</dateFrom><dateTo>2025-01-02T09:00:00</dateTo><ricevuta>true</ricevuta><incrementale>true</incrementale>`, gateway.CodeIntervalloDateNonValido},
			{"incr no from", opPrenotaExportIncrementale, testCodIpa, pw + `<ricevuta>true</ricevuta><incrementale>true</incrementale>`, gateway.CodeDateFromNonValido},
			{"incr bad version", opPrenotaExportIncrementale, testCodIpa, pw + `<dateFrom>2025-01-02T10:00:00</dateFrom><ricevuta>true</ricevuta><incrementale>true</incrementale><versioneTracciato>2.0</versioneTracciato>`, gateway.CodeVersioneTracciato},
			{"incr mypivot", opPrenotaExportIncrementale, testCodIpa, pw + `<dateFrom>2025-01-02T10:00:00</dateFrom><ricevuta>true</ricevuta><incrementale>true</incrementale><passwordMypivot>wrongpivot</passwordMypivot>`, gateway.CodePasswordMypivotNonValida},
			{"scaduti ente", opPrenotaExportScaduti, testInserito, pw + `<dataScadenza>2025-01-01</dataScadenza><tipiDovuto>TARI</tipiDovuto>`, gateway.CodeEnteNonValido},
			{"scaduti no date", opPrenotaExportScaduti, testCodIpa, pw + `<tipiDovuto>TARI</tipiDovuto>`, gateway.CodeDateFromNonValido},
			{"scaduti unknown tipo", opPrenotaExportScaduti, testCodIpa, pw + `<dataScadenza>2025-01-01</dataScadenza><tipiDovuto>TARI;NOPE</tipiDovuto>`, gateway.CodeTipoDovutoNonValido},
			{"scaduti no tipo", opPrenotaExportScaduti, testCodIpa, pw + `<dataScadenza>2025-01-01</dataScadenza><tipiDovuto> ; </tipiDovuto>`, gateway.CodeTipoDovutoNonInserito},
			{"stato unknown token", opChiediStatoExport, testCodIpa, pw + `<requestToken>nope</requestToken>`, gateway.CodeRequestTokenNonValido},
			{"stato wrong password", opChiediStatoExport, testCodIpa, `<password>sbagliata1</password><requestToken>nope</requestToken>`, gateway.CodeEnteNonValido},
			{"stato scaduti unknown token", opChiediStatoExportScaduti, testCodIpa, pw + `<requestToken>nope</requestToken>`, gateway.CodeRequestTokenNonValido},
		} {
			t.Run(c.name, func(t *testing.T) {
				a, _ := h.export(t, c.op, c.codIpa, c.body)
				wantExportFault(t, a, c.code, c.codIpa)
			})
		}
	})
}

func TestExportBookAndStatus(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		signer := exportHarness(t, h)
		ctx := context.Background()
		pw := `<password>` + testPassword + `</password>`

		a, e := h.export(t, opPrenotaExport, testCodIpa, pw+`<dateFrom>2025-01-01</dateFrom><dateTo>2025-01-31</dateTo><identificativoTipoDovuto>TARI</identificativoTipoDovuto><versioneTracciato>1.2</versioneTracciato>`)
		if a.Fault != nil || e.RequestToken == "" {
			t.Fatalf("prenota: %s", a.Raw)
		}
		validateBody(t, a.Body)
		f, err := h.db.FindExportByToken(ctx, e.RequestToken)
		if err != nil {
			t.Fatal(err)
		}
		if f.State != gateway.ExportLoaded || f.Version != "1.2" || f.TipoDovuto != "TARI" || f.Incremental ||
			!f.From.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, gateway.Rome)) || !f.To.Equal(time.Date(2025, 1, 31, 0, 0, 0, 0, gateway.Rome)) {
			t.Fatalf("booked %+v", f)
		}

		// Another ente cannot see it.
		other := &gateway.Ente{CodIpa: "c_y000", CodiceFiscale: "80007580280", State: gateway.EnteEsercizio, PasswordHash: passwordHash(), AuxDigit: 3, ApplicationCode: "03"}
		must(t, h.db.CreateEnte(ctx, other))
		a, _ = h.export(t, opChiediStatoExport, "c_y000", pw+`<requestToken>`+e.RequestToken+`</requestToken>`)
		wantExportFault(t, a, gateway.CodeRequestTokenNonValido, "c_y000")

		status := func(token string) *exportAnswer {
			a, s := h.export(t, opChiediStatoExport, testCodIpa, pw+`<requestToken>`+token+`</requestToken>`)
			if a.Fault != nil {
				t.Fatalf("stato: %s", a.Raw)
			}
			if s.DownloadURL != "" { // MyPay leaves it out, against the schema, until ready
				validateBody(t, a.Body)
			}
			return s
		}
		if s := status(e.RequestToken); s.Stato != "LOAD_EXPORT" || s.DownloadURL != "" {
			t.Fatalf("stato %+v", s)
		}
		// Nothing paid: the worker finds no rows.
		files := flussi.Files{Root: t.TempDir()}
		if ok, err := flussi.RunExport(ctx, h.db, files, gateway.FixedClock{T: testNow}, h.svc.log, "w", time.Minute); !ok || err != nil {
			t.Fatalf("RunExport = %v, %v", ok, err)
		}
		if s := status(e.RequestToken); s.Stato != "EXPORT_ESEGUITO_NESSUN_DOVUTO_TROVATO" || s.DownloadURL != "" {
			t.Fatalf("stato %+v", s)
		}

		// A done export with a file answers its signed link.
		f, _ = h.db.FindExportByToken(ctx, e.RequestToken)
		f.Path = testCodIpa + "/EXPORT/2025_06/x.zip"
		_, err = h.db.ClaimExport(ctx, "w", time.Minute) // nothing to claim
		must(t, err)
		done := &gateway.ExportFlusso{Kind: gateway.ExportPagati, EnteID: h.ente.ID, CodIpa: testCodIpa, RequestToken: "tok-done", Version: "1.0"}
		must(t, h.db.CreateExport(ctx, done))
		claimed, err := h.db.ClaimExport(ctx, "w", time.Minute)
		must(t, err)
		claimed.State, claimed.Path, claimed.Rows = gateway.ExportDone, f.Path, 1
		must(t, h.db.FinishExport(ctx, claimed, "w"))
		s := status("tok-done")
		u, err := url.Parse(s.DownloadURL)
		if s.Stato != "EXPORT_ESEGUITO" || err != nil {
			t.Fatalf("stato %+v", s)
		}
		if want := fmt.Sprintf("https://ponte.example.org/public/mybox/download/%d", h.ente.ID); !strings.HasPrefix(s.DownloadURL, want+"?") ||
			u.Query().Get("type") != "FLUSSI_EXPORT" || u.Query().Get("filename") != f.Path {
			t.Fatalf("downloadUrl %s", s.DownloadURL)
		}
		if _, err := signer.Verify(flussi.PurposeDownload, u.Query().Get("securityToken")); err != nil {
			t.Fatalf("token: %v", err)
		}

		// Incremental: dateTo absent is now, answered back.
		a, e = h.export(t, opPrenotaExportIncrementale, testCodIpa, pw+`<dateFrom>2025-06-01T08:30:00</dateFrom><ricevuta>true</ricevuta><incrementale>true</incrementale><versioneTracciato>1.3</versioneTracciato><passwordMypivot>`+testMypivot+`</passwordMypivot>`)
		if a.Fault != nil || e.DateTo != "2025-06-15T10:00:00" {
			t.Fatalf("incrementale: %s", a.Raw)
		}
		validateBody(t, a.Body)
		f, err = h.db.FindExportByToken(ctx, e.RequestToken)
		if err != nil || !f.Incremental || !f.Ricevuta || !f.Mypivot || !f.From.Equal(time.Date(2025, 6, 1, 8, 30, 0, 0, gateway.Rome)) || !f.To.Equal(testNow) {
			t.Fatalf("booked %+v, %v", f, err)
		}
		// The other booking asked by the scaduti status: not its kind.
		a, _ = h.export(t, opChiediStatoExportScaduti, testCodIpa, pw+`<requestToken>`+e.RequestToken+`</requestToken>`)
		wantExportFault(t, a, gateway.CodeRequestTokenNonValido, testCodIpa)

		// Scaduti.
		a, e = h.export(t, opPrenotaExportScaduti, testCodIpa, pw+`<dataScadenza>2025-06-01</dataScadenza><tipiDovuto>TARI;SCAD;TARI</tipiDovuto>`)
		if a.Fault != nil {
			t.Fatalf("scaduti: %s", a.Raw)
		}
		validateBody(t, a.Body)
		f, err = h.db.FindExportByToken(ctx, e.RequestToken)
		if err != nil || f.Kind != gateway.ExportScaduti || f.TipoDovuto != "TARI;SCAD" {
			t.Fatalf("booked %+v, %v", f, err)
		}
		a, st := h.export(t, opChiediStatoExportScaduti, testCodIpa, pw+`<requestToken>`+e.RequestToken+`</requestToken>`)
		if a.Fault != nil || st.Stato != "LOAD_EXPORT" || st.NomeFile != "" {
			t.Fatalf("stato scaduti: %s", a.Raw)
		}
	})
}

// wantExportFault checks a fault answer. The body is not validated: as
// MyPay's JAXB does, a fault answer leaves out the elements the schema
// requires (requestToken, stato), and so does Ponte.
func wantExportFault(t testing.TB, a *answer, code, id string) {
	t.Helper()
	if a.Status != 200 || a.Fault == nil || a.Fault.FaultCode != code || a.Fault.ID != id {
		t.Fatalf("want fault %s id %s, got HTTP %d: %s", code, id, a.Status, a.Raw)
	}
}
