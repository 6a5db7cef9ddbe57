package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// syncBuffer is an output a running command and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listeningOn = regexp.MustCompile(`listening on (\S+)`)

// startSim runs `ponte sim args…` in-process until the test ends and
// returns its base URL and output.
func startSim(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"sim"}, args...), strings.NewReader(""), out, out, envOf(env))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("ponte sim: %v\n%s", err, out)
			}
		case <-time.After(10 * time.Second):
			t.Error("ponte sim did not stop")
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningOn.FindStringSubmatch(out.String()); m != nil {
			return "http://" + m[1], out
		}
		select {
		case err := <-done:
			t.Fatalf("ponte sim exited: %v\n%s", err, out)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("ponte sim did not start:\n%s", out)
	return "", nil
}

// `ponte sim --demo`: Ponte's demo ente pays on the simulator; the RT
// reaches "Ponte" (a fake PaPerNodo) and the browser is sent back to it.
func TestSimDemoCommand(t *testing.T) {
	var mu sync.Mutex
	var got []string
	ponte := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.URL.Path+" "+r.Header.Get("SOAPAction")+" "+string(b))
		mu.Unlock()
		io.WriteString(w, `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ppt:paaInviaRTRisposta xmlns:ppt="http://ws.pagamenti.telematici.gov/"><paaInviaRTRisposta><esito>OK</esito></paaInviaRTRisposta></ppt:paaInviaRTRisposta></soapenv:Body></soapenv:Envelope>`)
	}))
	defer ponte.Close()
	base, out := startSim(t, map[string]string{"PONTE_SIM_LISTEN": "127.0.0.1:0", "PONTE_LOG_LEVEL": "error"},
		"--demo", "--ponte-url", ponte.URL, "--rt-backoff", "10ms")
	for _, want := range []string{base + sim.DefaultSOAPPath, base + sim.WISPPath, base + sim.APIPrefix,
		sim.DemoStazione, ponte.URL + sim.PontePaPerNodoPath, sim.DemoPassword} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if resp, err := http.Get(base + sim.APIPrefix + "/stats"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stats: %v %v", resp, err)
	}

	// The demo ente sends an RPT, as Ponte does.
	iuv := fmt.Sprintf("01%015d", time.Now().UnixNano()%1e15)
	doc, err := rpt.Build(&rpt.Request{
		Dominio: sim.DemoDominio, Stazione: sim.DemoStazione, IdentificativoMessaggioRichiesta: rpt.NewMessageID(),
		DataOra: time.Now(), Pagatore: rpt.Soggetto{Tipo: "F", Codice: "RSSMRA80A01H501U", Anagrafica: "Mario Rossi"},
		EnteBeneficiario: rpt.Ente{Codice: sim.DemoDominio, Denominazione: "Comune di Ponte Demo"},
		DataEsecuzione:   time.Now().In(gateway.Rome), IUV: iuv, CCP: "CCP1",
		Items: []rpt.Item{{Amount: 1600, IBANAccredito: sim.DemoIBAN, Causale: "TARI", DatiSpecificiRiscossione: "9/0101100IM/"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := node.New(node.Config{URL: base + sim.DefaultSOAPPath}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	res, err := cl.InviaRPT(context.Background(), node.InviaRPTRequest{
		Station: node.Station{IntermediarioPA: sim.DemoIntermediario, StazionePA: sim.DemoStazione, Password: sim.DemoPassword},
		Dominio: sim.DemoDominio, IUV: iuv, CCP: "CCP1", RPT: doc})
	if err != nil {
		t.Fatalf("nodoInviaRPT: %v", err)
	}
	page, err := http.Get(res.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("Comune di Ponte Demo")) || !bytes.Contains(body, []byte("16,00 €")) {
		t.Fatalf("WISP page: HTTP %d", page.StatusCode)
	}
	id := strings.TrimPrefix(res.URL, base+sim.WISPPath+"?idSession=")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(base+sim.WISPPath, url.Values{"idSession": {id}, "azione": {"paga"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantLoc := ponte.URL + sim.PonteRedirectPath + "?esito=OK&idDominio=" + sim.DemoDominio + "&idSession=" + id
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != wantLoc {
		t.Fatalf("paga: HTTP %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no paaInviaRT reached Ponte")
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.HasPrefix(got[0], sim.PontePaPerNodoPath+" paaInviaRT ") || !strings.Contains(got[0], "<identificativoUnivocoVersamento>"+iuv+"<") {
		t.Errorf("paaInviaRT: %.300s", got[0])
	}
}

func TestSimCommandRegistryAndErrors(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "registry.yaml")
	if err := os.WriteFile(reg, []byte(`
intermediari: [{id: "01234567897"}]
stazioni:
  - {id: 01234567897_01, intermediario: "01234567897", password: segreta, paPerNodoUrl: "http://ente.example/pa"}
domini:
  - {id: "01234567897", nome: Comune di X, stazioni: [01234567897_01]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	base, out := startSim(t, map[string]string{"PONTE_LOG_LEVEL": "error"}, "--listen", "127.0.0.1:0", "--registry", reg, "--public-url", "https://sim.example/")
	if !strings.Contains(out.String(), "https://sim.example"+sim.DefaultSOAPPath) || !strings.Contains(out.String(), "01234567897_01") ||
		!strings.Contains(out.String(), "http://ente.example/pa") {
		t.Errorf("output:\n%s", out)
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %v %v", resp, err)
	}

	for _, c := range []struct {
		args []string
		env  map[string]string
		msg  string
	}{
		{nil, nil, "exactly one"},
		{[]string{"--demo", "--registry", reg}, nil, "exactly one"},
		{[]string{"--registry", filepath.Join(dir, "none.yaml")}, nil, "no such file"},
		{[]string{"--demo"}, map[string]string{"PONTE_SIM_RT_ATTEMPTS": "x"}, "PONTE_SIM_RT_ATTEMPTS"},
		{[]string{"--demo", "--rt-attempts", "0"}, nil, "positive"},
	} {
		var buf bytes.Buffer
		err := run(context.Background(), append([]string{"sim"}, c.args...), strings.NewReader(""), &buf, &buf, envOf(c.env))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ponte sim %v: %v, want %q", c.args, err, c.msg)
		}
	}
}
