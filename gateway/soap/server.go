package soap

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// ServerConfig holds the HTTP and SOAP limits of the listener.
type ServerConfig struct {
	Listen            string
	MaxBodyBytes      int64 // request body cap, enforced with http.MaxBytesReader
	MaxHeaderBytes    int
	ReadHeaderTimeout time.Duration // cuts slow-loris clients
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	RequestTimeout    time.Duration // deadline of the handler's context
	JournalBodyCap    int           // bytes of each body handed to the Recorder
	Limits            Limits        // XML limits of the envelope decoder
}

// DefaultServerConfig suits the SIL: bodies carry at most a few base64
// documents; ReadTimeout leaves room for slow links on 10 MiB.
func DefaultServerConfig() ServerConfig {
	return ServerConfig{
		Listen:            ":8080",
		MaxBodyBytes:      10 << 20,
		MaxHeaderBytes:    64 << 10,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		RequestTimeout:    10 * time.Second,
		JournalBodyCap:    64 << 10,
		Limits:            DefaultLimits(),
	}
}

func (c ServerConfig) withDefaults() ServerConfig {
	d := DefaultServerConfig()
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = d.RequestTimeout
	}
	if c.JournalBodyCap <= 0 {
		c.JournalBodyCap = d.JournalBodyCap
	}
	c.Limits = c.Limits.withDefaults()
	return c
}

// NewHTTPServer wraps handler in an http.Server with every timeout set;
// zero durations in cfg take the defaults.
func NewHTTPServer(cfg ServerConfig, handler http.Handler) *http.Server {
	d := DefaultServerConfig()
	pick := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	cfg = cfg.withDefaults()
	return &http.Server{
		Addr:              cfg.Listen,
		Handler:           handler,
		ReadHeaderTimeout: pick(cfg.ReadHeaderTimeout, d.ReadHeaderTimeout),
		ReadTimeout:       pick(cfg.ReadTimeout, d.ReadTimeout),
		WriteTimeout:      pick(cfg.WriteTimeout, d.WriteTimeout),
		IdleTimeout:       pick(cfg.IdleTimeout, d.IdleTimeout),
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
	}
}

// SOAPPathPrefix is where errors are answered as SOAP faults.
const SOAPPathPrefix = "/ws/"

// NewEcho returns an echo instance whose errors are SOAP faults (text/xml,
// HTTP 500) under /ws/ and plain text elsewhere, never echo's JSON, and
// which recovers panics. Its Server field is built by NewHTTPServer.
func NewEcho(cfg ServerConfig, log *slog.Logger) *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Server = NewHTTPServer(cfg, e)
	e.HTTPErrorHandler = errorHandler(log)
	// The journal records the peer address as connected: forwarding
	// headers are caller-controlled and would let anyone write any address.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(recoverMiddleware(log))
	return e
}

func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code, msg := http.StatusInternalServerError, ""
		var he *echo.HTTPError
		if errors.As(err, &he) {
			code = he.Code
			if s, ok := he.Message.(string); ok {
				msg = s
			}
		} else {
			log.Error("http: handler error", "path", c.Request().URL.Path, "err", err)
		}
		if code >= 500 || msg == "" {
			msg = http.StatusText(code)
		}
		if strings.HasPrefix(c.Request().URL.Path, SOAPPathPrefix) {
			f := Fault{Code: FaultClient, String: soapMessage(code, c.Request().Method, msg)}
			if code >= 500 {
				f = Fault{Code: FaultServer, String: MsgInternal}
			}
			// SOAP 1.1 faults travel with 500 whatever went wrong.
			if err := WriteFault(c.Response(), f); err != nil {
				log.Debug("http: writing fault", "err", err)
			}
			return
		}
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextPlainCharsetUTF8)
		c.Response().WriteHeader(code)
		if c.Request().Method != http.MethodHead {
			_, _ = c.Response().Write([]byte(msg + "\n"))
		}
	}
}

func soapMessage(code int, method, msg string) string {
	switch code {
	case http.StatusNotFound:
		return "servizio non trovato"
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("metodo HTTP %s non ammesso: usare POST", method)
	case http.StatusRequestEntityTooLarge:
		return MsgTooLarge
	}
	return msg
}

// recoverMiddleware turns a panic into an error for errorHandler, logged
// with its stack. http.ErrAbortHandler keeps its meaning.
func recoverMiddleware(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					log.Error("http: panic", "path", c.Request().URL.Path, "panic", r, "stack", string(debug.Stack()))
					err = fmt.Errorf("panic: %v", r)
				}
			}()
			return next(c)
		}
	}
}
