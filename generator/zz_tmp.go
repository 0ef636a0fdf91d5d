package generator

import (
	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
)

func buildAPI(f *manifest.File, in *Input, p *ir.Project, claimed func(string) bool, claim func(name, what string) bool, toolAt map[string]bool) diag.List {
	return nil
}
