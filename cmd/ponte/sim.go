package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/gateway/soap"
)

// simConfig is every setting of `ponte sim`.
type simConfig struct {
	Listen    string // PONTE_SIM_LISTEN
	PublicURL string // PONTE_SIM_PUBLIC_URL; default http://<listen address>
	Registry  string // PONTE_SIM_REGISTRY: YAML registry file
	Demo      bool   // PONTE_SIM_DEMO: the registry of Ponte's demo ente
	PonteURL  string // PONTE_SIM_PONTE_URL: Ponte's base URL for --demo

	RTAttempts int           // PONTE_SIM_RT_ATTEMPTS
	RTBackoff  time.Duration // PONTE_SIM_RT_BACKOFF
	RTTimeout  time.Duration // PONTE_SIM_RT_TIMEOUT

	LogLevel  string // PONTE_LOG_LEVEL
	LogFormat string // PONTE_LOG_FORMAT
}

func (c *simConfig) bind(fs *flag.FlagSet, getenv func(string) string) error {
	var errs []error
	env := func(name string) (string, bool) { v := getenv(name); return v, v != "" }
	str := func(p *string, name, key, usage string) {
		if v, ok := env(key); ok {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" ("+key+")")
	}
	boolean := func(p *bool, name, key, usage string) {
		if v, ok := env(key); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: true or false", key, v))
			}
			*p = b
		}
		fs.BoolVar(p, name, *p, usage+" ("+key+")")
	}
	integer := func(p *int, name, key, usage string) {
		if v, ok := env(key); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: a whole number", key, v))
			}
			*p = n
		}
		fs.IntVar(p, name, *p, usage+" ("+key+")")
	}
	dur := func(p *time.Duration, name, key, usage string) {
		if v, ok := env(key); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: a duration such as 10s or 2m", key, v))
			}
			*p = d
		}
		fs.DurationVar(p, name, *p, usage+" ("+key+")")
	}
	str(&c.Listen, "listen", "PONTE_SIM_LISTEN", "address to listen on")
	str(&c.PublicURL, "public-url", "PONTE_SIM_PUBLIC_URL", "base URL browsers and Ponte reach the simulator at (default http://<listen>)")
	str(&c.Registry, "registry", "PONTE_SIM_REGISTRY", "YAML registry: intermediari, stazioni, domini")
	boolean(&c.Demo, "demo", "PONTE_SIM_DEMO", "use the registry of Ponte's demo ente")
	str(&c.PonteURL, "ponte-url", "PONTE_SIM_PONTE_URL", "Ponte's base URL, where --demo delivers RTs and sends browsers back")
	integer(&c.RTAttempts, "rt-attempts", "PONTE_SIM_RT_ATTEMPTS", "paaInviaRT attempts per RT, the first included")
	dur(&c.RTBackoff, "rt-backoff", "PONTE_SIM_RT_BACKOFF", "wait before the first paaInviaRT retry (doubles, up to 10m)")
	dur(&c.RTTimeout, "rt-timeout", "PONTE_SIM_RT_TIMEOUT", "deadline of one paaInviaRT")
	str(&c.LogLevel, "log-level", "PONTE_LOG_LEVEL", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "PONTE_LOG_FORMAT", "text or json")
	return errors.Join(errs...)
}

func cmdSim(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("ponte sim", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	c := simConfig{Listen: "127.0.0.1:8090", PonteURL: "http://127.0.0.1:8080", RTAttempts: sim.LegacyRetry.Attempts,
		RTBackoff: sim.LegacyRetry.Backoff, RTTimeout: 15 * time.Second, LogLevel: "info", LogFormat: "text"}
	if err := c.bind(fs, env.getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("sim: unexpected arguments %q", fs.Args())
	case c.Demo == (c.Registry != ""):
		return errors.New("sim: give exactly one of --demo and --registry FILE")
	case c.RTAttempts < 1 || c.RTBackoff <= 0 || c.RTTimeout <= 0:
		return errors.New("sim: --rt-attempts, --rt-backoff and --rt-timeout must be positive")
	}
	log := (&Config{LogLevel: c.LogLevel, LogFormat: c.LogFormat}).logger().With("component", "sim")

	var cfg sim.Config
	if c.Demo {
		cfg = sim.DemoRegistry(c.PonteURL)
	} else {
		f, err := os.Open(c.Registry)
		if err != nil {
			return err
		}
		cfg, err = sim.LoadRegistry(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", c.Registry, err)
		}
	}

	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := strings.TrimSuffix(c.PublicURL, "/")
	if base == "" {
		base = (&Config{Listen: ln.Addr().String()}).publicURL()
	}
	cfg.BaseURL = base
	cfg.Log = log
	node, err := sim.New(cfg, nil)
	if err != nil {
		return err
	}
	d := node.StartDelivery(sim.DeliveryConfig{
		Retry:   sim.RetryPolicy{Attempts: c.RTAttempts, Backoff: c.RTBackoff, Factor: 2, MaxBackoff: max(10*time.Minute, c.RTBackoff)},
		Timeout: c.RTTimeout,
		Log:     log,
	})

	srvCfg := soap.DefaultServerConfig()
	srvCfg.Listen = c.Listen
	e := soap.NewEcho(srvCfg, log)
	node.Mount(e, sim.DefaultSOAPPath)
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })

	out := env.stdout
	fmt.Fprintf(out, "Ponte node simulator listening on %s\n", ln.Addr())
	fmt.Fprintf(out, "  NodoPerPa     POST %s%s\n", base, sim.DefaultSOAPPath)
	fmt.Fprintf(out, "  WISP page     GET  %s%s?idSession=…\n", base, sim.WISPPath)
	fmt.Fprintf(out, "  control API        %s%s/ (stats, sessions/{id}[/pay|/cancel|/delivery|/resend], delivery, faults)\n", base, sim.APIPrefix)
	for _, st := range cfg.Stazioni {
		fmt.Fprintf(out, "  stazione      %s (intermediario %s): paaInviaRT to %s, browser back to %s\n", st.ID, st.Intermediario, orDash(st.PaPerNodoURL), orDash(st.RedirectURL))
	}
	for _, dm := range cfg.Domini {
		fmt.Fprintf(out, "  dominio       %s %s\n", dm.ID, dm.Name)
	}
	if c.Demo {
		fmt.Fprintf(out, "  demo station password %s\n", sim.DemoPassword)
	}

	srv := soap.NewHTTPServer(srvCfg, e)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
	}
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) && serveErr == nil {
		serveErr = err
	}
	if err := d.Close(sctx); err != nil {
		log.Warn("RT deliveries still running at exit", "pending", d.Pending())
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

func orDash(s string) string {
	if s != "" {
		return s
	}
	return "-"
}
