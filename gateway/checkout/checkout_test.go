package checkout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/node"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/gateway/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestConfirmationPage(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.buildCart("SHORT", []*gateway.Dovuto{
			dovuto("IUD-TARI-1", 123456, "Tassa rifiuti 2026 <rata unica> & conguaglio"),
			dovuto("IUD-SEGR-1", 5000, "Diritti di segreteria"),
		})
		c.Token = "tok-conferma-0001"
		c.Email = "mario.rossi@example.it"
		h.create(c)

		r := h.landing(c)
		h.wantStatus(r, http.StatusOK)
		for k, want := range map[string]string{
			"Cache-Control":   "no-store",
			"Referrer-Policy": "no-referrer",
			"X-Frame-Options": "DENY",
		} {
			if got := r.header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "'sha256-") {
			t.Errorf("Content-Security-Policy = %q", csp)
		}
		doc := checkPage(t, r.body)

		if got := text(one(t, doc, "h2 of the ente", func(n *htmlNode) bool { return n.Data == "h2" && text(n) != "Chi paga" })); got != "Comune di Prova" {
			t.Errorf("ente = %q", got)
		}
		rows := findAll(doc, byClass("dovuto"))
		want := [][2]string{
			{"Tassa rifiuti 2026 <rata unica> & conguaglio", "€ 1.234,56"},
			{"Diritti di segreteria", "€ 50,00"},
		}
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d", len(rows), len(want))
		}
		for i, row := range rows {
			causale := text(one(t, row, "causale", byClass("causale")))
			importo := text(one(t, row, "importo", byClass("importo")))
			if causale != want[i][0] || importo != want[i][1] {
				t.Errorf("row %d = %q %q, want %q %q", i, causale, importo, want[i][0], want[i][1])
			}
		}
		if got := text(byID(t, doc, "totale")); got != "€ 1.284,56" {
			t.Errorf("totale = %q", got)
		}
		if got := text(byID(t, doc, "pagatore-nome")); got != "Mario Rossi" {
			t.Errorf("pagatore = %q", got)
		}
		if got := text(byID(t, doc, "pagatore-cf")); got != "RSSMRA80A01H501U" {
			t.Errorf("codice fiscale = %q", got)
		}
		email := byID(t, doc, "email")
		if v, _ := attr(email, "value"); v != "mario.rossi@example.it" {
			t.Errorf("email value = %q", v)
		}
		if ty, _ := attr(email, "type"); ty != "email" {
			t.Errorf("email type = %q", ty)
		}
		one(t, doc, "label for email", byAttr("for", "email"))
		form := one(t, doc, "form", byTag("form"))
		if a, _ := attr(form, "action"); a != tPublicURL+LandingPath {
			t.Errorf("form action = %q", a)
		}
		if m, _ := attr(form, "method"); m != "post" {
			t.Errorf("form method = %q", m)
		}
		buttons := findAll(form, byTag("button"))
		if len(buttons) != 2 || text(buttons[0]) != "Paga con pagoPA" || text(buttons[1]) != "Annulla" {
			t.Fatalf("buttons: %d", len(buttons))
		}
		for i, v := range []string{"paga", "annulla"} {
			if got, _ := attr(buttons[i], "value"); got != v {
				t.Errorf("button %d value = %q, want %q", i, got, v)
			}
		}
		if _, ok := attr(buttons[1], "formnovalidate"); !ok {
			t.Error("Annulla must not require a valid e-mail")
		}
		if got := inputValue(t, doc, "csrf"); got != h.svc.formToken(c.Token) || got == "" {
			t.Errorf("csrf = %q", got)
		}
		// The inline style is the one the policy's hash allows, byte for byte.
		m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(r.body)
		if m == nil || m[1] == "" {
			t.Fatal("no inline style")
		}
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(r.header.Get("Content-Security-Policy"), h) {
			t.Errorf("the policy does not allow the page's style %s", h)
		}
		golden(t, "confirm.golden.html", []byte(r.body))

		if st := h.cart(c).State; st != gateway.CartPredisposto {
			t.Errorf("showing the page moved the cart to %s", st)
		}
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 0 {
			t.Errorf("node called %d times by the page", n)
		}
	})
}

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the page served (run with -update after checking):\n%s", path, got)
	}
}

// wantNodeSession checks a redirect to the simulator's page and returns its
// idSession.
func (h *harness) wantNodeRedirect(r response) string {
	h.t.Helper()
	h.wantStatus(r, http.StatusSeeOther)
	u, err := url.Parse(r.location)
	if err != nil || !strings.HasPrefix(r.location, h.simURL+sim.WISPPath+"?") {
		h.t.Fatalf("Location %q is not the simulator's page", r.location)
	}
	s := u.Query().Get("idSession")
	if s == "" {
		h.t.Fatalf("Location %q without idSession", r.location)
	}
	return s
}

// checkSent verifies a cart the node accepted, and returns its RPTs.
func (h *harness) checkSent(c *gateway.Cart, location, email string) (*gateway.Cart, []*rpt.Request) {
	h.t.Helper()
	t := h.t
	got := h.cart(c)
	if got.State != gateway.CartInCorso {
		t.Fatalf("cart %s, want %s (error %q)", got.State, gateway.CartInCorso, got.Error)
	}
	if got.NodeURL != location || got.NodeSession != nodeSession(location) || got.NodeSession == "" {
		t.Errorf("node URL %q session %q, want %q", got.NodeURL, got.NodeSession, location)
	}
	if got.Email != email {
		t.Errorf("cart e-mail %q, want %q", got.Email, email)
	}
	si, ok := h.sim.Session(got.NodeSession)
	if !ok {
		t.Fatalf("the simulator has no session %s", got.NodeSession)
	}
	if len(si.RPTs) != len(got.Payments) {
		t.Fatalf("simulator session has %d RPTs, cart %d payments", len(si.RPTs), len(got.Payments))
	}
	var out []*rpt.Request
	for i, p := range got.Payments {
		if p.State != gateway.PaymentSent {
			t.Errorf("payment %d state %s", i+1, p.State)
		}
		if p.MessageID == "" || p.RequestedAt.IsZero() {
			t.Errorf("payment %d: message id %q time %v", i+1, p.MessageID, p.RequestedAt)
		}
		r, err := rpt.ParseRPT(p.RPT)
		if err != nil {
			t.Fatalf("payment %d: stored RPT: %v", i+1, err)
		}
		if r.Dominio != p.Dominio || r.IUV != p.IUV || r.CCP != p.CCP || r.IdentificativoMessaggioRichiesta != p.MessageID {
			t.Errorf("payment %d: RPT %s/%s/%s/%s, payment %s/%s/%s/%s", i+1, r.Dominio, r.IUV, r.CCP,
				r.IdentificativoMessaggioRichiesta, p.Dominio, p.IUV, p.CCP, p.MessageID)
		}
		if r.Total() != p.Amount {
			t.Errorf("payment %d: RPT total %s, payment %s", i+1, r.Total(), p.Amount)
		}
		if r.Pagatore.Email != email || r.Pagatore.Codice != "RSSMRA80A01H501U" || r.Stazione != tStazione {
			t.Errorf("payment %d: pagatore %+v stazione %q", i+1, r.Pagatore, r.Stazione)
		}
		k := si.RPTs[i].RPTKey
		if k.Dominio != p.Dominio || k.IUV != p.IUV || k.CCP != p.CCP || !bytes.Equal(si.RPTs[i].RPT, p.RPT) {
			t.Errorf("payment %d: the node holds %v, not the stored RPT", i+1, k)
		}
		out = append(out, r)
	}
	return got, out
}

var iuv17 = regexp.MustCompile(`^0100[0-9]{13}$`)

func TestPaySingleRPT(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.newCart("SHORT", []*gateway.Dovuto{
			dovuto("IUD-1", 123456, "Tassa rifiuti 2026"),
			dovuto("IUD-2", 5000, "Diritti di segreteria"),
		})
		r := h.submit(c, "paga", "  m.rossi+ricevute@example.org ")
		sess := h.wantNodeRedirect(r)
		got, rpts := h.checkSent(c, r.location, "m.rossi+ricevute@example.org")
		p := got.Payments[0]
		if !iuv17.MatchString(p.IUV) {
			t.Errorf("IUV %q is not an IUV17 of segregation code 01", p.IUV)
		}
		if want := tEnti[0].cf + "3" + p.IUV + "-00001"; p.CCP != want {
			t.Errorf("CCP %q, want %q", p.CCP, want)
		}
		if got.IDCarrello != "" {
			t.Errorf("IDCarrello %q for a single RPT", got.IDCarrello)
		}
		if p.Amount != 128456 {
			t.Errorf("amount %s", p.Amount)
		}
		r0 := rpts[0]
		if len(r0.Items) != 2 || r0.Items[0].IBANAccredito != tEnti[0].iban || r0.Items[1].Amount != 5000 {
			t.Errorf("RPT items %+v", r0.Items)
		}
		if r0.EnteBeneficiario.Codice != tEnti[0].cf || r0.EnteBeneficiario.Denominazione != tEnti[0].name {
			t.Errorf("ente beneficiario %+v", r0.EnteBeneficiario)
		}
		st := h.sim.Stats()
		if st.Calls[sim.OpInviaRPT] != 1 || st.RPTsAccepted != 1 || st.Calls[sim.OpInviaCarrelloRPT] != 0 {
			t.Errorf("simulator stats %+v", st)
		}
		if got.NodeSession != sess {
			t.Errorf("node session %q, want %q", got.NodeSession, sess)
		}

		// A second submit (double click, back button) sends nothing again.
		f := url.Values{"id": {c.Token}, "csrf": {h.svc.formToken(c.Token)}, "email": {"altro@example.org"}, "azione": {"paga"}}
		if r2 := h.post(f); r2.location != r.location {
			t.Errorf("second POST: status %d Location %q, want %q", r2.status, r2.location, r.location)
		}
		// So does cancelling now: the node holds the RPT.
		f.Set("azione", "annulla")
		if r2 := h.post(f); r2.location != r.location {
			t.Errorf("cancel after sending: status %d Location %q", r2.status, r2.location)
		}
		// The landing URL leads back to the node's page.
		if r3 := h.landing(c); r3.status != http.StatusSeeOther || r3.location != r.location {
			t.Errorf("landing after sending: %d %q", r3.status, r3.location)
		}
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 1 {
			t.Errorf("node called %d times, want 1", n)
		}
		if after := h.cart(c); after.Email != "m.rossi+ricevute@example.org" || after.State != gateway.CartInCorso {
			t.Errorf("cart changed by the second submit: %s %q", after.State, after.Email)
		}
	})
}

func TestConcurrentSubmitsSendOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-C", 1000, "Mensa")})
		f := url.Values{"id": {c.Token}, "csrf": {h.svc.formToken(c.Token)}, "email": {"a@example.org"}, "azione": {"paga"}}
		var wg sync.WaitGroup
		locs := make([]string, 4)
		for i := range locs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, h.url+LandingPath, strings.NewReader(f.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, err := h.client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				locs[i] = res.Header.Get("Location")
			}()
		}
		wg.Wait()
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 1 {
			t.Fatalf("node called %d times, want 1", n)
		}
		for i, l := range locs {
			if l == "" || l != locs[0] {
				t.Errorf("submit %d: Location %q, want %q", i, l, locs[0])
			}
		}
	})
}

func TestShowMyPayNone(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.newCart("NONE", []*gateway.Dovuto{dovuto("IUD-N", 2500, "Trasporto scolastico")})
		r := h.landing(c)
		h.wantNodeRedirect(r)
		h.checkSent(c, r.location, "mario.rossi@example.it")
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 1 {
			t.Errorf("node called %d times", n)
		}
		// Reloading the landing URL goes back to the node, not to a new send.
		if r2 := h.landing(c); r2.location != r.location {
			t.Errorf("second landing: %d %q", r2.status, r2.location)
		}
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 1 {
			t.Errorf("node called %d times after reload", n)
		}
	})
}

func TestCancel(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-A", 1000, "Mensa")})
		r := h.submit(c, "annulla", "")
		h.wantStatus(r, http.StatusSeeOther)
		want := "https://ente.example.it/ritorno?pratica=42&idSession=" + url.QueryEscape(c.IDSession) + "&esito=ERROR"
		if r.location != want {
			t.Errorf("Location %q, want %q", r.location, want)
		}
		got := h.cart(c)
		if got.State != gateway.CartAbort || got.Payments[0].State != gateway.PaymentRefused {
			t.Errorf("cart %s payment %s", got.State, got.Payments[0].State)
		}
		if got.Payments[0].IUV != "" || len(got.Payments[0].RPT) != 0 {
			t.Error("a cancelled cart got an IUV or RPT")
		}
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 0 {
			t.Errorf("node called %d times", n)
		}
		// The landing URL now says the cart was cancelled.
		r2 := h.landing(c)
		h.wantStatus(r2, http.StatusOK)
		doc := checkPage(t, r2.body)
		if s := text(byID(t, doc, "stato")); s != "annullato" {
			t.Errorf("stato = %q", s)
		}

		// Without a back URL a page says so.
		c2 := h.buildCart("SHORT", []*gateway.Dovuto{dovuto("IUD-A2", 1000, "Mensa")})
		c2.ReturnURL = ""
		h.create(c2)
		r3 := h.submit(c2, "annulla", "")
		h.wantStatus(r3, http.StatusOK)
		checkPage(t, r3.body)
		if h.cart(c2).State != gateway.CartAbort {
			t.Error("cart without back URL not cancelled")
		}
	})
}

func TestInvalidEmailShowsThePageAgain(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-E", 1000, "Mensa")})
		for _, bad := range []string{"", "non-una-mail", "a!b@example.org", "a@b@example.org"} {
			r := h.submit(c, "paga", bad)
			h.wantStatus(r, http.StatusUnprocessableEntity)
			doc := checkPage(t, r.body)
			in := byID(t, doc, "email")
			if v, _ := attr(in, "aria-invalid"); v != "true" {
				t.Errorf("%q: aria-invalid = %q", bad, v)
			}
			if text(byID(t, doc, "email-errore")) == "" {
				t.Errorf("%q: no error text", bad)
			}
			if v, _ := attr(in, "value"); v != strings.TrimSpace(bad) {
				t.Errorf("%q: value %q not kept", bad, v)
			}
		}
		if got := h.cart(c); got.State != gateway.CartPredisposto || prepared(got) {
			t.Errorf("cart %s prepared=%v", got.State, prepared(got))
		}
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 0 {
			t.Errorf("node called %d times", n)
		}
	})
}

func TestForgedSubmitRefused(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-F", 1000, "Mensa")})
		base := url.Values{"id": {c.Token}, "email": {"a@example.org"}, "azione": {"annulla"}}
		cases := []struct {
			name string
			csrf string
			hdr  []string
		}{
			{"no field", "", nil},
			{"wrong field", h.svc.formToken("altro"), nil},
			{"cross-site", h.svc.formToken(c.Token), []string{"Sec-Fetch-Site", "cross-site"}},
			{"foreign origin", h.svc.formToken(c.Token), []string{"Origin", "https://malevolo.example"}},
		}
		for _, tc := range cases {
			f := url.Values{}
			for k, v := range base {
				f[k] = v
			}
			if tc.csrf != "" {
				f.Set("csrf", tc.csrf)
			}
			r := h.post(f, tc.hdr...)
			if r.status != http.StatusForbidden {
				t.Errorf("%s: status %d, want 403", tc.name, r.status)
				continue
			}
			checkPage(t, r.body)
		}
		if st := h.cart(c).State; st != gateway.CartPredisposto {
			t.Errorf("a forged form moved the cart to %s", st)
		}
	})
}

func TestFiveDovutiOneRPT(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		var items []*gateway.Dovuto
		var total gateway.Cents
		for i := 1; i <= 5; i++ {
			a := gateway.Cents(i * 1111)
			total += a
			items = append(items, dovuto("IUD-5-"+string(rune('0'+i)), a, "Voce "+string(rune('0'+i))))
		}
		c := h.newCart("SHORT", items)
		r := h.submit(c, "paga", "a@example.org")
		h.wantNodeRedirect(r)
		_, rpts := h.checkSent(c, r.location, "a@example.org")
		if len(rpts) != 1 || len(rpts[0].Items) != 5 || rpts[0].Total() != total {
			t.Fatalf("%d RPTs, %d items", len(rpts), len(rpts[0].Items))
		}
		for i, it := range rpts[0].Items {
			if it.Amount != gateway.Cents((i+1)*1111) || !strings.HasSuffix(it.Causale, "/TXT/Voce "+string(rune('1'+i))) {
				t.Errorf("item %d: %s %q", i+1, it.Amount, it.Causale)
			}
		}
		if st := h.sim.Stats(); st.Calls[sim.OpInviaRPT] != 1 || st.RPTsAccepted != 1 {
			t.Errorf("stats %+v", st)
		}
	})
}

func TestMultiEnteCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.buildCart("SHORT",
			[]*gateway.Dovuto{dovuto("IUD-M1", 1500, "Mensa"), dovuto("IUD-M1b", 700, "Pre-scuola")},
			[]*gateway.Dovuto{dovuto("IUD-M2", 2000, "Trasporto")},
			[]*gateway.Dovuto{dovuto("IUD-M3", 3000, "Contributo irriguo")},
		)
		h.create(c)
		page := h.landing(c)
		h.wantStatus(page, http.StatusOK)
		doc := checkPage(t, page.body)
		if text(byID(t, doc, "totale")) != "€ 72,00" {
			t.Errorf("totale %q", text(byID(t, doc, "totale")))
		}
		var names []string
		for _, s := range findAll(doc, byClass("ente")) {
			names = append(names, text(one(t, s, "h2", byTag("h2"))))
		}
		if strings.Join(names, "|") != tEnti[0].name+"|"+tEnti[1].name+"|"+tEnti[2].name {
			t.Errorf("enti on the page: %q", names)
		}

		r := h.submit(c, "paga", "a@example.org")
		h.wantNodeRedirect(r)
		got, rpts := h.checkSent(c, r.location, "a@example.org")
		st := h.sim.Stats()
		if st.Calls[sim.OpInviaCarrelloRPT] != 1 || st.CartsAccepted != 1 || st.RPTsAccepted != 3 || st.Calls[sim.OpInviaRPT] != 0 {
			t.Errorf("stats %+v", st)
		}
		if got.IDCarrello == "" || got.IDCarrello != got.Payments[0].CCP || len(got.IDCarrello) != 35 {
			t.Errorf("IDCarrello %q", got.IDCarrello)
		}
		si, _ := h.sim.Session(got.NodeSession)
		if si.Carrello != got.IDCarrello || si.MultiBeneficiario {
			t.Errorf("simulator carrello %q multi %v", si.Carrello, si.MultiBeneficiario)
		}
		for i, r := range rpts {
			if r.Dominio != tEnti[i].cf || r.Items[0].IBANAccredito != tEnti[i].iban {
				t.Errorf("RPT %d: dominio %s IBAN %s", i+1, r.Dominio, r.Items[0].IBANAccredito)
			}
		}
		if len(rpts[0].Items) != 2 {
			t.Errorf("first RPT has %d items", len(rpts[0].Items))
		}
	})
}

func TestMultiBeneficiaryCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		sec := &gateway.SecondaryBeneficiary{
			CodiceFiscale: tSecondaryCF, Denominazione: "Ente Secondario", IBAN: tSecondaryIBAN,
			Causale: "Quota ente secondario", DatiSpecificiRiscossione: "9/0101100IM/", Amount: 400,
		}
		primary := dovuto("IUD-MB", 1600, "Canone con quota condivisa")
		primary.Secondary = sec
		c := h.buildCart("SHORT", []*gateway.Dovuto{primary})
		c.Kind = gateway.CartEsternoMultiente
		c.MultiBeneficiary = true
		// The secondary beneficiary is no ente of Ponte: its payment has
		// its dominio and no codIpa (the store wants an ente id: the
		// primary's, under which its item is registered).
		c.Payments = append(c.Payments, &gateway.Payment{
			Position: 2, EnteID: h.enti[0].ID, Dominio: tSecondaryCF, State: gateway.PaymentNew,
			Items: []*gateway.Dovuto{{
				IUD: "IUD-MB-SEC", State: gateway.DovutoPredisposto, TipoDovuto: "TARI", Amount: 400,
				Causale: sec.Causale, DatiSpecificiRiscossione: sec.DatiSpecificiRiscossione,
				Payer: testPayer(), Secondary: sec,
			}},
		})
		h.create(c)

		page := h.landing(c)
		h.wantStatus(page, http.StatusOK)
		doc := checkPage(t, page.body)
		if got := text(byID(t, doc, "totale")); got != "€ 20,00" {
			t.Errorf("totale %q", got)
		}

		r := h.submit(c, "paga", "a@example.org")
		h.wantNodeRedirect(r)
		got, rpts := h.checkSent(c, r.location, "a@example.org")
		st := h.sim.Stats()
		if st.Calls[sim.OpInviaCarrelloRPT] != 1 || st.CartsAccepted != 1 || st.RPTsAccepted != 2 {
			t.Errorf("stats %+v faults %v", st, st.Faults)
		}
		p1, p2 := got.Payments[0], got.Payments[1]
		if p1.IUV == "" || p2.IUV != p1.IUV {
			t.Errorf("IUVs %q %q", p1.IUV, p2.IUV)
		}
		if want := tEnti[0].cf + "3" + p1.IUV + "-00001"; got.IDCarrello != want || p1.CCP != want || p2.CCP != want {
			t.Errorf("IDCarrello %q CCPs %q %q, want %q", got.IDCarrello, p1.CCP, p2.CCP, want)
		}
		if rpts[1].Dominio != tSecondaryCF || rpts[1].Items[0].IBANAccredito != tSecondaryIBAN || rpts[1].Items[0].Amount != 400 {
			t.Errorf("secondary RPT: %s %s %s", rpts[1].Dominio, rpts[1].Items[0].IBANAccredito, rpts[1].Items[0].Amount)
		}
		if rpts[1].EnteBeneficiario.Codice != tSecondaryCF || rpts[1].EnteBeneficiario.Denominazione != "Ente Secondario" {
			t.Errorf("secondary beneficiario %+v", rpts[1].EnteBeneficiario)
		}
		if rpts[0].Items[0].IBANAccredito != tEnti[0].iban {
			t.Errorf("primary IBAN %s", rpts[0].Items[0].IBANAccredito)
		}
		si, _ := h.sim.Session(got.NodeSession)
		if !si.MultiBeneficiario || si.Carrello != got.IDCarrello {
			t.Errorf("simulator session multi %v carrello %q", si.MultiBeneficiario, si.Carrello)
		}
	})
}

// checkNotStarted verifies a cart the node did not take: the state, the
// page, and that no acceptance was recorded.
func (h *harness) checkNotStarted(c *gateway.Cart, r response, state gateway.CartState) *gateway.Cart {
	h.t.Helper()
	t := h.t
	h.wantStatus(r, http.StatusBadGateway)
	doc := checkPage(t, r.body)
	link := one(t, doc, "link back", byClass("pulsante"))
	want := "https://ente.example.it/ritorno?pratica=42&idSession=" + url.QueryEscape(c.IDSession) + "&esito=ERROR"
	if href, _ := attr(link, "href"); href != want {
		t.Errorf("link back %q, want %q", href, want)
	}
	// The random idSession and token may contain any digits ("503"…):
	// take them out before looking for leaks.
	body := strings.NewReplacer(url.QueryEscape(c.IDSession), "", c.IDSession, "", c.Token, "").Replace(r.body)
	for _, leak := range []string{"PPT_", "nodo", "dial", "503", "Service Unavailable", tStazione, "http://127.0.0.1"} {
		if strings.Contains(body, leak) {
			t.Errorf("the page shows %q", leak)
		}
	}
	got := h.cart(c)
	if got.State != state {
		t.Fatalf("cart %s, want %s", got.State, state)
	}
	if got.NodeURL != "" || got.NodeSession != "" || got.Error == "" {
		t.Errorf("node URL %q session %q error %q", got.NodeURL, got.NodeSession, got.Error)
	}
	for _, p := range got.Payments {
		if p.State != gateway.PaymentRefused {
			t.Errorf("payment %d %s", p.Position, p.State)
		}
	}
	// The landing URL now tells the same, and sends nothing.
	calls := h.sim.Stats().Calls
	r2 := h.landing(c)
	h.wantStatus(r2, http.StatusOK)
	if s := text(byID(t, checkPage(t, r2.body), "stato")); s != stateLabel(state) {
		t.Errorf("stato %q", s)
	}
	if after := h.sim.Stats().Calls; after[sim.OpInviaRPT] != calls[sim.OpInviaRPT] {
		t.Error("landing after a failure called the node")
	}
	return got
}

func TestNodeDown(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		h.sim.SetFaults(sim.Faults{Down: true})
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-D", 1000, "Mensa")})
		r := h.submit(c, "paga", "a@example.org")
		got := h.checkNotStarted(c, r, gateway.CartNonInviabile)
		if !strings.Contains(got.Error, "503") {
			t.Errorf("error %q does not say what happened", got.Error)
		}
		if st := h.sim.Stats(); st.RefusedDown != 1 || st.RPTsAccepted != 0 {
			t.Errorf("stats %+v", st)
		}
		// The prepared RPT stays on record (the IUV is spent; the IUD too).
		if p := got.Payments[0]; p.IUV == "" || len(p.RPT) == 0 {
			t.Error("the prepared RPT was not kept")
		}
	})
}

func TestNodeUnreachable(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		// Nothing listens there: the request never leaves.
		h.svc.cfg.Node = mustClient(t, "http://127.0.0.1:1/sim/ws/NodoPerPa", time.Second)
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-U", 1000, "Mensa")})
		h.checkNotStarted(c, h.submit(c, "paga", "a@example.org"), gateway.CartNonInviabile)
	})
}

func mustClient(t *testing.T, u string, timeout time.Duration) *node.Client {
	t.Helper()
	nc, err := node.New(node.Config{URL: u, Timeout: timeout}, nil, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func TestNodeFault(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		h.sim.SetFaults(sim.Faults{Next: &sim.ForcedFault{Code: sim.PPTRPTDuplicata}})
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-P", 1000, "Mensa")})
		got := h.checkNotStarted(c, h.submit(c, "paga", "a@example.org"), gateway.CartNonInviabile)
		if !strings.HasPrefix(got.Error, sim.PPTRPTDuplicata) {
			t.Errorf("error %q", got.Error)
		}

		// A cart refused by the node's own checks (an IBAN not registered).
		ente := h.enti[0]
		ente.IBAN = "IT60X0542811101000000999999"
		if err := h.db.UpdateEnte(context.Background(), ente); err != nil {
			t.Fatal(err)
		}
		c2 := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-P2", 1000, "Mensa")})
		got2 := h.checkNotStarted(c2, h.submit(c2, "paga", "a@example.org"), gateway.CartNonInviabile)
		if !strings.HasPrefix(got2.Error, sim.PPTIBANNonCensito) {
			t.Errorf("error %q", got2.Error)
		}
	})
}

func TestNodeTimeoutAfterSending(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		// The node takes longer than Ponte waits: the RPT went out and may
		// have been accepted, so the cart waits for an RT.
		h.svc.cfg.Node = mustClient(t, h.simURL+sim.DefaultSOAPPath, 300*time.Millisecond)
		h.sim.SetFaults(sim.Faults{DelayMS: 3000})
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-T", 1000, "Mensa")})
		r := h.submit(c, "paga", "a@example.org")
		h.wantStatus(r, http.StatusAccepted)
		doc := checkPage(t, r.body)
		if s := text(byID(t, doc, "stato")); s != "in corso" {
			t.Errorf("stato %q", s)
		}
		got := h.cart(c)
		if got.State != gateway.CartInCorso || got.NodeURL != "" || got.Payments[0].State != gateway.PaymentSent {
			t.Errorf("cart %s URL %q payment %s", got.State, got.NodeURL, got.Payments[0].State)
		}
		// Nothing is sent again from the landing URL.
		h.sim.SetFaults(sim.Faults{})
		r2 := h.landing(c)
		h.wantStatus(r2, http.StatusOK)
		checkPage(t, r2.body)
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 0 {
			t.Errorf("node processed %d calls", n)
		}
	})
}

func TestExpiredCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.buildCart("SHORT", []*gateway.Dovuto{dovuto("IUD-X", 1000, "Mensa")})
		c.ExpiresAt = tNow.Add(-time.Second)
		h.create(c)
		r := h.landing(c)
		h.wantStatus(r, http.StatusGone)
		doc := checkPage(t, r.body)
		link := one(t, doc, "link back", byClass("pulsante"))
		want := "https://ente.example.it/ritorno?pratica=42&idSession=" + url.QueryEscape(c.IDSession) + "&esito=ERROR"
		if href, _ := attr(link, "href"); href != want {
			t.Errorf("link %q, want %q", href, want)
		}
		got := h.cart(c)
		if got.State != gateway.CartScaduto || got.Payments[0].State != gateway.PaymentRefused {
			t.Errorf("cart %s payment %s", got.State, got.Payments[0].State)
		}
		// Paying an expired cart (page left open too long) is refused too.
		c2 := h.buildCart("SHORT", []*gateway.Dovuto{dovuto("IUD-X2", 1000, "Mensa")})
		c2.ExpiresAt = tNow.Add(-time.Second)
		h.create(c2)
		f := url.Values{"id": {c2.Token}, "csrf": {h.svc.formToken(c2.Token)}, "email": {"a@example.org"}, "azione": {"paga"}}
		h.wantStatus(h.post(f), http.StatusGone)
		if st := h.cart(c2).State; st != gateway.CartScaduto {
			t.Errorf("cart %s", st)
		}
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 0 {
			t.Errorf("node called %d times", n)
		}
	})
}

func TestUnknownToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		for _, path := range []string{
			LandingPath + "?id=sconosciuto",
			LandingPath,
			LandingPath + "?id=" + strings.Repeat("x", 500),
		} {
			r := h.get(path)
			h.wantStatus(r, http.StatusNotFound)
			doc := checkPage(t, r.body)
			if !strings.Contains(text(doc), "Pagamento non trovato") {
				t.Errorf("%s: page %q", path, text(doc))
			}
		}
		r := h.post(url.Values{"id": {"sconosciuto"}, "azione": {"paga"}})
		h.wantStatus(r, http.StatusNotFound)
	})
}

func TestDuplicateIUDAbortsTheCart(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		first := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-DUP", 1000, "Mensa")})
		second := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-DUP", 1000, "Mensa")})
		h.wantNodeRedirect(h.submit(first, "paga", "a@example.org"))
		r := h.submit(second, "paga", "a@example.org")
		h.wantStatus(r, http.StatusBadGateway)
		checkPage(t, r.body)
		got := h.cart(second)
		if got.State != gateway.CartAbort || got.Error == "" {
			t.Errorf("second cart %s %q", got.State, got.Error)
		}
		if n := h.sim.Stats().Calls[sim.OpInviaRPT]; n != 1 {
			t.Errorf("node called %d times", n)
		}
	})
}

func TestBackFromTheNode(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.newCart("SHORT", []*gateway.Dovuto{dovuto("IUD-B", 1000, "Mensa")})
		sess := h.wantNodeRedirect(h.submit(c, "paga", "a@example.org"))
		for _, tc := range []struct{ esito, want string }{
			{"OK", "OK"}, {"DIFFERITO", "OK"}, {"ERROR", "ERROR"}, {"", "ERROR"}, {"boh", "ERROR"},
		} {
			q := url.Values{"idDominio": {tEnti[0].cf}, "idSession": {sess}, "esito": {tc.esito}}
			r := h.get(EsitoPath + "?" + q.Encode())
			h.wantStatus(r, http.StatusFound)
			want := "https://ente.example.it/ritorno?pratica=42&idSession=" + url.QueryEscape(c.IDSession) + "&esito=" + tc.want
			if r.location != want {
				t.Errorf("esito %q: Location %q, want %q", tc.esito, r.location, want)
			}
		}
		if got := h.cart(c); got.State != gateway.CartInCorso {
			t.Errorf("the browser's esito moved the cart to %s", got.State)
		}

		// Unknown session, missing session.
		h.wantStatus(h.get(EsitoPath+"?idSession=nessuna&esito=OK"), http.StatusNotFound)
		h.wantStatus(h.get(EsitoPath+"?esito=OK"), http.StatusBadRequest)

		// No back URL: a page that says the receipt decides.
		c2 := h.buildCart("NONE", []*gateway.Dovuto{dovuto("IUD-B2", 1000, "Mensa")})
		c2.ReturnURL = ""
		h.create(c2)
		sess2 := h.wantNodeRedirect(h.landing(c2))
		r := h.get(EsitoPath + "?idSession=" + url.QueryEscape(sess2) + "&esito=OK")
		h.wantStatus(r, http.StatusOK)
		doc := checkPage(t, r.body)
		if s := text(byID(t, doc, "stato")); s != "in corso" {
			t.Errorf("stato %q", s)
		}
		if !strings.Contains(text(doc), "ricevuta") {
			t.Errorf("the page does not say the receipt decides: %q", text(doc))
		}
	})
}
