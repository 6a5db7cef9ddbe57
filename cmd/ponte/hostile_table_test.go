package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/flussi"
	"github.com/ponte-pagopa/ponte/gateway/signed"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// syncLog is a log sink tests read while the server writes.
type syncLog struct{ syncBuffer }

// TestHostileInputTable: one row per attack of the security list, each
// against a real server with its expected answer.
func TestHostileInputTable(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Demo = true
	cfg.MaxBodyBytes = 64 << 10
	cfg.ReadHeaderTimeout, cfg.ReadTimeout = 300*time.Millisecond, 600*time.Millisecond
	cfg.RequestTimeout, cfg.WriteTimeout = 500*time.Millisecond, 2*time.Second
	cfg.NodeAllow = "192.0.2.0/24"
	cfg.SigningKey = "hostile-signing-key"
	cfg.LoginFailures = 5
	logs := &syncLog{}
	a, err := newApp(context.Background(), &cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := soap.NewHTTPServer(a.serverConfig, a.echo)
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	post := func(path, body string) (int, string) {
		resp, err := http.Post(base+path, "text/xml; charset=utf-8", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	soapFault := func(status int, body string) bool {
		return status >= 400 && strings.Contains(body, "<faultcode>soapenv:Client</faultcode>")
	}
	valid := string(importaRequest(1))
	wrongPassword := strings.Replace(valid, "demopass123", "segretissima1", 1)

	for _, row := range []struct {
		attack, want string
		check        func(t *testing.T)
	}{
		{"XML entity expansion", "SOAP Client fault, nothing expanded", func(t *testing.T) {
			s, b := post(SILPath, `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x>&l2;</x></soapenv:Body></soapenv:Envelope>`)
			if !soapFault(s, b) || strings.Contains(b, "lollol") {
				t.Errorf("%d %s", s, b)
			}
		}},
		{"XML external entity", "SOAP Client fault, no file read", func(t *testing.T) {
			s, b := post(PaForNodePath, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x>&e;</x></soapenv:Body></soapenv:Envelope>`)
			if !soapFault(s, b) || strings.Contains(b, "root:") {
				t.Errorf("%d %s", s, b)
			}
		}},
		{"huge document", "SOAP Client fault at the size cap", func(t *testing.T) {
			s, b := post(SILPath, strings.Replace(valid, "<password>", "<password>"+strings.Repeat("x", 100<<10), 1))
			if !soapFault(s, b) {
				t.Errorf("%d %s", s, b)
			}
		}},
		{"deeply nested document", "SOAP Client fault at the depth cap", func(t *testing.T) {
			s, b := post(SILPath, strings.Replace(valid, "<password>", strings.Repeat("<a>", 500)+strings.Repeat("</a>", 500)+"<password>", 1))
			if !soapFault(s, b) {
				t.Errorf("%d %s", s, b)
			}
		}},
		{"slow headers", "connection cut by the header timeout", func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte("POST " + SILPath + " HTTP/1.1\r\nHost: x\r\n"))
			c.SetReadDeadline(time.Now().Add(3 * time.Second))
			start := time.Now()
			_, err = bufio.NewReader(c).ReadString('\n')
			if time.Since(start) > 2*time.Second {
				t.Errorf("still open after %v (err %v)", time.Since(start), err)
			}
		}},
		{"slow body", "connection cut by the body timeout", func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte("POST " + SILPath + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<soapenv:Envelope"))
			start := time.Now()
			for time.Since(start) < 3*time.Second {
				if _, err := c.Write([]byte(" ")); err != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			c.SetReadDeadline(time.Now().Add(time.Second))
			b, _ := io.ReadAll(c)
			if time.Since(start) > 3*time.Second && len(b) == 0 {
				t.Errorf("a trickling body kept the connection for %v", time.Since(start))
			}
		}},
		{"password guessing", "refused without checking past the limit, each failure logged", func(t *testing.T) {
			for range 6 {
				post(SILPath, wrongPassword)
			}
			s, b := post(SILPath, valid) // right, but not cached yet: locked out
			if s != 200 || !strings.Contains(b, "PAA_ENTE_NON_VALIDO") {
				t.Errorf("during the lock-out: %d %s", s, b)
			}
			if l := logs.String(); strings.Count(l, "auth: failed login") < 5 || !strings.Contains(l, "too many failed logins") {
				t.Errorf("failures not logged:\n%s", l)
			}
		}},
		{"node endpoint from another network", "SOAP Client fault, HTTP 403", func(t *testing.T) {
			s, b := post(PaPerNodoPath, string(muEnvelope(`<pafn:paVerifyPaymentNoticeReq>`+muIDs()+muQR(1)+`</pafn:paVerifyPaymentNoticeReq>`)))
			if s != http.StatusForbidden || !soapFault(s, b) {
				t.Errorf("%d %s", s, b)
			}
		}},
		{"expired download link", "refused (403)", func(t *testing.T) {
			old := signed.New(cfg.SigningKey, func() time.Time { return time.Now().Add(-3 * time.Hour) })
			u := flussi.DownloadURL(old, base, 1, flussi.TypeImport, "IMPORT_ELABORATI/2026_11/x/x_IUV.zip")
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("HTTP %d", resp.StatusCode)
			}
		}},
		{"secrets in logs and journal", "never written", func(t *testing.T) {
			time.Sleep(400 * time.Millisecond) // the journal's batch
			evs, err := a.db.SearchEvents(context.Background(), gateway.JournalFilter{Limit: 1000})
			if err != nil || len(evs) == 0 {
				t.Fatalf("journal: %d events, %v", len(evs), err)
			}
			for _, ev := range evs {
				if strings.Contains(ev.Request+ev.Response, "segretissima1") || strings.Contains(ev.Request+ev.Response, "demopass123") {
					t.Errorf("a password in the journal: %.300s", ev.Request)
				}
			}
			if l := logs.String(); strings.Contains(l, "segretissima1") || strings.Contains(l, "demopass123") || strings.Contains(l, cfg.SigningKey) {
				t.Error("a secret in the logs")
			}
		}},
	} {
		t.Run(row.attack, func(t *testing.T) {
			t.Logf("expected: %s", row.want)
			row.check(t)
		})
	}
}
