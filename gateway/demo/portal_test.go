package demo

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

const publicURL = "https://pagamenti.comune.example.it"

// portalFor serves the portal against sil.
func portalFor(t *testing.T, sil *fakeSIL, tweak func(*Config)) *httptest.Server {
	t.Helper()
	e := echo.New()
	cfg := Config{
		PublicURL: publicURL + "/", SILURL: sil.srv.URL + "/ws/pa/PagamentiTelematiciDovutiPagati",
		CodIpa: "ENTE_DEMO", Password: "demopass123",
		Logger:  slog.New(slog.DiscardHandler),
		PollFor: 2 * time.Second, PollEvery: 20 * time.Millisecond,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	if err := Mount(e, cfg); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

type reply struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t *testing.T, u string) reply {
	t.Helper()
	resp, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return readReply(t, resp)
}

func post(t *testing.T, u string, form url.Values) reply {
	t.Helper()
	resp, err := noRedirect.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	return readReply(t, resp)
}

func readReply(t *testing.T, resp *http.Response) reply {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Header: resp.Header, Body: string(b)}
}

func goodForm() url.Values {
	return url.Values{
		"tipo": {"TARI"}, "causale": {"  TARI 2025   rata unica "}, "importo": {"1.125,50"},
		"nome": {"Mario Rossi"}, "cf": {"rssmra80a01h501u"}, "email": {"mario.rossi@example.org"},
	}
}

func TestFormPage(t *testing.T) {
	sil := newFakeSIL(t, func(int, silCall) string { t.Error("the form page must not call the SIL"); return "" })
	srv := portalFor(t, sil, nil)
	r := get(t, srv.URL+"/demo/")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /demo/: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	for _, want := range []string{`<html lang="it">`, "Comune di Ponte Demo", "<h1>Paga un dovuto</h1>",
		`<option value="TARI" selected>`, `<option value="MENSA">`, `action="/demo/paga"`, `method="post"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("form page lacks %q", want)
		}
	}
	// Every field has its label; nothing is loaded from outside.
	for _, id := range fieldOrder {
		if !strings.Contains(r.Body, `<label for="`+id+`">`) || !strings.Contains(r.Body, `id="`+id+`" name="`+id+`"`) {
			t.Errorf("field %s: no labelled control", id)
		}
	}
	if regexp.MustCompile(`(?i)<(script|link|img)\b|src=|https?://`).MatchString(r.Body) {
		t.Error("the page loads or links something external")
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-") {
		t.Errorf("CSP %q", csp)
	}
	if r := get(t, srv.URL+"/demo"); r.Status != http.StatusMovedPermanently || r.Location != "/demo/" {
		t.Errorf("GET /demo: %d %q", r.Status, r.Location)
	}
}

// The "pay" button hands the dovuto to the SIL as a gestionale does and
// sends the browser where the SIL says.
func TestPagaSendsDovutiAndRedirects(t *testing.T) {
	landing := "https://pagamenti.comune.example.it/public/landing/inviaDovuti?id=abc123"
	sil := newFakeSIL(t, func(int, silCall) string { return inviaOK(landing) })
	srv := portalFor(t, sil, nil)

	r := post(t, srv.URL+"/demo/paga", goodForm())
	if r.Status != http.StatusSeeOther || r.Location != landing {
		t.Fatalf("POST /demo/paga: %d Location %q, want 303 to %s\n%s", r.Status, r.Location, landing, r.Body)
	}
	c := sil.call(0)
	if c.Op != "paaSILInviaDovuti" || c.NS != nsPPT || c.SOAPAction != `"paaSILInviaDovuti"` {
		t.Errorf("operation {%s}%s, SOAPAction %s", c.NS, c.Op, c.SOAPAction)
	}
	if c.HeaderIpa != "ENTE_DEMO" || c.Fields["password"] != "demopass123" || c.Fields["showMyPay"] != "SHORT" {
		t.Errorf("header codIpaEnte %q, password %q, showMyPay %q", c.HeaderIpa, c.Fields["password"], c.Fields["showMyPay"])
	}
	if got := c.Fields["enteSILInviaRispostaPagamentoUrl"]; got != publicURL+"/demo/esito" {
		t.Errorf("back URL %q", got)
	}
	// The WSDL's stShowMyPay says maxLength 4 next to the value SHORT:
	// nobody validates that facet (MyPay neither), so check the rest.
	xsdtest.Validate(t, xsdtest.Path("pa-per-ente-types.xsd"), bytes.Replace(c.Body, []byte("<showMyPay>SHORT</showMyPay>"), nil, 1))

	d := c.dovuti(t)
	p, s := d.Pagatore, d.Versamento.Singolo
	if p.Tipo != "F" || p.Codice != "RSSMRA80A01H501U" || p.Anagrafica != "Mario Rossi" || p.Email != "mario.rossi@example.org" {
		t.Errorf("soggettoPagatore %+v", p)
	}
	if s.Importo != "1125.50" || s.TipoDovuto != "TARI" || s.Causale != "TARI 2025 rata unica" || s.DatiSpecifici != "9/0101100IM/" {
		t.Errorf("datiSingoloVersamento %+v", s)
	}
	if !strings.HasPrefix(s.IUD, "DEMO-") || len(s.IUD) > 35 {
		t.Errorf("IUD %q", s.IUD)
	}

	// A second payment has its own IUD: MyPay refuses one already sent.
	f := goodForm()
	f.Set("tipo", "MENSA")
	f.Set("cf", "12345678903")
	post(t, srv.URL+"/demo/paga", f)
	d2 := sil.call(1).dovuti(t)
	if d2.Versamento.Singolo.IUD == s.IUD {
		t.Errorf("two payments with IUD %s", s.IUD)
	}
	if d2.Pagatore.Tipo != "G" || d2.Versamento.Singolo.DatiSpecifici != "9/0201102IM/" {
		t.Errorf("MENSA paid by a company: %+v %+v", d2.Pagatore, d2.Versamento.Singolo)
	}
}

func TestPagaShowsFault(t *testing.T) {
	sil := newFakeSIL(t, func(int, silCall) string {
		return inviaKO("PAA_CODICE_FISCALE_NON_VALIDO", "Codice fiscale [RSSMRA80A01H501X] non valido")
	})
	srv := portalFor(t, sil, nil)
	f := goodForm()
	f.Set("cf", "RSSMRA80A01H501X")
	r := post(t, srv.URL+"/demo/paga", f)
	if r.Status != http.StatusUnprocessableEntity || r.Location != "" {
		t.Fatalf("status %d, Location %q", r.Status, r.Location)
	}
	for _, want := range []string{`role="alert"`, "Il pagamento non è stato avviato", `<strong id="codice-errore">PAA_CODICE_FISCALE_NON_VALIDO</strong>`,
		"Codice fiscale [RSSMRA80A01H501X] non valido", `value="RSSMRA80A01H501X"`, `value="Mario Rossi"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("fault page lacks %q", want)
		}
	}
}

func TestPagaChecksFormFirst(t *testing.T) {
	sil := newFakeSIL(t, func(int, silCall) string { return inviaOK("https://x.example/landing") })
	srv := portalFor(t, sil, nil)
	r := post(t, srv.URL+"/demo/paga", url.Values{"tipo": {"IMU"}, "importo": {"12,345"}, "cf": {"ABC"}, "email": {"non-una-mail"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	if sil.callCount() != 0 {
		t.Error("an invalid form reached the SIL")
	}
	for _, id := range fieldOrder {
		if !strings.Contains(r.Body, `<a href="#`+id+`">`) || !strings.Contains(r.Body, `aria-invalid="true" aria-describedby="`+id+`-errore"`) &&
			!strings.Contains(r.Body, `aria-describedby="`+id+`-aiuto `+id+`-errore" aria-invalid="true"`) {
			t.Errorf("field %s: error not reported and linked", id)
		}
	}
}

func TestPagaSILUnreachable(t *testing.T) {
	sil := newFakeSIL(t, func(int, silCall) string { return "" })
	srv := portalFor(t, sil, nil)
	sil.srv.Close()
	r := post(t, srv.URL+"/demo/paga", goodForm())
	if r.Status != http.StatusBadGateway || !strings.Contains(r.Body, "non risponde") || r.Location != "" {
		t.Errorf("status %d, Location %q", r.Status, r.Location)
	}
}

func TestPagaRefusesOddURL(t *testing.T) {
	sil := newFakeSIL(t, func(int, silCall) string { return inviaOK("javascript:alert(1)") })
	srv := portalFor(t, sil, nil)
	if r := post(t, srv.URL+"/demo/paga", goodForm()); r.Status != http.StatusBadGateway || r.Location != "" {
		t.Errorf("status %d, Location %q", r.Status, r.Location)
	}
}

// The receipt may reach Ponte after the browser: the page asks again
// while the SIL says PAA_PAGAMENTO_IN_CORSO.
func TestEsitoPagatoAfterInCorso(t *testing.T) {
	sil := newFakeSIL(t, func(n int, c silCall) string {
		if n < 2 {
			return pagatiFault(codeInCorso)
		}
		return pagatiOK("0", "1125.50")
	})
	srv := portalFor(t, sil, nil)
	r := get(t, srv.URL+"/demo/esito?idSession=sess-1&esito=OK")
	if r.Status != 200 {
		t.Fatalf("status %d\n%s", r.Status, r.Body)
	}
	for _, want := range []string{`<strong id="stato">PAGATO</strong>`, `<dd id="iuv">01000000000012345</dd>`,
		`<dd id="importo">€ 1.125,50</dd>`, `<dd id="ricevuta">RT-7F3A21</dd>`, `<dd id="causale">TARI 2025 rata unica</dd>`,
		`<dd id="data">23/11/2026 10:15</dd>`, `href="/demo/"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("outcome page lacks %q", want)
		}
	}
	if n := sil.callCount(); n != 3 {
		t.Errorf("%d calls to paaSILChiediPagati, want 3", n)
	}
	c := sil.call(2)
	if c.Op != "paaSILChiediPagati" || c.Fields["codIpaEnte"] != "ENTE_DEMO" || c.Fields["password"] != "demopass123" || c.Fields["idSession"] != "sess-1" {
		t.Errorf("call %+v", c)
	}
	xsdtest.Validate(t, xsdtest.Path("pa-per-ente-types.xsd"), c.Body)
}

func TestEsitoOutcomes(t *testing.T) {
	cases := []struct {
		name, answer, stato string
		status              int
	}{
		{"negative receipt", pagatiOK("1", "0.00"), "NON PAGATO", 200},
		{"decorrenza termini", pagatiOK("3", "0.00"), "NON PAGATO", 200},
		{"partial", pagatiOK("2", "10.00"), "PAGATO IN PARTE", 200},
		{"cancelled", pagatiFault(codeAnnullato), "NON PAGATO", 200},
		{"expired", pagatiFault(codeScaduto), "NON PAGATO", 200},
		{"never confirmed", pagatiFault(codeNonIniziato), "NON PAGATO", 200},
		{"still waiting", pagatiFault(codeInCorso), "IN CORSO", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sil := newFakeSIL(t, func(int, silCall) string { return tc.answer })
			srv := portalFor(t, sil, func(c *Config) { c.PollFor = 200 * time.Millisecond })
			start := time.Now()
			r := get(t, srv.URL+"/demo/esito?idSession=sess-1&esito=ERROR")
			if r.Status != tc.status || !strings.Contains(r.Body, `<strong id="stato">`+tc.stato+`</strong>`) {
				t.Fatalf("status %d, want %d and stato %s\n%s", r.Status, tc.status, tc.stato, r.Body)
			}
			if !strings.Contains(r.Body, `href="/demo/"`) {
				t.Error("no link to pay again")
			}
			if tc.stato == "IN CORSO" {
				if el := time.Since(start); el > 1500*time.Millisecond || sil.callCount() < 2 {
					t.Errorf("waited %v over %d calls, want a bounded retry", el, sil.callCount())
				}
				if !strings.Contains(r.Body, `href="/demo/esito?idSession=sess-1"`) {
					t.Error("no link to ask again")
				}
			} else if sil.callCount() != 1 {
				t.Errorf("%d calls for a final answer", sil.callCount())
			}
		})
	}
}

func TestEsitoErrors(t *testing.T) {
	sil := newFakeSIL(t, func(int, silCall) string { return pagatiFault("PAA_ID_SESSION_NON_VALIDO") })
	srv := portalFor(t, sil, nil)
	r := get(t, srv.URL+"/demo/esito?idSession=nope")
	if r.Status != http.StatusBadGateway || !strings.Contains(r.Body, "Esito non disponibile") || !strings.Contains(r.Body, "PAA_ID_SESSION_NON_VALIDO") || strings.Contains(r.Body, `id="stato"`) {
		t.Errorf("unknown session: %d\n%s", r.Status, r.Body)
	}
	if r := get(t, srv.URL+"/demo/esito"); r.Status != http.StatusBadRequest {
		t.Errorf("no idSession: %d", r.Status)
	}
	// A SOAP-level fault (HTTP 500) is an error, not an outcome.
	sil2 := newFakeSIL(t, func(int, silCall) string {
		return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>boom</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
	})
	srv2 := portalFor(t, sil2, nil)
	if r := get(t, srv2.URL+"/demo/esito?idSession=x"); r.Status != http.StatusBadGateway || strings.Contains(r.Body, `id="stato"`) {
		t.Errorf("SOAP fault: %d", r.Status)
	}
}

func TestMountChecksConfig(t *testing.T) {
	for _, cfg := range []Config{
		{SILURL: "http://127.0.0.1/ws", CodIpa: "E"},
		{PublicURL: "http://127.0.0.1", SILURL: "/ws", CodIpa: "E"},
		{PublicURL: "http://127.0.0.1", SILURL: "http://127.0.0.1/ws"},
	} {
		if err := Mount(echo.New(), cfg); err == nil {
			t.Errorf("Mount accepted %+v", cfg)
		}
	}
}
