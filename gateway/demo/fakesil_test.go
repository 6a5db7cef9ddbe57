package demo

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// fakeSIL is an SIL endpoint answering fixed SOAP messages. It records
// every call and checks it the way the real endpoint would read it.
type fakeSIL struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	calls  []silCall
	answer func(n int, c silCall) string // n counts calls from 0
}

// silCall is one request as read off the wire.
type silCall struct {
	Op         string            // local name of the body's element
	NS         string            // its namespace
	HeaderIpa  string            // intestazionePPT/codIpaEnte
	Fields     map[string]string // the element's children, all unqualified
	Body       []byte            // the body's element, self-contained
	SOAPAction string
}

func newFakeSIL(t *testing.T, answer func(n int, c silCall) string) *fakeSIL {
	f := &fakeSIL{t: t, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSIL) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/xml") {
		f.t.Errorf("SIL got %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
	}
	c := parseCall(f.t, raw)
	c.SOAPAction = r.Header.Get("SOAPAction")
	f.mu.Lock()
	n := len(f.calls)
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	body := f.answer(n, c)
	if strings.Contains(body, "<faultcode>") {
		w.WriteHeader(http.StatusInternalServerError)
	}
	io.WriteString(w, body)
}

func (f *fakeSIL) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeSIL) call(i int) silCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.calls) {
		f.t.Fatalf("SIL got %d calls, want at least %d", len(f.calls), i+1)
	}
	return f.calls[i]
}

// parseCall reads an envelope; children of the operation element must be
// unqualified, as the WSDL's schemas say.
func parseCall(t *testing.T, raw []byte) silCall {
	c := silCall{Fields: map[string]string{}}
	d := xml.NewDecoder(bytes.NewReader(raw))
	var path []xml.Name
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("SIL got bad XML: %v\n%s", err, raw)
			return c
		}
		switch x := tok.(type) {
		case xml.StartElement:
			path = append(path, x.Name)
			text.Reset()
			if len(path) == 3 && path[1].Local == "Body" {
				c.Op, c.NS = x.Name.Local, x.Name.Space
			}
			if len(path) == 4 && x.Name.Space != "" {
				t.Errorf("child <%s> of <%s> is qualified (%s): MyPay would read null", x.Name.Local, path[2].Local, x.Name.Space)
			}
		case xml.CharData:
			text.Write(x)
		case xml.EndElement:
			if len(path) == 4 && path[1].Local == "Body" {
				c.Fields[x.Name.Local] = text.String()
			}
			if len(path) == 4 && path[1].Local == "Header" && x.Name.Local == "codIpaEnte" {
				c.HeaderIpa = text.String()
			}
			path = path[:len(path)-1]
		}
	}
	s := string(raw)
	if i, j := strings.Index(s, "<soapenv:Body>"), strings.LastIndex(s, "</soapenv:Body>"); i >= 0 && j > i {
		c.Body = []byte(s[i+len("<soapenv:Body>") : j])
	}
	return c
}

// dovuti decodes and schema-checks the Dovuti document of a call.
func (c silCall) dovuti(t *testing.T) *dovutiXML {
	t.Helper()
	doc, err := base64.StdEncoding.DecodeString(c.Fields["dovuti"])
	if err != nil {
		t.Fatalf("dovuti is not base64: %v", err)
	}
	xsdtest.Validate(t, xsdtest.Path("PagInf_Dovuti_Pagati_6_2_0.xsd"), doc)
	if strings.Contains(string(doc), "identificativoUnivocoVersamento") {
		t.Errorf("Dovuti carries an IUV: MyPay refuses it (PAA_IUV_NON_VALIDO)")
	}
	var d dovutiXML
	if err := xml.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// answerEnv wraps an answer the way MyPay's JAXB writes it.
func answerEnv(op, inner string) string {
	return `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/><SOAP-ENV:Body>` +
		`<ns2:` + op + `Risposta xmlns:ns2="http://www.regione.veneto.it/pagamenti/ente/">` + inner + `</ns2:` + op + `Risposta>` +
		`</SOAP-ENV:Body></SOAP-ENV:Envelope>`
}

func faultXML(code, str string) string {
	return `<fault><faultCode>` + code + `</faultCode><faultString>` + str + `</faultString><id>ENTE_DEMO</id></fault>`
}

func inviaOK(url string) string {
	return answerEnv("paaSILInviaDovuti", `<esito>OK</esito><idSession>sess-1</idSession><redirect>1</redirect><url>`+url+`</url>`)
}

func inviaKO(code, str string) string {
	return answerEnv("paaSILInviaDovuti", faultXML(code, str)+`<esito>KO</esito>`)
}

func pagatiFault(code string) string {
	return answerEnv("paaSILChiediPagati", faultXML(code, "fault "+code))
}

// pagatiOK answers a Pagati document with the codiceEsitoPagamento given,
// encoded twice as MyPay does.
func pagatiOK(esito, importo string) string {
	doc := pagatiXML(esito, importo)
	once := base64.StdEncoding.EncodeToString([]byte(doc))
	return answerEnv("paaSILChiediPagati", `<pagati>`+base64.StdEncoding.EncodeToString([]byte(once))+`</pagati>`)
}

func pagatiXML(esito, importo string) string {
	return `<Pagati xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>` +
		`<dominio><identificativoDominio>12345678903</identificativoDominio></dominio>` +
		`<identificativoMessaggioRicevuta>RT-7F3A21</identificativoMessaggioRicevuta><dataOraMessaggioRicevuta>2026-11-23T10:15:00</dataOraMessaggioRicevuta>` +
		`<riferimentoMessaggioRichiesta>RPT-7F3A20</riferimentoMessaggioRichiesta><riferimentoDataRichiesta>2026-11-23</riferimentoDataRichiesta>` +
		`<istitutoAttestante><identificativoUnivocoAttestante><tipoIdentificativoUnivoco>B</tipoIdentificativoUnivoco><codiceIdentificativoUnivoco>SIMPSP01</codiceIdentificativoUnivoco></identificativoUnivocoAttestante><denominazioneAttestante>PSP simulato</denominazioneAttestante></istitutoAttestante>` +
		`<enteBeneficiario><identificativoUnivocoBeneficiario><tipoIdentificativoUnivoco>G</tipoIdentificativoUnivoco><codiceIdentificativoUnivoco>12345678903</codiceIdentificativoUnivoco></identificativoUnivocoBeneficiario><denominazioneBeneficiario>Comune di Ponte Demo</denominazioneBeneficiario></enteBeneficiario>` +
		`<soggettoPagatore><identificativoUnivocoPagatore><tipoIdentificativoUnivoco>F</tipoIdentificativoUnivoco><codiceIdentificativoUnivoco>RSSMRA80A01H501U</codiceIdentificativoUnivoco></identificativoUnivocoPagatore><anagraficaPagatore>Mario Rossi</anagraficaPagatore></soggettoPagatore>` +
		`<datiPagamento><codiceEsitoPagamento>` + esito + `</codiceEsitoPagamento><importoTotalePagato>` + importo + `</importoTotalePagato>` +
		`<identificativoUnivocoVersamento>01000000000012345</identificativoUnivocoVersamento><codiceContestoPagamento>CCP-1</codiceContestoPagamento>` +
		`<datiSingoloPagamento><identificativoUnivocoDovuto>DEMO-1</identificativoUnivocoDovuto><singoloImportoPagato>` + importo + `</singoloImportoPagato>` +
		`<esitoSingoloPagamento>ESEGUITO</esitoSingoloPagamento><dataEsitoSingoloPagamento>2026-11-23</dataEsitoSingoloPagamento>` +
		`<identificativoUnivocoRiscossione>IUR-1</identificativoUnivocoRiscossione><causaleVersamento>/RFB/01000000000012345/` + importo + `/TXT/TARI 2025 rata unica</causaleVersamento>` +
		`<datiSpecificiRiscossione>9/0101100IM/</datiSpecificiRiscossione></datiSingoloPagamento></datiPagamento></Pagati>`
}
