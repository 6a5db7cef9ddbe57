package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway/access"
)

// Config is every setting of `ponte serve`, with defaults, read from
// PONTE_* environment variables and then flags (flags win).
type Config struct {
	Listen      string // PONTE_LISTEN
	PublicURL   string // PONTE_PUBLIC_URL; default http://<listen>
	DatabaseURL string // PONTE_DATABASE_URL; empty: embedded SQLite
	DataDir     string // PONTE_DATA_DIR: SQLite file and other local state
	SeedFile    string // PONTE_SEED_FILE: declarative ente registry
	Demo        bool   // PONTE_DEMO: seed ENTE_DEMO

	LogLevel  string // PONTE_LOG_LEVEL: debug, info, warn, error
	LogFormat string // PONTE_LOG_FORMAT: text or json

	MaxBodyBytes      int64         // PONTE_MAX_BODY_BYTES
	RequestTimeout    time.Duration // PONTE_REQUEST_TIMEOUT: deadline of one SOAP call
	ReadHeaderTimeout time.Duration // PONTE_READ_HEADER_TIMEOUT
	ReadTimeout       time.Duration // PONTE_READ_TIMEOUT
	WriteTimeout      time.Duration // PONTE_WRITE_TIMEOUT
	IdleTimeout       time.Duration // PONTE_IDLE_TIMEOUT

	DBMaxConns int // PONTE_DB_MAX_CONNS (PostgreSQL pool)

	// NodeURL is the pagoPA node's NodoPerPa endpoint; empty in --demo
	// means the embedded simulator.
	NodeURL             string        // PONTE_NODE_URL
	NodeSubscriptionKey string        // PONTE_NODE_SUBSCRIPTION_KEY (Ocp-Apim-Subscription-Key)
	NodeClientCert      string        // PONTE_NODE_CLIENT_CERT: PEM certificate for mTLS
	NodeClientKey       string        // PONTE_NODE_CLIENT_KEY: its PEM key
	NodeTimeout         time.Duration // PONTE_NODE_TIMEOUT: deadline of nodoInviaRPT / nodoInviaCarrelloRPT
	// TLS served by Ponte itself (usually a load balancer terminates it).
	TLSCert, TLSKey string // PONTE_TLS_CERT, PONTE_TLS_KEY: PEM files
	// The node-facing endpoints' callers: source networks (behind
	// TrustedProxies, the forwarded address counts) and/or a TLS client
	// certificate of NodeClientCA with a subject in NodeClientSubjects.
	NodeAllow          string        // PONTE_NODE_ALLOW: CIDRs or addresses, comma-separated
	TrustedProxies     string        // PONTE_TRUSTED_PROXIES
	NodeClientCA       string        // PONTE_NODE_CLIENT_CA: PEM bundle; requires PONTE_TLS_CERT
	NodeClientSubjects string        // PONTE_NODE_CLIENT_SUBJECTS: common or DNS names, comma-separated
	LoginFailures      int           // PONTE_LOGIN_FAILURES: failed SIL logins per ente and minute before its checks are refused
	PushEvery          time.Duration // PONTE_PUSH_EVERY: how often due outcome pushes are looked for
	PushMaxAttempts    int           // PONTE_PUSH_MAX_ATTEMPTS: attempts before a push is a dead letter
	// CheckoutURL is pagoPA Checkout's carts API base (…/checkout/ec/v1)
	// for enti on the modello unico; empty in --demo means the simulator's.
	CheckoutURL string // PONTE_CHECKOUT_URL
	// CartSecret is the intermediary's secret of MyPay's multi-ente cart
	// hash (pa.identificativoIntermediarioPAPassword).
	CartSecret string // PONTE_CART_SECRET

	JournalBodyCap   int           // PONTE_JOURNAL_BODY_CAP: bytes of each body kept
	JournalRetention time.Duration // PONTE_JOURNAL_RETENTION

	PasswordCacheTTL time.Duration // PONTE_PASSWORD_CACHE_TTL
	// IUV15Limit is MyPay's pa.dataLimiteNuoviIuv15: 15-digit IUVs are
	// refused for new dovuti from this date on.
	IUV15Limit string // PONTE_IUV15_LIMIT (yyyy-mm-dd)

	// Receipt recovery: RPTs whose RT has not come after RecoveryAfter are
	// asked about every RecoveryEvery, at most RecoveryPerMinute node
	// calls a minute per instance.
	RecoveryAfter     time.Duration // PONTE_RECOVERY_AFTER
	RecoveryEvery     time.Duration // PONTE_RECOVERY_EVERY
	RecoveryPerMinute int64         // PONTE_RECOVERY_PER_MINUTE
	RecoveryBackoff   time.Duration // PONTE_RECOVERY_BACKOFF: first wait after a fruitless attempt, doubled each time up to 6h
	// RecoveryGlobalPerMinute caps the recovery calls of every instance
	// together; RecoveryPause is how long they stop when the node asks.
	RecoveryGlobalPerMinute int           // PONTE_RECOVERY_GLOBAL_PER_MINUTE
	RecoveryPause           time.Duration // PONTE_RECOVERY_PAUSE
	// RecoveryDecorrenza is when Ponte closes an RPT the node never
	// settles with a negative RT of its own (decorrenza termini).
	RecoveryDecorrenza time.Duration // PONTE_RECOVERY_DECORRENZA
	RecoverySweep      time.Duration // PONTE_RECOVERY_SWEEP: how often the node's pending lists are compared
	// RecoveryUnconfirmed is when an RPT whose sending was never recorded
	// is asked about; above PONTE_NODE_TIMEOUT.
	RecoveryUnconfirmed time.Duration // PONTE_RECOVERY_UNCONFIRMED_AFTER
	CheckoutExpiry      time.Duration // PONTE_CHECKOUT_EXPIRY: Checkout carts in progress without receipt end SCADUTO

	// SigningKey signs upload tokens and download links; processes that
	// share a database must share it. Empty: a random key per process.
	SigningKey string // PONTE_SIGNING_KEY
	// FilesDir holds flussi (uploads, result files, exports); processes
	// that share a database must share it. Default <DataDir>/mybox.
	FilesDir        string        // PONTE_FILES_DIR
	ImportMaxBytes  int64         // PONTE_IMPORT_MAX_BYTES: largest uploaded zip
	FlussiLease     time.Duration // PONTE_FLUSSI_LEASE: how long a worker's claim on a flusso lasts
	FlussiPoll      time.Duration // PONTE_FLUSSI_POLL: how often idle workers look for flussi
	MypivotPassword string        // PONTE_MYPIVOT_PASSWORD: MyPay's app.be.password-mypivot

	// PprofListen, when set, serves net/http/pprof on this (loopback)
	// address for profiling; never expose it.
	PprofListen string // PONTE_PPROF_LISTEN
}

// DefaultConfig is what Ponte runs with when nothing is set.
func DefaultConfig() Config {
	return Config{
		Listen:                  "127.0.0.1:8080",
		DataDir:                 "data",
		LogLevel:                "info",
		LogFormat:               "text",
		MaxBodyBytes:            4 << 20,
		RequestTimeout:          10 * time.Second,
		ReadHeaderTimeout:       5 * time.Second,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             120 * time.Second,
		DBMaxConns:              32,
		NodeTimeout:             20 * time.Second,
		PushEvery:               5 * time.Second,
		LoginFailures:           20,
		PushMaxAttempts:         14,
		JournalBodyCap:          64 << 10,
		JournalRetention:        90 * 24 * time.Hour,
		PasswordCacheTTL:        5 * time.Minute,
		IUV15Limit:              "2024-04-30",
		ImportMaxBytes:          100 << 20,
		RecoveryAfter:           30 * time.Minute,
		RecoveryEvery:           30 * time.Second,
		RecoveryPerMinute:       60,
		RecoveryBackoff:         5 * time.Minute,
		RecoveryGlobalPerMinute: 120,
		RecoveryPause:           time.Minute,
		RecoveryDecorrenza:      14 * 24 * time.Hour,
		RecoverySweep:           10 * time.Minute,
		CheckoutExpiry:          24 * time.Hour,
		RecoveryUnconfirmed:     2 * time.Minute,
		FlussiLease:             2 * time.Minute,
		FlussiPoll:              2 * time.Second,
	}
}

// bind registers every setting on fs, with the environment already applied
// to the defaults, so `-h` shows the effective values.
func (c *Config) bind(fs *flag.FlagSet, getenv func(string) string) error {
	var errs []error
	str := func(p *string, name, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" ("+env+")")
	}
	dur := func(p *time.Duration, name, env, usage string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: a duration such as 10s or 2m", env, v))
			}
			*p = d
		}
		fs.DurationVar(p, name, *p, usage+" ("+env+")")
	}
	num := func(p *int64, name, env, usage string) {
		if v := getenv(env); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: a whole number", env, v))
			}
			*p = n
		}
		fs.Int64Var(p, name, *p, usage+" ("+env+")")
	}
	boolean := func(p *bool, name, env, usage string) {
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: true or false", env, v))
			}
			*p = b
		}
		fs.BoolVar(p, name, *p, usage+" ("+env+")")
	}
	integer := func(p *int, name, env, usage string) {
		v64 := int64(*p)
		num(&v64, name, env, usage)
		*p = int(v64)
		fs.Lookup(name).Value = intValue{p}
		fs.Lookup(name).DefValue = strconv.Itoa(*p)
	}
	str(&c.Listen, "listen", "PONTE_LISTEN", "address to listen on")
	str(&c.PublicURL, "public-url", "PONTE_PUBLIC_URL", "base URL callers reach Ponte at, written into the WSDL and redirect URLs")
	str(&c.DatabaseURL, "database-url", "PONTE_DATABASE_URL", "postgres:// URL; empty means the embedded SQLite file")
	str(&c.DataDir, "data-dir", "PONTE_DATA_DIR", "directory of the SQLite file and local state")
	str(&c.SeedFile, "seed", "PONTE_SEED_FILE", "YAML ente registry applied at start")
	boolean(&c.Demo, "demo", "PONTE_DEMO", "seed the demo ente ENTE_DEMO")
	str(&c.NodeURL, "node-url", "PONTE_NODE_URL", "pagoPA node NodoPerPa endpoint (empty with --demo: the embedded simulator)")
	str(&c.NodeSubscriptionKey, "node-subscription-key", "PONTE_NODE_SUBSCRIPTION_KEY", "Ocp-Apim-Subscription-Key sent to the node")
	str(&c.NodeClientCert, "node-client-cert", "PONTE_NODE_CLIENT_CERT", "PEM client certificate for mTLS with the node")
	str(&c.NodeClientKey, "node-client-key", "PONTE_NODE_CLIENT_KEY", "PEM key of the client certificate")
	dur(&c.NodeTimeout, "node-timeout", "PONTE_NODE_TIMEOUT", "deadline of sending RPTs to the node")
	str(&c.TLSCert, "tls-cert", "PONTE_TLS_CERT", "PEM certificate to serve HTTPS with (empty: plain HTTP, TLS at the load balancer)")
	str(&c.TLSKey, "tls-key", "PONTE_TLS_KEY", "PEM key of PONTE_TLS_CERT")
	str(&c.NodeAllow, "node-allow", "PONTE_NODE_ALLOW", "networks (CIDR or address, comma-separated) the node-facing endpoints accept calls from (empty: any)")
	str(&c.TrustedProxies, "trusted-proxies", "PONTE_TRUSTED_PROXIES", "load balancers whose X-Forwarded-For names the caller")
	str(&c.NodeClientCA, "node-client-ca", "PONTE_NODE_CLIENT_CA", "PEM CA bundle: the node-facing endpoints require a client certificate it verifies (needs PONTE_TLS_CERT)")
	str(&c.NodeClientSubjects, "node-client-subjects", "PONTE_NODE_CLIENT_SUBJECTS", "common or DNS names of the client certificates accepted (empty: any the CA verifies)")
	integer(&c.LoginFailures, "login-failures", "PONTE_LOGIN_FAILURES", "failed SIL logins per ente and minute before its uncached password checks are refused for the rest of the minute (0: no limit)")
	dur(&c.PushEvery, "push-every", "PONTE_PUSH_EVERY", "how often due outcome pushes to the enti are looked for")
	integer(&c.PushMaxAttempts, "push-max-attempts", "PONTE_PUSH_MAX_ATTEMPTS", "attempts of an outcome push before it is a dead letter (over 14 days, as MyPay)")
	str(&c.CheckoutURL, "checkout-url", "PONTE_CHECKOUT_URL", "pagoPA Checkout carts API base, e.g. https://api.platform.pagopa.it/checkout/ec/v1 (empty with --demo: the simulator)")
	str(&c.CartSecret, "cart-secret", "PONTE_CART_SECRET", "intermediary secret of the multi-ente cart hash")
	str(&c.LogLevel, "log-level", "PONTE_LOG_LEVEL", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "PONTE_LOG_FORMAT", "text or json")
	num(&c.MaxBodyBytes, "max-body-bytes", "PONTE_MAX_BODY_BYTES", "largest SOAP request accepted")
	dur(&c.RequestTimeout, "request-timeout", "PONTE_REQUEST_TIMEOUT", "deadline of one SOAP call")
	dur(&c.ReadHeaderTimeout, "read-header-timeout", "PONTE_READ_HEADER_TIMEOUT", "time allowed to send request headers")
	dur(&c.ReadTimeout, "read-timeout", "PONTE_READ_TIMEOUT", "time allowed to send a whole request")
	dur(&c.WriteTimeout, "write-timeout", "PONTE_WRITE_TIMEOUT", "time allowed to write a response")
	dur(&c.IdleTimeout, "idle-timeout", "PONTE_IDLE_TIMEOUT", "keep-alive idle time")
	integer(&c.DBMaxConns, "db-max-conns", "PONTE_DB_MAX_CONNS", "PostgreSQL connection pool size")
	integer(&c.JournalBodyCap, "journal-body-cap", "PONTE_JOURNAL_BODY_CAP", "bytes of each message body kept in the journal")
	dur(&c.JournalRetention, "journal-retention", "PONTE_JOURNAL_RETENTION", "age after which journal events are purged")
	dur(&c.PasswordCacheTTL, "password-cache-ttl", "PONTE_PASSWORD_CACHE_TTL", "how long a verified SIL password is remembered")
	str(&c.PprofListen, "pprof-listen", "PONTE_PPROF_LISTEN", "address of the profiling endpoint (off when empty)")
	dur(&c.RecoveryAfter, "recovery-after", "PONTE_RECOVERY_AFTER", "how long after sending an RPT its missing RT is asked of the node")
	dur(&c.RecoveryEvery, "recovery-every", "PONTE_RECOVERY_EVERY", "how often pending RPTs are looked for")
	dur(&c.RecoveryBackoff, "recovery-backoff", "PONTE_RECOVERY_BACKOFF", "first wait after a fruitless recovery attempt (doubles, up to 6h)")
	num(&c.RecoveryPerMinute, "recovery-per-minute", "PONTE_RECOVERY_PER_MINUTE", "most recovery calls to the node per minute and instance")
	integer(&c.RecoveryGlobalPerMinute, "recovery-global-per-minute", "PONTE_RECOVERY_GLOBAL_PER_MINUTE", "most recovery calls to the node per minute of every instance together")
	dur(&c.RecoveryDecorrenza, "recovery-decorrenza", "PONTE_RECOVERY_DECORRENZA", "after how long an RPT the node has no RT for (3 attempts in) is closed by a negative RT of Ponte's own, esito 3 decorrenza termini (MyPay: 14 days)")
	dur(&c.RecoverySweep, "recovery-sweep", "PONTE_RECOVERY_SWEEP", "how often recovery compares each ente's waiting RPTs with the node's pending list (nodoChiediListaPendentiRPT)")
	dur(&c.RecoveryUnconfirmed, "recovery-unconfirmed-after", "PONTE_RECOVERY_UNCONFIRMED_AFTER", "when an RPT whose sending was never recorded (the process died) is asked about; must exceed PONTE_NODE_TIMEOUT")
	dur(&c.CheckoutExpiry, "checkout-expiry", "PONTE_CHECKOUT_EXPIRY", "how long a Checkout cart waits in progress for a receipt before it ends SCADUTO (a later receipt still decides it)")
	dur(&c.RecoveryPause, "recovery-pause", "PONTE_RECOVERY_PAUSE", "how long recovery stops calling when the node answers PPT_SUPERAMENTOSOGLIA, 429 or 503")
	str(&c.SigningKey, "signing-key", "PONTE_SIGNING_KEY", "key signing upload tokens and download links (shared by all instances)")
	str(&c.FilesDir, "files-dir", "PONTE_FILES_DIR", "directory of flussi files (shared by all instances; default <data-dir>/mybox)")
	num(&c.ImportMaxBytes, "import-max-bytes", "PONTE_IMPORT_MAX_BYTES", "largest import zip accepted")
	dur(&c.FlussiLease, "flussi-lease", "PONTE_FLUSSI_LEASE", "how long a claim on a flusso lasts before another instance may take it")
	dur(&c.FlussiPoll, "flussi-poll", "PONTE_FLUSSI_POLL", "how often idle instances look for flussi to process")
	str(&c.MypivotPassword, "mypivot-password", "PONTE_MYPIVOT_PASSWORD", "MyPivot alignment password of incremental exports")
	str(&c.IUV15Limit, "iuv15-limit", "PONTE_IUV15_LIMIT", "date from which new 15-digit IUVs are refused")
	return errors.Join(errs...)
}

// Validate reports every problem at once, each naming its variable.
func (c *Config) Validate() error {
	var errs []error
	bad := func(env, format string, a ...any) { errs = append(errs, fmt.Errorf(env+": "+format, a...)) }
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("PONTE_LISTEN", "%q is not host:port", c.Listen)
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			bad("PONTE_PUBLIC_URL", "%q must be an http(s) base URL with no path, e.g. https://pagamenti.example.it", c.PublicURL)
		}
	}
	if c.ImportMaxBytes < 1<<20 {
		bad("PONTE_IMPORT_MAX_BYTES", "%d is below 1 MiB", c.ImportMaxBytes)
	}
	if c.FlussiLease < 5*time.Second {
		bad("PONTE_FLUSSI_LEASE", "%s is below 5s", c.FlussiLease)
	}
	if c.RecoveryEvery <= 0 || c.RecoveryAfter <= 0 {
		bad("PONTE_RECOVERY_EVERY", "must be positive, and so must PONTE_RECOVERY_AFTER")
	}
	if c.RecoveryGlobalPerMinute < 1 {
		bad("PONTE_RECOVERY_GLOBAL_PER_MINUTE", "must be at least 1")
	}
	if c.RecoveryUnconfirmed <= c.NodeTimeout {
		bad("PONTE_RECOVERY_UNCONFIRMED_AFTER", "must exceed PONTE_NODE_TIMEOUT (%s): a sending still under way must not be judged", c.NodeTimeout)
	}
	if c.CheckoutExpiry <= 0 {
		bad("PONTE_CHECKOUT_EXPIRY", "must be positive")
	}
	if c.RecoverySweep <= 0 {
		bad("PONTE_RECOVERY_SWEEP", "must be positive")
	}
	if c.RecoveryDecorrenza <= 0 {
		bad("PONTE_RECOVERY_DECORRENZA", "must be positive")
	}
	if c.RecoveryPause <= 0 {
		bad("PONTE_RECOVERY_PAUSE", "must be positive")
	}
	if c.RecoveryPerMinute < 1 {
		bad("PONTE_RECOVERY_PER_MINUTE", "must be at least 1")
	}
	if c.FlussiPoll <= 0 {
		bad("PONTE_FLUSSI_POLL", "must be positive")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("PONTE_DATABASE_URL", "must start with postgres:// (empty means the embedded SQLite file)")
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		bad("PONTE_DATA_DIR", "must be set when PONTE_DATABASE_URL is empty")
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(c.LogLevel)); err != nil {
		bad("PONTE_LOG_LEVEL", "%q: debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("PONTE_LOG_FORMAT", "%q: text or json", c.LogFormat)
	}
	if c.MaxBodyBytes < 1024 {
		bad("PONTE_MAX_BODY_BYTES", "%d is below 1024", c.MaxBodyBytes)
	}
	for _, d := range []struct {
		env string
		v   time.Duration
	}{{"PONTE_REQUEST_TIMEOUT", c.RequestTimeout}, {"PONTE_READ_HEADER_TIMEOUT", c.ReadHeaderTimeout},
		{"PONTE_READ_TIMEOUT", c.ReadTimeout}, {"PONTE_WRITE_TIMEOUT", c.WriteTimeout}, {"PONTE_IDLE_TIMEOUT", c.IdleTimeout}} {
		if d.v <= 0 {
			bad(d.env, "must be positive")
		}
	}
	if c.WriteTimeout > 0 && c.RequestTimeout >= c.WriteTimeout {
		bad("PONTE_REQUEST_TIMEOUT", "%s must be shorter than PONTE_WRITE_TIMEOUT %s, or answers are cut", c.RequestTimeout, c.WriteTimeout)
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 1000 {
		bad("PONTE_DB_MAX_CONNS", "%d: 1 to 1000", c.DBMaxConns)
	}
	if c.JournalBodyCap < 0 {
		bad("PONTE_JOURNAL_BODY_CAP", "must not be negative")
	}
	if c.JournalRetention < time.Hour {
		bad("PONTE_JOURNAL_RETENTION", "%s is under an hour", c.JournalRetention)
	}
	if c.PasswordCacheTTL < 0 {
		bad("PONTE_PASSWORD_CACHE_TTL", "must not be negative")
	}
	if _, err := time.Parse("2006-01-02", c.IUV15Limit); err != nil {
		bad("PONTE_IUV15_LIMIT", "%q is not yyyy-mm-dd", c.IUV15Limit)
	}
	if c.NodeURL != "" {
		if u, err := url.Parse(c.NodeURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("PONTE_NODE_URL", "%q must be an http(s) URL", c.NodeURL)
		}
	}
	if c.CheckoutURL != "" {
		if u, err := url.Parse(c.CheckoutURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("PONTE_CHECKOUT_URL", "%q must be an http(s) URL", c.CheckoutURL)
		}
	}
	if (c.NodeClientCert == "") != (c.NodeClientKey == "") {
		bad("PONTE_NODE_CLIENT_CERT", "and PONTE_NODE_CLIENT_KEY go together")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("PONTE_TLS_CERT", "and PONTE_TLS_KEY go together")
	}
	if c.NodeClientCA != "" && c.TLSCert == "" {
		bad("PONTE_NODE_CLIENT_CA", "needs PONTE_TLS_CERT: client certificates need TLS served by Ponte")
	}
	if _, err := access.ParsePrefixes(c.NodeAllow); err != nil {
		bad("PONTE_NODE_ALLOW", "%v", err)
	}
	if _, err := access.ParsePrefixes(c.TrustedProxies); err != nil {
		bad("PONTE_TRUSTED_PROXIES", "%v", err)
	}
	if c.PushEvery <= 0 {
		bad("PONTE_PUSH_EVERY", "must be positive")
	}
	if c.PushMaxAttempts <= 0 {
		bad("PONTE_PUSH_MAX_ATTEMPTS", "must be positive")
	}
	if c.NodeTimeout <= 0 {
		bad("PONTE_NODE_TIMEOUT", "must be positive")
	}
	if c.PprofListen != "" {
		if host, _, err := net.SplitHostPort(c.PprofListen); err != nil || !net.ParseIP(host).IsLoopback() {
			bad("PONTE_PPROF_LISTEN", "%q must be a loopback host:port", c.PprofListen)
		}
	}
	if c.SeedFile != "" {
		if _, err := os.Stat(c.SeedFile); err != nil {
			bad("PONTE_SEED_FILE", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// publicURL is the configured base URL, or one derived from the listen
// address.
// filesDir is where flussi live.
func (c *Config) filesDir() string {
	if c.FilesDir != "" {
		return c.FilesDir
	}
	return filepath.Join(c.DataDir, "mybox")
}

func (c *Config) publicURL() string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	host, port, _ := net.SplitHostPort(c.Listen)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	scheme := "http://"
	if c.TLSCert != "" {
		scheme = "https://"
	}
	return scheme + net.JoinHostPort(host, port)
}

func (c *Config) logger() *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lv}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// intValue lets an int setting share num's environment handling.
type intValue struct{ p *int }

func (v intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	*v.p = n
	return nil
}

// tlsConfig is the server's TLS: TLS 1.2 and later with Go's default
// cipher suites; client certificates asked for, and verified against
// PONTE_NODE_CLIENT_CA when set (only the node-facing endpoints require
// one: the SIL's callers authenticate with their password).
func (c *Config) tlsConfig() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("PONTE_TLS_CERT: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if c.NodeClientCA != "" {
		pem, err := os.ReadFile(c.NodeClientCA)
		if err != nil {
			return nil, fmt.Errorf("PONTE_NODE_CLIENT_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("PONTE_NODE_CLIENT_CA: no certificate in %s", c.NodeClientCA)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return tc, nil
}
