package sil

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// newIDSession makes an idSession the way MyPay does
// (Utilities.getRandomUUIDWithTimestamp): the first four groups of a
// random UUID, then "-" and the hex form of the number yyMMddHHmmssSSS,
// Rome time. Clients treat it as opaque, but it looks like MyPay's.
func newIDSession(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	stamp := now.In(gateway.Rome).Format("060102150405.000")
	n, _ := strconv.ParseInt(strings.Replace(stamp, ".", "", 1), 10, 64)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + strconv.FormatInt(n, 16)
}

// newToken is the landing token of a cart: 128 random bits in hex, not
// derivable from the idSession the ente keeps.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
