package metrics

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ponte-pagopa/ponte/gateway"
)

// TestSeriesBounded: invented operation names stop adding series at the
// cap and are counted under "other".
func TestSeriesBounded(t *testing.T) {
	r := New(nil, nil)
	for i := range maxSeries + 500 {
		r.Record(&gateway.Event{Direction: gateway.Inbound, Component: "SIL", Operation: fmt.Sprintf("op%d", i), DurationMS: 3})
	}
	if len(r.series) > maxSeries+1 {
		t.Fatalf("%d series", len(r.series))
	}
	var b strings.Builder
	r.write(context.Background(), &b)
	if !strings.Contains(b.String(), `ponte_soap_requests_total{direction="IN",component="SIL",operation="other",fault_code="other"} 500`) {
		t.Errorf("overflow not counted as other")
	}
}
