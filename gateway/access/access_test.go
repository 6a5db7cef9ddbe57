package access

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func ok(t *testing.T, resp *http.Response, err error) (int, string) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

var pass = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("passed")) })

// TestSourceAllowlist: callers from outside the allowlist get a SOAP
// Client fault with 403; behind a trusted proxy the forwarded address
// counts, and a forged hop in front of it does not help.
func TestSourceAllowlist(t *testing.T) {
	allow, err := ParsePrefixes("10.1.0.0/16, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	proxies, _ := ParsePrefixes("127.0.0.1")
	for _, c := range []struct {
		name    string
		p       Policy
		xff     string
		allowed bool
	}{
		{"no policy", Policy{}, "", true},
		{"loopback not allowed", Policy{Allow: allow}, "", false},
		{"loopback allowed", Policy{Allow: append(allow, mustPrefix(t, "127.0.0.0/8"))}, "", true},
		{"forwarded address allowed", Policy{Allow: allow, TrustedProxies: proxies}, "10.1.2.3", true},
		{"forwarded address refused", Policy{Allow: allow, TrustedProxies: proxies}, "203.0.113.9", false},
		{"forged first hop", Policy{Allow: allow, TrustedProxies: proxies}, "192.0.2.7, 203.0.113.9", false},
		{"X-Forwarded-For ignored from untrusted", Policy{Allow: allow}, "192.0.2.7", false},
		{"garbage forwarded", Policy{Allow: allow, TrustedProxies: proxies}, "nonsense", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.p.Wrap(pass))
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("<x/>"))
			if c.xff != "" {
				req.Header.Set("X-Forwarded-For", c.xff)
			}
			resp, err := http.DefaultClient.Do(req)
			status, body := ok(t, resp, err)
			if c.allowed {
				if status != 200 || body != "passed" {
					t.Errorf("refused: %d %s", status, body)
				}
				return
			}
			if status != http.StatusForbidden || !strings.Contains(body, "<faultcode>soapenv:Client</faultcode>") ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
				t.Errorf("not a SOAP refusal: %d %s", status, body)
			}
		})
	}
	if _, err := ParsePrefixes("10.0.0.0/8, ciao"); err == nil {
		t.Error("a bad entry was accepted")
	}
}

func mustPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := ParsePrefixes(s)
	if err != nil || len(p) != 1 {
		t.Fatal(err)
	}
	return p[0]
}

// TestClientCertificate: with ClientCert the caller must present a
// certificate of the configured CA whose subject is allowed.
func TestClientCertificate(t *testing.T) {
	ca, caKey := newCert(t, "Test CA", nil, nil, true)
	good, goodKey := newCert(t, "nodo-pagopa", ca, caKey, false)
	other, otherKey := newCert(t, "qualcun-altro", ca, caKey, false)
	pool := x509.NewCertPool()
	pool.AddCert(ca)

	p := Policy{ClientCert: true, Subjects: []string{"nodo-pagopa"}}
	srv := httptest.NewUnstartedServer(p.Wrap(pass))
	srv.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
	srv.StartTLS()
	defer srv.Close()

	client := func(cert *x509.Certificate, key *ecdsa.PrivateKey) *http.Client {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		if cert != nil {
			tr.TLSClientConfig.Certificates = []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}
		}
		return &http.Client{Transport: tr}
	}
	for _, c := range []struct {
		name    string
		cl      *http.Client
		allowed bool
	}{
		{"no certificate", client(nil, nil), false},
		{"allowed subject", client(good, goodKey), true},
		{"other subject", client(other, otherKey), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, err := c.cl.Post(srv.URL, "text/xml", strings.NewReader("<x/>"))
			if err != nil && !c.allowed {
				return // refused in the handshake: fine too
			}
			status, body := ok(t, resp, err)
			if c.allowed != (status == 200) || !c.allowed && !strings.Contains(body, "soapenv:Client") {
				t.Errorf("status %d: %s", status, body)
			}
		})
	}
}

func newCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true, IsCA: isCA,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}
