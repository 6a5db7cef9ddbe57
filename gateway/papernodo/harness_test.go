package papernodo

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
	"sync/atomic"
	"testing"
	"time"

	"database/sql"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	gen "github.com/ponte-pagopa/ponte/generated/papernodo"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/pgtest"
	"github.com/ponte-pagopa/ponte/store/storetest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	testCodIpa   = "c_x000"
	testDominio  = "80007580279"
	testInterm   = "80007580279"
	testStazione = "80007580279_01"
	otherDominio = "00000000001" // a second ente, with another station
)

// testNow is the fixed clock: 23 November 2026, 17:13:30 in Rome.
var testNow = time.Date(2026, 11, 23, 17, 13, 30, 0, gateway.Rome)

type harness struct {
	t    testing.TB
	url  string // the database, for counting rows behind the store's back
	db   *store.DB
	rec  *recorder
	svc  *Service
	srv  *httptest.Server
	ente *gateway.Ente
	logs *syncBuffer
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// dialects runs f on SQLite and on PostgreSQL (skipped under -short).
func dialects(t *testing.T, f func(t *testing.T, h *harness)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); f(t, newHarness(t, "sqlite")) })
	t.Run("postgres", func(t *testing.T) {
		if testing.Short() {
			t.Skip("PostgreSQL tests skipped with -short")
		}
		t.Parallel()
		f(t, newHarness(t, "postgres"))
	})
}

func newHarness(t testing.TB, dialect string) *harness {
	t.Helper()
	ctx := context.Background()
	url := storetest.URL(t, dialect)
	db := storetest.Open(t, url)
	h := &harness{t: t, url: url, db: db, rec: &recorder{}, logs: &syncBuffer{}}
	h.ente = &gateway.Ente{
		CodIpa: testCodIpa, CodiceFiscale: testDominio, Denominazione: "Comune di Prova",
		State: gateway.EnteEsercizio, IBAN: "IT60X0542811101000000123456", AuxDigit: 3, SegregationCode: "01",
		IntermediaryID: testInterm, StationID: testStazione,
	}
	must(t, db.CreateEnte(ctx, h.ente))
	must(t, db.CreateEnte(ctx, &gateway.Ente{
		CodIpa: "c_other", CodiceFiscale: otherDominio, Denominazione: "Altro Ente",
		State: gateway.EnteEsercizio, AuxDigit: 3, SegregationCode: "02",
		IntermediaryID: "99999999999", StationID: "99999999999_01",
	}))
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var err error
	h.svc, err = New(Config{Carts: db, Enti: db, Clock: gateway.FixedClock{T: testNow}, Logger: log})
	must(t, err)
	ep := soap.NewEndpoint("NODO", soap.DefaultServerConfig(), h.rec, log)
	h.svc.Register(ep)
	h.srv = httptest.NewServer(ep)
	t.Cleanup(h.srv.Close)
	return h
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var iuvSeq atomic.Int64

// sentPayment is a payment of a cart Ponte has sent to the node.
type sentPayment struct {
	cart *gateway.Cart
	p    *gateway.Payment
	rpt  *rpt.Request // the RPT as sent (parsed back)
}

// newSentCart creates, prepares and marks sent a cart of one payment of
// the test ente with the given item amounts, through the CartStore; its
// RPT comes from rpt.Build.
func (h *harness) newSentCart(amounts ...gateway.Cents) *sentPayment {
	h.t.Helper()
	n := iuvSeq.Add(1)
	iuvCode, ccp := fmt.Sprintf("01%015d", n), fmt.Sprintf("CCP%d", n)
	msgID := rpt.NewMessageID()
	var items []rpt.Item
	for _, a := range amounts {
		items = append(items, rpt.Item{Amount: a, IBANAccredito: h.ente.IBAN, Causale: "TARI 2026",
			DatiSpecificiRiscossione: "9/0101100IM/"})
	}
	doc, err := rpt.Build(&rpt.Request{
		Dominio: testDominio, Stazione: testStazione, IdentificativoMessaggioRichiesta: msgID,
		DataOra:          testNow,
		Pagatore:         rpt.Soggetto{Tipo: "F", Codice: "RSSMRA80A01H501U", Anagrafica: "Mario Rossi"},
		EnteBeneficiario: rpt.Ente{Codice: testDominio, Denominazione: "Comune di Prova"},
		DataEsecuzione:   testNow, IUV: iuvCode, CCP: ccp, Items: items,
	})
	must(h.t, err)
	return h.sentCartWith(iuvCode, ccp, msgID, doc)
}

// sentCartWith stores a sent cart whose one payment has the RPT doc; the
// items follow the RPT's versamenti.
func (h *harness) sentCartWith(iuvCode, ccp, msgID string, doc []byte) *sentPayment {
	h.t.Helper()
	ctx := context.Background()
	sent, err := rpt.ParseRPT(doc)
	must(h.t, err)
	n := iuvSeq.Add(1)
	var items []*gateway.Dovuto
	for i, it := range sent.Items {
		items = append(items, &gateway.Dovuto{
			EnteID: h.ente.ID, IUD: fmt.Sprintf("IUD-%d-%d", n, i), TipoDovuto: "TARI", TipoVersamento: "ALL",
			Amount: it.Amount, Causale: "TARI 2026", DatiSpecificiRiscossione: "9/0101100IM/",
			Payer: &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi"},
		})
	}
	c := &gateway.Cart{
		IDSession: fmt.Sprintf("session-%d", n), Token: fmt.Sprintf("token-%d", n), Kind: gateway.CartEsterno,
		EnteID: h.ente.ID, CodIpa: h.ente.CodIpa, ShowMyPay: "NONE", ReturnURL: "https://ente.example.it/back",
		Payer:     &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi"},
		ExpiresAt: testNow.Add(time.Hour),
		Payments: []*gateway.Payment{{
			EnteID: h.ente.ID, CodIpa: h.ente.CodIpa, Dominio: h.ente.CodiceFiscale, Amount: sent.Total(), Items: items,
		}},
	}
	must(h.t, h.db.CreateCart(ctx, c))
	p := c.Payments[0]
	p.IUV, p.CCP, p.MessageID, p.RequestedAt, p.RPT = iuvCode, ccp, msgID, testNow, doc
	for _, d := range p.Items {
		d.IUV = iuvCode
	}
	must(h.t, h.db.PrepareCart(ctx, c))
	must(h.t, h.db.MarkCartSent(ctx, c.ID, "https://node.example/wisp?idSession=x", fmt.Sprintf("node-%d", n)))
	return &sentPayment{cart: c, p: p, rpt: sent}
}

// rt builds the RT the node would send for sp with esito e.
func (sp *sentPayment) rt(t testing.TB, e rpt.Esito, mutate ...func(*rpt.Receipt)) []byte {
	t.Helper()
	o := rpt.Outcome{Esito: e, At: testNow.Add(time.Minute), PSP: rpt.Attestante{Codice: "IDPSPFNZ", Denominazione: "PSP"}}
	if e == rpt.EsitoParziale || e == rpt.EsitoDecorrenzaParziale {
		o.Paid = make([]bool, len(sp.rpt.Items))
		o.Paid[0] = true
	}
	r, err := rpt.ReceiptFor(sp.rpt, o)
	must(t, err)
	for _, m := range mutate {
		m(r)
	}
	doc, err := rpt.EncodeRT(r)
	must(t, err)
	return doc
}

// head is the intestazionePPT of a delivery.
type head struct{ Interm, Stazione, Dominio, IUV, CCP string }

func (sp *sentPayment) head() head {
	return head{testInterm, testStazione, testDominio, sp.p.IUV, sp.p.CCP}
}

// envelope writes paaInviaRT as wisp-converter does (prefix ns3, header
// children unqualified); tipoFirma nil leaves the element out, and the
// base64 of rt is broken into lines of 76 as MIME encoders do.
func envelope(h head, tipoFirma *string, rt []byte) string {
	var b strings.Builder
	b.WriteString(`<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header>`)
	fmt.Fprintf(&b, `<ns3:intestazionePPT xmlns:ns3="%s"><identificativoIntermediarioPA>%s</identificativoIntermediarioPA>`+
		`<identificativoStazioneIntermediarioPA>%s</identificativoStazioneIntermediarioPA>`+
		`<identificativoDominio>%s</identificativoDominio><identificativoUnivocoVersamento>%s</identificativoUnivocoVersamento>`+
		`<codiceContestoPagamento>%s</codiceContestoPagamento></ns3:intestazionePPT>`, NSHead, h.Interm, h.Stazione, h.Dominio, h.IUV, h.CCP)
	fmt.Fprintf(&b, `</SOAP-ENV:Header><SOAP-ENV:Body><ns3:paaInviaRT xmlns:ns3="%s">`, NS)
	if tipoFirma != nil {
		fmt.Fprintf(&b, `<tipoFirma>%s</tipoFirma>`, *tipoFirma)
	}
	b.WriteString("<rt>" + wrap76(base64.StdEncoding.EncodeToString(rt)) + "</rt></ns3:paaInviaRT></SOAP-ENV:Body></SOAP-ENV:Envelope>")
	return b.String()
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s
}

func ptr(s string) *string { return &s }

// answer is a decoded paaInviaRT answer.
type answer struct {
	Status int
	Raw    []byte // the whole envelope
	Body   []byte // the response element, standalone
	Resp   gen.PaaInviaRTRisposta
}

func (a answer) esito() string { return a.Resp.PaaInviaRTRisposta.Esito }

var bodyRe = regexp.MustCompile(`(?s)<soapenv:Body>(.*)</soapenv:Body>`)

// post sends env and returns the raw answer.
func (h *harness) post(env string) (int, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL, strings.NewReader(env))
	must(h.t, err)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", "paaInviaRT")
	resp, err := http.DefaultClient.Do(req)
	must(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(h.t, err)
	return resp.StatusCode, b
}

// send posts env, requires an HTTP 200 paaInviaRTRisposta valid against
// Ponte's schema and the reference one, and decodes it.
func (h *harness) send(env string) answer {
	h.t.Helper()
	status, raw := h.post(env)
	if status != http.StatusOK {
		h.t.Fatalf("HTTP %d: %s", status, raw)
	}
	m := bodyRe.FindSubmatch(raw)
	if m == nil {
		h.t.Fatalf("no body in %s", raw)
	}
	a := answer{Status: status, Raw: raw, Body: m[1]}
	validateBoth(h.t, a.Body)
	must(h.t, xml.Unmarshal(a.Body, &a.Resp))
	return a
}

// validateBoth checks a response element with xmllint against Ponte's
// papernodo-types.xsd and, when the reference tree is present, the inline
// schema of the reference PaPerNodo.wsdl.
func validateBoth(t testing.TB, doc []byte) {
	t.Helper()
	xsdtest.Validate(t, xsdtest.Path("papernodo-types.xsd"), doc)
	if ref := refSchema(t); ref != "" {
		xsdtest.Validate(t, ref, doc)
	}
}

var xmlnsDecl = regexp.MustCompile(`xmlns:(\w+)="([^"]*)"`)

// refWSDLSchemaTexts caches refWSDLSchemaText by reference WSDL path.
var refWSDLSchemaTexts sync.Map // rel → func() (string, error)

// refWSDLSchemaText is the schema of namespace NS cut from the reference
// WSDL at rel (under the reference tree), with the WSDL root's namespace
// declarations and its relative schema locations made absolute; "" when
// the reference tree is absent.
func refWSDLSchemaText(rel string) (string, error) {
	f, _ := refWSDLSchemaTexts.LoadOrStore(rel, sync.OnceValues(func() (string, error) {
		wsdl := xsdtest.RefPath(rel)
		if wsdl == "" {
			return "", nil
		}
		b, err := os.ReadFile(wsdl)
		if err != nil {
			return "", err
		}
		s := string(b)
		root := s[strings.Index(s, "<wsdl:definitions"):]
		root = root[:strings.Index(root, ">")]
		decls := strings.Join(xmlnsDecl.FindAllString(root, -1), " ")
		dir := filepath.Join(filepath.Dir(wsdl), "..", "xsd")
		for rest := s; ; {
			a := strings.Index(rest, "<xsd:schema ")
			if a < 0 {
				return "", fmt.Errorf("no schema for %s in %s", NS, wsdl)
			}
			end := strings.Index(rest[a:], "</xsd:schema>") + a + len("</xsd:schema>")
			text := rest[a:end]
			rest = rest[end:]
			if strings.Contains(text[:strings.Index(text, ">")], `targetNamespace="`+NS+`"`) {
				text = "<xsd:schema " + decls + text[len("<xsd:schema"):]
				return strings.ReplaceAll(text, `schemaLocation="../xsd/`, `schemaLocation="`+dir+`/`), nil
			}
		}
	}))
	return f.(func() (string, error))()
}

// refWSDLSchema writes refWSDLSchemaText(rel) into a temporary directory
// of t and returns its path, or "" when the reference tree is absent.
func refWSDLSchema(t testing.TB, rel string) string {
	t.Helper()
	text, err := refWSDLSchemaText(rel)
	if err != nil {
		t.Fatal(err)
	}
	if text == "" {
		return ""
	}
	p := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(rel), ".wsdl")+"-ppt.xsd")
	must(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

// refSchema is the reference PaPerNodo.wsdl's schema (refWSDLSchema).
func refSchema(t testing.TB) string {
	return refWSDLSchema(t, "pagopa/pagopa-api/gad/wsdl/PaPerNodo.wsdl")
}

// receipts counts the stored RTs of a payment through FindPayment and the
// cart state through FindCart.
func (h *harness) state(sp *sentPayment) (*gateway.Cart, *gateway.Payment) {
	h.t.Helper()
	ctx := context.Background()
	c, err := h.db.FindCart(ctx, sp.cart.IDSession)
	must(h.t, err)
	p, err := h.db.FindPayment(ctx, testDominio, sp.p.IUV, sp.p.CCP)
	must(h.t, err)
	return c, p
}

// recorder keeps the journal events of the endpoint.
type recorder struct {
	mu  sync.Mutex
	evs []*gateway.Event
}

func (r *recorder) Record(ev *gateway.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, ev)
}

func (r *recorder) last() *gateway.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.evs) == 0 {
		return nil
	}
	return r.evs[len(r.evs)-1]
}

// receiptRows counts the receipt rows of a payment with a connection of
// its own, so that a duplicate hidden by the store's reads would show.
func (h *harness) receiptRows(paymentID int64) int {
	h.t.Helper()
	driver, dsn := "postgres", h.url
	if strings.HasPrefix(h.url, "sqlite:") {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(h.url, "sqlite:")+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, dsn)
	must(h.t, err)
	defer db.Close()
	var n int
	must(h.t, db.QueryRow(fmt.Sprintf("SELECT count(*) FROM receipt WHERE payment_id = %d", paymentID)).Scan(&n))
	return n
}
