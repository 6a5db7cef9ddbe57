package gateway

import (
	"time"
	_ "time/tzdata" // Europe/Rome must resolve on minimal images
)

// Clock lets tests fix the time; production uses SystemClock.
type Clock interface{ Now() time.Time }

// SystemClock is the wall clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// FixedClock always answers T.
type FixedClock struct{ T time.Time }

func (c FixedClock) Now() time.Time { return c.T }

// DateLayout is the layout of xs:date values (stISODate).
const DateLayout = "2006-01-02"

// Rome is the time zone pagoPA dates are read in.
var Rome = func() *time.Location {
	l, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()
