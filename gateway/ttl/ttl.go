// Package ttl is a small concurrent map whose entries expire: the
// short-lived caches that keep enti and tipi dovuto off the hot paths.
package ttl

import (
	"sync"
	"time"
)

// Map keeps values for a fixed time. When it holds limit entries it is
// emptied rather than swept: entries are cheap to load again, and a cache
// of a few thousand enti never gets there in practice.
type Map[K comparable, V any] struct {
	ttl   time.Duration
	now   func() time.Time
	limit int

	mu sync.RWMutex
	m  map[K]entry[V]
}

type entry[V any] struct {
	v   V
	exp time.Time
}

// New returns a Map keeping entries for ttl (ttl <= 0: nothing is kept),
// reading time from now (time.Now when nil), with at most limit entries
// (10,000 when limit <= 0).
func New[K comparable, V any](ttl time.Duration, now func() time.Time, limit int) *Map[K, V] {
	if now == nil {
		now = time.Now
	}
	if limit <= 0 {
		limit = 10000
	}
	return &Map[K, V]{ttl: ttl, now: now, limit: limit, m: map[K]entry[V]{}}
}

// Load returns k's value while it is fresh, else calls load and keeps what
// it returns; an error from load is returned and nothing is kept.
func (m *Map[K, V]) Load(k K, load func() (V, error)) (V, error) {
	if m.ttl <= 0 {
		return load()
	}
	now := m.now()
	m.mu.RLock()
	e, ok := m.m[k]
	m.mu.RUnlock()
	if ok && now.Before(e.exp) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if len(m.m) >= m.limit {
		m.m = map[K]entry[V]{}
	}
	m.m[k] = entry[V]{v: v, exp: now.Add(m.ttl)}
	m.mu.Unlock()
	return v, nil
}
