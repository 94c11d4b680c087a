# protoc-gen-registration: build, generate, test.
#
#   make example   set up, generate the example API's registrations, print a summary
#   make test      run every test (installs the pinned tools first)
#   make bench     the plugin against its floors on synthetic trees of N services

BUF_VERSION := v1.75.0
GOBIN       := $(shell go env GOPATH)/bin
BUF         := $(GOBIN)/buf

# bin/ first, so buf finds the plugin built from this checkout.
export PATH := $(CURDIR)/bin:$(GOBIN):$(PATH)

.PHONY: example build tools generate golden test lint bench drift clean

example: tools generate
	@bin/registration services --format table example/gen/aggregate/registry.registration.json

build:
	go build -o bin/ ./cmd/protoc-gen-registration ./cmd/registration

# tools installs the pinned buf with go install and Debian's protoc with
# apt-get when they are missing.
tools:
	@if [ "$$($(BUF) --version 2>/dev/null)" != "$(BUF_VERSION:v%=%)" ]; then \
		echo "installing buf $(BUF_VERSION)"; \
		go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION); \
	fi
	@command -v protoc >/dev/null || { \
		echo "installing protoc (Debian's protobuf-compiler)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq protobuf-compiler; \
	}

generate: build
	$(BUF) generate

golden:
	go test ./plugin ./cmd/registration -update

test: tools
	go test ./...

lint: tools
	go vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(BUF) lint

bench: build
	go run ./internal/bench -plugin bin/protoc-gen-registration

# drift regenerates everything generated and fails on any change to tracked
# files or any new untracked file.
drift: generate golden
	@out=$$(git status --porcelain -- example/gen plugin/testdata/golden cmd/registration/testdata/golden); \
	if [ -n "$$out" ]; then echo "generated files are out of date:"; echo "$$out"; git --no-pager diff -- example/gen plugin/testdata/golden; exit 1; fi

clean:
	rm -rf bin
