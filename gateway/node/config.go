package node

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Config configures the client. Zero fields take the defaults below.
type Config struct {
	// URL is the NodoPerPa endpoint (PONTE_NODE_URL), e.g.
	// https://api.uat.platform.pagopa.it/nodo-auth/nodo-per-pa/v1.
	URL string
	// SubscriptionKey is sent as Ocp-Apim-Subscription-Key when set.
	SubscriptionKey string
	// ClientCert, when set, is presented for mutual TLS; RootCAs replaces
	// the system roots (a private CA, or the simulator's).
	ClientCert *tls.Certificate
	RootCAs    *x509.CertPool

	// Timeout bounds nodoInviaRPT and nodoInviaCarrelloRPT (default 20 s).
	// The node may itself wait on a counterpart before answering (a PSP
	// channel for a non-WISP RPT; its own timeouts towards counterparts
	// are 7–15 s, pagopa-node.md §5.5) and then answers with a definite
	// fault such as PPT_CANALE_TIMEOUT. Giving up before it does would
	// leave the RPT in an unknown state that only nodoChiediStatoRPT can
	// clear, so the deadline sits above the node's, not below.
	Timeout time.Duration
	// QueryTimeout bounds the read-only calls (nodoChiediStatoRPT,
	// nodoChiediCopiaRT, nodoChiediListaPendentiRPT; default 10 s): the
	// node answers them from its own store and a retry costs nothing.
	QueryTimeout time.Duration
	// A caller's earlier context deadline always wins over both.

	// MaxResponseBytes caps an answer (default 4 MiB: an RT copy is the
	// biggest legitimate one and stays far below).
	MaxResponseBytes int64
	// MaxIdleConnsPerHost is the keep-alive pool towards the node
	// (default 64, enough for hundreds of calls per second).
	MaxIdleConnsPerHost int
	UserAgent           string // default "Ponte"
}

const (
	defaultTimeout      = 20 * time.Second
	defaultQueryTimeout = 10 * time.Second
	defaultMaxResponse  = 4 << 20
	defaultIdlePerHost  = 64
	defaultUserAgent    = "Ponte"
)

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	if c.QueryTimeout <= 0 {
		c.QueryTimeout = defaultQueryTimeout
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = defaultMaxResponse
	}
	if c.MaxIdleConnsPerHost <= 0 {
		c.MaxIdleConnsPerHost = defaultIdlePerHost
	}
	if c.UserAgent == "" {
		c.UserAgent = defaultUserAgent
	}
	return c
}

// Recorder receives one journal event per call (journal.Writer does).
type Recorder interface {
	Record(*gateway.Event)
}

// Client calls the node. It is safe for concurrent use; build one per node
// URL and share it.
type Client struct {
	cfg  Config
	hc   *http.Client
	rec  Recorder
	log  *slog.Logger
	host string // for logs
}

// New builds a client with one shared keep-alive transport. rec may be nil
// to journal nothing.
func New(cfg Config, rec Recorder, log *slog.Logger) (*Client, error) {
	cfg = cfg.withDefaults()
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("nodo: URL %q: %w", cfg.URL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("nodo: URL %q: serve un URL http(s) assoluto", cfg.URL)
	}
	if cfg.ClientCert != nil && u.Scheme != "https" {
		return nil, fmt.Errorf("nodo: certificato client configurato ma URL %q non è https", cfg.URL)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: cfg.RootCAs}
	if cfg.ClientCert != nil {
		tlsCfg.Certificates = []tls.Certificate{*cfg.ClientCert}
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   5 * time.Second,
		MaxIdleConns:          cfg.MaxIdleConnsPerHost,
		MaxIdleConnsPerHost:   cfg.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		// HTTP/1.1 only: the node's APIM speaks it, and SOAP gains
		// nothing from h2.
		ForceAttemptHTTP2: false,
	}
	return &Client{
		cfg: cfg,
		// No client-wide Timeout: every call carries its own deadline.
		hc:   &http.Client{Transport: tr, CheckRedirect: noRedirect},
		rec:  rec,
		log:  log,
		host: u.Host,
	}, nil
}

// A SOAP POST must not be replayed as a GET to wherever a 3xx points.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Close drops the idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }
