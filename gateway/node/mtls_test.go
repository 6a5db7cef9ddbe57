package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ponte-pagopa/ponte/generated/nodoperpa"
)

type testPKI struct {
	pool           *x509.CertPool
	server, client tls.Certificate
}

// generateCerts makes a throwaway CA with a server certificate for
// 127.0.0.1 and a client certificate.
func generateCerts(t *testing.T) testPKI {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	caKey := key()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Ponte test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, ips []net.IP) tls.Certificate {
		k := key()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return testPKI{
		pool:   pool,
		server: leaf(2, "nodo", x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")}),
		client: leaf(3, "ponte", x509.ExtKeyUsageClientAuth, nil),
	}
}

func TestMutualTLS(t *testing.T) {
	pki := generateCerts(t)
	var peer string
	srv := httptest.NewUnstartedServer(nodeHandler(t, func(w http.ResponseWriter, r nodeReq) {
		respond(t, w, nodoperpa.NodoInviaRPTRisposta{Esito: "OK", Redirect: int32p(1), Url: "u"}, r.Op)
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{pki.server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pki.pool,
		MinVersion:   tls.VersionTLS12,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) > 0 {
				peer = cs.PeerCertificates[0].Subject.CommonName
			}
			return nil
		},
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below
	srv.StartTLS()
	defer srv.Close()

	c := newClient(t, Config{URL: srv.URL, ClientCert: &pki.client, RootCAs: pki.pool}, nil)
	if _, err := c.InviaRPT(context.Background(), simpleRPT); err != nil {
		t.Fatal(err)
	}
	if peer != "ponte" {
		t.Errorf("server saw client certificate %q", peer)
	}

	// Without the certificate the handshake fails before anything is sent.
	c = newClient(t, Config{URL: srv.URL, RootCAs: pki.pool}, nil)
	_, err := c.InviaRPT(context.Background(), simpleRPT)
	var te *TransportError
	if !errors.As(err, &te) || te.StatusCode != 0 {
		t.Errorf("no client cert: err %v", err)
	}
	// Nor does a server the configured roots do not vouch for pass.
	c = newClient(t, Config{URL: srv.URL, ClientCert: &pki.client}, nil)
	if _, err := c.InviaRPT(context.Background(), simpleRPT); !errors.As(err, &te) || te.Sent {
		t.Errorf("unknown server CA: err %v", err)
	}
}
