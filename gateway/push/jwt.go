package push

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
)

// bearer is MyPay's push JWT: HS512, header kid, claims iss (client id)
// and sub (client mail), no expiry; the key is the base64-decoded secret.
func bearer(j gateway.PushJWT) (string, error) {
	key, err := base64.StdEncoding.DecodeString(j.Secret)
	if err != nil {
		return "", fmt.Errorf("push: JWT secret is not base64: %w", err)
	}
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "HS512", "typ": "JWT", "kid": j.KeyID})
	claims, _ := json.Marshal(map[string]string{"iss": j.Issuer, "sub": j.Subject})
	signing := enc.EncodeToString(head) + "." + enc.EncodeToString(claims)
	m := hmac.New(sha512.New, key)
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil)), nil
}
