# ERP Interventions — developer commands. `make run` and `make test` are the
# two commands a fresh clone needs; see README.md.

GO       ?= go
BIN      := bin/erp
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
REDOCLY  := tools/node_modules/.bin/redocly
# The test timeout is generous for two cores under the race detector.
TESTFLAGS ?= -race -count=1 -timeout 15m

.PHONY: all build run test test-go vet lint fmt-check openapi-lint openapi tools clean

all: build

## build: compile the erp binary into bin/erp
build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/erp

## run: build, migrate and serve on SQLite (./data/erp.db) with the dev profile
run: build
	$(BIN) migrate up
	$(BIN) serve

## test: vet, the whole suite with -race on SQLite and PostgreSQL, then lint
test: vet test-go lint

## test-go: the Go test suite; starts a throwaway PostgreSQL cluster when
## Debian's server binaries are installed, and says so when they are not
test-go:
	scripts/with-pgtest.sh sh -c '$(GO) test $(TESTFLAGS) ./...'

## vet: go vet on every package
vet:
	$(GO) vet ./...

## lint: formatting, and the OpenAPI document through Redocly
lint: fmt-check openapi-lint

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

openapi-lint: tools
	$(REDOCLY) lint --config tools/redocly.yaml openapi.generated.json

## tools: install the Node-based lint tools pinned in tools/package-lock.json
tools: $(REDOCLY)

$(REDOCLY): tools/package.json tools/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: apt-get install -y npm (or install Node.js)"; exit 1; }
	npm ci --prefix tools --no-audit --no-fund
	@touch $@

## openapi: regenerate the committed openapi.generated.json
openapi:
	$(GO) run ./cmd/erp openapi export > openapi.generated.json

clean:
	rm -rf bin

## generate: regenerate the committed Go code of the plugin protocol
## (plugins/proto) with Debian's protoc and the Go plugins pinned below,
## installed into bin/tools
.PHONY: generate
generate:
	@command -v protoc >/dev/null || { echo "protoc is missing: apt-get install -y protobuf-compiler"; exit 1; }
	GOBIN=$(CURDIR)/bin/tools GOFLAGS= $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
	GOBIN=$(CURDIR)/bin/tools GOFLAGS= $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
	PATH="$(CURDIR)/bin/tools:$$PATH" protoc --proto_path=plugins/proto \
		--go_out=plugins/proto --go_opt=paths=source_relative \
		--go-grpc_out=plugins/proto --go-grpc_opt=paths=source_relative \
		plugins/proto/erp/plugin/v1/plugin.proto

## bench-load: compare erp's hot paths with the hand-written baseline
## (bench/baseline) on 100,000 interventions in a throwaway PostgreSQL cluster
.PHONY: bench-load
bench-load: build
	$(GO) build -o bin/baseline ./bench/baseline
	scripts/with-pgtest.sh $(GO) run ./bench/loadtest -erp $(BIN) -baseline bin/baseline
