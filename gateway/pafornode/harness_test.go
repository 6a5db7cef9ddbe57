package pafornode

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/pgtest"
	"github.com/ponte-pagopa/ponte/store/storetest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	tDominio  = "01234567897"
	tBroker   = "12345678903"
	tStation  = "12345678903_02"
	tIBAN     = "IT60X0542811101000000123456"
	tPostal   = "IT60X0760111101000000123456"
	tLegacyCF = "80007580279"
)

// tNow is the fixed clock: 23 November 2026, 17:13:30 in Rome.
var tNow = time.Date(2026, 11, 23, 17, 13, 30, 0, gateway.Rome)

type harness struct {
	t    testing.TB
	db   *store.DB
	srv  *httptest.Server
	ente *gateway.Ente
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
	db := storetest.Open(t, storetest.URL(t, dialect))
	h := &harness{t: t, db: db}
	h.ente = &gateway.Ente{
		CodIpa: "ENTE_MU", CodiceFiscale: tDominio, Denominazione: "Comune di Prova Unico",
		State: gateway.EnteEsercizio, IBAN: tIBAN, IBANPostale: tPostal, AuxDigit: 3, SegregationCode: "02",
		IntermediaryID: tBroker, StationID: tStation, StationVersion: gateway.StationUnico,
	}
	must(t, db.CreateEnte(ctx, h.ente))
	must(t, db.CreateEnte(ctx, &gateway.Ente{
		CodIpa: "ENTE_LEGACY", CodiceFiscale: tLegacyCF, Denominazione: "Comune Legacy",
		State: gateway.EnteEsercizio, IBAN: tIBAN, AuxDigit: 3, SegregationCode: "01",
		IntermediaryID: tBroker, StationID: "12345678903_01", StationVersion: gateway.StationLegacy,
	}))
	for _, td := range []*gateway.TipoDovuto{
		{EnteID: h.ente.ID, Code: "TARI", Description: "Tassa rifiuti", Enabled: true},
		{EnteID: h.ente.ID, Code: "MULTA", Description: "Sanzione", Enabled: true, DueDateMandatory: true},
	} {
		must(t, db.UpsertTipoDovuto(ctx, td))
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := New(Config{Store: db, Clock: gateway.FixedClock{T: tNow}, Logger: log})
	must(t, err)
	ep := soap.NewEndpoint("NODO", soap.DefaultServerConfig(), nil, log)
	svc.Register(ep)
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

var seq atomic.Int64

// dovuto stores a payable dovuto of the test ente with a fresh IUV17 and
// returns it with its notice number.
func (h *harness) dovuto(amount gateway.Cents, mutate ...func(*gateway.Dovuto)) (*gateway.Dovuto, string) {
	h.t.Helper()
	n := seq.Add(1)
	d := &gateway.Dovuto{
		EnteID: h.ente.ID, IUD: fmt.Sprintf("IUD-%d", n), IUV: fmt.Sprintf("02%015d", n),
		State: gateway.DovutoDaPagare, TipoDovuto: "TARI", TipoVersamento: "ALL", Amount: amount,
		DueDate: "2026-12-31", Causale: "Tassa rifiuti 2026 rata unica", DatiSpecificiRiscossione: "9/0101100IM/",
		Payer:  &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi", Email: "mario.rossi@example.it", Nation: "IT"},
		Flusso: "_ENTE_MU_IMPORT-DOVUTO",
	}
	for _, m := range mutate {
		m(d)
	}
	must(h.t, h.db.InsertDovuto(context.Background(), d))
	return d, d.NumeroAvviso()
}

// answer is one exchange: the HTTP status, the whole envelope and the
// body's first element.
type answer struct {
	Status int
	Raw    []byte
	Body   []byte
}

var bodyRe = regexp.MustCompile(`(?s)<soapenv:Body>(.*)</soapenv:Body>`)

// call posts body (the operation element) in an envelope with the
// operation's SOAPAction and checks every answer element against Ponte's
// paForNode.xsd and the reference one.
func (h *harness) call(action, body string) answer {
	h.t.Helper()
	env := `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:pafn="` + NS + `">` +
		`<soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`
	return h.post(action, []byte(env))
}

func (h *harness) post(action string, env []byte) answer {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL, bytes.NewReader(env))
	must(h.t, err)
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+action+`"`)
	resp, err := http.DefaultClient.Do(req)
	must(h.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(h.t, err)
	a := answer{Status: resp.StatusCode, Raw: raw}
	if m := bodyRe.FindSubmatch(raw); m != nil {
		a.Body = m[1]
	}
	if resp.StatusCode == http.StatusOK {
		validate(h.t, a.Body)
	}
	return a
}

// validate checks a paForNode element against Ponte's schema and, when
// the reference tree is present, pagoPA's.
func validate(t testing.TB, doc []byte) {
	t.Helper()
	xsdtest.Validate(t, xsdtest.Path("paForNode.xsd"), doc)
	if ref := xsdtest.RefPath("pagopa/pagopa-api/wsdl/xsd/paForNode.xsd"); ref != "" {
		xsdtest.Validate(t, ref, doc)
	}
}

// outcome is what every response carries.
type outcome struct {
	Outcome string `xml:"outcome"`
	Fault   *struct {
		FaultCode   string `xml:"faultCode"`
		FaultString string `xml:"faultString"`
		ID          string `xml:"id"`
		Description string `xml:"description"`
	} `xml:"fault"`
}

func (a answer) outcome(t testing.TB) outcome {
	t.Helper()
	var o outcome
	if err := xml.Unmarshal(a.Body, &o); err != nil {
		t.Fatalf("answer %s: %v", a.Raw, err)
	}
	return o
}

// wantFault checks a KO answer with code and faultBean.id.
func (a answer) wantFault(t testing.TB, code, id string) {
	t.Helper()
	o := a.outcome(t)
	if o.Outcome != "KO" || o.Fault == nil || o.Fault.FaultCode != code || o.Fault.ID != id {
		t.Fatalf("want KO %s (id %s), got %s", code, id, a.Body)
	}
}

func (a answer) wantOK(t testing.TB) {
	t.Helper()
	if o := a.outcome(t); o.Outcome != "OK" || o.Fault != nil {
		t.Fatalf("want OK, got %s", a.Raw)
	}
}

func ids(idPA, broker, station string) string {
	return "<idPA>" + idPA + "</idPA><idBrokerPA>" + broker + "</idBrokerPA><idStation>" + station + "</idStation>"
}

func qr(cf, nav string) string {
	return "<qrCode><fiscalCode>" + cf + "</fiscalCode><noticeNumber>" + nav + "</noticeNumber></qrCode>"
}

func verifyReq(cf, nav string) string {
	return `<pafn:paVerifyPaymentNoticeReq>` + ids(cf, tBroker, tStation) + qr(cf, nav) + `</pafn:paVerifyPaymentNoticeReq>`
}

func getPaymentV2Req(cf, nav string) string {
	return `<pafn:paGetPaymentV2Request>` + ids(cf, tBroker, tStation) + qr(cf, nav) + `</pafn:paGetPaymentV2Request>`
}

// receipt is a paSendRTV2 receipt for the notice, paying amount in one
// transfer to the test ente (plus the extra transfers given).
func receipt(id, nav, iuv string, amount gateway.Cents, extra ...string) string {
	transfers := `<transfer><idTransfer>1</idTransfer><transferAmount>` + amount.String() + `</transferAmount>` +
		`<fiscalCodePA>` + tDominio + `</fiscalCodePA><IBAN>` + tIBAN + `</IBAN>` +
		`<remittanceInformation>Tassa rifiuti</remittanceInformation><transferCategory>0101100IM</transferCategory></transfer>`
	total := amount
	for i, e := range extra {
		var cf string
		var a gateway.Cents
		fmt.Sscanf(e, "%11s %d", &cf, &a)
		total += a
		transfers += fmt.Sprintf(`<transfer><idTransfer>%d</idTransfer><transferAmount>%s</transferAmount><fiscalCodePA>%s</fiscalCodePA>`+
			`<IBAN>IT60X0542811101000000654321</IBAN><remittanceInformation>Quota</remittanceInformation><transferCategory>0201102IM</transferCategory></transfer>`,
			i+2, a.String(), cf)
	}
	return `<receipt><receiptId>` + id + `</receiptId><noticeNumber>` + nav + `</noticeNumber><fiscalCode>` + tDominio + `</fiscalCode>` +
		`<outcome>OK</outcome><creditorReferenceId>` + iuv + `</creditorReferenceId><paymentAmount>` + total.String() + `</paymentAmount>` +
		`<description>Tassa rifiuti 2026</description><companyName>Comune di Prova Unico</companyName>` +
		`<debtor><uniqueIdentifier><entityUniqueIdentifierType>F</entityUniqueIdentifierType><entityUniqueIdentifierValue>RSSMRA80A01H501U</entityUniqueIdentifierValue></uniqueIdentifier><fullName>Mario Rossi</fullName></debtor>` +
		`<transferList>` + transfers + `</transferList>` +
		`<idPSP>BCITITMM</idPSP><PSPCompanyName>Banca di Prova</PSPCompanyName><idChannel>BCITITMM_01</idChannel><channelDescription>app</channelDescription>` +
		`<fee>1.50</fee><paymentDateTime>2026-11-23T17:10:00</paymentDateTime><applicationDate>2026-11-23</applicationDate><transferDate>2026-11-24</transferDate>` +
		`</receipt>`
}

func sendRTV2Req(idPA, rcpt string) string {
	return `<pafn:paSendRTV2Request>` + ids(idPA, tBroker, tStation) + rcpt + `</pafn:paSendRTV2Request>`
}

// between returns the text between a and b in s ("" when absent).
func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}
