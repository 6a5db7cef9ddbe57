package flussi

import (
	"testing"

	"github.com/ponte-pagopa/ponte/store/pgtest"
)

// TestMain shares one throwaway PostgreSQL cluster among the tests that
// run on both stores.
func TestMain(m *testing.M) { pgtest.Main(m) }
