package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/mcpgen/mcpgen/generator/ir"
)

const (
	ratelimitPkg = RuntimeModule + "/ratelimit"
	auditPkg     = RuntimeModule + "/audit"
	otlpPkg      = RuntimeModule + "/telemetry/otlp"
)

// toolPolicies is the Tools map of serve.Options: each tool's own time
// limit and audit rule. Nil when no tool has either.
func toolPolicies(p *ir.Project) jen.Code {
	var tools []*ir.Tool
	for _, t := range p.Tools {
		if t.Timeout > 0 || t.Audit != nil {
			tools = append(tools, t)
		}
	}
	if len(tools) == 0 {
		return nil
	}
	return jen.Map(jen.String()).Qual(servePkg, "ToolPolicy").ValuesFunc(func(g *jen.Group) {
		for _, t := range tools {
			g.Line().Comment("Source: " + p.Source + t.Pointer).Line().Lit(t.Name).Op(":").ValuesFunc(func(g *jen.Group) {
				if t.Timeout > 0 {
					g.Id("Timeout").Op(":").Add(duration(t.Timeout))
				}
				if a := t.Audit; a != nil {
					g.Id("Audit").Op(":").Qual(auditPkg, "Rule").ValuesFunc(func(g *jen.Group) {
						g.Id("Arguments").Op(":").True()
						if len(a.Redact) > 0 {
							g.Id("Redact").Op(":").Add(stringSlice(a.Redact))
						}
					})
				}
			})
		}
		g.Line()
	})
}

// rateLimits is the RateLimits starter of serve.Options: the manifest's
// limits, kept where STORE_URL says.
func rateLimits(p *ir.Project) jen.Code {
	return jen.Qual(ratelimitPkg, "ForTools").Call(
		jen.Qual("os", "LookupEnv"),
		jen.Qual(storePkg, "DefaultPrefix").Op("+").Id("ServerName").Op("+").Lit(":"),
		jen.Qual(ratelimitPkg, "ToolLimits").Values(jen.DictFunc(func(d jen.Dict) {
			if p.RateLimit != nil {
				d[jen.Id("Server")] = jen.Op("&").Add(limit(p.RateLimit))
			}
			var limited []*ir.Tool
			for _, t := range p.Tools {
				if t.RateLimit != nil {
					limited = append(limited, t)
				}
			}
			if len(limited) > 0 {
				d[jen.Id("Tools")] = jen.Map(jen.String()).Qual(ratelimitPkg, "Limit").ValuesFunc(func(g *jen.Group) {
					for _, t := range limited {
						g.Line().Comment("Source: " + p.Source + t.RateLimit.Pointer).Line().Lit(t.Name).Op(":").Add(limitValues(t.RateLimit))
					}
					g.Line()
				})
			}
		})),
	)
}

func limit(rl *ir.RateLimit) *jen.Statement {
	return jen.Qual(ratelimitPkg, "Limit").Add(limitValues(rl))
}

// limitValues writes a limit on one line, rate first, as a person would.
func limitValues(rl *ir.RateLimit) *jen.Statement {
	fields := []jen.Code{jen.Id("PerMinute").Op(":").Lit(rl.PerMinute)}
	if rl.Burst > 0 {
		fields = append(fields, jen.Id("Burst").Op(":").Lit(rl.Burst))
	}
	return jen.Values(fields...)
}

// settingsList is the Settings of serve.Options: what --help lists beyond
// the runtime's own flags, and what the deploy files are checked against.
func settingsList(settings []setting) jen.Code {
	return jen.Index().Qual(servePkg, "Setting").ValuesFunc(func(g *jen.Group) {
		for _, s := range settings {
			usage := s.Description
			if s.Required {
				usage += " (required)"
			} else if s.Default != "" {
				usage += " (default " + s.Default + ")"
			}
			g.Line().ValuesFunc(func(g *jen.Group) {
				g.Id("Env").Op(":").Lit(s.Name)
				g.Id("Usage").Op(":").Lit(usage)
				if s.Secret {
					g.Id("Secret").Op(":").True()
				}
			})
		}
		g.Line()
	})
}
