package loader

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"

	"github.com/mcpgen/mcpgen/generator/diag"
)

// componentKinds are the maps of Components whose entries decode on their
// own, each into a new value of its type.
var componentKinds = map[string]func() any{
	"schemas":         func() any { return new(openapi3.SchemaRef) },
	"parameters":      func() any { return new(openapi3.ParameterRef) },
	"headers":         func() any { return new(openapi3.HeaderRef) },
	"requestBodies":   func() any { return new(openapi3.RequestBodyRef) },
	"responses":       func() any { return new(openapi3.ResponseRef) },
	"securitySchemes": func() any { return new(openapi3.SecuritySchemeRef) },
	"examples":        func() any { return new(openapi3.ExampleRef) },
	"links":           func() any { return new(openapi3.LinkRef) },
	"callbacks":       func() any { return new(openapi3.CallbackRef) },
}

// job is one independent piece of a document: a path item or a component,
// as a node, or as the range of JSON text src[start:end] to parse.
type job struct {
	section    string // "paths", or a key of componentKinds
	key        string
	node       *yaml.Node
	src        string
	start, end int

	value    any
	fast     bool     // value is fastDecode's
	refs     []any    // the $ref wrappers fastDecode decoded in value
	resolves bool     // value holds more for ResolveRefsIn than refs (see fastDecoder.resolves)
	methods  []string // of a path item: its keys, in order
	err      error
}

// decodeDocument decodes root, a document's top-level mapping, into an
// OpenAPI 3 document exactly as kin-openapi's own decoding of the node would,
// but with the path items and the component entries — nearly all of a large
// document — decoded concurrently, one worker per CPU. What is left, the
// document with those entries taken out, is decoded by kin-openapi as usual.
//
// It also returns the document's paths in source order, and the keys of
// each path item in order.
//
// exact decodes root whole with kin-openapi, as the library does, for
// Options.Exact.
func decodeDocument(root *yaml.Node, exact bool) (*decoded, []string, error) {
	if exact {
		var doc openapi3.T
		if err := root.Decode(&doc); err != nil {
			return nil, nil, err
		}
		return &decoded{t: &doc, keys: pathKeys(root, nil)}, pathOrder(root), nil
	}
	stub, jobs, order, ok := split(root)
	if !ok {
		// A duplicate key in a section: let kin-openapi decode the whole
		// node and report it as it does.
		var doc openapi3.T
		if err := root.Decode(&doc); err != nil {
			return nil, nil, err
		}
		return &decoded{t: &doc, keys: pathKeys(root, nil)}, order, nil
	}
	dec, err := decodeSplit(stub, jobs)
	return dec, order, err
}

// decoded is a decoded document.
type decoded struct {
	t    *openapi3.T
	keys map[string][]string // the keys of each path item, in order
	// linked are the schema $refs linked (see linkRefs).
	linked []*openapi3.SchemaRef
	// resolved reports that the document is as ResolveRefsIn would leave
	// it, but for the URLs of the wrappers (see linkRefs): every path item
	// and component was decoded by fastDecode, with nothing in it for
	// ResolveRefsIn but $refs, and every $ref was linked.
	resolved bool
	// declined are the pointers of the entries fastDecode declined.
	declined []string
}

// decodeSplit decodes stub, a top-level mapping with the entries of jobs
// taken out, and the jobs, concurrently, and puts the entries back in the
// document. It links the $refs it can (see linkRefs).
func decodeSplit(stub *yaml.Node, jobs []job) (*decoded, error) {
	// kin-openapi decodes the stub meanwhile: it may hold large extensions
	// (GitHub's x-webhooks), decoded into an any.
	var doc openapi3.T
	stubbed := make(chan error, 1)
	go func() { stubbed <- stub.Decode(&doc) }()
	runJobs(jobs)
	if err := <-stubbed; err != nil {
		return nil, err
	}
	for i := range jobs {
		if jobs[i].err != nil {
			return nil, jobs[i].err
		}
	}

	keys := pathKeys(stub, jobs)
	for i := range jobs {
		j := &jobs[i]
		if j.section == "paths" {
			if doc.Paths == nil {
				doc.Paths = openapi3.NewPaths()
			}
			doc.Paths.Set(j.key, j.value.(*openapi3.PathItem))
			continue
		}
		if doc.Components == nil {
			doc.Components = &openapi3.Components{}
		}
		c := doc.Components
		switch v := j.value.(type) {
		case *openapi3.SchemaRef:
			c.Schemas = setEntry(c.Schemas, j.key, v)
		case *openapi3.ParameterRef:
			c.Parameters = setEntry(c.Parameters, j.key, v)
		case *openapi3.HeaderRef:
			c.Headers = setEntry(c.Headers, j.key, v)
		case *openapi3.RequestBodyRef:
			c.RequestBodies = setEntry(c.RequestBodies, j.key, v)
		case *openapi3.ResponseRef:
			c.Responses = setEntry(c.Responses, j.key, v)
		case *openapi3.SecuritySchemeRef:
			c.SecuritySchemes = setEntry(c.SecuritySchemes, j.key, v)
		case *openapi3.ExampleRef:
			c.Examples = setEntry(c.Examples, j.key, v)
		case *openapi3.LinkRef:
			c.Links = setEntry(c.Links, j.key, v)
		case *openapi3.CallbackRef:
			c.Callbacks = setEntry(c.Callbacks, j.key, v)
		default:
			return nil, fmt.Errorf("internal error: component %s/%s decoded to %T", j.section, j.key, v)
		}
	}
	dec := &decoded{t: &doc, keys: keys}
	var all bool
	dec.linked, all = linkRefs(doc.Components, jobs)
	dec.resolved = all && !holdsEntries(stub)
	for _, j := range jobs {
		dec.resolved = dec.resolved && j.fast && !j.resolves
		if !j.fast {
			if j.section == "paths" {
				dec.declined = append(dec.declined, diag.Pointer("paths", j.key))
			} else {
				dec.declined = append(dec.declined, diag.Pointer("components", j.section, j.key))
			}
		}
	}
	return dec, nil
}

// holdsEntries reports whether stub, a document's top level with the jobs'
// entries taken out, still holds path items or components: values split
// left for kin-openapi to decode in place.
func holdsEntries(stub *yaml.Node) bool {
	if paths := mapping(stub, "paths"); paths != nil {
		for i := 0; i < len(paths.Content); i += 2 {
			if !strings.HasPrefix(paths.Content[i].Value, "x-") {
				return true
			}
		}
	}
	components := mapping(stub, "components")
	for kind := range componentKinds {
		if section := lookup(components, kind); section != nil && (section.Kind != yaml.MappingNode || len(section.Content) > 0) {
			return true
		}
	}
	return false
}

// pathKeys returns the keys of each path item, in order: of those left in
// root's paths, and of those the jobs decoded.
func pathKeys(root *yaml.Node, jobs []job) map[string][]string {
	keys := make(map[string][]string)
	if paths := mapping(root, "paths"); paths != nil {
		for i := 0; i+1 < len(paths.Content); i += 2 {
			keys[paths.Content[i].Value] = mappingKeys(paths.Content[i+1])
		}
	}
	for _, j := range jobs {
		if j.section == "paths" {
			keys[j.key] = j.methods
		}
	}
	return keys
}

func mappingKeys(n *yaml.Node) []string {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

func setEntry[M ~map[string]V, V any](m M, k string, v V) M {
	if m == nil {
		m = make(M)
	}
	m[k] = v
	return m
}

// split returns a copy of root with the path items and component entries
// replaced by nothing, the jobs that decode those entries, and the paths in
// source order. Only entries whose value is a plain mapping are split off;
// anything else (a null, an alias) stays for kin-openapi to decode in place.
// ok is false when a section repeats a key, which splitting would hide.
func split(root *yaml.Node) (stub *yaml.Node, jobs []job, order []string, ok bool) {
	if root.Kind != yaml.MappingNode {
		return root, nil, nil, true
	}
	stubRoot := *root
	stubRoot.Content = make([]*yaml.Node, len(root.Content))
	copy(stubRoot.Content, root.Content)
	for i := 0; i+1 < len(stubRoot.Content); i += 2 {
		k, v := stubRoot.Content[i], stubRoot.Content[i+1]
		switch k.Value {
		case "paths":
			var keep []*yaml.Node
			keep, jobs, order, ok = splitSection(v, "paths", jobs)
			if !ok {
				return nil, nil, order, false
			}
			stubRoot.Content[i+1] = withContent(v, keep)
		case "components":
			if v.Kind != yaml.MappingNode {
				continue
			}
			comp := withContent(v, slicesClone(v.Content))
			for ci := 0; ci+1 < len(comp.Content); ci += 2 {
				ck, cv := comp.Content[ci], comp.Content[ci+1]
				if _, known := componentKinds[ck.Value]; !known {
					continue
				}
				var keep []*yaml.Node
				keep, jobs, _, ok = splitSection(cv, ck.Value, jobs)
				if !ok {
					return nil, nil, order, false
				}
				comp.Content[ci+1] = withContent(cv, keep)
			}
			stubRoot.Content[i+1] = comp
		}
	}
	return &stubRoot, jobs, order, true
}

// splitSection appends a job for each mapping-valued entry of the section
// node v (extensions of paths excepted) and returns the pairs that stay, and
// the section's keys in order.
func splitSection(v *yaml.Node, section string, jobs []job) (keep []*yaml.Node, _ []job, order []string, ok bool) {
	if v.Kind != yaml.MappingNode {
		return v.Content, jobs, nil, true
	}
	if hasMergeKey(v) {
		return nil, jobs, nil, false
	}
	seen := make(map[string]struct{}, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if _, dup := seen[k.Value]; dup {
			return nil, jobs, nil, false
		}
		seen[k.Value] = struct{}{}
		isExt := section == "paths" && strings.HasPrefix(k.Value, "x-")
		if !isExt && section == "paths" {
			order = append(order, k.Value)
		}
		if isExt || val.Kind != yaml.MappingNode || k.Kind != yaml.ScalarNode {
			keep = append(keep, k, val)
			continue
		}
		jobs = append(jobs, job{section: section, key: k.Value, node: val})
	}
	return keep, jobs, order, true
}

func withContent(n *yaml.Node, content []*yaml.Node) *yaml.Node {
	c := *n
	c.Content = content
	return &c
}

func slicesClone(s []*yaml.Node) []*yaml.Node {
	return append([]*yaml.Node(nil), s...)
}

// runJobs decodes every job, one worker per CPU taking the next job in turn,
// so that a few large entries do not leave a worker idle.
func runJobs(jobs []job) {
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var p jsonParser // its slabs serve all of this worker's jobs
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				j := &jobs[i]
				n := j.node
				if n == nil {
					if n, j.err = p.parseRange(j.src, j.start, j.end); j.err != nil {
						continue
					}
				}
				if j.section == "paths" {
					j.methods = mappingKeys(n)
				}
				// The hand-written decoder takes nearly every entry;
				// kin-openapi decodes what it declines, and reports
				// what is wrong with it.
				if v, refs, resolves, ok := fastDecode(j.section, n); ok {
					j.value, j.fast, j.refs, j.resolves = v, true, refs, resolves
				} else {
					if j.section == "paths" {
						j.value = new(openapi3.PathItem)
					} else {
						j.value = componentKinds[j.section]()
					}
					j.err = n.Decode(j.value)
				}
				j.node = nil // the tree is garbage once decoded
			}
		})
	}
	wg.Wait()
}
