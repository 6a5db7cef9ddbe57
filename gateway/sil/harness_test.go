package sil

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/pgtest"
	"github.com/ponte-pagopa/ponte/store/storetest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	testCodIpa   = "c_x000"
	testInserito = "c_ins000"
	testPassword = "segreta123"
	// testCartSecret is the intermediary secret of the cart hash.
	testCartSecret = "segreto-intermediario"
)

// testNow is the fixed clock of every test: 15 June 2025, 10:00 in Rome.
var testNow = time.Date(2025, time.June, 15, 10, 0, 0, 0, gateway.Rome)

// passwordHash is computed once: argon2 is slow on purpose.
var passwordHash = sync.OnceValue(func() string {
	h, err := auth.Hash(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

type harness struct {
	t    testing.TB
	db   *store.DB
	svc  *Service
	ep   *soap.Endpoint
	srv  *httptest.Server
	ente *gateway.Ente
}

// dialects runs f once on SQLite and once on PostgreSQL (skipped without
// PostgreSQL binaries or under -short).
func dialects(t *testing.T, f func(t *testing.T, h *harness)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newHarness(t, "sqlite")) })
	t.Run("postgres", func(t *testing.T) {
		if testing.Short() {
			t.Skip("PostgreSQL tests skipped with -short")
		}
		f(t, newHarness(t, "postgres"))
	})
}

func newHarness(t testing.TB, dialect string) *harness {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, storetest.URL(t, dialect))
	h := &harness{t: t, db: db}
	h.ente = &gateway.Ente{
		CodIpa: testCodIpa, CodiceFiscale: "80007580279", Denominazione: "Comune di Prova",
		State: gateway.EnteEsercizio, PasswordHash: passwordHash(),
		IBAN: "IT60X0542811101000000123456", AuxDigit: 3, ApplicationCode: "01", SegregationCode: "01",
		IntermediaryID: "80007580279", StationID: "80007580279_01",
	}
	must(t, db.CreateEnte(ctx, h.ente))
	must(t, db.CreateEnte(ctx, &gateway.Ente{
		CodIpa: testInserito, CodiceFiscale: "00000000001", Denominazione: "Ente Inserito",
		State: gateway.EnteInserito, PasswordHash: passwordHash(), AuxDigit: 3, ApplicationCode: "02", SegregationCode: "02",
	}))
	for _, td := range []*gateway.TipoDovuto{
		{Code: "TARI", Description: "Tassa rifiuti", Enabled: true},
		{Code: "SPENTO", Description: "Disabilitato", Enabled: false},
		{Code: "ANON", Description: "Anonimo ammesso", Enabled: true, AllowAnonymousCF: true},
		{Code: "SCAD", Description: "Scadenza obbligatoria", Enabled: true, DueDateMandatory: true},
		{Code: "FISSO", Description: "Importo fisso", Enabled: true, FixedAmount: 1600},
		{Code: gateway.MarcaBolloDigitale, Description: "Marca da bollo", Enabled: true, FixedAmount: 1600},
	} {
		td.EnteID = h.ente.ID
		must(t, db.UpsertTipoDovuto(ctx, td))
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	var err error
	h.svc, err = New(Config{
		Enti: db, Dovuti: db, IUV: db, Auth: auth.NewVerifier(time.Minute, nil),
		Clock: gateway.FixedClock{T: testNow}, Logger: log, PublicURL: "https://ponte.example.org",
		Carts: db, CartSecret: testCartSecret,
		Options: Options{CacheTTL: -1}, // tests change rows between requests
	})
	if err != nil {
		t.Fatal(err)
	}
	h.ep = soap.NewEndpoint("SIL", soap.DefaultServerConfig(), nil, log)
	h.svc.Register(h.ep)
	h.srv = httptest.NewServer(h.ep)
	t.Cleanup(h.srv.Close)
	return h
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// vers describes a Versamento document; zero fields take valid defaults.
type vers struct {
	Azione, IUD, IUV, Importo, Tipo, Causale, DSR, Due, TipoVers string
	TipoID, CF                                                   string
	Bilancio                                                     string // raw XML of <bilancio>, "" for none
	NoPayer                                                      bool
	Extra                                                        string // raw XML appended to soggettoPagatore
}

func (v vers) xml() string {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&v.Azione, "I")
	def(&v.IUD, "IUD-2025-0001")
	def(&v.Importo, "150.00")
	def(&v.Tipo, "TARI")
	def(&v.Causale, "TARI 2025 rata unica")
	def(&v.DSR, "9/0101100IM/")
	def(&v.TipoID, "F")
	def(&v.CF, "RSSMRA80A01H501U")
	var b strings.Builder
	b.WriteString(`<Versamento xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>`)
	if !v.NoPayer {
		fmt.Fprintf(&b, `<soggettoPagatore><identificativoUnivocoPagatore><tipoIdentificativoUnivoco>%s</tipoIdentificativoUnivoco>`+
			`<codiceIdentificativoUnivoco>%s</codiceIdentificativoUnivoco></identificativoUnivocoPagatore>`+
			`<anagraficaPagatore>MARIO ROSSI</anagraficaPagatore><indirizzoPagatore>Via Roma àèì</indirizzoPagatore>`+
			`<capPagatore>30100</capPagatore><provinciaPagatore>ve</provinciaPagatore><nazionePagatore>IT</nazionePagatore>%s</soggettoPagatore>`, v.TipoID, v.CF, v.Extra)
	}
	b.WriteString(`<datiVersamento>`)
	if v.Due != "" {
		fmt.Fprintf(&b, `<dataEsecuzionePagamento>%s</dataEsecuzionePagamento>`, v.Due)
	}
	if v.TipoVers != "" {
		fmt.Fprintf(&b, `<tipoVersamento>%s</tipoVersamento>`, v.TipoVers)
	}
	if v.IUV != "" {
		fmt.Fprintf(&b, `<identificativoUnivocoVersamento>%s</identificativoUnivocoVersamento>`, v.IUV)
	}
	fmt.Fprintf(&b, `<identificativoUnivocoDovuto>%s</identificativoUnivocoDovuto><importoSingoloVersamento>%s</importoSingoloVersamento>`+
		`<identificativoTipoDovuto>%s</identificativoTipoDovuto><causaleVersamento>%s</causaleVersamento>`+
		`<datiSpecificiRiscossione>%s</datiSpecificiRiscossione>%s</datiVersamento><azione>%s</azione></Versamento>`,
		v.IUD, v.Importo, v.Tipo, v.Causale, v.DSR, v.Bilancio, v.Azione)
	return b.String()
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// importaEnvelope builds a paaSILImportaDovuto request. dovuto is the text
// of <dovuto> as sent; flag is "" to omit flagGeneraIuv.
func importaEnvelope(codIpa, password, dovuto, flag string) string {
	var b strings.Builder
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
		`xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/">`)
	if codIpa != "-" {
		fmt.Fprintf(&b, `<soapenv:Header><ppthead:intestazionePPT><codIpaEnte>%s</codIpaEnte></ppthead:intestazionePPT></soapenv:Header>`, codIpa)
	}
	b.WriteString(`<soapenv:Body><ppt:paaSILImportaDovuto>`)
	if password != "" {
		fmt.Fprintf(&b, `<password>%s</password>`, password)
	}
	fmt.Fprintf(&b, `<dovuto>%s</dovuto>`, dovuto)
	if flag != "" {
		fmt.Fprintf(&b, `<flagGeneraIuv>%s</flagGeneraIuv>`, flag)
	}
	b.WriteString(`</ppt:paaSILImportaDovuto></soapenv:Body></soapenv:Envelope>`)
	return b.String()
}

// answer is a decoded SIL response.
type answer struct {
	Status int
	Raw    []byte
	Body   []byte // the response element, standalone
	Name   string
	Fault  *struct {
		FaultCode   string `xml:"faultCode"`
		FaultString string `xml:"faultString"`
		ID          string `xml:"id"`
		Description string `xml:"description"`
		Serial      *int   `xml:"serial"`
	} `xml:"fault"`
	Esito string `xml:"esito"`
	IUV   string `xml:"identificativoUnivocoVersamento"`
}

var bodyRE = regexp.MustCompile(`(?s)<soapenv:Body>(.*)</soapenv:Body>`)

func (h *harness) post(t testing.TB, envelope string) *answer {
	t.Helper()
	resp, err := http.Post(h.srv.URL+"/ws/pa/PagamentiTelematiciDovutiPagati", "text/xml; charset=utf-8", strings.NewReader(envelope))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := &answer{Status: resp.StatusCode, Raw: raw}
	m := bodyRE.FindSubmatch(raw)
	if m == nil {
		t.Fatalf("no SOAP body in %s", raw)
	}
	a.Body = m[1]
	var probe struct{ XMLName xml.Name }
	if err := xml.Unmarshal(a.Body, &probe); err != nil {
		t.Fatalf("body %s: %v", a.Body, err)
	}
	a.Name = probe.XMLName.Local
	if err := xml.Unmarshal(a.Body, a); err != nil {
		t.Fatalf("body %s: %v", a.Body, err)
	}
	return a
}

// wantFault checks a business fault answer: HTTP 200, the code, id, esito
// KO (when the response has esito) and the body valid against the schemas.
func wantFault(t testing.TB, a *answer, code, id string, esito bool) {
	t.Helper()
	if a.Status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200: %s", a.Status, a.Raw)
	}
	if a.Fault == nil {
		t.Fatalf("no fault, want %s: %s", code, a.Raw)
	}
	if a.Fault.FaultCode != code {
		t.Fatalf("faultCode %s (%s), want %s", a.Fault.FaultCode, a.Fault.FaultString, code)
	}
	if a.Fault.ID != id {
		t.Errorf("fault id %q, want %q", a.Fault.ID, id)
	}
	if esito && a.Esito != "KO" {
		t.Errorf("esito %q, want KO", a.Esito)
	}
	validateBody(t, a.Body)
}

// validateBody checks the response element against Ponte's SIL body schema
// and, when the reference tree is present, against the one extracted from
// MyPay's WSDL.
func validateBody(t testing.TB, body []byte) {
	t.Helper()
	xsdtest.Validate(t, xsdtest.Path("pa-per-ente-types.xsd"), body)
	if ref := referenceSchema(t); ref != "" {
		xsdtest.Validate(t, ref, body)
	}
}

var (
	refOnce   sync.Once
	refSchema string
	refErr    error
)

// referenceSchema extracts the two inline schemas of MyPay's
// pa-per-ente.wsdl into standalone files (once per test binary) and returns
// the path of the body schema, or "" without the reference tree.
func referenceSchema(t testing.TB) string {
	t.Helper()
	wsdlPath := xsdtest.RefPath("mypay/wsdl/pa/pa-per-ente.wsdl")
	if wsdlPath == "" {
		return ""
	}
	refOnce.Do(func() { refSchema, refErr = extractReference(wsdlPath) })
	if refErr != nil {
		t.Fatal(refErr)
	}
	return refSchema
}

func extractReference(wsdlPath string) (string, error) {
	src, err := os.ReadFile(wsdlPath)
	if err != nil {
		return "", err
	}
	schemas := regexp.MustCompile(`(?s)<xsd:schema[^>]*>.*?</xsd:schema>`).FindAll(src, -1)
	if len(schemas) != 2 {
		return "", fmt.Errorf("reference WSDL: %d inline schemas, want 2", len(schemas))
	}
	dir, err := os.MkdirTemp("", "silref")
	if err != nil {
		return "", err
	}
	const decls = ` xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/"` +
		` xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead"` +
		` xmlns:pay_i="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/" xmlns:xmime="http://www.w3.org/2005/05/xmlmime"`
	head := bytes.Replace(schemas[0], []byte("<xsd:schema"), []byte("<xsd:schema"+decls), 1)
	if err := os.WriteFile(filepath.Join(dir, "ppthead.xsd"), head, 0o600); err != nil {
		return "", err
	}
	body := bytes.Replace(schemas[1], []byte("<xsd:schema"), []byte("<xsd:schema"+decls), 1)
	// libxml2 refuses the escaped slash (`\/`) of two reference patterns,
	// which is the same character: the temp copy drops the backslash.
	payload, err := os.ReadFile(filepath.Join(filepath.Dir(wsdlPath), "PagInf_Dovuti_Pagati_6_2_0.xsd"))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "PagInf_Dovuti_Pagati_6_2_0.xsd"), bytes.ReplaceAll(payload, []byte(`\/`), []byte(`/`)), 0o600); err != nil {
		return "", err
	}
	// The ppthead types are referenced without an import in the WSDL.
	i := bytes.IndexByte(body, '>') + 1
	body = append(body[:i:i], append([]byte(`<xsd:import namespace="http://www.regione.veneto.it/pagamenti/ente/ppthead" schemaLocation="ppthead.xsd"/>`), body[i:]...)...)
	out := filepath.Join(dir, "pa-per-ente.xsd")
	return out, os.WriteFile(out, body, 0o600)
}
