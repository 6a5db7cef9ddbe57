package main

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ponte-pagopa/ponte/gateway/sim"
)

// The browsers tried, in order; Debian's package installs the first.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// TestBrowserDemoPayment is issue 3's citizen journey in a real browser,
// against the app `ponte serve --demo` runs: the demo ente's portal, the
// SIL over HTTP, Ponte's confirmation page, the simulated node's payment
// page, the receipt, and the portal's outcome page. It saves a screenshot
// of every page under PONTE_TEST_ARTIFACTS (a relative path is taken from
// the repository root).
func TestBrowserDemoPayment(t *testing.T) {
	browserJourney(t, "/demo", "/sim/wisp", "42,50 €")
}

// TestBrowserDemoPaymentCheckout is the same journey for the ente on the
// modello unico: the payment page is (the simulated) pagoPA Checkout and
// the receipt comes by paSendRTV2.
func TestBrowserDemoPaymentCheckout(t *testing.T) {
	browserJourney(t, DemoMUPath, sim.CheckoutPagePath+"/", "€ 42,50")
}

// browserJourney pays a dovuto in a real browser: the demo portal at
// portal, Ponte's confirmation page, the payment page at payPath (whose
// #totale shows payTotal), back to the portal's outcome page.
func browserJourney(t *testing.T, portal, payPath, payTotal string) {
	bin := findBrowser(t)
	start := time.Now()

	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Demo = true
	srv := httptest.NewUnstartedServer(nil)
	// The public URL must be known before the app is built: it goes into
	// the simulator's redirect and receipt URLs and the portal's back URL.
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	a, err := newApp(context.Background(), &cfg, quietLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv.Config.Handler = a.echo
	srv.Start()
	t.Cleanup(srv.Close)

	shots := artifactsDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(900, 1000),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	b := &browser{t: t, ctx: bctx, dir: shots, prefix: strings.Trim(portal, "/")}
	// The first run starts the browser, on the browser's own context so
	// that a step's timeout does not end it.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}

	// 1. The ente's portal: the citizen fills the form.
	b.step("open the portal", 10*time.Second,
		chromedp.Navigate(cfg.PublicURL+portal+"/"),
		chromedp.WaitVisible(chromedp.ID("prosegui")),
	)
	b.shot("01-portale")
	b.step("fill the form", 5*time.Second,
		chromedp.SetValue(chromedp.ID("tipo"), "MENSA"),
		chromedp.SendKeys(chromedp.ID("causale"), "Mensa scolastica novembre, Luca Rossi"),
		chromedp.SendKeys(chromedp.ID("importo"), "42,50"),
		chromedp.SendKeys(chromedp.ID("nome"), "Mario Rossi"),
		chromedp.SendKeys(chromedp.ID("cf"), "RSSMRA80A01H501U"),
		chromedp.SendKeys(chromedp.ID("email"), "mario.rossi@example.org"),
	)
	b.shot("02-portale-compilato")

	// 2. Ponte's confirmation page, reached through paaSILInviaDovuti.
	b.step("submit the form", 10*time.Second,
		chromedp.Click(chromedp.ID("prosegui")),
		chromedp.WaitVisible(chromedp.ID("totale")),
	)
	b.wantText("totale", "€ 42,50")
	b.wantText("pagatore-cf", "RSSMRA80A01H501U")
	b.wantPath("/public/landing/inviaDovuti")
	b.shot("03-conferma")

	// 3. The simulated payment page: the node's (WISP) or Checkout's.
	b.step("pay with pagoPA", 10*time.Second,
		chromedp.Click(chromedp.CSS(`button[name="azione"][value="paga"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button.paga`)),
	)
	b.wantPath(payPath)
	b.wantText("totale", payTotal)
	b.shot("04-pagopa")

	// 4. Back through Ponte to the portal, which asks paaSILChiediPagati.
	b.step("pay at the PSP", 15*time.Second,
		chromedp.Click(chromedp.CSS(`button.paga`)),
		chromedp.WaitVisible(chromedp.ID("stato")),
	)
	b.wantPath(portal + "/esito")
	b.wantText("stato", "PAGATO")
	b.wantText("importo", "€ 42,50")
	b.wantText("causale", "Mensa scolastica novembre, Luca Rossi")
	iuv := b.text("iuv")
	if len(iuv) != 17 || !strings.HasPrefix(iuv, "01") {
		t.Errorf("IUV on the outcome page %q: want the 17-digit IUV Ponte assigned", iuv)
	}
	if b.text("ricevuta") == "" {
		t.Error("outcome page shows no receipt id")
	}
	b.shot("05-esito")
	t.Logf("browser journey in %v; screenshots in %s", time.Since(start).Round(time.Millisecond), shots)
}

// browser runs bounded steps in one tab and saves screenshots.
type browser struct {
	t      *testing.T
	ctx    context.Context
	dir    string
	prefix string // names the journey's screenshots
}

// step runs actions within d; on failure it saves what the tab shows.
func (b *browser) step(name string, d time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.failed(name)
		b.t.Fatalf("%s: %v", name, err)
	}
}

func (b *browser) text(id string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		b.failed("read #" + id)
		b.t.Fatalf("reading #%s: %v", id, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) wantText(id, want string) {
	b.t.Helper()
	if got := b.text(id); got != want {
		b.t.Errorf("#%s shows %q, want %q", id, got, want)
	}
}

func (b *browser) wantPath(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	// A path ending in / names a prefix (a page with an id after it).
	prefix := strings.HasSuffix(path, "/") && strings.Contains(loc, path)
	if !prefix && !strings.Contains(loc, path+"?") && !strings.HasSuffix(loc, path) {
		b.t.Errorf("browser at %s, want %s", loc, path)
	}
}

// shot saves a full-page PNG named after the step.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "browser-"+b.prefix+"-"+name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// failed records where the tab is and what it shows.
func (b *browser) failed(step string) {
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.t.Logf("%s failed at %s", step, loc)
	}
	if body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body"))); err == nil {
		b.t.Logf("page text:\n%s", body)
	}
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(b.dir, "browser-failed.png"), png, 0o644)
	}
}

// findBrowser returns the Chromium to drive, or skips: the test needs a
// browser only where one is installed, unless PONTE_REQUIRE_BROWSER is set
// (CI installs Debian's chromium and sets it).
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (looked for " + strings.Join(browserNames, ", ") + "): apt-get install chromium"
	if os.Getenv("PONTE_REQUIRE_BROWSER") != "" {
		t.Fatal(msg + "; PONTE_REQUIRE_BROWSER is set")
	}
	t.Skip(msg)
	return ""
}

// artifactsDir is PONTE_TEST_ARTIFACTS, created if needed (relative to the
// repository root), or a temporary directory.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PONTE_TEST_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if !filepath.IsAbs(dir) {
		// go test runs in the package directory; the repository root is
		// where go.mod is, two levels up.
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			t.Fatalf("PONTE_TEST_ARTIFACTS %q: no repository root at %s", dir, root)
		}
		dir = filepath.Join(root, dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
