package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/store/pgtest"
	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// forEachDatabase runs f with a Config on a fresh SQLite directory and on a
// fresh PostgreSQL database.
func forEachDatabase(t *testing.T, f func(t *testing.T, cfg *Config)) {
	t.Run("sqlite", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.DataDir = t.TempDir()
		f(t, &cfg)
	})
	t.Run("postgres", func(t *testing.T) {
		cfg := DefaultConfig()
		cfg.DatabaseURL = pgtest.URL(t)
		cfg.DataDir = t.TempDir() // flussi files live there
		f(t, &cfg)
	})
}

func quietLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// The gateway `make run` starts: WSDL served with our address, a real
// paaSILImportaDovuto answered OK with a valid IUV, the exchange journaled.
func TestServeDemoEndToEnd(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		ctx := context.Background()
		cfg.Demo = true
		cfg.PublicURL = "https://pagamenti.example.it"
		a, err := newApp(ctx, cfg, quietLog(t))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(a.echo)
		defer srv.Close()

		resp, err := http.Get(srv.URL + SILPath + "?wsdl")
		if err != nil {
			t.Fatal(err)
		}
		wsdlBody, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(wsdlBody, []byte(`location="https://pagamenti.example.it`+SILPath+`"`)) {
			t.Fatalf("WSDL: %d, address not rewritten", resp.StatusCode)
		}
		resp, err = http.Get(srv.URL + "/ws/pa/PagInf_Dovuti_Pagati_6_2_0.xsd")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("payload XSD: %v %v", err, resp.Status)
		}
		resp.Body.Close()

		resp, err = http.Post(srv.URL+SILPath, "text/xml; charset=utf-8", bytes.NewReader(importaRequest(1)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var env struct {
			Body struct {
				Risposta struct {
					Esito string `xml:"esito"`
					IUV   string `xml:"identificativoUnivocoVersamento"`
					Fault *struct {
						Code string `xml:"faultCode"`
					} `xml:"fault"`
				} `xml:"http://www.regione.veneto.it/pagamenti/ente/ paaSILImportaDovutoRisposta"`
			} `xml:"Body"`
		}
		if err := xml.Unmarshal(body, &env); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		r := env.Body.Risposta
		if r.Esito != "OK" || r.Fault != nil {
			t.Fatalf("esito %q: %s", r.Esito, body)
		}
		if len(r.IUV) != 17 || !strings.HasPrefix(r.IUV, "0100") || !iuv.CheckDigitsValid(3, r.IUV) {
			t.Errorf("IUV %q: want 17 digits, segregation code 01, valid check digits", r.IUV)
		}
		xsdtest.Validate(t, xsdtest.Path("pa-per-ente-types.xsd"), innerBody(t, body))

		// The exchange reaches the journal, password masked.
		if err := a.journal.Close(ctx); err != nil {
			t.Fatal(err)
		}
		evs, err := a.db.SearchEvents(ctx, gateway.JournalFilter{IUV: r.IUV})
		if err != nil || len(evs) != 1 {
			t.Fatalf("journal: %v, %d events", err, len(evs))
		}
		ev := evs[0]
		if ev.Operation != "paaSILImportaDovuto" || ev.CodIpa != "ENTE_DEMO" || ev.Esito != "OK" || ev.IUD != "LOAD-1" {
			t.Errorf("journal event %+v", ev)
		}
		if strings.Contains(ev.Request, "demopass123") || !strings.Contains(ev.Response, r.IUV) {
			t.Errorf("journal bodies: password must be masked, response kept")
		}
		a.Close()

		// Operators find it from the command line too.
		if cfg.DatabaseURL == "" {
			out, err := ponteCLI(t, cfg.DataDir, "", "journal", "search", "--ente", "ENTE_DEMO", "--iuv", r.IUV, "--bodies")
			if err != nil || !strings.Contains(out, "paaSILImportaDovuto") || !strings.Contains(out, "LOAD-1") || strings.Contains(out, "demopass123") {
				t.Errorf("ponte journal search: %v\n%s", err, out)
			}
		}
	})
}

// innerBody cuts the first child of soapenv:Body out of an envelope,
// carrying its namespace declaration.
func innerBody(t *testing.T, env []byte) []byte {
	t.Helper()
	s := string(env)
	i := strings.Index(s, "<soapenv:Body>")
	j := strings.LastIndex(s, "</soapenv:Body>")
	if i < 0 || j < 0 {
		t.Fatalf("no body in %s", env)
	}
	return []byte(s[i+len("<soapenv:Body>") : j])
}
