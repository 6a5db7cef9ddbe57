package push

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	gen "github.com/ponte-pagopa/ponte/generated/pafornode"
	"github.com/ponte-pagopa/ponte/generated/wire"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/store/pgtest"
	"github.com/ponte-pagopa/ponte/store/storetest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// ente is the SIL endpoint of the test ente: it fails the first fails[iud]
// pushes of each dovuto, answers faultCode to those in refuse, and keeps
// what it got.
type ente struct {
	mu     sync.Mutex
	fails  map[string]int
	refuse map[string]bool
	got    map[string][]Payload
	auth   []string // Authorization headers received
}

func (e *ente) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var p Payload
	b, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &p) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	esito, _ := base64.StdEncoding.DecodeString(p.Esito)
	iud := between(string(esito), "<identificativoUnivocoDovuto>", "</identificativoUnivocoDovuto>")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got[iud] = append(e.got[iud], p)
	e.auth = append(e.auth, r.Header.Get("Authorization"))
	switch {
	case e.fails[iud] > 0:
		e.fails[iud]--
		http.Error(w, "temporaneamente non disponibile", http.StatusServiceUnavailable)
	case e.refuse[iud]:
		w.Write([]byte(`{"faultCode":"SIL_ERRORE","faultDescription":"dovuto sconosciuto"}`))
	default:
		w.Write([]byte(`{}`))
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	return s[:strings.Index(s, b)]
}

// paid stores a dovuto of e paid at a PSP (its receipt recorded), which
// queues its push.
func paid(t *testing.T, db *store.DB, e *gateway.Ente, n int) *gateway.Dovuto {
	t.Helper()
	ctx := context.Background()
	d := &gateway.Dovuto{EnteID: e.ID, IUD: fmt.Sprintf("PUSH-%d", n), IUV: fmt.Sprintf("01%015d", n), State: gateway.DovutoDaPagare,
		TipoDovuto: "TARI", Amount: 1000, Causale: "TARI", DatiSpecificiRiscossione: "9/0101100IM/",
		Payer: &gateway.Payer{Type: "F", ID: "RSSMRA80A01H501U", Name: "Mario Rossi"}}
	must(t, db.InsertDovuto(ctx, d))
	r := &gen.CtReceiptV2{ReceiptId: fmt.Sprintf("rcpt%d", n), NoticeNumber: gen.StNoticeNumber("3" + d.IUV), FiscalCode: gen.StFiscalCodePA(e.CodiceFiscale),
		Outcome: "OK", CreditorReferenceId: gen.StText35(d.IUV), PaymentAmount: wire.AmountOf(1000), Description: "TARI", CompanyName: "Comune",
		Debtor: gen.CtSubject{UniqueIdentifier: gen.CtEntityUniqueIdentifier{EntityUniqueIdentifierType: "F", EntityUniqueIdentifierValue: "RSSMRA80A01H501U"}, FullName: "Mario Rossi"},
		TransferList: gen.CtTransferListPAReceiptV2{Transfer: []gen.CtTransferPAReceiptV2{{IdTransfer: "1", TransferAmount: wire.AmountOf(1000),
			FiscalCodePA: gen.StFiscalCodePA(e.CodiceFiscale), IBAN: "IT60X0542811101000000123456", RemittanceInformation: "TARI", TransferCategory: "0101100IM"}}},
		IdPSP: "BCITITMM", PSPCompanyName: "Banca", IdChannel: "BCITITMM_01", ChannelDescription: "app",
		PaymentDateTime: "2026-11-23T10:00:00", ApplicationDate: "2026-11-23"}
	doc, err := rpt.EncodeReceiptV2(r)
	must(t, err)
	c := &gateway.Cart{IDSession: "PSP-" + d.IUD, Token: "tok-" + d.IUD, Kind: gateway.CartAttivatoPSP, State: gateway.CartInCorso,
		EnteID: e.ID, CodIpa: e.CodIpa, Payments: []*gateway.Payment{{EnteID: e.ID, CodIpa: e.CodIpa, Dominio: e.CodiceFiscale,
			IUV: d.IUV, CCP: string(r.ReceiptId), Amount: 1000, Items: []*gateway.Dovuto{d}}}}
	if _, err := db.OpenCartWithReceipt(ctx, c, &gateway.Receipt{Esito: gateway.EsitoEseguito, Amount: 1000, MessageID: r.ReceiptId, RT: doc}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPushRetriesDeadLetterReplay: a push the ente fails twice is sent on
// the third attempt; one the ente refuses becomes a dead letter after
// MaxAttempts; replay sends exactly the selected one again.
func TestPushRetriesDeadLetterReplay(t *testing.T) {
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, storetest.URL(t, dialect))
			sil := &ente{fails: map[string]int{"PUSH-1": 2}, refuse: map[string]bool{"PUSH-2": true}, got: map[string][]Payload{}}
			srv := httptest.NewServer(sil)
			defer srv.Close()
			e := &gateway.Ente{CodIpa: "ENTE_PUSH", CodiceFiscale: "01234567897", Denominazione: "Comune", State: gateway.EnteEsercizio,
				AuxDigit: 3, SegregationCode: "01", PushURL: srv.URL + "/esito"}
			must(t, db.CreateEnte(ctx, e))
			quiet := &gateway.Ente{CodIpa: "ENTE_MUTO", CodiceFiscale: "09876543217", Denominazione: "Muto", State: gateway.EnteEsercizio, AuxDigit: 3}
			must(t, db.CreateEnte(ctx, quiet))
			d1, d2 := paid(t, db, e, 1), paid(t, db, e, 2)
			paid(t, db, quiet, 3) // no push URL: nothing queued

			w, err := New(Config{Store: db, Base: time.Millisecond, Span: 20 * time.Millisecond, MaxAttempts: 4})
			must(t, err)
			deadline := time.Now().Add(10 * time.Second)
			for {
				ps, err := db.FindPushes(ctx, e.ID, "")
				must(t, err)
				if len(ps) == 2 && ps[0].State == gateway.PushSent && ps[1].State == gateway.PushFailed {
					if ps[0].Attempts != 3 || ps[1].Attempts != 4 || !strings.Contains(ps[1].LastError, "SIL_ERRORE") {
						t.Errorf("pushes %+v %+v", ps[0], ps[1])
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("pushes did not settle: %+v", ps)
				}
				_, err = w.Round(ctx)
				must(t, err)
				time.Sleep(5 * time.Millisecond)
			}
			if q, _ := db.FindPushes(ctx, quiet.ID, ""); len(q) != 0 {
				t.Errorf("%d pushes queued for an ente without URL", len(q))
			}
			sil.mu.Lock()
			got := sil.got["PUSH-1"]
			sil.mu.Unlock()
			if len(got) != 3 {
				t.Fatalf("%d deliveries of PUSH-1", len(got))
			}
			esito, _ := base64.StdEncoding.DecodeString(got[2].Esito)
			xsdtest.Validate(t, xsdtest.Path("PagInf_Dovuti_Pagati_6_2_0.xsd"), esito)
			rtDoc, _ := base64.StdEncoding.DecodeString(got[2].RT)
			if !strings.HasPrefix(string(rtDoc), "<receipt>") || !strings.Contains(string(esito), d1.IUV) {
				t.Errorf("payload rt %.40q, esito %.200q", rtDoc, esito)
			}

			// Replay the dead one only, now that the ente takes it.
			sil.mu.Lock()
			sil.refuse["PUSH-2"] = false
			sil.mu.Unlock()
			n, err := db.ReplayPushes(ctx, gateway.PushFilter{EnteID: e.ID, IUV: d2.IUV})
			if err != nil || n != 1 {
				t.Fatalf("replay: %d, %v", n, err)
			}
			if _, err := w.Round(ctx); err != nil {
				t.Fatal(err)
			}
			ps, _ := db.FindPushes(ctx, e.ID, "")
			sil.mu.Lock()
			defer sil.mu.Unlock()
			if ps[1].State != gateway.PushSent || len(sil.got["PUSH-2"]) != 5 || len(sil.got["PUSH-1"]) != 3 {
				t.Errorf("after replay: %s, deliveries %d and %d", ps[1].State, len(sil.got["PUSH-2"]), len(sil.got["PUSH-1"]))
			}
		})
	}
}

// TestPushJWT: with the ente's JWT set, each push carries MyPay's bearer
// token: HS512 over header kid and claims iss and sub, keyed by the
// base64-decoded secret.
func TestPushJWT(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, storetest.URL(t, "sqlite"))
	sil := &ente{fails: map[string]int{}, refuse: map[string]bool{}, got: map[string][]Payload{}}
	srv := httptest.NewServer(sil)
	defer srv.Close()
	secret := base64.StdEncoding.EncodeToString([]byte("chiave-segreta-di-prova-abbastanza-lunga"))
	e := &gateway.Ente{CodIpa: "ENTE_JWT", CodiceFiscale: "01234567897", Denominazione: "Comune", State: gateway.EnteEsercizio,
		AuxDigit: 3, SegregationCode: "01", PushURL: srv.URL,
		PushJWT: gateway.PushJWT{KeyID: "kid-1", Issuer: "client-id", Subject: "ponte@example.it", Secret: secret}}
	must(t, db.CreateEnte(ctx, e))
	paid(t, db, e, 7)
	w, err := New(Config{Store: db})
	must(t, err)
	if _, err := w.Round(ctx); err != nil {
		t.Fatal(err)
	}
	sil.mu.Lock()
	defer sil.mu.Unlock()
	if len(sil.auth) != 1 || !strings.HasPrefix(sil.auth[0], "Bearer ") {
		t.Fatalf("authorization %q", sil.auth)
	}
	parts := strings.Split(strings.TrimPrefix(sil.auth[0], "Bearer "), ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", sil.auth[0])
	}
	mac := hmac.New(sha512.New, []byte("chiave-segreta-di-prova-abbastanza-lunga"))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	if sig, _ := base64.RawURLEncoding.DecodeString(parts[2]); !hmac.Equal(sig, mac.Sum(nil)) {
		t.Error("signature does not verify with the secret")
	}
	var head, claims map[string]string
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(h, &head)
	json.Unmarshal(c, &claims)
	if head["alg"] != "HS512" || head["kid"] != "kid-1" || claims["iss"] != "client-id" || claims["sub"] != "ponte@example.it" {
		t.Errorf("header %v claims %v", head, claims)
	}
}
