package checkout

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/node"
	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/pgtest"
	"github.com/ponte-pagopa/ponte/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// The registry shared by Ponte's store and the simulator.
const (
	tIntermediario = "15376371009"
	tStazione      = "15376371009_01"
	tPassword      = "pwdpwdpwd"
	tPublicURL     = "https://ponte.example.it"
	tReturnURL     = "https://ente.example.it/ritorno?pratica=42"
	tSecondaryCF   = "01234567890"
	tSecondaryIBAN = "IT96R0123454321000000012345"
)

var tNow = time.Date(2026, 11, 23, 17, 13, 30, 0, gateway.Rome)

// tEnti are the enti of the tests: codIpa, CF, IBAN.
var tEnti = []struct{ codIpa, cf, iban, name string }{
	{"C_A001", "80012345678", "IT60X0542811101000000123456", "Comune di Prova"},
	{"C_B002", "80087654321", "IT45R0760103200000000001016", "Unione dei Comuni del Monte"},
	{"C_C003", "80011122233", "IT02A0306909606100000063148", "Consorzio di Bonifica"},
}

// switchHandler lets a server start before its handler exists (each of
// Ponte and the simulator must know the other's URL).
type switchHandler struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *switchHandler) set(h http.Handler) { s.mu.Lock(); s.h = h; s.mu.Unlock() }
func (s *switchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

// harness is Ponte's checkout on a real store, talking through the real
// node client to the real simulator, both over HTTP.
type harness struct {
	t      *testing.T
	db     *store.DB
	enti   []*gateway.Ente
	sim    *sim.Node
	simURL string
	svc    *Service
	url    string // the checkout server
	client *http.Client
}

func forEachStore(t *testing.T, f func(t *testing.T, h *harness)) {
	t.Helper()
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) { f(t, newHarness(t, storetest.URL(t, d))) })
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func newHarness(t *testing.T, dbURL string, opts ...func(*node.Config)) *harness {
	t.Helper()
	ctx := context.Background()
	log := testLogger(t)
	db := storetest.Open(t, dbURL)
	h := &harness{t: t, db: db}
	for _, x := range tEnti {
		e := &gateway.Ente{
			CodIpa: x.codIpa, CodiceFiscale: x.cf, Denominazione: x.name, State: gateway.EnteEsercizio,
			IBAN: x.iban, AuxDigit: 3, SegregationCode: "01",
			IntermediaryID: tIntermediario, StationID: tStazione, StationPassword: tPassword,
			RedirectURL: "https://ente.example.it/predefinito",
		}
		if err := db.CreateEnte(ctx, e); err != nil {
			t.Fatal(err)
		}
		h.enti = append(h.enti, e)
	}

	ponteH, simH := &switchHandler{}, &switchHandler{}
	ponteSrv, simSrv := httptest.NewServer(ponteH), httptest.NewServer(simH)
	t.Cleanup(ponteSrv.Close)
	t.Cleanup(simSrv.Close)
	h.url, h.simURL = ponteSrv.URL, simSrv.URL

	domini := []sim.Dominio{{ID: tSecondaryCF, Name: "Ente Secondario", Stazioni: []string{tStazione}, IBANs: []string{tSecondaryIBAN}}}
	for _, x := range tEnti {
		domini = append(domini, sim.Dominio{ID: x.cf, Name: x.name, Stazioni: []string{tStazione}, IBANs: []string{x.iban}})
	}
	node0, err := sim.New(sim.Config{
		BaseURL:      simSrv.URL,
		Intermediari: []sim.IntermediarioPA{{ID: tIntermediario}},
		Stazioni: []sim.Stazione{{
			ID: tStazione, Intermediario: tIntermediario, Password: tPassword,
			RedirectURL: ponteSrv.URL + EsitoPath, PrimitiveVersion: 2, SegregationCode: "01",
		}},
		Domini: domini,
		Log:    slog.New(slog.DiscardHandler),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.sim = node0
	se := soap.NewEcho(soap.ServerConfig{}, slog.New(slog.DiscardHandler))
	node0.Mount(se, "")
	simH.set(se)

	ncfg := node.Config{URL: simSrv.URL + sim.DefaultSOAPPath, Timeout: 5 * time.Second}
	for _, o := range opts {
		o(&ncfg)
	}
	nc, err := node.New(ncfg, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	svc, err := New(Config{
		Carts: db, Enti: db, Node: nc, IUV: iuv.NewPool(db, 8),
		Clock: gateway.FixedClock{T: tNow}, Logger: log,
		PublicURL: tPublicURL, Secret: []byte("segreto di prova"),
	})
	if err != nil {
		t.Fatal(err)
	}
	h.svc = svc
	pe := soap.NewEcho(soap.ServerConfig{}, log)
	svc.Mount(pe)
	ponteH.set(pe)
	h.client = &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return h
}

// dovuto is one item of a test cart.
func dovuto(iud string, amount gateway.Cents, causale string) *gateway.Dovuto {
	return &gateway.Dovuto{
		IUD: iud, State: gateway.DovutoPredisposto, TipoDovuto: "TARI", Amount: amount,
		Causale: causale, DatiSpecificiRiscossione: "9/0101100IM/",
	}
}

func testPayer() *gateway.Payer {
	return &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi", Address: "Via Roma",
		Civic: "1", CAP: "30100", Locality: "Venezia", Province: "VE", Nation: "IT", Email: "mario.rossi@example.it"}
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newCart stores a PREDISPOSTO cart with one payment per entry of items,
// entry i for tEnti[i].
func (h *harness) newCart(showMyPay string, items ...[]*gateway.Dovuto) *gateway.Cart {
	h.t.Helper()
	c := h.buildCart(showMyPay, items...)
	h.create(c)
	return c
}

// buildCart is newCart without storing.
func (h *harness) buildCart(showMyPay string, items ...[]*gateway.Dovuto) *gateway.Cart {
	c := &gateway.Cart{
		IDSession: randHex(8) + "-" + randHex(2) + "-" + randHex(2) + "-" + randHex(2) + "-261123171330000",
		Token:     randHex(16),
		Kind:      gateway.CartEsterno,
		State:     gateway.CartPredisposto,
		EnteID:    h.enti[0].ID,
		CodIpa:    h.enti[0].CodIpa,
		ShowMyPay: showMyPay,
		ReturnURL: tReturnURL,
		Payer:     testPayer(),
		Email:     testPayer().Email,
		ExpiresAt: tNow.Add(time.Hour),
	}
	if len(items) > 1 {
		c.Kind = gateway.CartEsternoMultiente
	}
	for i, its := range items {
		e := h.enti[i]
		for _, it := range its {
			it.Payer = testPayer()
		}
		c.Payments = append(c.Payments, &gateway.Payment{
			Position: i + 1, EnteID: e.ID, CodIpa: e.CodIpa, Dominio: e.CodiceFiscale,
			State: gateway.PaymentNew, Items: its,
		})
	}
	return c
}

func (h *harness) create(c *gateway.Cart) {
	h.t.Helper()
	for _, p := range c.Payments {
		p.Amount = 0
		for _, it := range p.Items {
			p.Amount += it.Amount
		}
	}
	if err := h.db.CreateCart(context.Background(), c); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) cart(c *gateway.Cart) *gateway.Cart {
	h.t.Helper()
	got, err := h.db.FindCart(context.Background(), c.IDSession)
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

type response struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	res, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b), header: res.Header}
}

func (h *harness) get(path string) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do(req)
}

func (h *harness) landing(c *gateway.Cart) response {
	return h.get(LandingPath + "?id=" + url.QueryEscape(c.Token))
}

func (h *harness) post(form url.Values, hdr ...string) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+LandingPath, strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return h.do(req)
}

// submit posts the confirmation form of c as a browser would after
// loading the page.
func (h *harness) submit(c *gateway.Cart, azione, email string) response {
	h.t.Helper()
	page := h.landing(c)
	if page.status != http.StatusOK {
		h.t.Fatalf("landing: status %d, want 200:\n%s", page.status, page.body)
	}
	doc := parseHTML(h.t, page.body)
	f := url.Values{
		"id":     {inputValue(h.t, doc, "id")},
		"csrf":   {inputValue(h.t, doc, "csrf")},
		"email":  {email},
		"azione": {azione},
	}
	return h.post(f, "Origin", tPublicURL, "Sec-Fetch-Site", "same-origin")
}

func (h *harness) wantStatus(r response, status int) {
	h.t.Helper()
	if r.status != status {
		h.t.Fatalf("status %d, want %d; Location %q\n%s", r.status, status, r.location, r.body)
	}
}
