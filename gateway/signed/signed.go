// Package signed makes and checks the short tokens Ponte hands out in
// URLs: the upload authorisation of an import flusso and the download
// links of result files. A token is base64url(JSON claims) "." base64url(
// HMAC-SHA256); it names its purpose and expires.
package signed

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Errors of Verify.
var (
	ErrInvalid = errors.New("signed: token non valido")
	ErrExpired = errors.New("signed: token scaduto")
)

// Signer signs and verifies tokens with one key. Processes that share
// work must share the key.
type Signer struct {
	key []byte
	now func() time.Time
}

// New returns a Signer over key; an empty key gets a random one, valid
// for this process only.
func New(key string, now func() time.Time) *Signer {
	k := []byte(key)
	if len(k) == 0 {
		k = make([]byte, 32)
		_, _ = rand.Read(k)
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{key: k, now: now}
}

type claims struct {
	Purpose string            `json:"p"`
	Expires int64             `json:"e"`
	Data    map[string]string `json:"d,omitempty"`
}

// Sign returns a token for purpose carrying data, valid for ttl.
func (s *Signer) Sign(purpose string, data map[string]string, ttl time.Duration) string {
	b, _ := json.Marshal(claims{Purpose: purpose, Expires: s.now().Add(ttl).Unix(), Data: data})
	body := base64.RawURLEncoding.EncodeToString(b)
	return body + "." + base64.RawURLEncoding.EncodeToString(s.mac(body))
}

// Verify checks token's signature, purpose and expiry and returns its data.
func (s *Signer) Verify(purpose, token string) (map[string]string, error) {
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 4096 {
		return nil, ErrInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(body)) {
		return nil, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return nil, ErrInvalid
	}
	var c claims
	if json.Unmarshal(raw, &c) != nil || c.Purpose != purpose {
		return nil, ErrInvalid
	}
	if s.now().Unix() >= c.Expires {
		return nil, ErrExpired
	}
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	return c.Data, nil
}

func (s *Signer) mac(body string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(body))
	return m.Sum(nil)
}
