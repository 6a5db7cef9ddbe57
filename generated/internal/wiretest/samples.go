package wiretest

import "testing"

// Case is one sample decoded into a fresh value of its generated type.
type Case struct {
	Sample string     // path under pagopa/samples
	New    func() any // pointer to the generated root type
}

// RunSamples round-trips every case against each schema.
func RunSamples(t *testing.T, cases []Case, schemas ...string) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Sample, func(t *testing.T) {
			name, doc := Payload(t, Sample(t, c.Sample))
			for _, s := range schemas {
				v := c.New()
				RoundTrip(t, doc, v, s)
				if name.Local == "" {
					t.Fatal("no payload")
				}
			}
		})
	}
}
