// Package access restricts the node-facing endpoints to the pagoPA node:
// by source address (allowlist of networks, the client address read
// behind trusted proxies) and/or by TLS client certificate (verified
// against the configured CAs, its subject in an allowlist). A refused
// caller gets a SOAP Client fault with HTTP 403, never a body of another
// shape on a SOAP route.
package access

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// Policy is who may call. The zero Policy lets everyone in.
type Policy struct {
	// Allow lists the networks callers may come from; empty: any.
	Allow []netip.Prefix
	// TrustedProxies are the load balancers in front of Ponte: from them
	// the caller is the last address of X-Forwarded-For that is not one.
	TrustedProxies []netip.Prefix
	// ClientCert requires a TLS client certificate verified by the
	// server's client CAs; Subjects, when set, lists the common names (or
	// DNS names) accepted.
	ClientCert bool
	Subjects   []string
	Log        *slog.Logger
}

// ParsePrefixes reads a comma-separated list of CIDRs or addresses.
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a network", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Wrap returns next behind the policy.
func (p *Policy) Wrap(next http.Handler) http.Handler {
	if len(p.Allow) == 0 && !p.ClientCert {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := p.check(r); err != nil {
			if p.Log != nil {
				p.Log.Warn("access: node-facing call refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
			}
			w.Header().Set("Content-Type", soap.ContentType)
			w.WriteHeader(http.StatusForbidden)
			w.Write(faultBody("chiamante non autorizzato: " + err.Error()))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// check says why r may not pass (nil: it may).
func (p *Policy) check(r *http.Request) error {
	if len(p.Allow) > 0 {
		a, err := p.client(r)
		if err != nil {
			return err
		}
		if !contains(p.Allow, a) {
			return fmt.Errorf("indirizzo %s non ammesso", a)
		}
	}
	if p.ClientCert {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			return errors.New("certificato client assente o non verificato")
		}
		leaf := r.TLS.VerifiedChains[0][0]
		if len(p.Subjects) > 0 && !subjectAllowed(leaf, p.Subjects) {
			return fmt.Errorf("certificato %q non ammesso", leaf.Subject.CommonName)
		}
	}
	return nil
}

// client is the caller's address: the connection's, or, from a trusted
// proxy, the nearest address in X-Forwarded-For that is not a proxy.
func (p *Policy) client(r *http.Request) (netip.Addr, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("indirizzo %q non leggibile", r.RemoteAddr)
	}
	a = a.Unmap()
	if !contains(p.TrustedProxies, a) {
		return a, nil
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, fmt.Errorf("X-Forwarded-For %q non leggibile", hops[i])
		}
		a = h.Unmap()
		if !contains(p.TrustedProxies, a) {
			return a, nil
		}
	}
	return a, nil
}

func contains(ps []netip.Prefix, a netip.Addr) bool {
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(a) })
}

func subjectAllowed(c *x509.Certificate, subjects []string) bool {
	if slices.Contains(subjects, c.Subject.CommonName) {
		return true
	}
	return slices.ContainsFunc(c.DNSNames, func(n string) bool { return slices.Contains(subjects, n) })
}

// faultBody is a SOAP 1.1 Client fault.
func faultBody(msg string) []byte {
	var b bytes.Buffer
	soap.MarshalFault(&b, soap.Fault{Code: soap.FaultClient, String: msg})
	return b.Bytes()
}
