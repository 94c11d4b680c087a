# protoc-gen-registration: build, generate, test.
#
#   make example   set up, generate the example API's registrations, print a summary
#   make test      run every test (installs the pinned tools first)
#   make bench     the plugin against its floors on synthetic trees and googleapis

BUF_VERSION := v1.75.0
# protoc-gen-go at the module's protobuf version; protoc-gen-go-grpc is a
# module of its own. Both generate the example's Go code, which the
# registration Go output compiles beside, and protoc-gen-go-grpc is a row of
# make bench.
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
# grpc-health-probe is the baseline of registration-health's benchmark.
GRPC_HEALTH_PROBE_VERSION  := v0.4.62
# staticcheck runs in make lint.
STATICCHECK_VERSION        := v0.8.2
GOBIN       := $(shell go env GOPATH)/bin
BUF         := $(GOBIN)/buf

# bin/ first, so buf finds the plugin built from this checkout.
export PATH := $(CURDIR)/bin:$(GOBIN):$(PATH)

.PHONY: example build tools generate golden test lint bench drift clean

example: tools generate
	@bin/registration services --format table example/gen/aggregate/registry.registration.json

build:
	go build -o bin/ ./cmd/...

# tools installs the pinned buf, protoc-gen-go and protoc-gen-go-grpc with
# go install and Debian's protoc, Graphviz (dot, which the
# registration-graph tests run) and etcd-server (the etcd that
# internal/etcdtest starts) with apt-get when they are missing. It also
# installs, with npm ci, the @backstage/catalog-model version that
# $(BACKSTAGE_CHECK)/package-lock.json pins: registration/export's tests
# run Backstage's own entity validators on node (Debian's nodejs and npm
# when there is no npm).
BACKSTAGE_CHECK := registration/export/testdata/backstage
tools:
	@if [ "$$($(BUF) --version 2>/dev/null)" != "$(BUF_VERSION:v%=%)" ]; then \
		echo "installing buf $(BUF_VERSION)"; \
		go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION); \
	fi
	@if [ "$$($(GOBIN)/protoc-gen-go --version 2>/dev/null)" != "protoc-gen-go $(PROTOC_GEN_GO_VERSION)" ]; then \
		echo "installing protoc-gen-go $(PROTOC_GEN_GO_VERSION)"; \
		go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION); \
	fi
	@if [ "$$($(GOBIN)/protoc-gen-go-grpc --version 2>/dev/null)" != "protoc-gen-go-grpc $(PROTOC_GEN_GO_GRPC_VERSION:v%=%)" ]; then \
		echo "installing protoc-gen-go-grpc $(PROTOC_GEN_GO_GRPC_VERSION)"; \
		go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION); \
	fi
	@if ! $(GOBIN)/staticcheck -version 2>/dev/null | grep -qF "($(STATICCHECK_VERSION:v%=%))"; then \
		echo "installing staticcheck $(STATICCHECK_VERSION)"; \
		go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi
	@command -v protoc >/dev/null || { \
		echo "installing protoc (Debian's protobuf-compiler)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq protobuf-compiler; \
	}
	@command -v dot >/dev/null || { \
		echo "installing dot (Debian's graphviz)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq graphviz; \
	}
	@command -v etcd >/dev/null || [ -x /usr/bin/etcd ] || { \
		echo "installing etcd (Debian's etcd-server)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq etcd-server; \
	}
	@command -v npm >/dev/null || { \
		echo "installing node and npm (Debian's nodejs and npm)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nodejs npm; \
	}
	@if [ ! $(BACKSTAGE_CHECK)/node_modules/.installed -nt $(BACKSTAGE_CHECK)/package-lock.json ]; then \
		echo "installing Backstage's validators (npm ci in $(BACKSTAGE_CHECK))"; \
		(cd $(BACKSTAGE_CHECK) && npm ci --no-audit --no-fund --loglevel=error) && touch $(BACKSTAGE_CHECK)/node_modules/.installed; \
	fi

# generate rewrites the example's generated code (buf.gen.yaml) and the Go
# code of the registration options (buf.gen.options.yaml).
generate: build tools
	$(BUF) generate
	$(BUF) generate --template buf.gen.options.yaml

golden:
	go test ./plugin ./cmd/registration ./cmd/registration-graph ./cmd/registration-health -update

# test runs the whole suite, then the runtime registry and the health
# sink again under the race detector: they are read and written from many
# goroutines (TestReadOnly registers while it reads).
test: tools
	go test ./...
	go test -race ./registration/registry ./registration/registry/override ./health/etcdsink ./internal/syncio

lint: tools
	go vet ./...
	$(GOBIN)/staticcheck ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(BUF) lint

# bench runs internal/bench (its package doc says what each figure means),
# then registration-health's, watch's and the etcd backend's benchmarks (the
# last against a real etcd: publish, register, watch). Synthetic trees: flat at
# 10 to 5,000 services, with, besides the default JSON output, emit=json,go
# and protoc-gen-go-grpc, the Go plugin most users already run, on the same
# requests; chained (each package's messages embed the previous package's)
# at 100 and 1,000 services, for the goals at 1,000 (within 1.3x the bare
# floor in wall time and peak RSS, output bytes 1000/100 at most 12x);
# versions (each API in two or three versions sharing resource types) at
# 1,000. When $(BENCH_CORPUS) exists, the googleapis row, whose goal is also
# 1.3x the bare floor. Every row runs even when one fails; the recipe then
# fails. About 7 minutes on an idle two-core machine, and 5 more for the
# etcd benchmark.
BENCH        := go run ./internal/bench -plugin bin/protoc-gen-registration
BENCH_CORPUS := ../shared/corpora/googleapis-part.tgz
bench: build tools
	@status=0; \
	for args in "-shape flat -runs 3 -extra json+go=bin/protoc-gen-registration:emit=json,go -extra go-grpc=$(GOBIN)/protoc-gen-go-grpc" \
		"-shape chained -n 100,1000" \
		"-shape versions -n 1000 -runs 3"; do \
		echo "$(BENCH) $$args"; $(BENCH) $$args || status=1; \
	done; \
	if [ -f $(BENCH_CORPUS) ]; then \
		echo "$(BENCH) -corpus $(BENCH_CORPUS) -runs 3"; $(BENCH) -corpus $(BENCH_CORPUS) -runs 3 || status=1; \
	else \
		echo "$(BENCH_CORPUS) not found: no googleapis row"; \
	fi; \
	exit $$status
	@if [ ! -x $(GOBIN)/grpc-health-probe ]; then \
		echo "installing grpc-health-probe $(GRPC_HEALTH_PROBE_VERSION)"; \
		go install github.com/grpc-ecosystem/grpc-health-probe@$(GRPC_HEALTH_PROBE_VERSION); \
	fi
	REGISTRATION_BENCH=1 go test -run '^TestFleetBenchmark$$' -count=1 -v -timeout 30m ./cmd/registration-health/
	REGISTRATION_BENCH=1 go test -run '^TestWatchLatency$$' -count=1 -v ./internal/regen/
	REGISTRATION_BENCH=1 go test -run '^TestEtcdBenchmark$$' -count=1 -v -timeout 30m ./registration/registry/etcd/

# drift fails when committed generated files are out of date. registration
# check regenerates example/gen (buf.gen.yaml) into a staging directory and
# reports changed, missing, stale, untracked and uncommitted files with a
# diff, touching nothing; `bin/registration check --fix` updates them. The
# golden test files are rewritten and checked with git status.
drift: build tools golden
	bin/registration check
	$(BUF) generate --template buf.gen.options.yaml
	@out=$$(git status --porcelain -- proto plugin/testdata/golden plugin/testdata/golden-go plugin/testdata/real cmd/registration/testdata/golden cmd/registration-graph/testdata/golden cmd/registration-health/testdata/golden); \
	if [ -n "$$out" ]; then echo "generated files are out of date:"; echo "$$out"; git --no-pager diff -- proto plugin/testdata/golden plugin/testdata/golden-go plugin/testdata/real cmd/registration/testdata/golden cmd/registration-graph/testdata/golden cmd/registration-health/testdata/golden; exit 1; fi

clean:
	rm -rf bin
