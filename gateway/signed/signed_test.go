package signed

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignVerify(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s := New("k1", clock)
	tok := s.Sign("upload", map[string]string{"ente": "E1"}, time.Hour)
	d, err := s.Verify("upload", tok)
	if err != nil || d["ente"] != "E1" {
		t.Fatalf("Verify = %v, %v", d, err)
	}
	if _, err := s.Verify("download", tok); !errors.Is(err, ErrInvalid) {
		t.Errorf("other purpose: %v", err)
	}
	if _, err := New("k2", clock).Verify("upload", tok); !errors.Is(err, ErrInvalid) {
		t.Errorf("other key: %v", err)
	}
	body, sig, _ := strings.Cut(tok, ".")
	if _, err := s.Verify("upload", body+"x."+sig); !errors.Is(err, ErrInvalid) {
		t.Errorf("tampered: %v", err)
	}
	for _, bad := range []string{"", ".", "abc", tok + "x"} {
		if _, err := s.Verify("upload", bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	now = now.Add(time.Hour)
	if _, err := s.Verify("upload", tok); !errors.Is(err, ErrExpired) {
		t.Errorf("expired: %v", err)
	}
}
