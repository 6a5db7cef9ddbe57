package store

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeLayout is how timestamps are written: UTC, fixed width, so that on
// SQLite (TEXT columns) text order is time order. PostgreSQL parses the
// same text into TIMESTAMPTZ; microseconds are all either keeps.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// stamp writes a time in timeLayout.
type stamp time.Time

func (s stamp) Value() (driver.Value, error) {
	return time.Time(s).UTC().Format(timeLayout), nil
}

// scanTime reads a timestamp: time.Time from lib/pq, text from SQLite.
type scanTime struct{ t *time.Time }

func (s scanTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	case nil:
		*s.t = time.Time{}
	default:
		return fmt.Errorf("store: cannot scan %T into a time", v)
	}
	return nil
}

func (s scanTime) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("store: bad stored time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}

// civilDate writes a gateway.DateLayout date, NULL when empty.
func civilDate(d string) any {
	if d == "" {
		return nil
	}
	return d
}

// scanDate reads a DATE (time.Time from lib/pq) or text date back into
// gateway.DateLayout form; NULL gives "".
type scanDate struct{ d *string }

func (s scanDate) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.d = v.Format("2006-01-02")
	case string:
		*s.d = v
	case []byte:
		*s.d = string(v)
	case nil:
		*s.d = ""
	default:
		return fmt.Errorf("store: cannot scan %T into a date", v)
	}
	return nil
}
