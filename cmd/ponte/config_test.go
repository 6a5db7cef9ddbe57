package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func parseConfig(t *testing.T, env map[string]string, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := DefaultConfig()
	if err := c.bind(fs, envOf(env)); err != nil {
		return &c, err
	}
	if err := fs.Parse(args); err != nil {
		return &c, err
	}
	return &c, c.Validate()
}

func TestConfigDefaultsAreValid(t *testing.T) {
	c, err := parseConfig(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.DatabaseURL != "" || c.publicURL() != "http://127.0.0.1:8080" {
		t.Errorf("defaults: listen %q db %q public %q", c.Listen, c.DatabaseURL, c.publicURL())
	}
}

func TestConfigEnvironmentThenFlags(t *testing.T) {
	c, err := parseConfig(t, map[string]string{
		"PONTE_LISTEN":          "0.0.0.0:9000",
		"PONTE_PUBLIC_URL":      "https://pagamenti.example.it/",
		"PONTE_DATABASE_URL":    "postgres://ponte@db/ponte",
		"PONTE_REQUEST_TIMEOUT": "3s",
		"PONTE_DB_MAX_CONNS":    "7",
	}, "-listen", "127.0.0.1:9001")
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9001" {
		t.Errorf("flag must win over environment: %q", c.Listen)
	}
	if c.publicURL() != "https://pagamenti.example.it" || c.RequestTimeout != 3*time.Second || c.DBMaxConns != 7 {
		t.Errorf("environment not applied: %+v", c)
	}
}

func TestConfigRejectsWithPreciseMessages(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"PONTE_LISTEN": "8080"}, []string{"PONTE_LISTEN", "host:port"}},
		{map[string]string{"PONTE_PUBLIC_URL": "ftp://x"}, []string{"PONTE_PUBLIC_URL"}},
		{map[string]string{"PONTE_PUBLIC_URL": "https://x/ponte"}, []string{"PONTE_PUBLIC_URL", "no path"}},
		{map[string]string{"PONTE_DATABASE_URL": "mysql://x"}, []string{"PONTE_DATABASE_URL", "postgres://"}},
		{map[string]string{"PONTE_REQUEST_TIMEOUT": "soon"}, []string{"PONTE_REQUEST_TIMEOUT", "duration"}},
		{map[string]string{"PONTE_REQUEST_TIMEOUT": "90s"}, []string{"PONTE_REQUEST_TIMEOUT", "PONTE_WRITE_TIMEOUT"}},
		{map[string]string{"PONTE_LOG_LEVEL": "loud"}, []string{"PONTE_LOG_LEVEL"}},
		{map[string]string{"PONTE_DB_MAX_CONNS": "0"}, []string{"PONTE_DB_MAX_CONNS"}},
		{map[string]string{"PONTE_IUV15_LIMIT": "30/04/2024"}, []string{"PONTE_IUV15_LIMIT", "yyyy-mm-dd"}},
		{map[string]string{"PONTE_SEED_FILE": "/nonexistent/seed.yaml"}, []string{"PONTE_SEED_FILE"}},
		{map[string]string{"PONTE_PPROF_LISTEN": "0.0.0.0:6060"}, []string{"PONTE_PPROF_LISTEN", "loopback"}},
		{map[string]string{"PONTE_MAX_BODY_BYTES": "12"}, []string{"PONTE_MAX_BODY_BYTES"}},
	} {
		_, err := parseConfig(t, tc.env)
		if err == nil {
			t.Errorf("%v: accepted", tc.env)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not mention %q", tc.env, err, w)
			}
		}
	}
	// Every problem is reported at once.
	_, err := parseConfig(t, map[string]string{"PONTE_LISTEN": "x", "PONTE_LOG_FORMAT": "xml"})
	if err == nil || !strings.Contains(err.Error(), "PONTE_LISTEN") || !strings.Contains(err.Error(), "PONTE_LOG_FORMAT") {
		t.Errorf("want both problems, got %v", err)
	}
}
