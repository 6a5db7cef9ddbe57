package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

// Forged submissions are stopped twice, without cookies (the page must
// work wherever the citizen's browser refuses them):
//
//   - the form carries formToken, an HMAC of the cart token under the
//     process secret, so a POST built from the landing URL alone (the one
//     the ente and any log that saw it know) is refused: only whoever
//     loaded the page can submit it;
//   - the POST must pass net/http's CrossOriginProtection (Sec-Fetch-Site,
//     else Origin against Host and PublicURL), so another site cannot make
//     a visitor's browser submit a form it obtained.
//
// No cookie means no ambient authority for a cross-site request to ride on,
// which is what classic CSRF abuses; the cart token is the capability.
func (s *Service) formToken(cartToken string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("ponte/checkout/form\x00"))
	m.Write([]byte(cartToken))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validForm reports whether r may act on the cart with that token.
func (s *Service) validForm(r *http.Request, cartToken, got string) bool {
	if s.cop.Check(r) != nil {
		return false
	}
	return hmac.Equal([]byte(s.formToken(cartToken)), []byte(got))
}
