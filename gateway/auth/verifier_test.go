package auth

import (
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingVerifier wraps the real Verify and counts calls.
func countingVerifier(ttl time.Duration, clk *fakeClock) (*Verifier, *atomic.Int64) {
	v := NewVerifier(ttl, clk.now)
	var n atomic.Int64
	v.verify = func(h, p string) (bool, error) { n.Add(1); return Verify(h, p) }
	return v, &n
}

func TestVerifierCache(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)}
	v, calls := countingVerifier(time.Minute, clk)
	h, _ := Hash("giusta")

	if !v.Check("ENTE_A", h, "giusta") || calls.Load() != 1 {
		t.Fatalf("first check: calls=%d", calls.Load())
	}
	if !v.Check("ENTE_A", h, " giusta ") || calls.Load() != 1 {
		t.Fatalf("hit (trimmed) ran Verify: calls=%d", calls.Load())
	}
	// Wrong passwords always run Verify and are never cached.
	for i := 0; i < 3; i++ {
		if v.Check("ENTE_A", h, "sbagliata") {
			t.Fatal("wrong password accepted")
		}
	}
	if calls.Load() != 4 {
		t.Fatalf("wrong passwords: calls=%d, want 4", calls.Load())
	}
	// The right one is still a hit.
	if !v.Check("ENTE_A", h, "giusta") || calls.Load() != 4 {
		t.Fatalf("hit after failures: calls=%d", calls.Load())
	}
	// Another ente with the same hash and password is its own entry.
	if !v.Check("ENTE_B", h, "giusta") || calls.Load() != 5 {
		t.Fatalf("other ente: calls=%d", calls.Load())
	}
	// Expiry.
	clk.add(time.Minute)
	if !v.Check("ENTE_A", h, "giusta") || calls.Load() != 6 {
		t.Fatalf("after ttl: calls=%d", calls.Load())
	}
	// Rotation: the old password against the new hash must fail although
	// the old one is cached for the old hash.
	h2, _ := Hash("nuova")
	if v.Check("ENTE_A", h2, "giusta") {
		t.Fatal("old password accepted after rotation")
	}
	if !v.Check("ENTE_A", h2, "nuova") || calls.Load() != 8 {
		t.Fatalf("new password: calls=%d", calls.Load())
	}
	if !v.Check("ENTE_A", h2, "nuova") || calls.Load() != 8 {
		t.Fatalf("new password hit: calls=%d", calls.Load())
	}
	v.Forget("ENTE_A")
	if !v.Check("ENTE_A", h2, "nuova") || calls.Load() != 9 {
		t.Fatalf("after Forget: calls=%d", calls.Load())
	}
}

func TestVerifierNoCache(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	v, calls := countingVerifier(0, clk)
	h, _ := Hash("p")
	v.Check("E", h, "p")
	v.Check("E", h, "p")
	if calls.Load() != 2 {
		t.Fatalf("ttl 0 cached: calls=%d", calls.Load())
	}
}

func TestVerifierEmptyPasswordSemantics(t *testing.T) {
	v := NewVerifier(time.Minute, nil)
	h, _ := Hash("p")
	for _, c := range []struct {
		stored, pw string
		want       bool
	}{
		{"", "", true},
		{"", "   ", true}, // stripToNull: blank is absent
		{"", "x", false},
		{h, "", false},
		{h, "  ", false},
		{h, "p", true},
		{"not-a-hash", "p", false},
	} {
		if got := v.Check("E", c.stored, c.pw); got != c.want {
			t.Errorf("Check(%q,%q) = %v, want %v", c.stored, c.pw, got, c.want)
		}
	}
}

func TestVerifierBounded(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	v, calls := countingVerifier(time.Hour, clk)
	v.max = 3
	v.verify = func(h, p string) (bool, error) { calls.Add(1); return h == "H" && p == "p", nil }
	for i := 0; i < 5; i++ {
		clk.add(time.Second)
		v.Check(fmt.Sprint("E", i), "H", "p")
	}
	if n := len(v.entries); n != 3 {
		t.Fatalf("entries = %d, want 3", n)
	}
	// E0 and E1, the oldest, were evicted; E4 is cached.
	before := calls.Load()
	v.Check("E4", "H", "p")
	v.Check("E0", "H", "p")
	if got := calls.Load() - before; got != 1 {
		t.Fatalf("verify calls = %d, want 1 (E0 only)", got)
	}
}

func TestVerifierConcurrent(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	v, _ := countingVerifier(time.Minute, clk)
	v.verify = func(h, p string) (bool, error) { return p == "ok-"+h, nil }
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 2000; i++ {
				k := fmt.Sprint(i % 50)
				if !v.Check("E"+k, k, "ok-"+k) || v.Check("E"+k, k, "ko") {
					t.Error("wrong result")
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkVerifierHit(b *testing.B) {
	v := NewVerifier(time.Hour, nil)
	h, _ := Hash("password-di-prova")
	if !v.Check("ENTE", h, "password-di-prova") {
		b.Fatal("no match")
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !v.Check("ENTE", h, "password-di-prova") {
				b.Error("miss")
				return
			}
		}
	})
}

// A burst of identical cold checks runs one full verification, and no more
// than GOMAXPROCS verifications ever run at once.
func TestVerifierCoalescesAndBoundsSlowChecks(t *testing.T) {
	v := NewVerifier(time.Minute, nil)
	var calls, running, peak atomic.Int64
	release := make(chan struct{})
	v.verify = func(h, p string) (bool, error) {
		calls.Add(1)
		n := running.Add(1)
		for {
			old := peak.Load()
			if n <= old || peak.CompareAndSwap(old, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		return p == "right-pass", nil
	}
	var wg sync.WaitGroup
	results := make(chan bool, 200)
	for i := 0; i < 100; i++ {
		wg.Add(2)
		go func() { defer wg.Done(); results <- v.Check("E1", "H", "right-pass") }()
		go func(i int) { defer wg.Done(); results <- v.Check(fmt.Sprintf("E%d", i+2), "H", "wrong-pass") }(i)
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	close(results)
	var ok int
	for r := range results {
		if r {
			ok++
		}
	}
	if ok != 100 {
		t.Errorf("%d checks succeeded, want the 100 with the right password", ok)
	}
	if got := calls.Load(); got != 101 {
		t.Errorf("%d full verifications, want 101 (one shared for E1, one per wrong guess)", got)
	}
	if p, max := peak.Load(), int64(runtime.GOMAXPROCS(0)); p > max {
		t.Errorf("%d verifications ran at once, want at most %d", p, max)
	}
}

// TestVerifierLimitsFailures: past the failures of a window an ente's
// uncached checks fail without argon2, the right password included, until
// the window ends; a cached success still passes; other enti are not
// affected; each failure and the lock-out are logged.
func TestVerifierLimitsFailures(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)}
	v, calls := countingVerifier(time.Hour, clk)
	var logs strings.Builder
	v.LimitFailures(3, time.Minute, slog.New(slog.NewTextHandler(&logs, nil)))
	h, _ := Hash("giusta")
	if !v.Check("GESTIONALE", h, "giusta") { // cached from now on
		t.Fatal("right password refused")
	}
	for i := 0; i < 3; i++ {
		if v.Check("ENTE_A", h, "sbagliata") {
			t.Fatal("wrong password accepted")
		}
	}
	before := calls.Load()
	if v.Check("ENTE_A", h, "sbagliata") || v.Check("ENTE_A", h, "giusta") {
		t.Fatal("a check passed during the lock-out")
	}
	if calls.Load() != before {
		t.Errorf("argon2 ran %d times during the lock-out", calls.Load()-before)
	}
	if !v.Check("ENTE_B", h, "giusta") {
		t.Error("another ente locked out")
	}
	// Someone guessing on the gestionale's ente: its cached password
	// still works.
	for i := 0; i < 4; i++ {
		v.Check("GESTIONALE", h, "tentativo")
	}
	if !v.Check("GESTIONALE", h, "giusta") {
		t.Error("cached success refused during a lock-out")
	}
	clk.add(time.Minute)
	if !v.Check("ENTE_A", h, "giusta") {
		t.Error("still locked after the window")
	}
	if strings.Count(logs.String(), "auth: failed login") != 6 || strings.Count(logs.String(), "too many failed logins") != 2 ||
		strings.Contains(logs.String(), "sbagliata") || strings.Contains(logs.String(), "giusta") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
