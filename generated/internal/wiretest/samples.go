package wiretest

import (
	"maps"
	"slices"
	"testing"
)

// Cases maps a sample path (under pagopa/samples) to a constructor of the
// generated root type it decodes into.
type Cases map[string]func() any

// RunSamples round-trips every case, in path order, against each schema.
func RunSamples(t *testing.T, cases Cases, schemas ...string) {
	t.Helper()
	for _, sample := range slices.Sorted(maps.Keys(cases)) {
		t.Run(sample, func(t *testing.T) {
			_, doc := Payload(t, Sample(t, sample))
			for _, s := range schemas {
				RoundTrip(t, doc, cases[sample](), s)
			}
		})
	}
}
