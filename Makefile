# Ponte — the two commands that matter are `make run` and `make test`.
GO      ?= go
PKGS    ?= ./...
BIN     := bin/ponte

.PHONY: run test test-chaos deps build generate check-generate bench vet fuzz clean

## run: start the gateway with the demo ente on 127.0.0.1:8080 (SQLite in ./data)
run:
	$(GO) run ./cmd/ponte serve --demo

## build: a static binary in bin/ponte
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/ponte

## test: every test, PostgreSQL ones included (a throwaway cluster is started
## unless PONTE_TEST_DATABASE_URL names a server to create databases on)
# In CI (CI=true) the browser test may not skip either.
test: deps vet
	PONTE_REQUIRE_POSTGRES=1 PONTE_TEST_ARTIFACTS=testdata/artifacts \
	$(if $(filter true,$(CI)),PONTE_REQUIRE_BROWSER=1) \
	$(GO) test -count=1 -timeout 20m $(PKGS)

## test-chaos: three ponte serve on one PostgreSQL, the simulator delivering
## RTs with retries, a gateway killed every few seconds, PostgreSQL restarted
## once (PONTE_CHAOS_PAYMENTS, default 20000)
test-chaos: deps
	PONTE_CHAOS=1 PONTE_REQUIRE_POSTGRES=1 $(GO) test -count=1 -run '^TestChaos$$' -v -timeout 30m ./cmd/ponte

## deps: install xmllint, PostgreSQL, Chromium when missing (Debian, as root)
deps:
	@bash .ci/deps

vet:
	$(GO) vet $(PKGS)

## generate: regenerate generated/ from wsdl/ and xsd/ (gowsdl + post-processor)
generate:
	$(GO) run ./generated/gen

## check-generate: fail if generate would change committed files
check-generate: generate
	git diff --exit-code -- generated/

## bench: Go benchmarks, then the loopback load run against a real server
## on a throwaway PostgreSQL, each next to its baseline
bench:
	PONTE_BENCH_EXPORT_ROWS=1000000 $(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	PONTE_LOAD=1 PONTE_REQUIRE_POSTGRES=1 $(GO) test -count=1 -run '^TestLoad' -v -timeout 15m ./cmd/ponte

## fuzz: run each fuzz target for FUZZTIME (default 30s); seeds run in `make test`
FUZZTIME ?= 30s
fuzz:
	@$(GO) list -f '{{.ImportPath}}' $(PKGS) | while read -r p; do \
	  for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
	    echo "== $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
	  done; \
	done

clean:
	rm -rf bin data
