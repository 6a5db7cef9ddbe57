package main

// The loopback load run of `make bench`: the real `ponte serve` process on
// a throwaway PostgreSQL, driven over HTTP with paaSILImportaDovuto
// (azione I, IUV generated), next to a baseline measured in the same run:
// a bare server that only decodes the SOAP envelope and answers a fixed
// body. Results are printed, never asserted: timing belongs in reports,
// not in pass/fail.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/store/pgtest"
)

const baselineEnv = "PONTE_BASELINE_LISTEN"

// serveBaseline is the baseline: the same HTTP stack and envelope decoder,
// no business logic, no database.
func serveBaseline(addr string) {
	answer := []byte(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body><ns2:paaSILImportaDovutoRisposta xmlns:ns2="http://www.regione.veneto.it/pagamenti/ente/"><esito>OK</esito></ns2:paaSILImportaDovutoRisposta></soapenv:Body></soapenv:Envelope>`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := soap.Decode(r.Body, soap.DefaultLimits())
		if err != nil || req.Operation.Local == "" {
			http.Error(w, "bad envelope", http.StatusInternalServerError)
			return
		}
		var body struct {
			Password string `xml:"password"`
			Dovuto   string `xml:"dovuto"`
		}
		if err := req.DecodeBody(&body); err != nil {
			http.Error(w, "bad body", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(answer)
	})
	srv := soap.NewHTTPServer(soap.DefaultServerConfig(), h)
	srv.Addr = addr
	fmt.Fprintln(os.Stderr, srv.ListenAndServe())
	os.Exit(1)
}

// loadSetup skips unless PONTE_LOAD is set, builds the binary into a temp
// dir, starts a throwaway PostgreSQL and reads the length of each run
// (PONTE_LOAD_SECONDS, default 10).
func loadSetup(t *testing.T) (dir, bin, dbURL string, dur time.Duration) {
	t.Helper()
	if os.Getenv("PONTE_LOAD") == "" {
		t.Skip("load run: set PONTE_LOAD=1 (make bench)")
	}
	dir, bin = buildPonte(t)
	dbURL = pgtest.URL(t)
	dur = 10 * time.Second
	if v := os.Getenv("PONTE_LOAD_SECONDS"); v != "" {
		n, _ := strconv.Atoi(v)
		dur = time.Duration(n) * time.Second
	}
	return dir, bin, dbURL, dur
}

// buildPonte builds the binary into a temp dir, for tests that run real
// processes.
func buildPonte(t *testing.T) (dir, bin string) {
	t.Helper()
	dir = t.TempDir()
	bin = filepath.Join(dir, "ponte")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return dir, bin
}

func TestLoad(t *testing.T) {
	dir, bin, dbURL, dur := loadSetup(t)

	baseAddr := freeAddr(t)
	self, _ := os.Executable()
	base := startProcess(t, exec.Command(self), append(os.Environ(), baselineEnv+"="+baseAddr), baseAddr, "/")

	ponteAddr, pprofAddr := freeAddr(t), freeAddr(t)
	ponte := startProcess(t, exec.Command(bin, "serve", "--demo", "--listen", ponteAddr, "--log-level", "warn", "--pprof-listen", pprofAddr),
		append(os.Environ(), "PONTE_DATABASE_URL="+dbURL, "PONTE_DATA_DIR="+dir), ponteAddr, "/healthz")

	const workers = 64
	var seq atomic.Int64
	url := func(addr string) string { return "http://" + addr + SILPath }

	warm := drive(t, url(ponteAddr), workers, 2*time.Second, 0, &seq)
	_ = warm
	rb := drive(t, url(baseAddr), workers, dur, 0, &seq)
	// PONTE_LOAD_PROFILE=file saves the gateway's CPU profile of this run.
	profiled := make(chan struct{})
	if path := os.Getenv("PONTE_LOAD_PROFILE"); path != "" {
		go func() {
			defer close(profiled)
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, int(dur.Seconds())-1))
			if err != nil {
				t.Logf("profile: %v", err)
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Logf("profile: %v", err)
			}
		}()
	} else {
		close(profiled)
	}
	rp := drive(t, url(ponteAddr), workers, dur, 0, &seq)
	<-profiled
	rf := drive(t, url(ponteAddr), workers, dur, 1000, &seq)
	rfb := drive(t, url(baseAddr), workers, dur, 1000, &seq)

	report := &strings.Builder{}
	fmt.Fprintf(report, "\nLoopback load, paaSILImportaDovuto azione I with IUV generated, PostgreSQL, %d connections, %s per run, GOMAXPROCS of this machine: %d cores\n", workers, dur, numCPU())
	fmt.Fprintf(report, "%-34s %10s %9s %9s %9s %7s\n", "run", "req/s", "p50 ms", "p99 ms", "errors", "ok%")
	line := func(name string, r result) {
		fmt.Fprintf(report, "%-34s %10.0f %9.2f %9.2f %9d %6.1f%%\n", name, r.rps, ms(r.p50), ms(r.p99), r.errors, 100*r.okRatio)
	}
	line("baseline (decode only), max rate", rb)
	line("ponte, max rate", rp)
	line("baseline, 1000 req/s offered", rfb)
	line("ponte, 1000 req/s offered", rf)
	fmt.Fprintf(report, "ponte / baseline throughput: %.2f\n", rp.rps/rb.rps)
	fmt.Fprintf(report, "peak RSS: ponte %.1f MB, baseline %.1f MB\n", peakRSS(t, ponte), peakRSS(t, base))
	fmt.Fprintf(report, "targets: >= 3000 req/s; p99 < 25 ms at 1000 req/s; peak RSS < 100 MB\n")
	fmt.Println(report.String())
	if rp.errors > 0 || rf.errors > 0 {
		t.Errorf("the gateway answered %d and %d requests with an error or a fault", rp.errors, rf.errors)
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
	okRatio  float64
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// drive is driveWith paaSILImportaDovuto requests, OK by their esito.
func drive(t *testing.T, url string, workers int, dur time.Duration, rate int, seq *atomic.Int64) result {
	t.Helper()
	return driveWith(t, url, workers, dur, rate, seq, importaRequest, []byte("<esito>OK</esito>"))
}

// driveWith drives url with workers connections for dur: as fast as they
// can when rate is 0, else at rate requests per second in total (open
// loop: latency is measured from the scheduled send time, so queueing
// counts). Request n is body(n); an answer is OK when it holds okMark.
func driveWith(t *testing.T, url string, workers int, dur time.Duration, rate int, seq *atomic.Int64,
	body func(n int64) []byte, okMark []byte) result {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		mu     sync.Mutex
		lat    []time.Duration
		errs   atomic.Int64
		okN    atomic.Int64
		wg     sync.WaitGroup
		ticket = make(chan time.Time, workers*4)
	)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	if rate > 0 {
		go func() {
			defer close(ticket)
			start := time.Now()
			for i := 0; ; i++ {
				at := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
				if d := time.Until(at); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
						return
					}
				}
				select {
				case ticket <- at:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for {
				var at time.Time
				if rate > 0 {
					var ok bool
					if at, ok = <-ticket; !ok {
						break
					}
				} else {
					if ctx.Err() != nil {
						break
					}
					at = time.Now()
				}
				resp, err := client.Post(url, "text/xml; charset=utf-8", bytes.NewReader(body(seq.Add(1))))
				if err != nil {
					errs.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(at))
				if resp.StatusCode != 200 || !bytes.Contains(b, okMark) {
					errs.Add(1)
					continue
				}
				okN.Add(1)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	r := result{rps: float64(len(lat)) / elapsed.Seconds(), errors: errs.Load()}
	if n := len(lat); n > 0 {
		r.p50 = lat[n/2]
		r.p99 = lat[n*99/100]
		r.okRatio = float64(okN.Load()) / float64(n)
	}
	return r
}

// importaRequest is a paaSILImportaDovuto for ENTE_DEMO with a fresh IUD.
func importaRequest(n int64) []byte {
	v := `<Versamento xmlns="http://www.regione.veneto.it/schemas/2012/Pagamenti/Ente/"><versioneOggetto>6.2.0</versioneOggetto>` +
		`<soggettoPagatore><identificativoUnivocoPagatore><tipoIdentificativoUnivoco>F</tipoIdentificativoUnivoco><codiceIdentificativoUnivoco>RSSMRA80A01H501U</codiceIdentificativoUnivoco></identificativoUnivocoPagatore><anagraficaPagatore>MARIO ROSSI</anagraficaPagatore><indirizzoPagatore>Via Roma</indirizzoPagatore><civicoPagatore>1</civicoPagatore><capPagatore>30100</capPagatore><localitaPagatore>Venezia</localitaPagatore><provinciaPagatore>VE</provinciaPagatore><nazionePagatore>IT</nazionePagatore><e-mailPagatore>mario.rossi@example.org</e-mailPagatore></soggettoPagatore>` +
		`<datiVersamento><dataEsecuzionePagamento>2030-12-31</dataEsecuzionePagamento><tipoVersamento>ALL</tipoVersamento><identificativoUnivocoDovuto>LOAD-` + strconv.FormatInt(n, 10) + `</identificativoUnivocoDovuto><importoSingoloVersamento>150.00</importoSingoloVersamento><identificativoTipoDovuto>TARI</identificativoTipoDovuto><causaleVersamento>TARI 2030 rata unica</causaleVersamento><datiSpecificiRiscossione>9/0101100IM/</datiSpecificiRiscossione>` +
		`<bilancio><capitolo><codCapitolo>1001</codCapitolo><accertamento><codAccertamento>2030/1</codAccertamento><importo>150.00</importo></accertamento></capitolo></bilancio></datiVersamento><azione>I</azione></Versamento>`
	return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ppthead="http://www.regione.veneto.it/pagamenti/ente/ppthead" xmlns:ppt="http://www.regione.veneto.it/pagamenti/ente/"><soapenv:Header><ppthead:intestazionePPT><codIpaEnte>ENTE_DEMO</codIpaEnte></ppthead:intestazionePPT></soapenv:Header><soapenv:Body><ppt:paaSILImportaDovuto><password>demopass123</password><dovuto>` +
		base64.StdEncoding.EncodeToString([]byte(v)) + `</dovuto><flagGeneraIuv>true</flagGeneraIuv></ppt:paaSILImportaDovuto></soapenv:Body></soapenv:Envelope>`)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess runs cmd until the test ends and waits for GET path to answer.
func startProcess(t *testing.T, cmd *exec.Cmd, env []string, addr, path string) *exec.Cmd {
	t.Helper()
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + path)
		if err == nil {
			resp.Body.Close()
			return cmd
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not start:\n%s", cmd.Path, out.String())
	return nil
}

// peakRSS reads VmHWM, the high-water mark of resident memory, in MB.
func peakRSS(t *testing.T, cmd *exec.Cmd) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Logf("peak RSS: %v", err)
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func numCPU() int { return runtime.NumCPU() }
