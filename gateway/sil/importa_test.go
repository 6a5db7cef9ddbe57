package sil

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

const bilancio150 = `<bilancio><capitolo><codCapitolo>1001</codCapitolo><accertamento><codAccertamento>2025/1</codAccertamento><importo>100.00</importo></accertamento>` +
	`<accertamento><importo>50.00</importo></accertamento></capitolo></bilancio>`

func TestImportaFaults(t *testing.T) {
	cases := []struct {
		name       string
		codIpa     string
		password   string
		dovuto     string // <dovuto> text; "" means b64(v.xml())
		v          vers
		flag       string
		code       string
		faultStr   string // exact faultString when set
		wantSerial bool
		id         string // fault id when it differs from codIpa
	}{
		{name: "wrong password", password: "sbagliata1", code: gateway.CodeEnteNonValido, faultStr: "Password non valida per ente [c_x000]"},
		{name: "no password", password: "-", code: gateway.CodeEnteNonValido},
		{name: "unknown ente", codIpa: "c_zzz999", code: gateway.CodeEnteNonValido, faultStr: "codice IPA Ente [c_zzz999] non valido"},
		{name: "ente inserito", codIpa: testInserito, code: gateway.CodeEnteNonValido, faultStr: "Stato Ente Non Valido", wantSerial: true},
		{name: "invalid base64", dovuto: "@@@not base64@@@", code: gateway.CodeXMLNonValido, faultStr: "XML dei dovuti non valido"},
		{name: "base64 of non-XML", dovuto: b64("questo non è XML"), code: gateway.CodeXMLNonValido},
		{name: "schema violation", dovuto: b64(strings.Replace(vers{}.xml(), "<azione>", "<sconosciuto/><azione>", 1)), code: gateway.CodeXMLNonValido},
		{name: "DOCTYPE refused", dovuto: b64(`<!DOCTYPE x [<!ENTITY e "x">]>` + vers{}.xml()), code: gateway.CodeXMLNonValido},
		// XSD before the ente: a bad payload from an unknown ente is an XML fault.
		{name: "schema before ente", codIpa: "c_zzz999", dovuto: b64("<x/>"), code: gateway.CodeXMLNonValido},
		{name: "bad azione", v: vers{Azione: "X"}, code: gateway.CodeAzioneNonValido, faultStr: "azione non valida [X]"},
		// 0.00 fails stImportoPositivo, which MyPay checks first.
		{name: "amount zero", v: vers{Importo: "0.00"}, code: gateway.CodeXMLNonValido},
		{name: "amount with one decimal", v: vers{Importo: "10.5"}, code: gateway.CodeXMLNonValido},
		{name: "IUV of another ente", v: vers{IUV: "99123456789012345"}, code: gateway.CodeIUVNonValido,
			faultStr: "IdentificativoUnivocoVersamento non valido [99123456789012345] per ente [c_x000]"},
		{name: "IUV in generator range", v: vers{IUV: "01001234567890123"}, code: gateway.CodeIUVNonValido},
		{name: "bilancio mismatch", v: vers{Bilancio: strings.Replace(bilancio150, "50.00", "40.00", 1)}, code: gateway.CodeImportoBilancioNonValido,
			faultStr: "Importo bilancio non congruente per dovuto con importo [150.00]"},
		{name: "unknown tipo", v: vers{Tipo: "NONCE"}, code: gateway.CodeTipoDovutoNonValido, faultStr: "Error tipo dovuto [NONCE] non censito per ente [c_x000]"},
		{name: "disabled tipo", v: vers{Tipo: "SPENTO"}, code: gateway.CodeTipoDovutoNonAbilitato, faultStr: "identificativoTipoDovuto [SPENTO] non abilitato"},
		{name: "marca bollo tipo", v: vers{Tipo: gateway.MarcaBolloDigitale, Importo: "16.00"}, code: gateway.CodeTipoDovutoNonValido},
		{name: "fixed amount tipo", v: vers{Tipo: "FISSO", Importo: "15.00"}, code: gateway.CodeImportoNonValido},
		{name: "no soggetto pagatore", v: vers{NoPayer: true}, code: gateway.CodeSoggPagNonValorizzato},
		{name: "bad tipoVersamento", v: vers{TipoVers: "XYZ"}, code: gateway.CodeTipoVersamentoNonValido, faultStr: "paaSILImportaDovuto: Tipo versamento non valido: XYZ"},
		{name: "ALL not alone", v: vers{TipoVers: "ALL|BP"}, code: gateway.CodeTipoVersamentoNonValido},
		{name: "IUD 000", v: vers{IUD: "000123"}, code: gateway.CodeIUDNonValido, faultStr: "paaSILImportaDovuto: IdentificativoUnivocoDovuto non valido: 000123"},
		{name: "blank causale", v: vers{Causale: "   "}, code: gateway.CodeCausaleNonPresente},
		{name: "invalid codice fiscale", v: vers{CF: "RSSMRA80A01H501X"}, code: gateway.CodeCodiceFiscaleNonValido,
			faultStr: "paaSILImportaDovuto: Codice fiscale non valido [RSSMRA80A01H501X]"},
		{name: "invalid partita IVA", v: vers{TipoID: "G", CF: "12345678901"}, code: gateway.CodePIVANonValido,
			faultStr: "paaSILImportaDovuto: P.IVA non valida [12345678901]"},
		{name: "anonimo not allowed", v: vers{CF: "ANONIMO"}, code: gateway.CodeCodiceFiscaleNonValido,
			faultStr: "paaSILImportaDovuto: Funzionalita CF ANONIMO non valida [ANONIMO]"},
		{name: "due date missing", v: vers{Tipo: "SCAD"}, code: gateway.CodeImportDataScadenzaObbligatoria},
		{name: "due date past", v: vers{Tipo: "SCAD", Due: "2025-06-14"}, code: gateway.CodeImportDataScadenzaObbligatoria},
		{name: "M on missing dovuto", v: vers{Azione: "M", IUD: "IUD-NONE"}, code: gateway.CodeSystemError,
			faultStr: "paaSILImportaDovuto: Errore import dovuto IUV [null] e IUD [IUD-NONE]: Errore generazione iuv: Dovuto non trovato per IUD [IUD-NONE] e codice IPA Ente [c_x000]"},
		{name: "A on missing dovuto", v: vers{Azione: "A", IUD: "IUD-NONE"}, code: gateway.CodeSystemError},
		{name: "S needs IUV", v: vers{Azione: "S"}, code: gateway.CodeSystemError,
			faultStr: "paaSILImportaDovuto: Errore import dovuto IUV [null] e IUD [IUD-2025-0001]: Errore richiesta azione 'S' prevede presenza di 'IUV' e assenza 'flag_genera_iuv'"},
		{name: "S unknown IUV", v: vers{Azione: "S", IUV: "01991234567890123"}, code: gateway.CodeIUVNonValido},
	}
	dialects(t, func(t *testing.T, h *harness) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				codIpa, pw, dov := c.codIpa, c.password, c.dovuto
				if codIpa == "" {
					codIpa = testCodIpa
				}
				switch pw {
				case "":
					pw = testPassword
				case "-":
					pw = ""
				}
				if dov == "" {
					dov = b64(c.v.xml())
				}
				a := h.post(t, importaEnvelope(codIpa, pw, dov, c.flag))
				id := c.id
				if id == "" {
					id = codIpa
				}
				wantFault(t, a, c.code, id, true)
				if a.Name != "paaSILImportaDovutoRisposta" {
					t.Errorf("response %s", a.Name)
				}
				if c.faultStr != "" && a.Fault.FaultString != c.faultStr {
					t.Errorf("faultString %q\nwant        %q", a.Fault.FaultString, c.faultStr)
				}
				if c.wantSerial != (a.Fault.Serial != nil) || (c.wantSerial && *a.Fault.Serial != 0) {
					t.Errorf("serial %v, want present=%v (0)", a.Fault.Serial, c.wantSerial)
				}
				if a.IUV != "" {
					t.Errorf("IUV %q in a fault answer", a.IUV)
				}
			})
		}
	})
}

func TestImportaXMLFaultDescription(t *testing.T) {
	h := newHarness(t, "sqlite")
	a := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{Importo: "0.00"}.xml()), ""))
	wantFault(t, a, gateway.CodeXMLNonValido, testCodIpa, true)
	if !strings.HasPrefix(a.Fault.Description, "XML ricevuto per paaSILImportaDovuto non conforme all' XSD per ente [c_x000]  XML Error: \n") ||
		len(a.Fault.Description) < 100 {
		t.Errorf("description %q", a.Fault.Description)
	}
}

func TestImportaDuplicates(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ok := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "DUP-1"}.xml()), ""))
		if ok.Esito != "OK" {
			t.Fatalf("first insert: %s", ok.Raw)
		}
		a := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "DUP-1"}.xml()), ""))
		wantFault(t, a, gateway.CodeImportIUDDuplicato, testCodIpa, true)
		if !strings.HasPrefix(a.Fault.FaultString, "paaSILImportaDovuto: Errore import dovuto IUV [null] e IUD [DUP-1]: ") {
			t.Errorf("faultString %q", a.Fault.FaultString)
		}

		const supplied = "01991234567890102"
		must(t, h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "DUP-2", IUV: supplied}.xml()), "")).err())
		a = h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "DUP-3", IUV: supplied}.xml()), ""))
		wantFault(t, a, gateway.CodeImportIUVDuplicato, testCodIpa, true)
	})
}

func (a *answer) err() error {
	if a.Fault != nil || a.Esito != "OK" {
		return &gateway.Error{Code: "unexpected", String: string(a.Raw)}
	}
	return nil
}

func TestImportaSuccess(t *testing.T) {
	dialects(t, func(t *testing.T, h *harness) {
		ctx := context.Background()

		// I with flagGeneraIuv: Ponte generates and returns a valid IUV17.
		a := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "OK-1", Bilancio: bilancio150, Due: "2025-12-31"}.xml()), "true"))
		if a.Status != 200 || a.Esito != "OK" || a.Fault != nil {
			t.Fatalf("azione I: %s", a.Raw)
		}
		validateBody(t, a.Body)
		if len(a.IUV) != 17 || !strings.HasPrefix(a.IUV, "0100") {
			t.Fatalf("generated IUV %q", a.IUV)
		}
		want, err := iuv.New17("01", mustAtoi(t, a.IUV[4:15]))
		must(t, err)
		if want != a.IUV {
			t.Errorf("check digits: got %s, want %s", a.IUV, want)
		}
		d, err := h.db.FindDovutoByIUD(ctx, h.ente.ID, "OK-1")
		must(t, err)
		if d.IUV != a.IUV || d.Amount != 15000 || d.State != gateway.DovutoDaPagare || d.DueDate != "2025-12-31" ||
			d.TipoVersamento != "ALL" || d.Flusso != "_c_x000_IMPORT-DOVUTO" {
			t.Errorf("stored %+v", d)
		}
		if d.Payer == nil || d.Payer.Province != "VE" || d.Payer.Address != "Via Roma aei" || d.Payer.CAP != "30100" {
			t.Errorf("payer %+v", d.Payer)
		}
		if d.Bilancio == nil || d.Bilancio.Total() != 15000 {
			t.Errorf("bilancio %+v", d.Bilancio)
		}

		// A second generated IUV is a different one.
		b := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "OK-1b"}.xml()), "1"))
		if b.IUV == "" || b.IUV == a.IUV {
			t.Errorf("second IUV %q after %q", b.IUV, a.IUV)
		}

		// I with a supplied IUV: stored, not echoed.
		const supplied = "01991234567890123"
		c := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "OK-2", IUV: supplied}.xml()), "false"))
		if c.Esito != "OK" || c.IUV != "" {
			t.Fatalf("supplied IUV: %s", c.Raw)
		}
		d, err = h.db.FindDovutoByIUD(ctx, h.ente.ID, "OK-2")
		must(t, err)
		if d.IUV != supplied {
			t.Errorf("stored IUV %q", d.IUV)
		}

		// M changes the amount and keeps the IUV.
		m := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{Azione: "M", IUD: "OK-1", Importo: "99.00"}.xml()), ""))
		if m.Esito != "OK" || m.IUV != "" {
			t.Fatalf("azione M: %s", m.Raw)
		}
		validateBody(t, m.Body)
		d, err = h.db.FindDovutoByIUD(ctx, h.ente.ID, "OK-1")
		must(t, err)
		if d.Amount != 9900 || d.IUV != a.IUV {
			t.Errorf("after M: amount %v IUV %q", d.Amount, d.IUV)
		}

		// A annuls; M afterwards is MyPay's system error.
		x := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{Azione: "A", IUD: "OK-1"}.xml()), ""))
		if x.Esito != "OK" {
			t.Fatalf("azione A: %s", x.Raw)
		}
		d, err = h.db.FindDovutoByIUD(ctx, h.ente.ID, "OK-1")
		must(t, err)
		if d.State != gateway.DovutoAnnullato {
			t.Errorf("state after A: %s", d.State)
		}
		y := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{Azione: "M", IUD: "OK-1"}.xml()), ""))
		wantFault(t, y, gateway.CodeSystemError, testCodIpa, true)
		if !strings.Contains(y.Fault.FaultString, "Errore generazione iuv: ") {
			t.Errorf("faultString %q", y.Fault.FaultString)
		}

		// S on an existing IUV: the avviso PDF, zipped under MyPay's name.
		s := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{Azione: "S", IUD: "OK-2", IUV: supplied}.xml()), ""))
		if s.Esito != "OK" || s.Fault != nil {
			t.Fatalf("azione S: %s", s.Raw)
		}
		var zipped struct {
			Zip string `xml:"base64ZipAvviso"`
		}
		must(t, xml.Unmarshal(s.Body, &zipped))
		raw, err := base64.StdEncoding.DecodeString(zipped.Zip)
		must(t, err)
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		must(t, err)
		if len(zr.File) != 1 || zr.File[0].Name != "avviso_"+h.ente.CodiceFiscale+"_"+supplied+".pdf" {
			t.Fatalf("zip entries %v", zr.File)
		}
		f, err := zr.File[0].Open()
		must(t, err)
		pdf, _ := io.ReadAll(f)
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("not a PDF: %.20q", pdf)
		}

		// Double base64 and qualified children are accepted.
		dbl := importaEnvelope(testCodIpa, testPassword, b64(b64(vers{IUD: "OK-3"}.xml())), "")
		dbl = strings.Replace(dbl, "<password>", "<ppt:password>", 1)
		dbl = strings.Replace(dbl, "</password>", "</ppt:password>", 1)
		if r := h.post(t, dbl); r.Esito != "OK" {
			t.Fatalf("double base64 / qualified: %s", r.Raw)
		}
		if _, err := h.db.FindDovutoByIUD(ctx, h.ente.ID, "OK-3"); err != nil {
			t.Fatal(err)
		}

		// ANONIMO with a tipo that allows it.
		if r := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "OK-4", Tipo: "ANON", CF: "anonimo"}.xml()), "")); r.Esito != "OK" {
			t.Fatalf("anonimo: %s", r.Raw)
		}
		// Due date today is fine for a tipo that requires one.
		if r := h.post(t, importaEnvelope(testCodIpa, testPassword, b64(vers{IUD: "OK-5", Tipo: "SCAD", Due: "2025-06-15"}.xml()), "")); r.Esito != "OK" {
			t.Fatalf("due date today: %s", r.Raw)
		}
	})
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not digits: %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func TestImportaNoHeader(t *testing.T) {
	h := newHarness(t, "sqlite")
	a := h.post(t, importaEnvelope("-", testPassword, b64(vers{}.xml()), ""))
	if a.Status != 500 || !strings.Contains(string(a.Raw), "intestazionePPT mancante") || !strings.Contains(string(a.Raw), "Client") {
		t.Fatalf("HTTP %d: %s", a.Status, a.Raw)
	}
}

// omitsRequiredOnFault lists the responses whose required elements MyPay
// leaves out when it answers a fault (mypay-sil §2.6, §2.9–§2.15, §2.17).
var omitsRequiredOnFault = map[string]bool{
	"paaSILChiediEsitoCarrelloDovuti": true, "paaSILAutorizzaImportFlusso": true,
	"paaSILChiediStatoImportFlusso": true, "paaSILPrenotaExportFlusso": true,
	"paaSILPrenotaExportFlussoIncrementaleConRicevuta": true, "paaSILChiediStatoExportFlusso": true,
	"paaSILPrenotaExportFlussoScaduti": true, "paaSILChiediStatoExportFlussoScaduti": true,
	"paaSILChiediStoricoPagamenti": true,
}

func TestNotAvailable(t *testing.T) {
	h := newHarness(t, "sqlite")
	// With a CartStore the payment operations are live: none of them
	// answers "non è ancora disponibile".
	for _, op := range paymentOps {
		a := h.post(t, chiediEnv(op, testCodIpa, "x", ""))
		if a.Fault != nil && strings.Contains(a.Fault.FaultString, "non è ancora disponibile") {
			t.Errorf("%s not available with Carts set", op)
		}
	}
	// Without one they are not available, like the operations still to come.
	h.svc.carts = nil
	h.ep = soap.NewEndpoint("SIL", soap.DefaultServerConfig(), nil, h.svc.log)
	h.svc.Register(h.ep)
	h.srv = httptest.NewServer(h.ep)
	t.Cleanup(h.srv.Close)
	for _, op := range operations {
		if op.name == opImporta {
			continue
		}
		t.Run(op.name, func(t *testing.T) {
			env := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/">`
			if op.header {
				env += `<soapenv:Header><ppthead:intestazionePPT xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead"><codIpaEnte>c_x000</codIpaEnte></ppthead:intestazionePPT></soapenv:Header>`
			}
			env += `<soapenv:Body><ppt:` + op.name + `><codIpaEnte>c_x000</codIpaEnte><password>x</password></ppt:` + op.name + `></soapenv:Body></soapenv:Envelope>`
			a := h.post(t, env)
			if a.Status != 200 || a.Name != op.name+"Risposta" || a.Fault == nil {
				t.Fatalf("HTTP %d: %s", a.Status, a.Raw)
			}
			if a.Fault.FaultCode != gateway.CodeSystemError || a.Fault.FaultString != op.name+" non è ancora disponibile" || a.Fault.ID != testCodIpa {
				t.Errorf("fault %+v", a.Fault)
			}
			if op.esito != (a.Esito == "KO") {
				t.Errorf("esito %q (response has esito: %v)", a.Esito, op.esito)
			}
			// Some responses declare required elements after fault (uploadUrl,
			// stato, requestToken, listaCarrelli, dateTo). MyPay omits them
			// when it answers a fault, so gestionali are used to that, and
			// Ponte does the same: for those the one schema complaint allowed
			// is the missing element; every other response must validate.
			if !omitsRequiredOnFault[op.name] {
				validateBody(t, a.Body)
				return
			}
			for _, schema := range []string{xsdtest.Path("pa-per-ente-types.xsd"), referenceSchema(t)} {
				if schema == "" {
					continue
				}
				err := xsdtest.Check(schema, a.Body)
				if err == nil || !strings.Contains(err.Error(), "Missing child element(s)") || strings.Count(err.Error(), "validity error") != 1 {
					t.Errorf("%s: want only the missing required element MyPay also omits, got %v", schema, err)
				}
			}
		})
	}
	if len(operations) != 18 {
		t.Errorf("%d operations, want 18", len(operations))
	}
}
