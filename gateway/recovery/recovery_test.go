package recovery

import (
	"testing"
	"time"
)

// The wait doubles per fruitless attempt, up to the cap, jittered by at
// most a fifth either way.
func TestBackoff(t *testing.T) {
	w := &Worker{c: Config{Backoff: time.Minute, MaxBackoff: time.Hour}}
	for n, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour} {
		for range 50 {
			got := w.backoff(n)
			if got < want*8/10 || got > want*12/10 {
				t.Fatalf("backoff(%d) = %s, want %s ± 20%%", n, got, want)
			}
		}
	}
	if got := w.backoff(1000); got > time.Hour*12/10 {
		t.Errorf("backoff(1000) = %s", got)
	}
}
