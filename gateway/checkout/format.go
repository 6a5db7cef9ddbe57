package checkout

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
)

// formatEuro writes an amount the Italian way: "€ 1.234,56".
func formatEuro(c gateway.Cents) string {
	neg := c < 0
	if neg {
		c = -c
	}
	units := strconv.FormatInt(int64(c/100), 10)
	var b strings.Builder
	b.WriteString("€ ")
	if neg {
		b.WriteByte('-')
	}
	for i, d := range units {
		if i > 0 && (len(units)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	cents := int64(c % 100)
	b.WriteByte(',')
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// returnURL is the ente's back URL with MyPay's idSession and esito added.
// Its own query parameters stay as written, in their order, except
// idSession and esito, which Ponte sets. "" when the cart has no usable
// back URL (none, or not http(s): never send a browser to javascript:).
func returnURL(c *gateway.Cart, esito string) string {
	u, err := url.Parse(strings.TrimSpace(c.ReturnURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	var parts []string
	if u.RawQuery != "" {
		for _, p := range strings.Split(u.RawQuery, "&") {
			k, _, _ := strings.Cut(p, "=")
			if k, err := url.QueryUnescape(k); err == nil && (k == "idSession" || k == "esito") {
				continue
			}
			if p != "" {
				parts = append(parts, p)
			}
		}
	}
	parts = append(parts, "idSession="+url.QueryEscape(c.IDSession), "esito="+url.QueryEscape(esito))
	u.RawQuery = strings.Join(parts, "&")
	u.ForceQuery = false
	return u.String()
}

// browserEsito is the esito on the link back from a state page: OK when
// a receipt says something was paid, ERROR otherwise (the citizen could
// not pay from here). Never authoritative: the ente asks
// paaSILChiediPagati.
func browserEsito(st gateway.CartState) string {
	switch st {
	case gateway.CartPagato, gateway.CartParzPagato:
		return "OK"
	}
	return "ERROR"
}
