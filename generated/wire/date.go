package wire

import (
	"strings"
	"time"
)

// Date layouts. pagoPA and MyPay send dates without a zone; a zone or
// fractional seconds are still accepted when parsing.
const (
	DateLayout     = "2006-01-02"
	DateTimeLayout = "2006-01-02T15:04:05"
)

// Date is an xsd:date kept as the text on the wire, so that a round trip
// never reformats it. Use DateOf and Time to convert.
type Date string

// DateOf formats t as an xsd:date in t's location.
func DateOf(t time.Time) Date { return Date(t.Format(DateLayout)) }

// MarshalText writes the text as given.
func (d Date) MarshalText() ([]byte, error) { return []byte(d), nil }

// UnmarshalText keeps the text, trimmed of surrounding space.
func (d *Date) UnmarshalText(b []byte) error {
	*d = Date(strings.TrimSpace(string(b)))
	return nil
}

// Time parses the date at midnight in loc (an xsd:date zone suffix, if any,
// is honoured instead).
func (d Date) Time(loc *time.Location) (time.Time, error) {
	s := string(d)
	if len(s) > len(DateLayout) {
		return time.Parse(DateLayout+"Z07:00", s)
	}
	return time.ParseInLocation(DateLayout, s, loc)
}

// DateTime is an xsd:dateTime kept as the text on the wire.
type DateTime string

// DateTimeOf formats t without zone or fraction, the form the pagoPA
// samples use, in t's location.
func DateTimeOf(t time.Time) DateTime { return DateTime(t.Format(DateTimeLayout)) }

// MarshalText writes the text as given.
func (d DateTime) MarshalText() ([]byte, error) { return []byte(d), nil }

// UnmarshalText keeps the text, trimmed of surrounding space.
func (d *DateTime) UnmarshalText(b []byte) error {
	*d = DateTime(strings.TrimSpace(string(b)))
	return nil
}

// Time parses the value; without a zone it is read in loc.
func (d DateTime) Time(loc *time.Location) (time.Time, error) {
	s := string(d)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02T15:04:05.999999999", s, loc)
}
