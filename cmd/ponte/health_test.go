package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/sim"
)

// metricValue is the value of the series whose line starts with prefix
// (name and labels), -1 when absent.
func metricValue(text, prefix string) float64 {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			v, _ := strconv.ParseFloat(strings.TrimPrefix(l, prefix+" "), 64)
			return v
		}
	}
	return -1
}

// TestMetricsAndReadiness scrapes /metrics and /readyz of a real server
// after payments at the PSP desk, on each store.
func TestMetricsAndReadiness(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, cfg *Config) {
		e := startE2E(t, cfg, nil)
		iuvCode, _ := e.importaMU(t, "METRICS-1", "10.00")
		res, err := e.node.PayNotice(context.Background(), cfMU, "3"+iuvCode, sim.PayOptions{Sync: true})
		if err != nil || res.Outcome != "PAID" {
			t.Fatalf("PSP desk: %+v %v", res, err)
		}
		e.node.PayNotice(context.Background(), cfMU, "3"+iuvCode, sim.PayOptions{Sync: true}) // verify KO: paid

		resp, body := e.get(t, e.base+"/metrics")
		text := string(body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
			t.Fatalf("/metrics: HTTP %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, c := range []struct {
			series string
			min    float64
		}{
			{`ponte_soap_requests_total{direction="IN",component="SIL",operation="paaSILImportaDovuto",fault_code=""}`, 1},
			{`ponte_soap_requests_total{direction="IN",component="NODO",operation="paVerifyPaymentNotice",fault_code=""}`, 1},
			{`ponte_soap_requests_total{direction="IN",component="NODO",operation="paVerifyPaymentNotice",fault_code="PAA_PAGAMENTO_DUPLICATO"}`, 1},
			{`ponte_soap_requests_total{direction="IN",component="NODO",operation="paSendRTV2",fault_code=""}`, 1},
			{`ponte_soap_duration_seconds_count{direction="IN",component="NODO",operation="paSendRTV2"}`, 1},
			{`ponte_store_up`, 1},
			{`ponte_pending_receipts`, 0},
			{`ponte_oldest_pending_receipt_age_seconds`, 0},
			{`ponte_import_flussi_queued`, 0},
			{`ponte_rpt_to_send`, 0},
		} {
			if v := metricValue(text, c.series); v < c.min {
				t.Errorf("%s = %v, want >= %v", c.series, v, c.min)
			}
		}
		if !regexp.MustCompile(`(?m)^ponte_soap_duration_seconds_bucket\{direction="IN",component="NODO",operation="paSendRTV2",le="\+Inf"\} [1-9]`).MatchString(text) {
			t.Errorf("no latency histogram for paSendRTV2:\n%s", text)
		}

		resp, body = e.get(t, e.base+"/readyz")
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "database: ok") || !strings.Contains(string(body), "pagoPA node: ok") {
			t.Errorf("/readyz: HTTP %d\n%s", resp.StatusCode, body)
		}
	})
}

// TestReadinessNodeDown: with the node unreachable the instance is not
// ready, and says why.
func TestReadinessNodeDown(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.NodeURL = "http://127.0.0.1:1/nodo" // nothing listens on port 1
	a, err := newApp(context.Background(), &cfg, quietLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	req, _ := http.NewRequest(http.MethodGet, "/readyz", nil)
	w := &recorderWriter{header: http.Header{}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a.echo.ServeHTTP(w, req.WithContext(ctx))
	if w.status != http.StatusServiceUnavailable || !strings.Contains(w.body.String(), "pagoPA node: ") || !strings.Contains(w.body.String(), "database: ok") {
		t.Errorf("/readyz with the node down: HTTP %d\n%s", w.status, w.body.String())
	}
}

type recorderWriter struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorderWriter) Header() http.Header { return r.header }
func (r *recorderWriter) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorderWriter) WriteHeader(s int) { r.status = s }

// TestNodeAllowlist: with PONTE_NODE_ALLOW the node-facing endpoints
// refuse other callers with a SOAP fault (403); the SIL is not affected.
func TestNodeAllowlist(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Demo = true
	cfg.NodeAllow = "192.0.2.0/24"
	a, err := newApp(context.Background(), &cfg, quietLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.echo)
	defer srv.Close()
	for _, path := range []string{PaForNodePath, PaPerNodoPath} {
		resp, err := http.Post(srv.URL+path, "text/xml", strings.NewReader(string(muEnvelope(`<pafn:paVerifyPaymentNoticeReq>`+muIDs()+muQR(1)+`</pafn:paVerifyPaymentNoticeReq>`))))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<faultcode>soapenv:Client</faultcode>") {
			t.Errorf("%s from 127.0.0.1: HTTP %d %s", path, resp.StatusCode, body)
		}
	}
	resp, err := http.Post(srv.URL+SILPath, "text/xml", strings.NewReader(string(importaRequest(1))))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<esito>OK</esito>") {
		t.Errorf("SIL with the node allowlist: HTTP %d %s", resp.StatusCode, body)
	}
}
