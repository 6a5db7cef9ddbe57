package ttl

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestLoadKeepsUntilExpiryAndNeverKeepsErrors(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	m := New[string, int](5*time.Second, clock, 2)
	calls := 0
	load := func(v int, err error) func() (int, error) {
		return func() (int, error) { calls++; return v, err }
	}
	if v, _ := m.Load("a", load(1, nil)); v != 1 || calls != 1 {
		t.Fatalf("first load: %d, %d calls", v, calls)
	}
	if v, _ := m.Load("a", load(2, nil)); v != 1 || calls != 1 {
		t.Fatalf("fresh entry reloaded: %d, %d calls", v, calls)
	}
	advance(5 * time.Second)
	if v, _ := m.Load("a", load(3, nil)); v != 3 || calls != 2 {
		t.Fatalf("expired entry kept: %d, %d calls", v, calls)
	}
	boom := errors.New("boom")
	if _, err := m.Load("b", load(0, boom)); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if v, _ := m.Load("b", load(4, nil)); v != 4 || calls != 4 {
		t.Fatalf("an error was kept: %d, %d calls", v, calls)
	}
	m.Load("c", load(5, nil)) // the limit of 2 empties the map first
	if v, _ := m.Load("a", load(6, nil)); v != 6 {
		t.Fatalf("map not emptied at its limit: %d", v)
	}
	off := New[string, int](0, clock, 0)
	off.Load("a", load(7, nil))
	if v, _ := off.Load("a", load(8, nil)); v != 8 {
		t.Fatal("ttl 0 kept an entry")
	}
}
