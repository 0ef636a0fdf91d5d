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
	# The petstore example is regenerated from the document it holds; if that
	# fails, the document is put back.
	spec=$$(mktemp -d) && cp examples/openapi-petstore/openapi.yaml $$spec/ && rm -rf examples/openapi-petstore && \
	{ MCPGEN_RUNTIME_DIR=runtime $(GO) run ./cmd/mcpgen new petstore --from $$spec/openapi.yaml --out examples/openapi-petstore || \
	  { mkdir -p examples/openapi-petstore; cp $$spec/openapi.yaml examples/openapi-petstore/; false; }; }; \
	status=$$?; rm -rf $$spec; exit $$status

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

clean: ## remove build output
	rm -rf bin

# The real-world OpenAPI documents of the corpus test (corpus/) and of the
# OpenAPI benchmarks (bench/openapi_test.go), from npm, at pinned versions so
# that results are reproducible. They go to .cache/, which git ignores.
OAS_EXAMPLES_VERSION = 8.2.2
OCTOKIT_OPENAPI_VERSION = 23.0.2

# npm-fetch extracts npm package $(1) at version $(2) into .cache/$(3) once.
define npm-fetch
	@test -d .cache/$(3) || { tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent $(1)@$(2) >/dev/null) && \
	  mkdir -p .cache/$(3).part && tar -xzf $$tmp/*.tgz -C .cache/$(3).part && \
	  mv .cache/$(3).part .cache/$(3); status=$$?; rm -rf $$tmp .cache/$(3).part; exit $$status; }
endef

.PHONY: testdata-corpus corpus bench-openapi

testdata-corpus: ## fetch the corpus test's OpenAPI documents (npm) into .cache/
	$(call npm-fetch,@readme/oas-examples,$(OAS_EXAMPLES_VERSION),oas-examples@$(OAS_EXAMPLES_VERSION))
	$(call npm-fetch,@octokit/openapi,$(OCTOKIT_OPENAPI_VERSION),octokit-openapi@$(OCTOKIT_OPENAPI_VERSION))

corpus: testdata-corpus ## generate, build and start a server from every corpus document
	$(GO) test -count=1 -v -run 'Corpus|GitHub' -timeout 30m ./corpus

GITHUB_SPEC = .cache/octokit-openapi@$(OCTOKIT_OPENAPI_VERSION)/package/generated/api.github.com.json

bench-openapi: testdata-corpus build ## time and memory of generating GitHub's REST API (see docs/performance.md)
	$(GO) test -run '^$$' -bench 'OpenAPIGitHub$$' -benchtime 5x -benchmem ./bench
	$(GO) test -run '^$$' -bench 'OpenAPIGitHubBuild' -benchtime 3x ./bench
	@# Wall time and peak memory of one whole `mcpgen new --from`, as a user runs it.
	@for mode in static dynamic; do out=$$(mktemp -d) && \
	  MCPGEN_RUNTIME_DIR=runtime /usr/bin/time -f "mcpgen new --from GitHub, $$mode: %e s wall, %U s user, %M KB max RSS" \
	    bin/mcpgen new github --from $(GITHUB_SPEC) --mode $$mode --out $$out/github >/dev/null; \
	  status=$$?; rm -rf $$out; [ $$status = 0 ] || exit $$status; done
