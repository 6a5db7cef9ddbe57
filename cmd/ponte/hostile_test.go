package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/xsd/xsdtest"
)

// Broken and hostile requests on the real SIL route of a wired gateway: a
// SOAP 1.1 Fault, text/xml, HTTP 500 — never JSON, a panic or a hang. The
// business faults are tested one by one in gateway/sil; the transport ones
// in gateway/soap; this table proves the wiring keeps both.
func TestSILRouteHostileInput(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Demo = true
	cfg.MaxBodyBytes = 64 << 10
	a, err := newApp(context.Background(), &cfg, quietLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.echo)
	defer srv.Close()

	// SOAP 1.1's own envelope schema, from the reference material.
	envXSD := xsdtest.RefPath("pagopa/pagopa-api/gad/xsd/envelope.xsd")
	if envXSD == "" {
		t.Log("../shared/reference absent: fault envelopes not checked against the SOAP 1.1 schema")
	}
	valid := string(importaRequest(7))
	bomb := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x>&lol2;</x></soapenv:Body></soapenv:Envelope>`
	xxe := `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><x>&xxe;</x></soapenv:Body></soapenv:Envelope>`
	for _, tc := range []struct {
		name, path, ctype, body string
		faultcode, mustNot      string
	}{
		{"oversized body", SILPath, "text/xml", strings.Replace(valid, "<password>", "<password>"+strings.Repeat("x", 100<<10), 1), "Client", ""},
		{"DOCTYPE with entities", SILPath, "text/xml", bomb, "Client", "lollollol"},
		{"external entity", SILPath, "text/xml", xxe, "Client", "root:"},
		{"truncated envelope", SILPath, "text/xml", valid[:len(valid)/2], "Client", ""},
		{"truncated after the body", SILPath, "text/xml", strings.TrimSuffix(valid, "</soapenv:Envelope>"), "Client", ""},
		{"wrong content type", SILPath, "application/json", valid, "Client", ""},
		{"SOAP 1.2 envelope", SILPath, "application/soap+xml", strings.ReplaceAll(valid, "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope"), "VersionMismatch", ""},
		{"not XML", SILPath, "text/xml", `{"json": true}`, "Client", ""},
		{"empty body", SILPath, "text/xml", ``, "Client", ""},
		{"unknown operation", SILPath, "text/xml", strings.ReplaceAll(valid, "paaSILImportaDovuto>", "paaSILFaiTutto>"), "Client", ""},
		{"missing intestazionePPT", SILPath, "text/xml", valid[:strings.Index(valid, "<soapenv:Header>")] + valid[strings.Index(valid, "</soapenv:Header>")+len("</soapenv:Header>"):], "Client", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+tc.path, tc.ctype, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 500 {
				t.Errorf("status %d, want 500", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
				t.Errorf("content type %q", ct)
			}
			if !bytes.Contains(body, []byte("<faultcode>soapenv:"+tc.faultcode+"</faultcode>")) || !bytes.Contains(body, []byte("<faultstring>")) {
				t.Errorf("not a SOAP 1.1 %s fault: %s", tc.faultcode, body)
			}
			if tc.mustNot != "" && bytes.Contains(body, []byte(tc.mustNot)) {
				t.Errorf("answer contains %q: entity expanded", tc.mustNot)
			}
			if envXSD != "" {
				xsdtest.Validate(t, envXSD, body)
			}
		})
	}

	// The node-facing routes take the same transport guards.
	verify := string(muEnvelope(`<pafn:paVerifyPaymentNoticeReq>` + muIDs() + muQR(1) + `</pafn:paVerifyPaymentNoticeReq>`))
	for _, path := range []string{PaForNodePath, PaPerNodoPath} {
		for _, tc := range []struct{ name, ctype, body, mustNot string }{
			{"oversized body", "text/xml", strings.Replace(verify, "<idPA>", "<idPA>"+strings.Repeat("x", 100<<10), 1), ""},
			{"DOCTYPE with entities", "text/xml", bomb, "lollollol"},
			{"external entity", "text/xml", xxe, "root:"},
			{"truncated envelope", "text/xml", verify[:len(verify)/2], ""},
			{"not XML", "text/xml", `{"json": true}`, ""},
			{"deep nesting", "text/xml", strings.Replace(verify, "<idPA>", strings.Repeat("<a>", 200)+strings.Repeat("</a>", 200)+"<idPA>", 1), ""},
		} {
			t.Run(path+" "+tc.name, func(t *testing.T) {
				resp, err := http.Post(srv.URL+path, tc.ctype, strings.NewReader(tc.body))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 500 || !bytes.Contains(body, []byte("<faultcode>soapenv:Client</faultcode>")) {
					t.Errorf("HTTP %d: %s", resp.StatusCode, body)
				}
				if tc.mustNot != "" && bytes.Contains(body, []byte(tc.mustNot)) {
					t.Errorf("answer contains %q: entity expanded", tc.mustNot)
				}
			})
		}
	}

	// A business error stays a faultBean in an HTTP 200 answer.
	resp, err := http.Post(srv.URL+SILPath, "text/xml", strings.NewReader(strings.Replace(valid, "demopass123", "sbagliata99", 1)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<faultCode>PAA_ENTE_NON_VALIDO</faultCode>")) || !bytes.Contains(body, []byte("<esito>KO</esito>")) {
		t.Errorf("wrong password: %d %s", resp.StatusCode, body)
	}

	// Nothing above wrote a row: the same IUD, sent whole, is accepted.
	resp, err = http.Post(srv.URL+SILPath, "text/xml", strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<esito>OK</esito>")) {
		t.Errorf("valid request after the hostile ones: %d %s", resp.StatusCode, body)
	}
}
