// Package corpus proves the OpenAPI importer on documents written by others:
// the examples of @readme/oas-examples (Swagger 2.0, OpenAPI 3.0 and 3.1, JSON
// and YAML) and GitHub's REST API description from @octokit/openapi, both
// from npm at the versions the Makefile pins.
//
// Its tests hold the importer to one rule: every document either becomes a
// project that is gofmt-clean, type-checks, builds, vets and starts a server
// that lists its tools, or is refused with a diagnostic that says where and
// why (file[:line:col]: #/pointer: reason). A panic, output that does not
// compile, a server that dies at start or an error that points nowhere fails
// the test.
//
//	make testdata-corpus   # fetch the documents into .cache/ (once)
//	make corpus            # TestCorpus and TestGitHub, verbose (about a minute)
//	go test -fuzz FuzzImport -fuzztime 3m ./corpus
//	make bench-corpus      # TestSlowest: time and peak memory per document, slowest first
//
// Without the documents the corpus tests skip, naming the make target;
// -short skips them too. The package has no code of its own.
package corpus
