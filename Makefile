# mcpgen: common tasks. `make help` lists them.

GO ?= go

.PHONY: help build test test-short examples check schema bench golden-update clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

build: ## build bin/mcpgen
	$(GO) build -o bin/mcpgen ./cmd/mcpgen

test: ## vet and test everything: generator, runtime, golden projects, examples, end to end
	$(GO) vet ./...
	$(GO) test ./...
	@# The generator decodes, imports, checks and emits on several goroutines.
	$(GO) test -race -short ./generator/...
	cd runtime && $(GO) vet ./... && $(GO) test ./...
	@# The packages where replicas and goroutines race for the same records,
	@# and those that serve, count and trace calls concurrently.
	cd runtime && $(GO) test -race ./store/... ./state/... ./requeststate/... ./oauth/... \
		./ratelimit/... ./telemetry/... ./audit/... ./serve/... ./upstream/...

test-short: ## the quick tests (no builds of generated projects)
	$(GO) test -short ./...

examples: ## regenerate the committed examples
	rm -rf examples/authless
	MCPGEN_RUNTIME_DIR=runtime $(GO) run ./cmd/mcpgen new authless --template=authless --out examples/authless
	# The petstore example is regenerated from the document it holds; if that
	# fails, the document is put back.
	spec=$$(mktemp -d) && cp examples/openapi-petstore/openapi.yaml $$spec/ && rm -rf examples/openapi-petstore && \
	{ MCPGEN_RUNTIME_DIR=runtime $(GO) run ./cmd/mcpgen new petstore --from $$spec/openapi.yaml --out examples/openapi-petstore || \
	  { mkdir -p examples/openapi-petstore; cp $$spec/openapi.yaml examples/openapi-petstore/; false; }; }; \
	status=$$?; rm -rf $$spec; exit $$status
	rm -rf examples/github-oauth
	MCPGEN_RUNTIME_DIR=runtime $(GO) run ./cmd/mcpgen new github-oauth --template=github-oauth --out examples/github-oauth

check: ## fail if an example or the manifest schema is stale
	$(GO) test ./examples/... ./generator/manifest/...

schema: ## rewrite schemas/mcpgen.schema.json from the manifest's Go types
	$(GO) test ./generator/manifest -run TestJSONSchema -update

golden-update: ## rewrite the golden files (read the diff before committing)
	$(GO) test ./golden -update

clean: ## remove build output
	rm -rf bin

bench: ## run the benchmarks (see docs/performance.md)
	$(GO) test -run '^$$' -bench Generate200 -benchtime 10x ./bench
	$(GO) test -run '^$$' -bench ColdStart -benchtime 40x ./bench
	$(GO) test -run '^$$' -bench 'Build200|Throughput|Operations' -benchtime 1x -timeout 30m ./bench

# GitHub's REST API description (13 MB), for the OpenAPI loader's tests and
# benchmarks; .cache/ ignores itself, so the file is never committed.
GITHUB_SPEC := .cache/openapi/api.github.com.json
OCTOKIT_OPENAPI := 23.0.2

.PHONY: testdata-github bench-openapi

testdata-github: $(GITHUB_SPEC) ## fetch GitHub's OpenAPI description (npm @octokit/openapi) into .cache/

# Fetched in a directory of its own and moved into place whole, so that an
# interrupted or concurrent fetch leaves nothing half-written.
$(GITHUB_SPEC):
	mkdir -p $(dir $@) && echo '*' > .cache/.gitignore
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent @octokit/openapi@$(OCTOKIT_OPENAPI) >/dev/null && \
	  tar -xzf octokit-openapi-$(OCTOKIT_OPENAPI).tgz package/generated/api.github.com.json) && \
	  mv $$tmp/package/generated/api.github.com.json $@; status=$$?; rm -rf $$tmp; exit $$status

bench-openapi: $(GITHUB_SPEC) ## the OpenAPI loader on GitHub's description: time, allocations, peak memory
	$(GO) test -run '^$$' -bench 'GitHub|Pos' -benchtime 5x -count 3 ./generator/openapi/loader
	$(GO) build -o bin/openapiload ./bench/openapiload
	for i in 1 2 3; do for m in json kin load-novalidate load; do \
	  /usr/bin/time -f "  $$m: %e s wall, %U s user, %M KB max RSS" bin/openapiload -mode $$m $(GITHUB_SPEC) || exit 1; \
	done; done

# The real-world OpenAPI documents of the corpus test (corpus/), from npm at
# a pinned version so that results are reproducible, next to GitHub's
# description (testdata-github). They go to .cache/, which git ignores.
OAS_EXAMPLES_VERSION = 8.2.2

.PHONY: testdata-corpus corpus bench-openapi-generate

testdata-corpus: testdata-github ## fetch the corpus test's OpenAPI documents (npm @readme/oas-examples, and GitHub's) into .cache/
	@test -d .cache/oas-examples@$(OAS_EXAMPLES_VERSION) || { tmp=$$(mktemp -d) && mkdir -p .cache && \
	  (cd $$tmp && npm pack --silent @readme/oas-examples@$(OAS_EXAMPLES_VERSION) >/dev/null) && \
	  mkdir -p $$tmp/x && tar -xzf $$tmp/*.tgz -C $$tmp/x && mv $$tmp/x .cache/oas-examples@$(OAS_EXAMPLES_VERSION); \
	  status=$$?; rm -rf $$tmp; exit $$status; }

.PHONY: bench-corpus

bench-corpus: testdata-corpus ## time and peak memory of mcpgen new on every corpus document and a 15 MiB one, slowest first (see docs/performance.md)
	$(GO) test -count=1 -v -run TestSlowest -timeout 30m ./corpus -args -slowest

corpus: testdata-corpus ## generate, build and start a server from every corpus document, and GitHub's in both modes
	$(GO) test -count=1 -v -run 'Corpus|GitHub' -timeout 30m ./corpus

bench-openapi-generate: testdata-github build ## whole generation from GitHub's description: time, allocations, peak memory, go build (see docs/performance.md)
	$(GO) test -run '^$$' -bench 'OpenAPIGitHub$$' -benchtime 5x -benchmem ./bench
	$(GO) test -run '^$$' -bench 'OpenAPIGitHubBuild' -benchtime 3x ./bench
	@# Wall time and peak memory of one whole `mcpgen new --from`, as a user runs it.
	@for mode in static dynamic; do out=$$(mktemp -d) && \
	  MCPGEN_RUNTIME_DIR=runtime /usr/bin/time -o $$out/time -f "mcpgen new --from GitHub, $$mode: %e s wall, %U s user, %S s sys, %M KB max RSS" \
	    bin/mcpgen new github --from $(GITHUB_SPEC) --mode $$mode --out $$out/github >/dev/null 2>$$out/stderr; \
	  status=$$?; cat $$out/time; [ $$status = 0 ] || cat $$out/stderr; rm -rf $$out; [ $$status = 0 ] || exit $$status; done
