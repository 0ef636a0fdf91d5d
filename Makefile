# mcpgen: common tasks. `make help` lists them.

GO ?= go

.PHONY: help build test test-short examples check schema bench golden-update clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/mcpgen
	$(GO) build -o bin/mcpgen ./cmd/mcpgen

test: ## vet and test everything: generator, runtime, golden projects, examples, end to end
	$(GO) vet ./...
	$(GO) test ./...
	cd runtime && $(GO) vet ./... && $(GO) test ./...

test-short: ## the quick tests (no builds of generated projects)
	$(GO) test -short ./...

examples: ## regenerate the committed examples
	rm -rf examples/authless
	MCPGEN_RUNTIME_DIR=runtime $(GO) run ./cmd/mcpgen new authless --template=authless --out examples/authless
	rm -rf examples/github-oauth
	MCPGEN_RUNTIME_DIR=runtime $(GO) run ./cmd/mcpgen new github-oauth --template=github-oauth --out examples/github-oauth

check: ## fail if an example or the manifest schema is stale
	$(GO) test ./examples/... ./generator/manifest/...

schema: ## rewrite schemas/mcpgen.schema.json from the manifest's Go types
	$(GO) test ./generator/manifest -run TestJSONSchema -update

golden-update: ## rewrite the golden files (read the diff before committing)
	$(GO) test ./golden -update

bench: ## run the benchmarks (see docs/performance.md)
	$(GO) test -run '^$$' -bench Generate200 -benchtime 10x ./bench
	$(GO) test -run '^$$' -bench ColdStart -benchtime 40x ./bench
	$(GO) test -run '^$$' -bench 'Build200|Throughput' -benchtime 1x -timeout 30m ./bench

clean: ## remove build output
	rm -rf bin
