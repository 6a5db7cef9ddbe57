package avvisi

import (
	"strconv"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
)

// dateLayout is the notice's date format, dd/mm/yyyy.
const dateLayout = "02/01/2006"

// formatEuro writes cents the Italian way: 1.500,00.
func formatEuro(c gateway.Cents) string {
	neg := c < 0
	if neg {
		c = -c
	}
	units := strconv.FormatInt(int64(c/100), 10)
	var b []byte
	if neg {
		b = append(b, '-')
	}
	for i := 0; i < len(units); i++ {
		if i > 0 && (len(units)-i)%3 == 0 {
			b = append(b, '.')
		}
		b = append(b, units[i])
	}
	cents := int64(c % 100)
	b = append(b, ',', byte('0'+cents/10), byte('0'+cents%10))
	return string(b)
}

func formatDate(t time.Time) string { return t.Format(dateLayout) }
