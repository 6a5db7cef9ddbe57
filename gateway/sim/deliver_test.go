package sim

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/rpt"
	"github.com/ponte-pagopa/ponte/generated/rptrt"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// openRPT sends one RPT of tDom and returns its session and key.
func (h *harness) openRPT(amounts ...gateway.Cents) (string, RPTKey, *rptrt.RPT) {
	h.t.Helper()
	iuv := randIUV()
	r := newRPT(tDom, iuv, "CCP01", amounts...)
	hdr, body := inviaRPT(h.t, r)
	return sessionOf(h.t, h.sendRPT(hdr, body).Url), RPTKey{tDom, iuv, "CCP01"}, r
}

func (h *harness) mustAPI(method, path, body string, out any) {
	h.t.Helper()
	if code := h.api(method, path, body, out); code != http.StatusOK {
		h.t.Fatalf("%s %s: HTTP %d", method, path, code)
	}
}

// history is the states an RPT went through, as nodoChiediStatoRPT says.
func (h *harness) history(k RPTKey) (string, []string) {
	h.t.Helper()
	st := h.stato(k)
	var out []string
	for _, e := range st.Esito.ElementoStoricoRPT {
		out = append(out, e.Stato)
	}
	return st.Esito.Stato, out
}

func TestDeliveryAcceptedRequestIsValid(t *testing.T) {
	st := newStation(t)
	h, d := deliveringHarness(t, st.srv.URL+"/ws/nodo/PaPerNodo", fastRetry)
	id, key, _ := h.openRPT(1000, 550)
	var si SessionInfo
	h.mustAPI(http.MethodPost, "/sessions/"+id+"/pay", `{}`, &si)
	settle(t, d, func() bool { return h.node.Deliveries(key).Accepted == 1 })

	got := st.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1", len(got))
	}
	rq := got[0]
	if rq.Action != OpPaaInviaRT {
		t.Errorf("SOAPAction %q", rq.Action)
	}
	hd := rq.Head
	if hd.IdentificativoIntermediarioPA != tInt || hd.IdentificativoStazioneIntermediarioPA != tStaz ||
		string(hd.IdentificativoDominio) != key.Dominio || string(hd.IdentificativoUnivocoVersamento) != key.IUV ||
		string(hd.CodiceContestoPagamento) != key.CCP {
		t.Errorf("intestazionePPT %+v", hd)
	}
	if rq.Req.TipoFirma != "" || !bytes.Equal(rq.Req.Rt, si.RPTs[0].RT) {
		t.Errorf("tipoFirma %q, RT equal %v", rq.Req.TipoFirma, bytes.Equal(rq.Req.Rt, si.RPTs[0].RT))
	}
	if !bytes.Contains(rq.Body, []byte("<tipoFirma></tipoFirma>")) {
		t.Errorf("tipoFirma not sent empty: %s", rq.Body[:min(len(rq.Body), 200)])
	}
	xsdtest.Validate(t, xsdtest.Path("papernodo-types.xsd"), rq.Body)
	xsdtest.Validate(t, xsdtest.Path("papernodo-ppthead.xsd"), rq.Header)
	if types, head := refSchemasPaPerNodo(t); types != "" && head != "" {
		xsdtest.Validate(t, types, rq.Body)
		xsdtest.Validate(t, head, rq.Header)
	} else if xsdtest.RefPath("pagopa") != "" {
		t.Error("inline schemas of PaPerNodo.wsdl not extracted")
	}

	state, hist := h.history(key)
	if state != string(RTAccettataPA) || !slices.Equal(hist[len(hist)-2:], []string{string(RTInviataPA), string(RTAccettataPA)}) {
		t.Errorf("state %s, history %v", state, hist)
	}
	want := DeliveryStats{Attempts: 1, Accepted: 1}
	if ds := h.node.Deliveries(key); ds != want {
		t.Errorf("per key %+v", ds)
	}
	var stats Stats
	h.mustAPI(http.MethodGet, "/stats", "", &stats)
	if stats.Delivery != want || stats.Deliveries[key.String()] != want {
		t.Errorf("stats %+v %+v", stats.Delivery, stats.Deliveries)
	}
}

func TestDeliveryClassification(t *testing.T) {
	cases := []struct {
		name    string
		script  []string
		refused bool // URL where nothing listens
		state   State
		want    DeliveryStats
		reqs    int
		passed  State // a state the history must show
	}{
		{"KO with fault: no retry", []string{answerKO}, false, RTRifiutataPA,
			DeliveryStats{Attempts: 1, Refused: 1, LastFault: "PAA_RT_DUPLICATA"}, 1, RTRifiutataPA},
		{"malformed: retried, then OK", []string{answerMalformed, answerSOAPFault, answerOK}, false, RTAccettataPA,
			DeliveryStats{Attempts: 3, Accepted: 1, Unknown: 2, Retried: 2}, 3, RTEsitoSconosciutoPA},
		{"timeout: retried", []string{answerTimeout, answerOK}, false, RTAccettataPA,
			DeliveryStats{Attempts: 2, Accepted: 1, Unknown: 1, Retried: 1}, 2, RTEsitoSconosciutoPA},
		{"malformed every time: given up", []string{answerMalformed}, false, RTEsitoSconosciutoPA,
			DeliveryStats{Attempts: 3, Unknown: 3, Retried: 2, Abandoned: 1}, 3, RTEsitoSconosciutoPA},
		{"connection refused: retried, given up", nil, true, RTErroreInvioAPA,
			DeliveryStats{Attempts: 3, SendErrors: 3, Retried: 2, Abandoned: 1}, 0, RTErroreInvioAPA},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStation(t, c.script...)
			url := st.srv.URL
			if c.refused {
				url = refusedURL(t)
			}
			h, d := deliveringHarness(t, url, fastRetry)
			id, key, _ := h.openRPT()
			h.mustAPI(http.MethodPost, "/sessions/"+id+"/cancel", "", nil)
			settle(t, d, nil)
			time.Sleep(20 * time.Millisecond) // a retry that should not come would come by now
			if n := len(st.requests()); n != c.reqs {
				t.Errorf("%d requests, want %d", n, c.reqs)
			}
			if ds := h.node.Deliveries(key); ds != c.want {
				t.Errorf("stats %+v, want %+v", ds, c.want)
			}
			state, hist := h.history(key)
			if state != string(c.state) || !slices.Contains(hist, string(c.passed)) {
				t.Errorf("state %s, history %v", state, hist)
			}
		})
	}
}

// payWith opens a session, sets its delivery mode, pays it and waits for
// the deliveries to settle.
func payWith(t *testing.T, h *harness, d *Deliverer, mode DeliveryMode) (string, RPTKey, *rptrt.RPT) {
	t.Helper()
	id, key, r := h.openRPT(1000, 550)
	var si SessionInfo
	h.mustAPI(http.MethodPost, "/sessions/"+id+"/delivery", `{"mode":"`+string(mode)+`"}`, &si)
	if si.Delivery != mode {
		t.Fatalf("delivery %q", si.Delivery)
	}
	h.mustAPI(http.MethodPost, "/sessions/"+id+"/pay", `{}`, &si)
	settle(t, d, nil)
	return id, key, r
}

// parsedRTs decodes the RTs the station received.
func parsedRTs(t *testing.T, reqs []stationReq) []*rpt.Receipt {
	t.Helper()
	var out []*rpt.Receipt
	for _, rq := range reqs {
		rt, err := rpt.ParseRT(rq.Req.Rt)
		if err != nil {
			t.Fatalf("RT sent: %v", err)
		}
		out = append(out, rt)
	}
	return out
}

func parsedRPT(t *testing.T, r *rptrt.RPT) *rpt.Request {
	t.Helper()
	req, err := rpt.ParseRPT(rptBytes(t, r))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestDeliveryModes(t *testing.T) {
	t.Run("never, then resend", func(t *testing.T) {
		st := newStation(t)
		h, d := deliveringHarness(t, st.srv.URL, fastRetry)
		id, key, _ := payWith(t, h, d, DeliverNever)
		time.Sleep(20 * time.Millisecond)
		if n := len(st.requests()); n != 0 {
			t.Fatalf("%d requests in mode never", n)
		}
		if cp := h.copiaRT(key); cp.Fault != nil || len(cp.Rt) == 0 {
			t.Errorf("copiaRT: %+v", cp.Fault)
		}
		if state, _ := h.history(key); state != string(RTAccettataNodo) {
			t.Errorf("state %s", state)
		}
		var res struct{ Resent []Receipt }
		h.mustAPI(http.MethodPost, "/sessions/"+id+"/resend", "", &res)
		settle(t, d, func() bool { return h.node.Deliveries(key).Accepted == 1 })
		if len(res.Resent) != 1 || res.Resent[0].Kind != KindResend || len(st.requests()) != 1 {
			t.Errorf("resent %+v, %d requests", res.Resent, len(st.requests()))
		}
		if state, _ := h.history(key); state != string(RTAccettataPA) {
			t.Errorf("state after resend %s", state)
		}
	})
	t.Run("twice", func(t *testing.T) {
		st := newStation(t, answerOK, answerKO)
		h, d := deliveringHarness(t, st.srv.URL, fastRetry)
		_, key, _ := payWith(t, h, d, DeliverTwice)
		got := st.requests()
		if len(got) != 2 || !bytes.Equal(got[0].Req.Rt, got[1].Req.Rt) {
			t.Fatalf("%d requests", len(got))
		}
		if ds := h.node.Deliveries(key); ds.Attempts != 2 || ds.Accepted != 1 || ds.Refused != 1 {
			t.Errorf("stats %+v", ds)
		}
	})
	t.Run("negative then positive", func(t *testing.T) {
		st := newStation(t)
		h, d := deliveringHarness(t, st.srv.URL, fastRetry)
		id, key, r := payWith(t, h, d, DeliverNegativeThenPositive)
		rts := parsedRTs(t, st.requests())
		if len(rts) != 2 || rts[0].Esito != rpt.EsitoNonEseguito || rts[1].Esito != rpt.EsitoEseguito {
			t.Fatalf("%d RTs %+v", len(rts), rts)
		}
		req := parsedRPT(t, r)
		for i, rt := range rts {
			if err := rpt.Check(req, rt); err != nil {
				t.Errorf("RT %d does not match its RPT: %v", i, err)
			}
		}
		si, _ := h.node.Session(id)
		if si.RPTs[0].RTs != 2 || si.Esito != "OK" || h.node.Deliveries(key).Accepted != 2 {
			t.Errorf("session %+v", si)
		}
		if cp := h.copiaRT(key); cp.Fault != nil || !bytes.Equal(cp.Rt, st.requests()[1].Req.Rt) {
			t.Errorf("copiaRT is not the positive RT")
		}
	})
	for _, c := range []struct {
		mode DeliveryMode
		rule rpt.Rule
		code string
	}{{DeliverWrong, rpt.RuleImportoSingolo, rpt.CodeSemantica}, {DeliverWrongIUV, rpt.RuleIUV, rpt.CodeRPTSconosciuta}} {
		t.Run(string(c.mode), func(t *testing.T) {
			st := newStation(t)
			h, d := deliveringHarness(t, st.srv.URL, fastRetry)
			id, key, r := payWith(t, h, d, c.mode)
			req := parsedRPT(t, r)
			rts := parsedRTs(t, st.requests())
			if len(rts) != 1 {
				t.Fatalf("%d RTs", len(rts))
			}
			err := rpt.Check(req, rts[0])
			ce, ok := err.(*rpt.CheckError)
			if !ok || !ce.Has(c.rule) || ce.Code() != c.code {
				t.Fatalf("wrong RT checked: %v", err)
			}
			if got := string(st.requests()[0].Head.IdentificativoUnivocoVersamento); got != key.IUV {
				t.Errorf("header IUV %s, want the RPT's %s", got, key.IUV)
			}
			// The node keeps the right RT: resend delivers it.
			h.mustAPI(http.MethodPost, "/sessions/"+id+"/resend", "", nil)
			settle(t, d, func() bool { return len(st.requests()) == 2 })
			if err := rpt.Check(req, parsedRTs(t, st.requests())[1]); err != nil {
				t.Errorf("resent RT: %v", err)
			}
		})
	}
	t.Run("global with count", func(t *testing.T) {
		st := newStation(t)
		h, d := deliveringHarness(t, st.srv.URL, fastRetry)
		var g GlobalDelivery
		h.mustAPI(http.MethodPost, "/delivery", `{"mode":"twice","count":1}`, &g)
		if g.Mode != DeliverTwice || g.Count != 1 {
			t.Fatalf("global %+v", g)
		}
		for i, want := range []int{2, 1} {
			id, key, _ := h.openRPT()
			var si SessionInfo
			h.mustAPI(http.MethodPost, "/sessions/"+id+"/pay", `{}`, &si)
			settle(t, d, nil)
			if n := h.node.Deliveries(key).Attempts; n != want {
				t.Errorf("session %d: %d deliveries, want %d", i, n, want)
			}
		}
		g = GlobalDelivery{}
		h.mustAPI(http.MethodGet, "/delivery", "", &g)
		if g.Mode != DeliverNormal || g.Count != 0 {
			t.Errorf("global after use %+v", g)
		}
	})
}

func TestDeliveryAPIErrors(t *testing.T) {
	h := newHarness(t)
	id, _, _ := h.openRPT()
	for _, c := range []struct {
		path, body string
		code       int
	}{
		{"/sessions/" + id + "/resend", "", http.StatusConflict}, // no RT yet
		{"/sessions/nope/resend", "", http.StatusNotFound},
		{"/sessions/" + id + "/delivery", `{"mode":"sometimes"}`, http.StatusBadRequest},
		{"/sessions/nope/delivery", `{"mode":"never"}`, http.StatusNotFound},
		{"/delivery", `{"mode":"never","count":-1}`, http.StatusBadRequest},
		{"/delivery", `{"mode":"never","extra":1}`, http.StatusBadRequest},
	} {
		var e map[string]string
		if code := h.api(http.MethodPost, c.path, c.body, &e); code != c.code || e["error"] == "" {
			t.Errorf("POST %s %s: HTTP %d %v, want %d", c.path, c.body, code, e, c.code)
		}
	}
	h.mustAPI(http.MethodPost, "/sessions/"+id+"/cancel", "", nil)
	if code := h.api(http.MethodPost, "/sessions/"+id+"/delivery", `{"mode":"never"}`, nil); code != http.StatusConflict {
		t.Errorf("mode of a closed session: HTTP %d", code)
	}
}

// Close cuts retries waiting for their turn; later RTs are dropped.
func TestDelivererClose(t *testing.T) {
	st := newStation(t, answerMalformed)
	cfg := fastRetry
	cfg.Retry = RetryPolicy{Attempts: 5, Backoff: time.Hour}
	h := newHarness(t, func(c *Config) { c.Stazioni[0].PaPerNodoURL = st.srv.URL })
	d := h.node.StartDelivery(cfg)
	id, key, _ := h.openRPT()
	h.mustAPI(http.MethodPost, "/sessions/"+id+"/pay", `{}`, nil)
	deadline := time.Now().Add(5 * time.Second)
	for h.node.Deliveries(key).Attempts == 0 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if d.Pending() != 1 {
		t.Fatalf("pending %d, want the RT waiting for its retry", d.Pending())
	}
	start := time.Now()
	if err := d.Close(t.Context()); err != nil || time.Since(start) > time.Second {
		t.Fatalf("Close: %v after %s", err, time.Since(start))
	}
	d.RTGenerated(t.Context(), Receipt{Key: key, URL: st.srv.URL})
	if d.Pending() != 0 || len(st.requests()) != 1 {
		t.Errorf("after Close: pending %d, %d requests", d.Pending(), len(st.requests()))
	}
}

func TestRetryPolicyWait(t *testing.T) {
	p := RetryPolicy{Attempts: 5, Backoff: time.Second, Factor: 2, MaxBackoff: 5 * time.Second}.withDefaults()
	var got []string
	for a := 2; a <= 5; a++ {
		got = append(got, p.wait(a).String())
	}
	if strings.Join(got, " ") != "1s 2s 4s 5s" {
		t.Errorf("waits %v", got)
	}
	if w := WISPConverterRetry.withDefaults().wait(10); w != time.Hour {
		t.Errorf("wisp-converter wait %s", w)
	}
}
