// Command openapiload reads an OpenAPI document once, one of several ways,
// and says how long that took, so that the peak memory of each way can be
// measured from outside (make bench-openapi runs it under /usr/bin/time):
//
//	openapiload -mode load FILE
//
// Modes: json (encoding/json into an any), kin (kin-openapi's
// Loader.LoadFromData), load (loader.Load, validating) and load-novalidate.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

func main() {
	mode := flag.String("mode", "load", "json, kin, load or load-novalidate")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: openapiload [-mode json|kin|load|load-novalidate] FILE")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	start := time.Now()
	switch *mode {
	case "json":
		var v any
		err = json.Unmarshal(data, &v)
	case "kin":
		_, err = openapi3.NewLoader().LoadFromData(data)
	case "load", "load-novalidate":
		doc, diags := loader.Load(flag.Arg(0), data, &loader.Options{SkipValidation: *mode == "load-novalidate"})
		if doc == nil {
			err = diags.Err()
		}
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%s: %.3f s\n", *mode, time.Since(start).Seconds())
}
