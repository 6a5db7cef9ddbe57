package main

// The chaos run of `make test-chaos`: three `ponte serve` processes on one
// PostgreSQL behind a round-robin proxy, `ponte sim` delivering the RTs
// with retries, citizens paying all along while one gateway process is
// killed with SIGKILL every few seconds and started again, and PostgreSQL
// restarted once. At the end every RT the node made is stored exactly
// once, no RPT reached the node twice, and no cart is left in progress.

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/store/pgtest"
)

// balancer spreads requests over the instances in turn, passing over the
// ones that refuse connections (a killed process); a request cut midway
// gets 502, as from a real load balancer.
type balancer struct {
	addrs []string
	next  atomic.Uint64
	tr    *http.Transport
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	for range len(b.addrs) {
		addr := b.addrs[b.next.Add(1)%uint64(len(b.addrs))]
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, "http://"+addr+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		req.Header.Set("X-Forwarded-For", "127.0.0.1")
		resp, err := b.tr.RoundTrip(req)
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			continue // nobody there: the next instance
		}
		if err != nil {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	http.Error(w, "no instance up", http.StatusBadGateway)
}

func TestChaos(t *testing.T) {
	if os.Getenv("PONTE_CHAOS") == "" {
		t.Skip("chaos run: set PONTE_CHAOS=1 (make test-chaos)")
	}
	payments := 20000
	if v := os.Getenv("PONTE_CHAOS_PAYMENTS"); v != "" {
		payments, _ = strconv.Atoi(v)
	}
	start := time.Now()
	dir, bin := buildPonte(t)
	dbURL := pgtest.URL(t)

	proxyLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxyURL := "http://" + proxyLn.Addr().String()
	addrs := []string{freeAddr(t), freeAddr(t), freeAddr(t)}
	lb := &balancer{addrs: addrs, tr: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	proxy := &http.Server{Handler: lb}
	go proxy.Serve(proxyLn)
	defer proxy.Close()

	simAddr := freeAddr(t)
	simURL := "http://" + simAddr
	env := append(os.Environ(), "PONTE_DATA_DIR="+dir)
	_, simLog := startLogged(t, exec.Command(bin, "sim", "--demo", "--listen", simAddr, "--ponte-url", proxyURL,
		"--rt-attempts", "40", "--rt-backoff", "100ms", "--rt-timeout", "5s", "--log-level", "warn"), env, simAddr)

	// The instances, started one after the other (each applies the demo
	// seed), sharing the database, the signing key and the files.
	var (
		mu    sync.Mutex
		procs = make([]*exec.Cmd, len(addrs))
		logs  = make([]*syncBuffer, len(addrs))
	)
	startInstance := func(i int) {
		cmd := exec.Command(bin, "serve", "--demo", "--listen", addrs[i], "--public-url", proxyURL,
			"--node-url", simURL+sim.DefaultSOAPPath, "--database-url", dbURL, "--log-level", "warn",
			"--signing-key", "chaos-signing-key", "--files-dir", dir+"/mybox",
			"--recovery-after", "5s", "--recovery-every", "1s", "--recovery-backoff", "2s",
			"--node-timeout", "5s", "--recovery-unconfirmed-after", "8s")
		c, out := startLogged(t, cmd, append(env, fmt.Sprintf("PONTE_DATA_DIR=%s/i%d", dir, i)), addrs[i])
		mu.Lock()
		procs[i], logs[i] = c, out
		mu.Unlock()
	}
	for i := range addrs {
		startInstance(i)
	}
	defer func() {
		if t.Failed() {
			for i, l := range logs {
				t.Logf("instance %d log (tail):\n%s", i, tail(l.String(), 3000))
			}
			t.Logf("sim log (tail):\n%s", tail(simLog.String(), 3000))
		}
	}()

	// The killer: every 2–4 s one instance dies at once and comes back a
	// moment later; PostgreSQL restarts once, a third of the way in.
	var (
		kills, restarts atomic.Int64
		seq, done       atomic.Int64
		stepErrs        sync.Map // step → count
	)
	stop := make(chan struct{})
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		pgRestarted := false
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(2000+rand.IntN(2000)) * time.Millisecond):
			}
			if !pgRestarted && seq.Load() > int64(payments/3) {
				pgRestarted = true
				pgtest.Restart(t)
				restarts.Add(1)
				continue
			}
			i := rand.IntN(len(addrs))
			mu.Lock()
			p := procs[i]
			mu.Unlock()
			p.Process.Signal(syscall.SIGKILL)
			p.Wait()
			kills.Add(1)
			time.Sleep(300 * time.Millisecond)
			startInstance(i)
		}
	}()

	// Citizens: each pays one dovuto after another; a step that fails
	// (its instance died under it) leaves that payment where it is.
	f := newFlow(proxyURL, simURL, 32)
	defer f.tr.CloseIdleConnections()
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				n := seq.Add(1)
				if n > int64(payments) {
					return
				}
				step := "invia"
				idSession, landing, err := f.invia("CHAOS-" + strconv.FormatInt(n, 10))
				var wisp, sess, back string
				if err == nil {
					step = "landing"
					wisp, err = f.landing(landing)
				}
				if err == nil {
					step = "wisp"
					sess, err = f.wispPage(wisp)
				}
				if err == nil {
					step = "paga"
					back, err = f.paga(sess)
				}
				if err == nil {
					step = "back"
					err = f.back(back, idSession)
				}
				if err != nil {
					v, _ := stepErrs.LoadOrStore(step, new(atomic.Int64))
					v.(*atomic.Int64).Add(1)
					continue
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-killerDone
	payTook := time.Since(start)

	// Citizens who got to the node's page but whose browser lost its way
	// pay in the end (or the node would send them negative RTs): every
	// open session is paid.
	var open []string
	getJSON(t, simURL+sim.APIPrefix+"/sessions", &open)
	for _, id := range open {
		resp, err := http.Post(simURL+sim.APIPrefix+"/sessions/"+id+"/pay", "application/json", strings.NewReader(`{"esito":"OK"}`))
		if err == nil {
			resp.Body.Close()
		}
	}

	// Convergence: every RT delivered or recovered, no cart in progress.
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) int64 {
		var n int64
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	var st sim.Stats
	deadline := time.Now().Add(3 * time.Minute)
	for {
		getJSON(t, simURL+sim.APIPrefix+"/stats", &st)
		inCorso := count(`SELECT COUNT(*) FROM cart WHERE state = 'PAGAM_IN_CORSO'`)
		unconfirmed := count(unconfirmedSQL)
		stored := count(`SELECT COUNT(*) FROM receipt`)
		if inCorso == 0 && unconfirmed == 0 && stored >= int64(st.RTsGenerated) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("after 3 minutes: %d carts in progress, %d unconfirmed RPTs, %d receipts stored of %d RTs made",
				inCorso, unconfirmed, stored, st.RTsGenerated)
			break
		}
		time.Sleep(500 * time.Millisecond)
	}

	// Every RT the node made is stored exactly once.
	stored := count(`SELECT COUNT(*) FROM receipt`)
	dup := count(`SELECT COUNT(*) FROM (SELECT payment_id, message_id FROM receipt GROUP BY payment_id, message_id HAVING COUNT(*) > 1) d`)
	if stored != int64(st.RTsGenerated) || dup != 0 {
		t.Errorf("%d receipts stored (%d duplicated) for %d RTs made by the node", stored, dup, st.RTsGenerated)
	}
	// No RPT reached the node twice.
	twice := 0
	for key, n := range st.Received {
		if n != 1 {
			twice++
			t.Errorf("RPT %s received %d times", key, n)
		}
	}
	if st.DuplicatesRefused != 0 {
		t.Errorf("the node refused %d duplicate RPTs", st.DuplicatesRefused)
	}
	// Every cart that reached the node is paid; none is left in progress.
	states := map[string]int64{}
	rows, err := db.Query(`SELECT state, COUNT(*) FROM cart GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var n int64
		rows.Scan(&s, &n)
		states[s] = n
	}
	rows.Close()
	if states["PAGAM_IN_CORSO"] != 0 {
		t.Errorf("%d carts left in progress", states["PAGAM_IN_CORSO"])
	}
	// A cart whose RPTs were prepared was either taken by the node (and
	// is paid now) or closed by recovery; only carts nobody confirmed stay
	// PREDISPOSTO, as MyPay's do until they expire.
	if n := count(unconfirmedSQL); n != 0 {
		t.Errorf("%d prepared RPTs of carts still PREDISPOSTO", n)
	}
	var failed []string
	stepErrs.Range(func(k, v any) bool {
		failed = append(failed, fmt.Sprintf("%s %d", k, v.(*atomic.Int64).Load()))
		return true
	})
	states2, _ := json.Marshal(states)
	fmt.Printf("\nChaos run: %d payments started by 32 citizens through a proxy over 3 ponte serve processes on one PostgreSQL, %d cores\n"+
		"  %d completed by the citizen, steps cut by a kill: %v\n"+
		"  %d SIGKILLs of a gateway process, %d PostgreSQL restart(s); citizens' phase %s, whole run %s\n"+
		"  node: %d RPTs received (%d twice), %d sessions paid (%d left open and paid at the end), %d RTs made; RT deliveries %+v\n"+
		"  Ponte: %d receipts stored (%d duplicated), carts by state %s\n",
		payments, numCPU(), done.Load(), failed, kills.Load(), restarts.Load(), payTook.Round(time.Second), time.Since(start).Round(time.Second),
		len(st.Received), twice, st.Paid, len(open), st.RTsGenerated, st.Delivery, stored, dup, states2)
}

// unconfirmedSQL counts the prepared RPTs of carts still PREDISPOSTO.
const unconfirmedSQL = `SELECT COUNT(*) FROM payment p JOIN cart c ON c.id = p.cart_id
	WHERE c.state = 'PREDISPOSTO' AND p.rpt IS NOT NULL`

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}
