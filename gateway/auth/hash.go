package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Argon2id parameters: OWASP's minimum (19 MiB, 2 passes, 1 lane) keeps a
// hash around 20-40 ms on a small box; the Verifier cache absorbs the rate.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Limits on parameters read from a stored hash, so that a corrupt or hostile
// row cannot make Verify allocate gigabytes or spin for minutes.
const (
	maxMemory  = 1 << 20 // KiB (1 GiB)
	maxTime    = 16
	maxKeyLen  = 128
	minKeyLen  = 16
	maxSaltLen = 64
)

var b64 = base64.RawStdEncoding

// ErrEmptyPassword: an ente without password has an empty PasswordHash, it
// is never the hash of "".
var ErrEmptyPassword = errors.New("auth: empty password")

// ErrUnknownHash is returned by Verify for a hash in no supported format.
var ErrUnknownHash = errors.New("auth: unsupported password hash format")

// Hash returns the argon2id PHC string of the password, trimmed of
// surrounding white space as every comparison trims it (MyPay's stripToNull):
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, base64 without padding.
func Hash(password string) (string, error) {
	password = strings.TrimSpace(password)
	if password == "" {
		return "", ErrEmptyPassword
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches hash, an argon2id PHC string or a
// bcrypt hash ($2a$, $2b$, $2y$) imported by an operator. The password is
// used as given (Check trims it). A malformed hash is an error, a mismatch
// is (false, nil).
func Verify(hash, password string) (bool, error) {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		return verifyArgon2id(hash, password)
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("auth: bcrypt hash: %w", err)
		}
		return true, nil
	}
	return false, ErrUnknownHash
}

func verifyArgon2id(hash, password string) (bool, error) {
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	parts := strings.Split(hash, "$")
	if len(parts) != 6 {
		return false, errors.New("auth: malformed argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("auth: unsupported argon2id version %q", parts[2])
	}
	var m, t uint32
	var p uint8
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) != parts[3] {
		return false, fmt.Errorf("auth: malformed argon2id parameters %q", parts[3])
	}
	if m == 0 || m > maxMemory || t == 0 || t > maxTime || p == 0 || m < 8*uint32(p) {
		return false, fmt.Errorf("auth: argon2id parameters out of range %q", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) == 0 || len(salt) > maxSaltLen {
		return false, errors.New("auth: malformed argon2id salt")
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < minKeyLen || len(want) > maxKeyLen {
		return false, errors.New("auth: malformed argon2id key")
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
