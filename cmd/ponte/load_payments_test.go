package main

// The payment-flow load run of `make bench`: `ponte serve` on a throwaway
// PostgreSQL and `ponte sim` as two separate processes, driven over HTTP
// the way gestionali, browsers and the node drive them. Two phases:
//
//  1. Complete payments: virtual users each run whole payments back to
//     back, counting payments/s and the latency of every step.
//  2. paaInviaRT alone at a fixed offered rate, first deliveries only.
//
// Each phase prints a baseline measured in the same run on the same
// machine (the decode-only server of load_test.go). Timing is reported,
// never asserted; errors and wrong outcomes fail the test.
// PONTE_LOAD_SECONDS sets each phase's length (default 10);
// PONTE_LOAD_PROFILE_DIR=dir saves Ponte's CPU profile of each phase there.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/generated/papernodo"
)

// Steps of one complete payment, in order.
const (
	stInvia   = iota // paaSILInviaDovuti
	stLanding        // GET landing: Ponte builds the RPT, nodoInviaRPT, 303 to the node
	stWISP           // GET the node's payment page
	stPaga           // POST the page's form, azione=paga: the node makes the RT
	stBack           // GET Ponte's esitoPagamento: 302 to the ente
	stPagati         // each paaSILChiediPagati call
	stRTSeen         // from "paga" until paaSILChiediPagati answers pagati
	stPayment        // the whole payment
	nSteps
)

var stepNames = [nSteps]string{
	"paaSILInviaDovuti",
	"landing (RPT + nodoInviaRPT)",
	"WISP page (sim)",
	"WISP paga (sim)",
	"esitoPagamento (back)",
	"paaSILChiediPagati (each call)",
	"paga -> pagati visible",
	"whole payment",
}

func TestLoadPayments(t *testing.T) {
	dir, bin, dbURL, dur := loadSetup(t)
	const (
		users  = 64  // virtual users of phase 1, connections of phase 2
		rtRate = 500 // paaInviaRT offered per second in phase 2
	)

	ponteAddr, simAddr, pprofAddr, baseAddr := freeAddr(t), freeAddr(t), freeAddr(t), freeAddr(t)
	ponteURL, simURL := "http://"+ponteAddr, "http://"+simAddr
	env := append(os.Environ(), "PONTE_DATA_DIR="+dir)
	// The simulator: the demo registry pointing at Ponte; retries short so
	// a lost RT would show up within the run (none is expected).
	simCmd, simLog := startLogged(t, exec.Command(bin, "sim", "--demo", "--listen", simAddr, "--ponte-url", ponteURL,
		"--rt-attempts", "5", "--rt-backoff", "200ms", "--rt-timeout", "5s", "--log-level", "warn"), env, simAddr)
	// Ponte: --demo seeds ENTE_DEMO (station password = sim.DemoPassword);
	// with a node URL the embedded simulator is not started.
	ponteCmd, ponteLog := startLogged(t, exec.Command(bin, "serve", "--demo", "--listen", ponteAddr,
		"--node-url", simURL+sim.DefaultSOAPPath, "--database-url", dbURL, "--log-level", "warn", "--pprof-listen", pprofAddr), env, ponteAddr)
	self, _ := os.Executable()
	base := startProcess(t, exec.Command(self), append(os.Environ(), baselineEnv+"="+baseAddr), baseAddr, "/")
	defer func() {
		if t.Failed() {
			t.Logf("ponte log (tail):\n%s", tail(ponteLog.String(), 4000))
			t.Logf("sim log (tail):\n%s", tail(simLog.String(), 4000))
		}
	}()

	f := newFlow(ponteURL, simURL, users)
	defer f.tr.CloseIdleConnections()
	pgdb, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pgdb.Close()
	pg := &pgStats{db: pgdb}
	cpu := newCPUMeter(map[string]int{"ponte": ponteCmd.Process.Pid, "sim": simCmd.Process.Pid, "test driver": os.Getpid()})
	var seq atomic.Int64
	seq.Store(time.Now().Unix() % 1e6 * 1e6) // IUDs unique across runs on a reused database

	// Phase 1: complete payments, closed loop.
	if r := f.payments(users, 2*time.Second, &seq); r.completed == 0 {
		t.Fatalf("warm-up: no payment completed; first errors: %v", r.firstErrs)
	}
	pg.analyze(t)
	profile := profileDuring(t, pprofAddr, "flow", dur)
	cpu.start()
	pg0 := pg.read()
	flow := f.payments(users, dur, &seq)
	flowCPU := cpu.stop()
	time.Sleep(1500 * time.Millisecond) // statistics flush
	flowPG := pg0.per(pg.read(), flow.completed, "payment")
	<-profile
	rb := drive(t, "http://"+baseAddr+SILPath, users, dur, 0, &seq)

	// Phase 2: paaInviaRT at rtRate/s, each a first delivery.
	//
	// How the RTs are made: m payments go through the real flow (SIL,
	// landing, nodoInviaRPT, paga on the WISP page) with the session's
	// delivery mode set to "never" just before paga, so the simulator
	// generates and keeps the RT but does not deliver it. The test then
	// reads each RT from the control API and sends paaInviaRT itself, with
	// the envelope the simulator's Deliverer builds (same generated types),
	// open loop at a fixed rate, timing each exchange from its scheduled
	// send time, so queueing counts. Letting the simulator deliver
	// (/sessions/{id}/resend) was the alternative: it answers before the
	// RT is sent and records no timing, so the latency Ponte gives the node
	// would be unobservable from here. Ponte holds no receipt for these
	// payments before the phase (checked on a sample), so none of the
	// requests takes the cheaper PAA_RT_DUPLICATA path; afterwards every
	// payment must read as pagati.
	m := int(float64(rtRate)*dur.Seconds()) + rtRate/10
	prepStart := time.Now()
	prepared, prepErrs := f.prepareUndelivered(users, m, &seq)
	if len(prepErrs) > 0 {
		t.Fatalf("preparing %d undelivered payments: %d errors, first: %v", m, len(prepErrs), prepErrs[:min(5, len(prepErrs))])
	}
	prepTime := time.Since(prepStart)
	for _, p := range prepared[:min(20, len(prepared))] {
		if done, err := f.pagati(p.idSession, p.iud); done || err != nil {
			t.Fatalf("payment %s before its RT: pagati %v, err %v (want PAA_PAGAMENTO_IN_CORSO)", p.idSession, done, err)
		}
	}
	bodies := make([][]byte, len(prepared))
	for i, p := range prepared {
		bodies[i] = p.envelope
	}
	profile = profileDuring(t, pprofAddr, "rt", dur)
	pg.analyze(t)
	time.Sleep(1500 * time.Millisecond)
	cpu.start()
	pg0 = pg.read()
	rt := f.openLoop(ponteURL+PaPerNodoPath, sim.OpPaaInviaRT, bodies, users, rtRate, dur)
	rtCPU := cpu.stop()
	rtOthers := cpu.series()
	time.Sleep(1500 * time.Millisecond)
	rtPG := pg0.per(pg.read(), rt.sent, "paaInviaRT")
	<-profile
	rtBase := f.openLoop("http://"+baseAddr+PaPerNodoPath, sim.OpPaaInviaRT, bodies, users, rtRate, dur)
	// Every RT sent must now be Ponte's receipt for its payment.
	notPaid := f.checkPaid(users, prepared[:rt.sent])

	// The simulator's own deliveries (phase 1 and warm-up) must all have
	// been accepted at the first attempt.
	var st sim.Stats
	if err := f.getJSON(simURL+sim.APIPrefix+"/stats", &st); err != nil {
		t.Fatal(err)
	}

	w := &strings.Builder{}
	fmt.Fprintf(w, "\nPayment flow load, ponte serve and ponte sim as separate processes, PostgreSQL (pgtest: fsync off), %d cores shared by ponte, sim, PostgreSQL and this driver\n", numCPU())
	fmt.Fprintf(w, "Phase 1: %d virtual users for %s, each paying one dovuto (showMyPay NONE) after another\n", users, dur)
	fmt.Fprintf(w, "  complete payments/s: %.0f  (%d completed, %d failed; %.2f paaSILChiediPagati calls per payment)\n",
		flow.rate, flow.completed, flow.failed, float64(len(flow.lat[stPagati]))/float64(max(flow.completed, 1)))
	fmt.Fprintf(w, "  baseline: decode-only server, same %d connections: %.0f round trips/s; a payment is %.1f client round trips + 2 between the processes\n",
		users, rb.rps, float64(5*flow.completed+len(flow.lat[stPagati]))/float64(max(flow.completed, 1)))
	fmt.Fprintf(w, "  %-32s %8s %9s %9s %9s %7s\n", "step", "count", "p50 ms", "p90 ms", "p99 ms", "errors")
	for s := 0; s < nSteps; s++ {
		l := flow.lat[s]
		fmt.Fprintf(w, "  %-32s %8d %9.2f %9.2f %9.2f %7d\n", stepNames[s], len(l), ms(pct(l, 50)), ms(pct(l, 90)), ms(pct(l, 99)), flow.errs[s])
	}
	fmt.Fprintf(w, "  CPU seconds per second of run: %s\n", flowCPU)
	fmt.Fprintf(w, "  PostgreSQL %s\n", flowPG)
	fmt.Fprintf(w, "Phase 2: paaInviaRT, %d first deliveries offered at %d/s over %d connections (%d payments prepared in %s)\n",
		len(bodies), rtRate, users, len(prepared), prepTime.Round(time.Millisecond))
	fmt.Fprintf(w, "  %-32s %8s %9s %9s %9s %7s\n", "run", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors")
	fmt.Fprintf(w, "  %-32s %8.0f %9.2f %9.2f %9.2f %7d\n", "baseline (decode only)", rtBase.rps, ms(rtBase.p50), ms(rtBase.p90), ms(rtBase.p99), rtBase.errors)
	fmt.Fprintf(w, "  %-32s %8.0f %9.2f %9.2f %9.2f %7d\n", "ponte paaInviaRT", rt.rps, ms(rt.p50), ms(rt.p90), ms(rt.p99), rt.errors)
	fmt.Fprintf(w, "  p99 ms of each second:")
	for _, p := range rt.perSecond {
		fmt.Fprintf(w, " %.1f", ms(p))
	}
	fmt.Fprintf(w, "\n  CPU of other processes each second:%s\n", rtOthers)
	fmt.Fprintf(w, "  CPU seconds per second of run: %s\n", rtCPU)
	fmt.Fprintf(w, "  PostgreSQL %s\n", rtPG)
	d := st.Delivery
	fmt.Fprintf(w, "sim RT deliveries: %d attempts, %d accepted, %d refused, %d retried, %d unknown, %d send errors; RTs generated %d\n",
		d.Attempts, d.Accepted, d.Refused, d.Retried, d.Unknown, d.SendErrors, st.RTsGenerated)
	fmt.Fprintf(w, "peak RSS: ponte %.1f MB, sim %.1f MB, baseline %.1f MB\n", peakRSS(t, ponteCmd), peakRSS(t, simCmd), peakRSS(t, base))
	fmt.Fprintf(w, "targets: >= 800 complete payments/s; paaInviaRT p99 < 25 ms at 500 requests/s\n")
	fmt.Println(w.String())

	if flow.failed > 0 {
		t.Errorf("phase 1: %d payments failed; first errors: %v", flow.failed, flow.firstErrs)
	}
	if rt.errors > 0 {
		t.Errorf("phase 2: %d paaInviaRT answered with an error or a fault; first: %v", rt.errors, rt.firstErrs)
	}
	if rt.sent < int(float64(rtRate)*dur.Seconds())*9/10 {
		t.Errorf("phase 2: only %d paaInviaRT sent of %d offered", rt.sent, int(float64(rtRate)*dur.Seconds()))
	}
	if len(notPaid) > 0 {
		t.Errorf("phase 2: %d payments not pagati after their RT; first: %v", len(notPaid), notPaid[:min(5, len(notPaid))])
	}
	if d.Refused+d.Unknown+d.SendErrors+d.Retried > 0 || d.Accepted != d.Attempts {
		t.Errorf("sim deliveries: %+v", d)
	}
}

// flow is the client side: the gestionale, the citizen's browser, and in
// phase 2 the node's paaInviaRT.
type flow struct {
	ponte, sim string
	tr         *http.Transport
	client     *http.Client // never follows redirects: each hop is a step
}

func newFlow(ponte, sim string, users int) *flow {
	tr := &http.Transport{MaxIdleConnsPerHost: 2 * users, DisableCompression: true}
	return &flow{ponte: ponte, sim: sim, tr: tr, client: &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// flowResult is phase 1's outcome.
type flowResult struct {
	completed, failed int
	rate              float64 // completed payments per second
	lat               [nSteps][]time.Duration
	errs              [nSteps]int
	firstErrs         []string
}

// stepError says which step of a payment failed.
type stepError struct {
	step int
	err  error
}

func (e *stepError) Error() string { return stepNames[e.step] + ": " + e.err.Error() }

// payments runs users virtual users, each paying one payment after
// another until dur has passed; payments under way then finish.
func (f *flow) payments(users int, dur time.Duration, seq *atomic.Int64) flowResult {
	var (
		mu  sync.Mutex
		out flowResult
		wg  sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	start := time.Now()
	for range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat [nSteps][]time.Duration
			var errs [nSteps]int
			var first []string
			ok, failed := 0, 0
			for ctx.Err() == nil {
				err := f.payment(seq.Add(1), &lat)
				if err == nil {
					ok++
					continue
				}
				failed++
				var se *stepError
				if errors.As(err, &se) {
					errs[se.step]++
				}
				if len(first) < 3 {
					first = append(first, err.Error())
				}
			}
			mu.Lock()
			defer mu.Unlock()
			out.completed += ok
			out.failed += failed
			for s := range lat {
				out.lat[s] = append(out.lat[s], lat[s]...)
				out.errs[s] += errs[s]
			}
			if len(out.firstErrs) < 5 {
				out.firstErrs = append(out.firstErrs, first...)
			}
		}()
	}
	wg.Wait()
	out.rate = float64(out.completed) / time.Since(start).Seconds()
	for s := range out.lat {
		slices.Sort(out.lat[s])
	}
	return out
}

// payment is one complete payment as the three parties see it.
func (f *flow) payment(n int64, lat *[nSteps][]time.Duration) error {
	t0 := time.Now()
	step := func(s int, fn func() error) error {
		t := time.Now()
		if err := fn(); err != nil {
			return &stepError{s, err}
		}
		lat[s] = append(lat[s], time.Since(t))
		return nil
	}
	iud := "PAY-" + strconv.FormatInt(n, 10)
	var idSession, landing, wisp, nodeSession, back string
	var err error
	if err := step(stInvia, func() error { idSession, landing, err = f.invia(iud); return err }); err != nil {
		return err
	}
	if err := step(stLanding, func() error { wisp, err = f.landing(landing); return err }); err != nil {
		return err
	}
	if err := step(stWISP, func() error { nodeSession, err = f.wispPage(wisp); return err }); err != nil {
		return err
	}
	paid := time.Now()
	if err := step(stPaga, func() error { back, err = f.paga(nodeSession); return err }); err != nil {
		return err
	}
	if err := step(stBack, func() error { return f.back(back, idSession) }); err != nil {
		return err
	}
	// The gestionale asks for the outcome when the citizen is back, and
	// again while the RT is on its way, backing off.
	wait := 5 * time.Millisecond
	deadline := time.Now().Add(15 * time.Second)
	for {
		var done bool
		if err := step(stPagati, func() error { done, err = f.pagati(idSession, iud); return err }); err != nil {
			return err
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			return &stepError{stRTSeen, fmt.Errorf("cart %s: no RT within 15 s", idSession)}
		}
		time.Sleep(wait)
		wait = min(2*wait, 100*time.Millisecond)
	}
	lat[stRTSeen] = append(lat[stRTSeen], time.Since(paid))
	lat[stPayment] = append(lat[stPayment], time.Since(t0))
	return nil
}

const silReturnURL = "https://gestionale.example/ritorno"

// invia sends paaSILInviaDovuti for one dovuto of ENTE_DEMO.
func (f *flow) invia(iud string) (idSession, landing string, err error) {
	b, err := f.soapCall(f.ponte+SILPath, "paaSILInviaDovuti", inviaDovutiRequest(iud))
	if err != nil {
		return "", "", err
	}
	if c := tagText(b, "faultCode"); c != "" || tagText(b, "esito") != "OK" {
		return "", "", fmt.Errorf("esito %q fault %q", tagText(b, "esito"), c)
	}
	idSession, landing = tagText(b, "idSession"), tagText(b, "url")
	if idSession == "" || !strings.HasPrefix(landing, f.ponte+"/public/landing/inviaDovuti?id=") {
		return "", "", fmt.Errorf("idSession %q url %q", idSession, landing)
	}
	return idSession, landing, nil
}

// landing opens Ponte's redirect URL; with NONE it goes straight to the node.
func (f *flow) landing(u string) (string, error) {
	loc, err := f.redirect(http.MethodGet, u, nil, http.StatusSeeOther)
	if err == nil && !strings.HasPrefix(loc, f.sim+sim.WISPPath+"?idSession=") {
		err = fmt.Errorf("303 to %q, not to the simulator's page", loc)
	}
	return loc, err
}

// wispPage opens the node's page and returns the node's session.
func (f *flow) wispPage(u string) (string, error) {
	resp, err := f.client.Get(u)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`value="paga"`)) || !bytes.Contains(b, []byte("150,00 €")) {
		return "", fmt.Errorf("HTTP %d, no payable 150,00 € page", resp.StatusCode)
	}
	return strings.TrimPrefix(u, f.sim+sim.WISPPath+"?idSession="), nil
}

// paga submits the page's form as a person pressing "Paga".
func (f *flow) paga(nodeSession string) (string, error) {
	form := url.Values{"idSession": {nodeSession}, "azione": {sim.AzionePaga}, "esito": {"ok"}}
	loc, err := f.redirect(http.MethodPost, f.sim+sim.WISPPath, strings.NewReader(form.Encode()), http.StatusFound)
	if err == nil && !strings.HasPrefix(loc, f.ponte+sim.PonteRedirectPath+"?") {
		err = fmt.Errorf("302 to %q, not back to Ponte", loc)
	}
	return loc, err
}

// back follows the node's redirect to Ponte, which sends the browser on
// to the ente with MyPay's parameters.
func (f *flow) back(u, idSession string) error {
	loc, err := f.redirect(http.MethodGet, u, nil, http.StatusFound)
	if err != nil {
		return err
	}
	if want := silReturnURL + "?"; !strings.HasPrefix(loc, want) || !strings.Contains(loc, "idSession="+idSession) || !strings.Contains(loc, "esito=OK") {
		return fmt.Errorf("302 to %q", loc)
	}
	return nil
}

// pagati asks paaSILChiediPagati: done once the receipt is there (and says
// the dovuto was paid), not done while the payment is in progress.
func (f *flow) pagati(idSession, iud string) (bool, error) {
	b, err := f.soapCall(f.ponte+SILPath, "paaSILChiediPagati", chiediPagatiRequest(idSession))
	if err != nil {
		return false, err
	}
	switch c := tagText(b, "faultCode"); c {
	case "":
	case "PAA_PAGAMENTO_IN_CORSO":
		return false, nil
	default:
		return false, fmt.Errorf("fault %s: %s", c, tagText(b, "faultString"))
	}
	once, err := base64.StdEncoding.DecodeString(tagText(b, "pagati"))
	if err != nil {
		return false, fmt.Errorf("pagati: %w", err)
	}
	doc, err := base64.StdEncoding.DecodeString(string(once))
	if err != nil {
		return false, fmt.Errorf("pagati, second base64: %w", err)
	}
	if !bytes.Contains(doc, []byte("<codiceEsitoPagamento>0</codiceEsitoPagamento>")) || !bytes.Contains(doc, []byte(">"+iud+"<")) {
		return false, fmt.Errorf("pagati is not a paid %s: %.300s", iud, doc)
	}
	return true, nil
}

// redirect sends one request and wants the given redirect status.
func (f *flow) redirect(method, u string, form io.Reader, status int) (string, error) {
	req, err := http.NewRequest(method, u, form)
	if err != nil {
		return "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != status {
		return "", fmt.Errorf("HTTP %d, want %d: %.200s", resp.StatusCode, status, b)
	}
	return resp.Header.Get("Location"), nil
}

func (f *flow) soapCall(u, action string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", soap.ContentType)
	req.Header.Set("SOAPAction", action)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	return b, nil
}

func (f *flow) getJSON(u string, v any) error {
	resp, err := f.client.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("GET %s: HTTP %d: %.200s", u, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (f *flow) postJSON(u, body string, v any) error {
	resp, err := f.client.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("POST %s: HTTP %d: %.200s", u, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// undelivered is a payment paid on the node whose RT Ponte has not had.
type undelivered struct {
	idSession, iud string
	envelope       []byte // the paaInviaRT the node would send
}

// prepareUndelivered pays m payments with the node's delivery switched
// off for their sessions and builds the paaInviaRT of each.
func (f *flow) prepareUndelivered(users, m int, seq *atomic.Int64) ([]undelivered, []error) {
	var (
		mu   sync.Mutex
		out  []undelivered
		errs []error
		left atomic.Int64
		wg   sync.WaitGroup
	)
	left.Store(int64(m))
	for range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				u, err := f.undelivered(seq.Add(1))
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					out = append(out, u)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out, errs
}

func (f *flow) undelivered(n int64) (undelivered, error) {
	u := undelivered{iud: "RT-" + strconv.FormatInt(n, 10)}
	idSession, landing, err := f.invia(u.iud)
	if err != nil {
		return u, err
	}
	u.idSession = idSession
	wisp, err := f.landing(landing)
	if err != nil {
		return u, err
	}
	node := strings.TrimPrefix(wisp, f.sim+sim.WISPPath+"?idSession=")
	api := f.sim + sim.APIPrefix + "/sessions/" + url.PathEscape(node)
	var si sim.SessionInfo
	if err := f.postJSON(api+"/delivery", `{"mode":"`+string(sim.DeliverNever)+`"}`, &si); err != nil {
		return u, err
	}
	if _, err := f.paga(node); err != nil {
		return u, err
	}
	if err := f.getJSON(api, &si); err != nil {
		return u, err
	}
	if si.Esito != "OK" || len(si.RPTs) != 1 || len(si.RPTs[0].RT) == 0 {
		return u, fmt.Errorf("session %s: esito %q, %d RPTs, want one with its RT", node, si.Esito, len(si.RPTs))
	}
	u.envelope, err = paaInviaRTRequest(si.RPTs[0], si.Stazione)
	return u, err
}

// paaInviaRTRequest is the envelope the simulator's Deliverer sends.
func paaInviaRTRequest(r sim.RPTInfo, stazione string) ([]byte, error) {
	h := papernodo.IntestazionePPT{
		IdentificativoIntermediarioPA:         sim.DemoIntermediario,
		IdentificativoStazioneIntermediarioPA: papernodo.StText35(stazione),
		IdentificativoDominio:                 papernodo.StText35(r.Dominio),
		IdentificativoUnivocoVersamento:       papernodo.StText35(r.IUV),
		CodiceContestoPagamento:               papernodo.StText35(r.CCP),
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="` + soap.NSEnvelope + `"><soapenv:Header>`)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	b.WriteString(`</soapenv:Header><soapenv:Body>`)
	if err := enc.Encode(papernodo.PaaInviaRT{Rt: r.RT}); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes(), nil
}

// checkPaid returns the payments paaSILChiediPagati does not report paid.
func (f *flow) checkPaid(users int, ps []undelivered) []string {
	var (
		mu  sync.Mutex
		bad []string
		i   atomic.Int64
		wg  sync.WaitGroup
	)
	for range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(i.Add(1)) - 1
				if k >= len(ps) {
					return
				}
				if done, err := f.pagati(ps[k].idSession, ps[k].iud); !done {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%s: %v", ps[k].idSession, err))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return bad
}

// loopResult is an open-loop run's outcome.
type loopResult struct {
	sent          int
	rps           float64
	p50, p90, p99 time.Duration
	errors        int
	firstErrs     []string
	perSecond     []time.Duration // p99 of the requests scheduled in each second
}

// openLoop posts bodies in order, rate per second in total over up to
// workers connections, for dur or until the bodies run out; latency is
// measured from each request's scheduled time. An answer is right when it
// is HTTP 200 with esito OK and no fault.
func (f *flow) openLoop(u, action string, bodies [][]byte, workers, rate int, dur time.Duration) loopResult {
	type ticket struct {
		at time.Time
		i  int
	}
	tickets := make(chan ticket, workers*4)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	start := time.Now()
	go func() {
		defer close(tickets)
		for i := range bodies {
			at := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
			if d := time.Until(at); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return
				}
			}
			select {
			case tickets <- ticket{at, i}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var (
		mu    sync.Mutex
		lat   []time.Duration
		bySec = map[int][]time.Duration{}
		out   loopResult
		wg    sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1024)
			sec := make([]int, 0, 1024)
			var errs int
			var first []string
			for tk := range tickets {
				b, err := f.soapCall(u, action, bodies[tk.i])
				local = append(local, time.Since(tk.at))
				sec = append(sec, int(tk.at.Sub(start)/time.Second))
				if err == nil && (tagText(b, "esito") != "OK" || tagText(b, "faultCode") != "") {
					err = fmt.Errorf("esito %q fault %q", tagText(b, "esito"), tagText(b, "faultCode"))
				}
				if err != nil {
					errs++
					if len(first) < 3 {
						first = append(first, err.Error())
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, local...)
			for k, l := range local {
				bySec[sec[k]] = append(bySec[sec[k]], l)
			}
			out.errors += errs
			if len(out.firstErrs) < 5 {
				out.firstErrs = append(out.firstErrs, first...)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	out.sent = len(lat)
	out.rps = float64(len(lat)) / elapsed.Seconds()
	out.p50, out.p90, out.p99 = pct(lat, 50), pct(lat, 90), pct(lat, 99)
	for k := 0; k < len(bySec); k++ {
		slices.Sort(bySec[k])
		out.perSecond = append(out.perSecond, pct(bySec[k], 99))
	}
	return out
}

// pct is the p-th percentile of sorted durations.
func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[len(sorted)*p/100]
}

// tagText is the unescaped text of the first <name> element of an answer
// (the SIL's and PaPerNodo's answer children are unprefixed); "" if none.
func tagText(b []byte, name string) string {
	open := []byte("<" + name + ">")
	i := bytes.Index(b, open)
	if i < 0 {
		return ""
	}
	rest := b[i+len(open):]
	j := bytes.Index(rest, []byte("</"+name+">"))
	if j < 0 {
		return ""
	}
	return html.UnescapeString(string(rest[:j]))
}

// inviaDovutiRequest is a paaSILInviaDovuti of one 150 € TARI dovuto of
// ENTE_DEMO, showMyPay NONE.
func inviaDovutiRequest(iud string) []byte {
	d := `<Dovuti xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>` +
		`<soggettoPagatore><identificativoUnivocoPagatore><tipoIdentificativoUnivoco>F</tipoIdentificativoUnivoco><codiceIdentificativoUnivoco>RSSMRA80A01H501U</codiceIdentificativoUnivoco></identificativoUnivocoPagatore>` +
		`<anagraficaPagatore>MARIO ROSSI</anagraficaPagatore><e-mailPagatore>mario.rossi@example.org</e-mailPagatore></soggettoPagatore>` +
		`<datiVersamento><tipoVersamento>ALL</tipoVersamento><datiSingoloVersamento><identificativoUnivocoDovuto>` + iud + `</identificativoUnivocoDovuto>` +
		`<importoSingoloVersamento>150.00</importoSingoloVersamento><identificativoTipoDovuto>TARI</identificativoTipoDovuto>` +
		`<causaleVersamento>TARI 2030 rata unica</causaleVersamento><datiSpecificiRiscossione>9/0101100IM/</datiSpecificiRiscossione></datiSingoloVersamento></datiVersamento></Dovuti>`
	return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/">` +
		`<soapenv:Header><ppthead:intestazionePPT><codIpaEnte>ENTE_DEMO</codIpaEnte></ppthead:intestazionePPT></soapenv:Header><soapenv:Body><ppt:paaSILInviaDovuti>` +
		`<password>demopass123</password><dovuti>` + base64.StdEncoding.EncodeToString([]byte(d)) + `</dovuti>` +
		`<enteSILInviaRispostaPagamentoUrl>` + silReturnURL + `</enteSILInviaRispostaPagamentoUrl><showMyPay>NONE</showMyPay>` +
		`</ppt:paaSILInviaDovuti></soapenv:Body></soapenv:Envelope>`)
}

func chiediPagatiRequest(idSession string) []byte {
	return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/"><soapenv:Body><ppt:paaSILChiediPagati>` +
		`<codIpaEnte>ENTE_DEMO</codIpaEnte><password>demopass123</password><idSession>` + idSession + `</idSession></ppt:paaSILChiediPagati></soapenv:Body></soapenv:Envelope>`)
}

// startLogged is startProcess keeping the process's output for the report
// of a failed run; it waits for GET /healthz.
func startLogged(t *testing.T, cmd *exec.Cmd, env []string, addr string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return cmd, out
		}
	}
	t.Fatalf("%s did not start:\n%s", cmd.Path, out)
	return nil, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// profileDuring saves Ponte's CPU profile over the next dur to
// $PONTE_LOAD_PROFILE_DIR/ponte-<name>.pprof when that is set.
func profileDuring(t *testing.T, pprofAddr, name string, dur time.Duration) <-chan struct{} {
	done := make(chan struct{})
	dir := os.Getenv("PONTE_LOAD_PROFILE_DIR")
	if dir == "" {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, max(1, int(dur.Seconds())-1)))
		if err != nil {
			t.Logf("profile: %v", err)
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if err := os.WriteFile(filepath.Join(dir, "ponte-"+name+".pprof"), b, 0o644); err != nil {
			t.Logf("profile: %v", err)
		}
	}()
	return done
}

// cpuMeter reads the CPU time (user + system) of named processes and of
// every PostgreSQL process, from /proc, to show where the cores went.
type cpuMeter struct {
	pids          map[string]int
	before        map[string]float64
	at            time.Time
	seconds       []map[string]float64 // per-second deltas of the last measurement
	quit, sampled chan struct{}
}

func newCPUMeter(pids map[string]int) *cpuMeter { return &cpuMeter{pids: pids} }

func (c *cpuMeter) read() map[string]float64 {
	out := map[string]float64{}
	for name, pid := range c.pids {
		out[name] = procCPU(pid)
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "postgres" {
			out["postgres"] += procCPU(pid)
		}
	}
	out["machine"] = machineCPU()
	return out
}

// machineCPU is the busy time of all cores, in seconds (/proc/stat).
func machineCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fs := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
	var busy float64
	for i, f := range fs[1:min(len(fs), 9)] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		v, _ := strconv.ParseFloat(f, 64)
		busy += v
	}
	return busy / 100
}

// start begins a measurement, sampling every second for series.
func (c *cpuMeter) start() {
	c.before, c.at = c.read(), time.Now()
	c.seconds = nil
	c.quit, c.sampled = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.sampled)
		prev := c.before
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-tick.C:
			}
			now := c.read()
			d := map[string]float64{}
			for k, v := range now {
				d[k] = v - prev[k]
			}
			c.seconds = append(c.seconds, d)
			prev = now
		}
	}()
}

// series formats, for each whole second of the last measurement, the CPU
// seconds of the processes not under test.
func (c *cpuMeter) series() string {
	var b strings.Builder
	for _, d := range c.seconds {
		o := d["machine"]
		for _, name := range []string{"ponte", "sim", "postgres", "test driver"} {
			o -= d[name]
		}
		fmt.Fprintf(&b, " %.2f", max(o, 0))
	}
	return b.String()
}

// stop formats the CPU seconds used per second of wall time since start.
func (c *cpuMeter) stop() string {
	close(c.quit)
	<-c.sampled
	after, wall := c.read(), time.Since(c.at).Seconds()
	var parts []string
	others := (after["machine"] - c.before["machine"]) / wall
	for _, name := range []string{"ponte", "sim", "postgres", "test driver"} {
		v := (after[name] - c.before[name]) / wall
		others -= v
		parts = append(parts, fmt.Sprintf("%s %.2f", name, v))
	}
	parts = append(parts, fmt.Sprintf("other processes %.2f", max(others, 0)))
	return strings.Join(parts, ", ")
}

// procCPU is a process's utime+stime in seconds (clock ticks of 1/100 s).
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of the whole line.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	fs := strings.Fields(s[i+1:])
	if len(fs) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(fs[11], 64)
	st, _ := strconv.ParseFloat(fs[12], 64)
	return (ut + st) / 100
}

// pgStats reads PostgreSQL's cumulative statistics of the test database,
// to tell per unit of work how many transactions, scans and row writes the
// database did. The counters reach the views within about a second (the
// backends' flush interval), so deltas over a run are close, not exact.
type pgStats struct {
	db *sql.DB
}

// analyze refreshes the planner's statistics. A database in service has
// statistics that match its tables; this one was empty a moment ago, and
// autovacuum (one-minute naptime) would not analyze it within a run, so
// Ponte's prepared statements would keep generic plans made for empty
// tables (sequential scans of payment_item and receipt, seen with
// auto_explain) and the run would measure those. ANALYZE invalidates them.
func (p *pgStats) analyze(t *testing.T) {
	if _, err := p.db.Exec("ANALYZE"); err != nil {
		t.Fatal(err)
	}
}

type pgSnapshot struct {
	xacts, inserted, updated, idxScans int64
	seqRows, seqScans                  map[string]int64 // by table
}

func (p *pgStats) read() pgSnapshot {
	s := pgSnapshot{seqRows: map[string]int64{}, seqScans: map[string]int64{}}
	_ = p.db.QueryRow(`SELECT xact_commit + xact_rollback, tup_inserted, tup_updated FROM pg_stat_database WHERE datname = current_database()`).
		Scan(&s.xacts, &s.inserted, &s.updated)
	rows, err := p.db.Query(`SELECT relname, seq_scan, seq_tup_read, COALESCE(idx_scan, 0) FROM pg_stat_user_tables`)
	if err != nil {
		return s
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var seq, seqRows, idx int64
		if rows.Scan(&name, &seq, &seqRows, &idx) == nil {
			s.idxScans += idx
			s.seqScans[name], s.seqRows[name] = seq, seqRows
		}
	}
	return s
}

// per formats the work done between two snapshots per unit.
func (a pgSnapshot) per(b pgSnapshot, units int, unit string) string {
	if units == 0 {
		return "-"
	}
	u := float64(units)
	var tables []string
	for name, rows := range b.seqRows {
		if d := rows - a.seqRows[name]; d > 0 {
			tables = append(tables, fmt.Sprintf("%s %.0f rows in %.2f scans", name, float64(d)/u, float64(b.seqScans[name]-a.seqScans[name])/u))
		}
	}
	slices.Sort(tables)
	seq := "none"
	if len(tables) > 0 {
		seq = strings.Join(tables, ", ")
	}
	return fmt.Sprintf("per %s: %.1f transactions, %.1f index scans, %.1f rows inserted, %.1f updated; rows read by sequential scans: %s",
		unit, float64(b.xacts-a.xacts)/u, float64(b.idxScans-a.idxScans)/u, float64(b.inserted-a.inserted)/u, float64(b.updated-a.updated)/u, seq)
}
