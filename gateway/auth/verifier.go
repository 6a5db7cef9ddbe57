package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"
)

// DefaultCacheSize bounds the Verifier cache: one entry per ente.
const DefaultCacheSize = 10000

// Verifier checks SIL passwords with MyPay's semantics, remembering recent
// successes so that repeated requests skip argon2. The cache holds, per
// ente, the stored hash that was verified and an HMAC of the password under
// a key drawn at start-up: never the password. Only successes are cached,
// so every wrong guess costs a full Verify. Safe for concurrent use.
type Verifier struct {
	ttl   time.Duration
	clock func() time.Time
	max   int
	key   []byte

	// verify is Verify; tests replace it to count calls.
	verify func(hash, password string) (bool, error)

	// slow bounds concurrent full verifications: argon2id takes ~19 MiB
	// each, so a burst of cold requests (or of wrong guesses) must queue
	// rather than multiply memory.
	slow chan struct{}

	mu       sync.Mutex
	entries  map[string]entry
	inflight map[inflightKey]*call

	// Failed logins, per ente: past maxFails in one window the ente's
	// uncached checks fail without running argon2 until the window ends.
	maxFails int
	window   time.Duration
	fails    map[string]*failWindow
	log      *slog.Logger
}

type failWindow struct {
	start  time.Time
	n      int
	logged bool
}

// inflightKey identifies one full verification; identical concurrent
// checks share it instead of each running argon2.
type inflightKey struct {
	enteKey, storedHash string
	mac                 [sha256.Size]byte
}

type call struct {
	done chan struct{}
	ok   bool
}

type entry struct {
	storedHash string
	mac        [sha256.Size]byte
	at         time.Time
}

// NewVerifier returns a Verifier whose cached successes last ttl (ttl <= 0
// disables the cache). clock nil means time.Now.
func NewVerifier(ttl time.Duration, clock func() time.Time) *Verifier {
	if clock == nil {
		clock = time.Now
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("auth: no randomness for the verifier key: " + err.Error())
	}
	return &Verifier{
		ttl:      ttl,
		clock:    clock,
		max:      DefaultCacheSize,
		key:      key,
		verify:   Verify,
		slow:     make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		entries:  make(map[string]entry),
		inflight: make(map[inflightKey]*call),
	}
}

// Check reports whether password is right for the ente identified by
// enteKey (its codIpa, say) whose stored hash is storedHash. Like MyPay's
// verificaPassword the password is trimmed first and an empty one matches
// only an ente without password: ("", "") is true, ("", "x") and ("h", "")
// are false. A stored hash that cannot be parsed never matches.
func (v *Verifier) Check(enteKey string, storedHash string, password string) bool {
	password = strings.TrimSpace(password)
	if storedHash == "" || password == "" {
		return storedHash == "" && password == ""
	}
	mac := v.mac(password)
	now := v.clock()
	if v.ttl > 0 {
		v.mu.Lock()
		e, ok := v.entries[enteKey]
		v.mu.Unlock()
		if ok && e.storedHash == storedHash && now.Sub(e.at) < v.ttl && now.Sub(e.at) >= 0 &&
			subtle.ConstantTimeCompare(e.mac[:], mac[:]) == 1 {
			return true
		}
	}
	if v.locked(enteKey, now) {
		return false
	}
	k := inflightKey{enteKey: enteKey, storedHash: storedHash, mac: mac}
	v.mu.Lock()
	if c, ok := v.inflight[k]; ok {
		v.mu.Unlock()
		<-c.done
		return c.ok
	}
	c := &call{done: make(chan struct{})}
	v.inflight[k] = c
	v.mu.Unlock()

	v.slow <- struct{}{}
	ok, err := v.verify(storedHash, password)
	<-v.slow
	c.ok = err == nil && ok
	if c.ok && v.ttl > 0 {
		v.store(enteKey, entry{storedHash: storedHash, mac: mac, at: now})
	}
	if !c.ok {
		v.failed(enteKey, now)
	}
	v.mu.Lock()
	delete(v.inflight, k)
	v.mu.Unlock()
	close(c.done)
	return c.ok
}

func (v *Verifier) mac(password string) [sha256.Size]byte {
	h := hmac.New(sha256.New, v.key)
	h.Write([]byte(password))
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// store records a success. When full it first drops expired entries, then
// the oldest one; the scan is O(n) but only runs on a successful full
// Verify of an ente not already cached, which argon2 dwarfs.
func (v *Verifier) store(enteKey string, e entry) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.entries[enteKey]; !ok && len(v.entries) >= v.max {
		var oldestKey string
		var oldest time.Time
		first := true
		for k, x := range v.entries {
			if e.at.Sub(x.at) >= v.ttl {
				delete(v.entries, k)
				continue
			}
			if first || x.at.Before(oldest) {
				oldestKey, oldest, first = k, x.at, false
			}
		}
		if len(v.entries) >= v.max && !first {
			delete(v.entries, oldestKey)
		}
	}
	v.entries[enteKey] = e
}

// Forget drops the cached success of an ente, e.g. after an operator
// changed its password (a changed stored hash is also detected by itself).
func (v *Verifier) Forget(enteKey string) {
	v.mu.Lock()
	delete(v.entries, enteKey)
	v.mu.Unlock()
}

// LimitFailures refuses, for the rest of a window, the uncached checks of
// an ente that failed max times in it: guessing costs no argon2 and the
// guesser learns nothing. Successes already cached still pass, so a
// gestionale with the right password keeps working while someone guesses.
// Each failure and each lock-out are logged to log.
func (v *Verifier) LimitFailures(max int, window time.Duration, log *slog.Logger) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.maxFails, v.window, v.log = max, window, log
	v.fails = make(map[string]*failWindow)
}

// locked reports whether enteKey is past its failures for now.
func (v *Verifier) locked(enteKey string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	f := v.fails[enteKey]
	if v.maxFails <= 0 || f == nil || now.Sub(f.start) >= v.window {
		return false
	}
	if f.n < v.maxFails {
		return false
	}
	if !f.logged {
		f.logged = true
		v.log.Warn("auth: too many failed logins, the ente's password checks are refused until the window ends",
			"ente", enteKey, "failures", f.n, "until", f.start.Add(v.window))
	}
	return true
}

// failed counts a failed check of enteKey.
func (v *Verifier) failed(enteKey string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.maxFails <= 0 {
		return
	}
	f := v.fails[enteKey]
	if f == nil || now.Sub(f.start) >= v.window {
		if len(v.fails) >= v.max {
			for k, x := range v.fails {
				if now.Sub(x.start) >= v.window {
					delete(v.fails, k)
				}
			}
		}
		f = &failWindow{start: now}
		v.fails[enteKey] = f
	}
	f.n++
	v.log.Warn("auth: failed login", "ente", enteKey, "failures in window", f.n)
}
