package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// CartHash is the per-ente password of an elementoListaDovuti in
// paaSILInviaCarrelloDovuti: lowercase hex SHA-256 of
// "paaSILInviaCarrelloDovuti-" + secret + "-" + codiceFiscaleEnte, where
// secret is the intermediary's shared secret.
func CartHash(secret, codiceFiscaleEnte string) string {
	sum := sha256.Sum256([]byte("paaSILInviaCarrelloDovuti-" + secret + "-" + codiceFiscaleEnte))
	return hex.EncodeToString(sum[:])
}

// CartHashMatches reports whether got equals CartHash(secret, cf) ignoring
// case (MyPay's equalsIgnoreCase), in constant time.
func CartHashMatches(got, secret, cf string) bool {
	want := CartHash(secret, cf)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}
