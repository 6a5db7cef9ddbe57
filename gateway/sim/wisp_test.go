package sim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (h *harness) wispGet(id string) (int, string) {
	h.t.Helper()
	resp, err := noFollow.Get(h.srv.URL + WISPPath + "?idSession=" + url.QueryEscape(id))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wispPost submits the page's form and returns status and Location.
func (h *harness) wispPost(form url.Values) (int, string) {
	h.t.Helper()
	resp, err := noFollow.PostForm(h.srv.URL+WISPPath, form)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestWISPPageRendersAndPays(t *testing.T) {
	h := newHarness(t)
	id, key, _ := h.openRPT(1000, 550)
	code, page := h.wispGet(id)
	if code != http.StatusOK {
		t.Fatalf("GET: HTTP %d", code)
	}
	for _, want := range []string{"pagoPA — simulatore", "Comune di Prova", key.IUV, "15,50 €", "10,00 €", "Mario Rossi",
		`name="idSession" value="` + id + `"`, `value="paga"`, `value="annulla"`, `value="rifiutato"`, "Paga", "Annulla"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	code, loc := h.wispPost(url.Values{"idSession": {id}, "azione": {AzionePaga}, "esito": {"ok"}})
	if code != http.StatusFound || loc != tRedirect+"?esito=OK&idDominio="+tDom+"&idSession="+id {
		t.Fatalf("POST paga: HTTP %d Location %q", code, loc)
	}
	si, _ := h.node.Session(id)
	if si.Status != SessionPaid || len(h.sink.got) != 1 || !h.sink.got[0].Paid {
		t.Errorf("session %s, sink %d", si.Status, len(h.sink.got))
	}
	// A second submit goes where the first went, and changes nothing.
	code, again := h.wispPost(url.Values{"idSession": {id}, "azione": {AzioneAnnulla}})
	if code != http.StatusFound || again != loc || len(h.sink.got) != 1 {
		t.Errorf("second submit: HTTP %d %q", code, again)
	}
	if code, page := h.wispGet(id); code != http.StatusOK || !strings.Contains(page, "già conclusa") || strings.Contains(page, "<form") {
		t.Errorf("closed session page: HTTP %d", code)
	}
}

func TestWISPPageCancelAndRefusal(t *testing.T) {
	h := newHarness(t)
	// A cart: no idDominio on the way back.
	iuv1, iuv2 := randIUV(), randIUV()
	hdr, body := carrello(t, "CART-"+iuv1, newRPT(tDom, iuv1, "CCP01"), newRPT(tDom2, iuv2, "CCP01", 2000))
	id := sessionOf(t, h.sendCart(hdr, body).Url)
	if _, page := h.wispGet(id); !strings.Contains(page, "Ente Secondo") || !strings.Contains(page, "30,50 €") {
		t.Errorf("cart page lacks the second ente or the total")
	}
	code, loc := h.wispPost(url.Values{"idSession": {id}, "azione": {AzioneAnnulla}})
	if code != http.StatusFound || loc != tRedirect+"?esito=ERROR&idSession="+id {
		t.Fatalf("annulla: HTTP %d %q", code, loc)
	}
	if si, _ := h.node.Session(id); si.Status != SessionCancelled || si.RPTs[1].State != RTGenerataNodo {
		t.Errorf("session %+v", si)
	}

	id2, _, _ := h.openRPT()
	code, loc = h.wispPost(url.Values{"idSession": {id2}, "azione": {AzionePaga}, "esito": {EsitoRifiutato}})
	if code != http.StatusFound || !strings.Contains(loc, "esito=ERROR") {
		t.Fatalf("rifiutato: HTTP %d %q", code, loc)
	}
	if si, _ := h.node.Session(id2); si.Status != SessionFailed {
		t.Errorf("refused payment: %s", si.Status)
	}

	if code, _ := h.wispGet("nope"); code != http.StatusNotFound {
		t.Errorf("unknown session GET: HTTP %d", code)
	}
	if code, _ := h.wispPost(url.Values{"idSession": {"nope"}, "azione": {AzionePaga}}); code != http.StatusNotFound {
		t.Errorf("unknown session POST: HTTP %d", code)
	}
	id3, _, _ := h.openRPT()
	if code, _ := h.wispPost(url.Values{"idSession": {id3}, "azione": {"forse"}}); code != http.StatusBadRequest {
		t.Errorf("bad azione: HTTP %d", code)
	}
}

// A station without a redirect URL: the page says the payment is done.
func TestWISPPageWithoutRedirect(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Stazioni[0].RedirectURL = "" })
	id, _, _ := h.openRPT()
	resp, err := noFollow.PostForm(h.srv.URL+WISPPath, url.Values{"idSession": {id}, "azione": {AzionePaga}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Operazione conclusa") {
		t.Errorf("HTTP %d", resp.StatusCode)
	}
}
