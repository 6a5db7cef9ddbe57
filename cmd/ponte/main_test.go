package main

import (
	"os"
	"testing"

	"github.com/ponte-pagopa/ponte/store/pgtest"
)

func TestMain(m *testing.M) {
	// The load run re-executes this binary as its baseline server.
	if addr := os.Getenv(baselineEnv); addr != "" {
		serveBaseline(addr)
		return
	}
	pgtest.Main(m)
}
