package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/access"
	"github.com/ponte-pagopa/ponte/gateway/admin"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/avvisi"
	"github.com/ponte-pagopa/ponte/gateway/checkout"
	"github.com/ponte-pagopa/ponte/gateway/demo"
	"github.com/ponte-pagopa/ponte/gateway/flussi"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/journal"
	"github.com/ponte-pagopa/ponte/gateway/metrics"
	"github.com/ponte-pagopa/ponte/gateway/node"
	"github.com/ponte-pagopa/ponte/gateway/pafornode"
	"github.com/ponte-pagopa/ponte/gateway/papernodo"
	"github.com/ponte-pagopa/ponte/gateway/push"
	"github.com/ponte-pagopa/ponte/gateway/recovery"
	"github.com/ponte-pagopa/ponte/gateway/signed"
	"github.com/ponte-pagopa/ponte/gateway/sil"
	"github.com/ponte-pagopa/ponte/gateway/sim"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	"github.com/ponte-pagopa/ponte/store"
	"github.com/ponte-pagopa/ponte/wsdl"
)

// SILPath is MyPay's endpoint path; gestionali keep theirs unchanged.
const SILPath = "/ws/pa/PagamentiTelematiciDovutiPagati"

// PaPerNodoPath is where the pagoPA node delivers receipts (paaInviaRT).
const PaPerNodoPath = "/ws/nodo/PaPerNodo"

// DemoMUPath is the demo portal of ENTE_DEMO_MU (the modello unico).
const DemoMUPath = "/demo-mu"

// PaForNodePath is where the node calls modello-unico stations
// (paVerifyPaymentNotice, paGetPaymentV2, paSendRTV2).
const PaForNodePath = "/ws/nodo/paForNode"

func cmdServe(ctx context.Context, env *cliEnv, args []string) error {
	fs, cfg, err := env.flags("serve")
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := cfg.logger()
	app, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	if cfg.TLSCert != "" {
		tc, err := cfg.tlsConfig()
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, tc)
	}
	base := cfg.publicURL()
	fmt.Fprintf(env.stdout, "Ponte is listening on %s (database: %s)\n", ln.Addr(), app.db.Dialect())
	fmt.Fprintf(env.stdout, "  SIL endpoint  POST %s%s\n", base, SILPath)
	fmt.Fprintf(env.stdout, "  WSDL          GET  %s%s?wsdl\n", base, SILPath)
	fmt.Fprintf(env.stdout, "  payload XSD   GET  %s/ws/pa/PagInf_Dovuti_Pagati_6_2_0.xsd\n", base)
	fmt.Fprintf(env.stdout, "  receipts      POST %s%s (paaInviaRT from the node)\n", base, PaPerNodoPath)
	fmt.Fprintf(env.stdout, "  modello unico POST %s%s (paVerifyPaymentNotice, paGetPaymentV2, paSendRTV2 from the node)\n", base, PaForNodePath)
	fmt.Fprintf(env.stdout, "  health        GET  %s/healthz, %s/readyz (database, pagoPA reachable), %s/metrics (Prometheus)\n", base, base, base)
	if app.sim != nil {
		fmt.Fprintf(env.stdout, "  node (sim)    POST %s%s, payment page %s/sim/wisp, control %s/sim/api/\n", base, sim.DefaultSOAPPath, base, base)
		fmt.Fprintf(env.stdout, "  checkout(sim) POST %s%s, PSP desk %s%s\n", base, sim.CheckoutCartsPath, base, sim.PSPPath)
	}
	if cfg.Demo {
		fmt.Fprintf(env.stdout, "  demo ente     codIpaEnte ENTE_DEMO, password demopass123, tipi dovuto TARI and MENSA\n")
		fmt.Fprintf(env.stdout, "                ENTE_DEMO_MU likewise, its station on the modello unico (pagoPA Checkout)\n")
		fmt.Fprintf(env.stdout, "  demo portal   GET  %s/demo/ (ENTE_DEMO, RPT/RT), %s%s/ (ENTE_DEMO_MU, modello unico)\n", base, base, DemoMUPath)
	}

	if cfg.PprofListen != "" {
		go servePprof(cfg.PprofListen, log)
	}
	srv := soap.NewHTTPServer(app.serverConfig, app.echo)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// app is a wired gateway: store, journal, services and routes.
type app struct {
	db           *store.DB
	node         *node.Client
	sim          *sim.Node // the embedded simulator (--demo without PONTE_NODE_URL)
	simDelivery  *sim.Deliverer
	journal      *journal.Writer
	echo         *echo.Echo
	serverConfig soap.ServerConfig
	stop         context.CancelFunc
	done         chan struct{}
	worker       *flussi.Worker
	recovery     *recovery.Worker
	sender       *papernodo.Sender // RPTs of activations at PSPs
	push         *push.Worker      // outcome pushes to the enti
	metrics      *metrics.Registry
	workerDone   chan struct{}
}

func newApp(ctx context.Context, cfg *Config, log *slog.Logger) (*app, error) {
	db, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &app{db: db, done: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			db.Close()
		}
	}()
	if cfg.SeedFile != "" {
		s, err := admin.LoadSeedFile(cfg.SeedFile)
		if err != nil {
			return nil, err
		}
		if err := admin.Apply(ctx, db, s); err != nil {
			return nil, err
		}
		log.Info("seed applied", "file", cfg.SeedFile, "enti", len(s.Enti))
	}
	if cfg.Demo {
		if err := admin.ApplyDemo(ctx, db); err != nil {
			return nil, err
		}
	}

	a.journal = journal.New(db, journal.Config{BodyCap: cfg.JournalBodyCap, Retention: cfg.JournalRetention}, log.With("component", "journal"))
	// Every exchange is counted for /metrics, then journaled.
	a.metrics = metrics.New(db, log.With("component", "metrics"))
	journaled := metrics.Tee(a.journal, a.metrics)
	jctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	go func() {
		defer close(a.done)
		if err := a.journal.Run(jctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("journal stopped", "err", err)
		}
	}()

	a.serverConfig = soap.DefaultServerConfig()
	a.serverConfig.Listen = cfg.Listen
	a.serverConfig.MaxBodyBytes = cfg.MaxBodyBytes
	a.serverConfig.ReadHeaderTimeout = cfg.ReadHeaderTimeout
	a.serverConfig.ReadTimeout = cfg.ReadTimeout
	a.serverConfig.WriteTimeout = cfg.WriteTimeout
	a.serverConfig.IdleTimeout = cfg.IdleTimeout
	a.serverConfig.RequestTimeout = cfg.RequestTimeout
	a.serverConfig.JournalBodyCap = cfg.JournalBodyCap
	e := soap.NewEcho(a.serverConfig, log)

	// One IUV pool for the process: the SIL and the checkout both make IUVs.
	pool := iuv.NewPool(db, 64)
	nodeURL := cfg.NodeURL
	if cfg.Demo && nodeURL == "" {
		// The embedded simulator stands in for the pagoPA node.
		simCfg := sim.DemoRegistry(cfg.publicURL())
		simCfg.Log = log.With("component", "sim")
		n, err := sim.New(simCfg, nil)
		if err != nil {
			return nil, err
		}
		a.sim = n
		a.simDelivery = n.StartDelivery(sim.DeliveryConfig{Log: log.With("component", "sim-delivery")})
		n.Mount(e, "")
		nodeURL = cfg.publicURL() + sim.DefaultSOAPPath
	}
	checkoutURL := cfg.CheckoutURL
	if checkoutURL == "" && a.sim != nil {
		checkoutURL = cfg.publicURL() + sim.CheckoutAPIBase
	}
	var carts2 checkout.CheckoutClient
	if checkoutURL != "" {
		carts2 = node.NewCartsClient(checkoutURL, cfg.NodeTimeout, nil)
	}
	// Who may call the node-facing endpoints (config validated them).
	nodeAccess := &access.Policy{ClientCert: cfg.NodeClientCA != "", Log: log.With("component", "access")}
	nodeAccess.Allow, _ = access.ParsePrefixes(cfg.NodeAllow)
	nodeAccess.TrustedProxies, _ = access.ParsePrefixes(cfg.TrustedProxies)
	for _, s := range strings.Split(cfg.NodeClientSubjects, ",") {
		if s = strings.TrimSpace(s); s != "" {
			nodeAccess.Subjects = append(nodeAccess.Subjects, s)
		}
	}
	var carts gateway.CartStore
	if nodeURL == "" {
		log.Warn("no pagoPA node configured (PONTE_NODE_URL): the payment operations answer that they are not available")
	} else {
		nc, err := newNodeClient(cfg, nodeURL, journaled, log)
		if err != nil {
			return nil, err
		}
		a.node = nc
		carts = db
		co, err := checkout.New(checkout.Config{
			Carts: db, Enti: db, Node: nc, Checkout: carts2, IUV: pool,
			Logger: log.With("component", "checkout"), PublicURL: cfg.publicURL(),
		})
		if err != nil {
			return nil, err
		}
		co.Mount(e)
		// Modello 3 on legacy stations: paaAttivaRPT answers at once, the
		// Sender sends the RPT (nudged by each activation).
		snd, err := papernodo.NewSender(papernodo.SenderConfig{Store: db, Enti: db, Node: nc, Log: log.With("component", "attiva")})
		if err != nil {
			return nil, err
		}
		a.sender = snd
		rts, err := papernodo.New(papernodo.Config{Carts: db, Enti: db, Nudge: snd.Nudge, Logger: log.With("component", "papernodo")})
		if err != nil {
			return nil, err
		}
		rec, err := recovery.New(recovery.Config{
			Store: db, Carts: db, Enti: db, Node: nc, Receiver: rts,
			After: cfg.RecoveryAfter, Every: cfg.RecoveryEvery, PerMinute: int(cfg.RecoveryPerMinute), Backoff: cfg.RecoveryBackoff,
			GlobalPerMinute: cfg.RecoveryGlobalPerMinute, Pause: cfg.RecoveryPause, Decorrenza: cfg.RecoveryDecorrenza,
			Sweep: db, SweepEvery: cfg.RecoverySweep, CheckoutExpiry: cfg.CheckoutExpiry, UnconfirmedAfter: cfg.RecoveryUnconfirmed,
			Log: log.With("component", "recovery"),
		})
		if err != nil {
			return nil, err
		}
		a.recovery = rec
		nodeEP := soap.NewEndpoint("NODO", a.serverConfig, journaled, log.With("component", "soap"))
		rts.Register(nodeEP)
		e.POST(PaPerNodoPath, echo.WrapHandler(nodeAccess.Wrap(nodeEP)))
		pfn, err := pafornode.New(pafornode.Config{Store: db, Logger: log.With("component", "pafornode")})
		if err != nil {
			return nil, err
		}
		pfnEP := soap.NewEndpoint("NODO", a.serverConfig, journaled, log.With("component", "soap"))
		pfn.Register(pfnEP)
		e.POST(PaForNodePath, echo.WrapHandler(nodeAccess.Wrap(pfnEP)))
	}

	limit, _ := time.ParseInLocation(gateway.DateLayout, cfg.IUV15Limit, gateway.Rome)
	verifier := auth.NewVerifier(cfg.PasswordCacheTTL, nil)
	verifier.LimitFailures(cfg.LoginFailures, time.Minute, log.With("component", "auth"))
	svc, err := sil.New(sil.Config{
		Enti:       db,
		Dovuti:     db,
		IUV:        db,
		IUVPool:    pool,
		Carts:      carts,
		CartSecret: cfg.CartSecret,
		Auth:       verifier,
		Logger:     log.With("component", "sil"),
		PublicURL:  cfg.publicURL(),
		Options:    sil.Options{IUV15Limit: limit},
	})
	if err != nil {
		return nil, err
	}

	a.push, err = push.New(push.Config{Store: db, Every: cfg.PushEvery, MaxAttempts: cfg.PushMaxAttempts, Log: log.With("component", "push")})
	if err != nil {
		return nil, err
	}

	// Flussi: uploads, the worker that imports and exports them, and the
	// signed links to their files.
	signer := signed.New(cfg.SigningKey, nil)
	if cfg.SigningKey == "" {
		log.Warn("no PONTE_SIGNING_KEY: upload tokens and download links work only on this instance")
	}
	files := flussi.Files{Root: cfg.filesDir()}
	limits := flussi.Limits{MaxUpload: cfg.ImportMaxBytes}
	a.worker = &flussi.Worker{
		Importer: &flussi.Importer{Store: db, Enti: db, IUVs: db, Files: files, Limits: limits,
			Log: log.With("component", "flussi"), IUV15Limit: limit},
		Export: func(ctx context.Context, owner string, lease time.Duration) (bool, error) {
			return flussi.RunExport(ctx, db, files, gateway.SystemClock{}, log.With("component", "flussi"), owner, lease)
		},
		Lease: cfg.FlussiLease, Poll: cfg.FlussiPoll, Log: log.With("component", "flussi"),
	}
	svc.EnableImport(db, signer)
	svc.EnableAvvisi(signer)
	e.GET(avvisi.DownloadPath, echo.WrapHandler(&avvisi.Downloader{Store: db, Signer: signer, Log: log.With("component", "avvisi")}))
	e.GET(avvisi.FlussoPath, echo.WrapHandler(&avvisi.FlussoDownloader{Store: db, Signer: signer, Log: log.With("component", "avvisi")}))
	svc.EnableExport(db, signer, cfg.MypivotPassword)
	uploader := &flussi.Uploader{Store: db, Enti: db, Files: files, Signer: signer, Limits: limits,
		Log: log.With("component", "upload"), Wake: a.worker.Wake}
	e.POST(flussi.UploadPath, echo.WrapHandler(uploader))
	e.GET(flussi.DownloadPath+"/:ente", echo.WrapHandler(&flussi.Downloader{Files: files, Signer: signer}))
	a.workerDone = make(chan struct{})
	go func() {
		defer close(a.workerDone)
		var wg sync.WaitGroup
		if a.recovery != nil {
			wg.Go(func() { a.recovery.Run(jctx) })
		}
		if a.sender != nil {
			wg.Go(func() { a.sender.Run(jctx) })
		}
		wg.Go(func() { a.push.Run(jctx) })
		a.worker.Run(jctx)
		wg.Wait()
	}()

	ep := soap.NewEndpoint("SIL", a.serverConfig, journaled, log.With("component", "soap"))
	svc.Register(ep)
	e.POST(SILPath, ep.ServeSOAP)
	// MyPay dispatches any POST under /ws/ on the body's QName; some
	// gestionali were configured with other paths, so do the same.
	e.POST("/ws/*", ep.ServeSOAP)
	if err := soap.MountWSDL(e, wsdl.FS, "PagamentiTelematiciDovutiPagati.wsdl", cfg.publicURL(), SILPath); err != nil {
		return nil, err
	}
	if cfg.Demo {
		// The demo ente's own portal, a gestionale calling the SIL over HTTP.
		if err := demo.Mount(e, demo.Config{
			PublicURL: cfg.publicURL(), SILURL: cfg.publicURL() + SILPath,
			CodIpa: "ENTE_DEMO", Password: "demopass123", Logger: log.With("component", "demo"),
		}); err != nil {
			return nil, err
		}
		// The same portal for the ente on the modello unico: its payments
		// go through (the simulated) pagoPA Checkout.
		if err := demo.Mount(e, demo.Config{
			PublicURL: cfg.publicURL(), SILURL: cfg.publicURL() + SILPath, Path: DemoMUPath, Name: "Comune di Ponte Demo MU",
			CodIpa: "ENTE_DEMO_MU", Password: "demopass123", Logger: log.With("component", "demo"),
		}); err != nil {
			return nil, err
		}
	}
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	checks := []metrics.Check{{Name: "database", Fn: db.Ping}}
	if nodeURL != "" {
		checks = append(checks, metrics.Check{Name: "pagoPA node", Fn: metrics.Reachable(nodeURL)})
	}
	if checkoutURL != "" {
		checks = append(checks, metrics.Check{Name: "pagoPA Checkout", Fn: metrics.Reachable(checkoutURL)})
	}
	e.GET("/readyz", echo.WrapHandler(metrics.Ready(2*time.Second, checks...)))
	e.GET("/metrics", echo.WrapHandler(a.metrics))
	a.echo = e
	ok = true
	return a, nil
}

// Close flushes the journal and closes the store.
func (a *app) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.journal.Close(ctx); err != nil {
		slog.Default().Warn("journal flush", "err", err)
	}
	if a.simDelivery != nil {
		a.simDelivery.Close(ctx)
	}
	if a.sim != nil {
		a.sim.Close(ctx) // its paSendRTV2 deliveries
	}
	if a.node != nil {
		a.node.Close()
	}
	a.stop()
	<-a.done
	if a.workerDone != nil {
		<-a.workerDone
	}
	a.db.Close()
}

func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Warn("profiling endpoint enabled", "addr", addr)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Error("profiling endpoint stopped", "err", srv.ListenAndServe())
}

// newNodeClient builds the one NodoPerPa client of the process.
func newNodeClient(cfg *Config, url string, rec node.Recorder, log *slog.Logger) (*node.Client, error) {
	nc := node.Config{URL: url, SubscriptionKey: cfg.NodeSubscriptionKey, Timeout: cfg.NodeTimeout}
	if cfg.NodeClientCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.NodeClientCert, cfg.NodeClientKey)
		if err != nil {
			return nil, fmt.Errorf("PONTE_NODE_CLIENT_CERT: %w", err)
		}
		nc.ClientCert = &cert
	}
	return node.New(nc, rec, log.With("component", "node"))
}
