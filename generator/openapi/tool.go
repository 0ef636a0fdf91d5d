package openapi

import (
	"time"

	"cmp"
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/mcpgen/mcpgen/generator/diag"
	"github.com/mcpgen/mcpgen/generator/ir"
	"github.com/mcpgen/mcpgen/generator/manifest"
	"github.com/mcpgen/mcpgen/generator/openapi/loader"
)

// tool makes the tool of one operation, or nil (with an error) when the
// operation cannot become one.
//
// The tool's schemas are left to encode, as its InputSchema and
// OutputSchema (see encodeSchemas): in is the input schema, out the output
// schema or nil.
func (imp *importer) tool(o *operation, schemes map[string]*scheme, used map[string]bool) (t *ir.Tool, in, out *object) {
	op := o.op
	t = &ir.Tool{
		Name:  derivedName(o),
		Title: strings.TrimSpace(op.Summary),
	}
	if long := t.Name; len(long) > MaxToolName && o.xmcp.Name == "" && (o.override == nil || o.override.Name == "") {
		t.Name = shorten(long, o.method+" "+o.path)
		imp.warn(o.ptr, "the tool of operation %s is named %q: %q is longer than %d characters", o.id, t.Name, long, MaxToolName).Hint = "give it a shorter name with x-mcp or an override"
	}
	o.namePtr = o.ptr
	if op.OperationID != "" {
		o.namePtr = o.ptr + "/operationId"
	}
	if n := o.xmcp.Name; n != "" {
		t.Name, o.explicit = n, true
		o.namePtr = o.ptr + "/x-mcp/name"
	}
	if ov := o.override; ov != nil && ov.Name != "" {
		t.Name, o.explicit = ov.Name, true
		o.namePtr = o.overridePtr + "/name"
		o.nameInManifest = true
	}

	// The summary says what the operation does, the description often only
	// how: a model needs both.
	desc := strings.TrimSpace(op.Description)
	switch sum := strings.TrimSuffix(t.Title, "."); {
	case desc == "":
		desc = t.Title
	case sum != "" && !strings.HasPrefix(strings.ToLower(desc), strings.ToLower(sum)):
		desc = sum + ".\n\n" + desc
	}
	if x := o.xmcp.Description; x != "" {
		desc = x
	}
	if ov := o.override; ov != nil && ov.Description != "" {
		desc = ov.Description
	}
	if desc == "" {
		desc = fmt.Sprintf("Calls %s %s.", o.method, o.path)
	}
	if op.Deprecated {
		desc += "\n\nDeprecated."
	}
	t.Description = desc

	yes := true
	a := &ir.Annotations{}
	switch o.method {
	case "GET", "HEAD":
		a.ReadOnlyHint = &yes
	case "DELETE":
		a.DestructiveHint = &yes
		a.IdempotentHint = &yes
	case "PUT":
		a.IdempotentHint = &yes
	}
	if a.ReadOnlyHint != nil || a.DestructiveHint != nil || a.IdempotentHint != nil {
		t.Annotations = a
	}

	iop := &ir.Operation{
		ID: o.id, Method: o.method, Path: o.path, Tags: slices.Clone(op.Tags),
		Pointer: o.ptr,
		Custom:  o.xmcp.Custom || o.override != nil && o.override.Custom,
	}
	t.Op = iop
	if ov := o.override; ov != nil {
		if ov.RateLimit != nil {
			t.RateLimit = &ir.RateLimit{PerMinute: ov.RateLimit.PerMinute, Burst: ov.RateLimit.Burst, Pointer: o.overridePtr + "/rateLimit"}
		}
		// Validate checked the duration.
		t.Timeout, _ = time.ParseDuration(ov.Timeout)
		if a := ov.Audit; a != nil && a.Arguments {
			t.Audit = &ir.ToolAudit{Arguments: true, Redact: a.Redact}
		}
	}

	if op.Servers != nil && len(*op.Servers) > 0 || len(o.item.Servers) > 0 {
		at := o.ptr + "/servers"
		if op.Servers == nil || len(*op.Servers) == 0 {
			at = diag.Pointer("paths", o.path, "servers")
		}
		imp.warn(at, "the servers of operation %s are ignored: its calls go to the API's base URL", o.id).Hint = "serve it with custom: true to call another server"
	}

	errs := len(imp.diags.Errors())
	unresolvedIn, unresolvedOut := imp.unresolved(o)
	for _, u := range append(unresolvedIn, unresolvedOut...) {
		if imp.usedUnresolved == nil {
			imp.usedUnresolved = make(map[string]bool)
		}
		imp.usedUnresolved[u.Pointer] = true
	}
	for _, u := range unresolvedIn {
		imp.diags.Add(u.Pos, u.Pointer, "%s", u.Msg).Hint = u.Hint
	}
	in = newObject()
	in.set("type", "object")
	props := newObject()
	var required []string
	params := imp.params(o)
	for _, p := range params {
		props.set(p.ir.Arg, p.schema)
		if p.ir.Required {
			required = append(required, p.ir.Arg)
		}
		iop.Params = append(iop.Params, p.ir)
	}
	if body, schema := imp.body(o, props); body != nil {
		props.set(body.Arg, schema)
		if body.Required {
			required = append(required, body.Arg)
		}
		iop.Body = body
	}
	in.set("properties", props)
	if len(required) > 0 {
		in.set("required", required)
	}
	// A misspelt argument is refused rather than silently not sent.
	in.set("additionalProperties", false)

	var wrap bool
	before := len(imp.diags)
	if len(unresolvedOut) == 0 {
		out, wrap = imp.output(o)
	}
	for _, u := range unresolvedOut {
		imp.diags.Warn(u.Pos, u.Pointer, "the tool of operation %s has no output schema: %s", o.id, u.Msg).Hint = u.Hint
	}
	if !imp.strict && imp.demote(before, fmt.Sprintf("the tool of operation %s has no output schema: ", o.id)) {
		out, wrap = nil, false
	}
	if imp.conv.overrun {
		return nil, nil, nil // left out (see Import)
	}
	iop.Budget = imp.budget(o)
	if out != nil && iop.Budget != nil && iop.Budget.Select != "" {
		answer := any(out)
		if wrap {
			answer, _ = asObject(out.vals["properties"]).get("result")
		}
		out, wrap = imp.selectedOutput(iop.Budget.Select, answer)
	}
	if iop.Paging = imp.paging(params); iop.Paging != nil {
		iop.Paging.InResult = out == nil || imp.roomForNext(out, iop.Paging)
	}
	if out != nil {
		iop.WrapOutput = wrap
	}
	iop.Security = imp.security(o, schemes, used)
	t.Auth = imp.userAuth(o, schemes)
	if len(imp.diags.Errors()) > errs {
		return nil, nil, nil
	}
	return t, in, out
}

// budget is the response budget of an operation's tool: its override's
// response, with what that leaves out from the openapi section's.
func (imp *importer) budget(o *operation) *ir.Budget {
	var b ir.Budget
	if sec := imp.opts.Section; sec != nil && sec.Response != nil {
		b = ir.Budget{Select: sec.Response.Select, MaxBytes: sec.Response.MaxBytes, Pointer: "#/openapi/response"}
	}
	if ov := o.override; ov != nil && ov.Response != nil {
		if ov.Response.Select != "" {
			b.Select = ov.Response.Select
		}
		if ov.Response.MaxBytes > 0 {
			b.MaxBytes = ov.Response.MaxBytes
		}
		b.Pointer = o.overridePtr + "/response"
	}
	if b.Select == "" && b.MaxBytes <= 0 {
		return nil
	}
	return &b
}

// operationSchemas are the schemas an operation's tool is made of.
func operationSchemas(o *operation) []*openapi3.SchemaRef {
	var out []*openapi3.SchemaRef
	for _, list := range []openapi3.Parameters{o.item.Parameters, o.op.Parameters} {
		for _, p := range list {
			if p == nil || p.Value == nil {
				continue
			}
			out = append(out, p.Value.Schema)
			for _, mt := range p.Value.Content {
				if mt != nil {
					out = append(out, mt.Schema)
				}
			}
		}
	}
	if rb := o.op.RequestBody; rb != nil && rb.Value != nil {
		for _, mt := range rb.Value.Content {
			if mt != nil {
				out = append(out, mt.Schema)
			}
		}
	}
	if o.op.Responses != nil {
		for _, r := range o.op.Responses.Map() {
			if r == nil || r.Value == nil {
				continue
			}
			for _, mt := range r.Value.Content {
				if mt != nil {
					out = append(out, mt.Schema)
				}
			}
		}
	}
	return out
}

// param is one parameter, converted.
type param struct {
	ir     ir.Param
	schema *object
}

// locations are the parameter locations, in the order in which they keep
// their names when two share one.
var locations = []string{"path", "query", "header", "cookie"}

// ignoredHeaders are the header parameters OpenAPI says to ignore: the
// request's content type, what it accepts and its credentials are set by
// other means.
var ignoredHeaders = []string{"accept", "content-type", "authorization"}

// params converts an operation's parameters: those of its path item, with
// those of the operation replacing them by name and location.
func (imp *importer) params(o *operation) []param {
	type found struct {
		p   *openapi3.Parameter
		ptr string
	}
	var list []found
	add := func(params openapi3.Parameters, base string) {
		for i, ref := range params {
			if ref == nil || ref.Value == nil {
				continue
			}
			ptr := fmt.Sprintf("%s/parameters/%d", base, i)
			if ref.Ref != "" && strings.HasPrefix(ref.Ref, "#/") {
				ptr = ref.Ref
			}
			f := found{ref.Value, ptr}
			if i := slices.IndexFunc(list, func(g found) bool { return g.p.Name == f.p.Name && g.p.In == f.p.In }); i >= 0 {
				list[i] = f
				continue
			}
			list = append(list, f)
		}
	}
	add(o.item.Parameters, diag.Pointer("paths", o.path))
	add(o.op.Parameters, o.ptr)

	// Arguments by location, so that the path keeps a shared name.
	slices.SortStableFunc(list, func(a, b found) int {
		return slices.Index(locations, a.p.In) - slices.Index(locations, b.p.In)
	})
	var out []param
	args := make(map[string]string)
	for _, f := range list {
		p := f.p
		if !slices.Contains(locations, p.In) {
			imp.fail(f.ptr+"/in", "parameter %q is in %q, which is not a parameter location", p.Name, p.In).Hint = "use path, query, header or cookie"
			continue
		}
		if p.Name == "" {
			imp.fail(f.ptr+"/name", "the parameter has no name")
			continue
		}
		if p.In == "header" && slices.Contains(ignoredHeaders, strings.ToLower(p.Name)) {
			imp.warn(f.ptr, "header parameter %q is left out, as OpenAPI says: the server sets it", p.Name)
			continue
		}
		ip := ir.Param{Name: p.Name, Arg: p.Name, In: p.In, Style: p.Style, AllowReserved: p.AllowReserved, Required: p.Required || p.In == "path"}
		if ip.Style == "" {
			ip.Style = map[string]string{"path": "simple", "query": "form", "header": "simple", "cookie": "form"}[p.In]
		}
		if !styleAllowed(p.In, ip.Style) {
			imp.fail(f.ptr+"/style", "style %q is not allowed for a %s parameter", ip.Style, p.In).Hint = "path takes simple, label or matrix; query form, spaceDelimited, pipeDelimited or deepObject; header simple; cookie form"
			continue
		}
		if p.Explode != nil {
			ip.Explode = *p.Explode
		} else {
			ip.Explode = ip.Style == "form"
		}
		if format, _ := p.Extensions[loader.CollectionFormat].(string); v2Delimited[format] != "" {
			// A Swagger 2.0 array whose collectionFormat no OpenAPI 3
			// style sends here: its items are joined by the delimiter.
			ip.Style, ip.Explode = v2Delimited[format], false
		}

		var schemaRef *openapi3.SchemaRef
		schemaPtr := f.ptr + "/schema"
		switch {
		case p.Schema != nil:
			schemaRef = p.Schema
		case len(p.Content) > 0:
			ct := sortedKeys(p.Content)[0]
			if len(p.Content) > 1 {
				imp.fail(f.ptr+"/content", "parameter %q has %d media types in content; OpenAPI allows one", p.Name, len(p.Content))
				continue
			}
			mt, _, _ := mime.ParseMediaType(ct)
			if !isJSON(mt) {
				imp.fail(f.ptr+"/content/"+escapeToken(ct), "parameter %q has content of type %q; only JSON content is supported for parameters", p.Name, ct).Hint = "give the parameter a schema instead"
				continue
			}
			ip.JSON = true
			schemaRef = p.Content[ct].Schema
			schemaPtr = f.ptr + "/content/" + escapeToken(ct) + "/schema"
		}
		if schemaRef == nil || schemaRef.Value == nil {
			imp.fail(f.ptr, "parameter %q has neither a schema nor content", p.Name).Hint = "add a schema, such as schema: {type: string}"
			continue
		}

		schema := imp.conv.convert(schemaRef, schemaPtr, input)
		o2 := asObject(schema)
		if ref, ok := o2.get("$ref"); ok && o2.len() == 1 {
			// Keep the reference, and describe it alongside.
			o2 = newObject()
			o2.set("$ref", ref)
		} else {
			o2 = o2.clone()
		}
		if ip.In == "path" && !ip.JSON {
			nonEmpty(o2, schemaRef.Value)
		}
		desc := strings.TrimSpace(p.Description)
		if prev, ok := args[p.Name]; ok {
			ip.Arg = p.In + "_" + p.Name
			for n := 2; args[ip.Arg] != ""; n++ {
				ip.Arg = fmt.Sprintf("%s_%s_%d", p.In, p.Name, n)
			}
			note := fmt.Sprintf("The %s parameter %q (the argument %q is the %s parameter).", p.In, p.Name, p.Name, prev)
			desc = strings.TrimSpace(desc + "\n\n" + note)
			imp.warn(f.ptr, "the %s parameter %q is the argument %q: the %s parameter of that name keeps %q", p.In, p.Name, ip.Arg, prev, p.Name)
		}
		args[ip.Arg] = p.In
		if desc != "" {
			o2.set("description", desc)
		}
		if p.Deprecated {
			o2.set("deprecated", true)
		}
		if p.Example != nil {
			if _, ok := o2.get("examples"); !ok {
				o2.set("examples", []any{p.Example})
			}
		}
		out = append(out, param{ir: ip, schema: o2})
	}
	return imp.pathParams(o, out, args)
}

// nonEmpty makes the schema of a path parameter refuse an empty array or
// object: it would expand to nothing, and the server refuses to send a
// path with a hole in it.
func nonEmpty(o *object, s *openapi3.Schema) {
	switch {
	case s.Type.Is("array") && s.MinItems == 0:
		o.set("minItems", 1)
	case s.Type.Is("object") && s.MinProps == 0:
		o.set("minProperties", 1)
	}
}

// pathParams reconciles the path template with the path parameters: a
// parameter the template does not name is left out, and a name in the
// template without a parameter gets one, a string, so that the server never
// sends a literal "{name}".
func (imp *importer) pathParams(o *operation, params []param, args map[string]string) []param {
	var named []string
	for rest := o.path; ; {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			imp.fail(diag.Pointer("paths", o.path), "the path template %q has an unclosed {", o.path)
			return params
		}
		named = append(named, rest[i+1:i+j])
		rest = rest[i+j+1:]
	}
	out := params[:0:0]
	for _, p := range params {
		if p.ir.In == "path" && !slices.Contains(named, p.ir.Name) {
			imp.warn(o.ptr, "path parameter %q is left out: the path %s has no {%s}", p.ir.Name, o.path, p.ir.Name)
			continue
		}
		out = append(out, p)
	}
	for _, name := range named {
		if slices.ContainsFunc(out, func(p param) bool { return p.ir.In == "path" && p.ir.Name == name }) {
			continue
		}
		arg := name
		if _, taken := args[arg]; taken {
			arg = "path_" + name
		}
		args[arg] = "path"
		schema := typeOnly("string")
		schema.set("description", fmt.Sprintf("The {%s} of the path.", name))
		imp.warn(o.ptr, "the path %s names {%s}, which no parameter describes: it is the string argument %q", o.path, name, arg).Hint = "describe it under parameters, with in: path"
		p := param{ir: ir.Param{Name: name, Arg: arg, In: "path", Style: "simple", Required: true}, schema: schema}
		// Path parameters come first.
		i := slices.IndexFunc(out, func(p param) bool { return p.ir.In != "path" })
		if i < 0 {
			i = len(out)
		}
		out = slices.Insert(out, i, p)
	}
	return out
}

// v2Delimited are the runtime's styles for the Swagger 2.0
// collectionFormats the loader carries in its CollectionFormat extension.
var v2Delimited = map[string]string{"ssv": "spaceDelimited", "tsv": "tabDelimited", "pipes": "pipeDelimited"}

// styleAllowed reports whether OpenAPI allows a style in a location.
func styleAllowed(in, style string) bool {
	switch in {
	case "path":
		return style == "simple" || style == "label" || style == "matrix"
	case "query":
		return style == "form" || style == "spaceDelimited" || style == "pipeDelimited" || style == "deepObject"
	case "header":
		return style == "simple"
	case "cookie":
		return style == "form"
	}
	return false
}

func isJSON(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// bodyPreference orders the media types a request body may offer: the
// first one the operation has is the one the tool sends.
func bodyRank(mt string) int {
	switch {
	case mt == "application/json":
		return 0
	case isJSON(mt):
		return 1
	case mt == "application/x-www-form-urlencoded":
		return 2
	case mt == "multipart/form-data":
		return 3
	case strings.HasPrefix(mt, "text/"):
		return 4
	case mt == "application/octet-stream":
		return 5
	case strings.Contains(mt, "*"):
		return 7
	}
	return 6
}

// body converts the request body; props are the parameters' arguments, to
// keep the body's argument name apart from them.
func (imp *importer) body(o *operation, props *object) (*ir.Body, *object) {
	rbRef := o.op.RequestBody
	if rbRef == nil || rbRef.Value == nil {
		return nil, nil
	}
	rb := rbRef.Value
	ptr := o.ptr + "/requestBody"
	if rbRef.Ref != "" && strings.HasPrefix(rbRef.Ref, "#/") {
		ptr = rbRef.Ref
	}
	if len(rb.Content) == 0 {
		imp.defect(ptr, "the request body has no content, so the tool sends none").Hint = "give its media type and schema under content"
		return nil, nil
	}
	// A media type that does not parse ('' in real documents) is left
	// out; the body is sent as one of the others.
	var types []string
	for _, ct := range sortedKeys(rb.Content) {
		if _, _, err := mime.ParseMediaType(ct); err != nil {
			imp.defect(ptr+"/content/"+escapeToken(ct), "the request body's media type %q is left out: it is not valid (%v)", ct, err).Hint = "name a media type, such as application/json"
			continue
		}
		types = append(types, ct)
	}
	if len(types) == 0 {
		return nil, nil // in strict mode an error above; else no body
	}
	slices.SortStableFunc(types, func(a, b string) int {
		ma, _, _ := mime.ParseMediaType(a)
		mb, _, _ := mime.ParseMediaType(b)
		return bodyRank(ma) - bodyRank(mb)
	})
	ct := types[0]
	mt, _, _ := mime.ParseMediaType(ct)
	cptr := ptr + "/content/" + escapeToken(ct)
	sent := ct
	if strings.Contains(mt, "*") {
		sent = "application/octet-stream"
		imp.warn(cptr, "the request body's media type %q is a range; the tool sends %s", ct, sent)
	}
	media := rb.Content[ct]
	var schemaRef *openapi3.SchemaRef
	if media != nil {
		schemaRef = media.Schema
	}

	body := &ir.Body{Arg: "body", ContentType: sent, Required: rb.Required}
	if _, clash := props.get("body"); clash {
		body.Arg = "request_body"
		for n := 2; ; n++ {
			if _, clash := props.get(body.Arg); !clash {
				break
			}
			body.Arg = fmt.Sprintf("request_body_%d", n)
		}
		imp.warn(ptr, "the request body is the argument %q: a parameter is called body", body.Arg)
	}

	var schema *object
	switch {
	case isJSON(mt), mt == "application/x-www-form-urlencoded":
		schema = asObject(imp.conv.convert(schemaRef, cptr+"/schema", input)).clone()
		if mt == "application/x-www-form-urlencoded" {
			body.Encoding = imp.encoding(media, cptr, true)
		}
		if mt == "application/x-www-form-urlencoded" && schemaRef != nil && schemaRef.Value != nil && !schemaRef.Value.Type.Is("object") && schemaRef.Value.Type != nil {
			imp.fail(cptr+"/schema", "a form body must be an object, not %s", strings.Join(schemaRef.Value.Type.Slice(), " or ")).Hint = "describe the form's fields as the properties of an object"
		}
	case mt == "multipart/form-data":
		schema, body.Files = imp.multipart(schemaRef, cptr+"/schema")
		body.Encoding = imp.encoding(media, cptr, false)
		if _, ok := schema.get("required"); ok {
			// A form with required fields cannot be left out (Swagger 2.0's
			// formData parameters say so only this way).
			body.Required = true
		}
	case strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+xml") || mt == "application/xml":
		schema = typeOnly("string")
		if schemaRef != nil && schemaRef.Value != nil && schemaRef.Value.Type.Is("string") {
			schema = asObject(imp.conv.convert(schemaRef, cptr+"/schema", input)).clone()
		}
	default:
		schema = typeOnly("string")
		schema.set("contentEncoding", "base64")
		schema.set("description", fmt.Sprintf("The content (%s), in base64.", sent))
	}
	if _, ok := schema.get("description"); !ok {
		if d := strings.TrimSpace(rb.Description); d != "" {
			schema.set("description", d)
		}
	}
	return body, schema
}

// encoding converts the Encoding Object of a form body's media type at
// ptr. Style, explode and allowReserved apply to an urlencoded body
// (form) and, from OpenAPI 3.1 on, to a multipart one when given: OpenAPI
// 3.0 says to ignore them there. A Swagger 2.0 document's formData arrays
// carry their collectionFormat this way (see the loader), in either
// media type.
func (imp *importer) encoding(media *openapi3.MediaType, ptr string, form bool) []ir.Encoding {
	if media == nil || len(media.Encoding) == 0 {
		return nil
	}
	styles := form || !strings.HasPrefix(imp.doc.Version, "3.0")
	var out []ir.Encoding
	for _, name := range sortedKeys(media.Encoding) {
		e := media.Encoding[name]
		if e == nil {
			continue
		}
		ie := ir.Encoding{Name: name, ContentType: strings.TrimSpace(e.ContentType)}
		if styles && (e.Style != "" || e.Explode != nil || e.AllowReserved) {
			ie.Style, ie.AllowReserved = e.Style, e.AllowReserved
			if ie.Style == "" {
				ie.Style = "form"
			}
			if !styleAllowed("query", ie.Style) {
				imp.warn(ptr+"/encoding/"+escapeToken(name)+"/style", "the encoding of %q is left out: style %q is not a form style", name, ie.Style).Hint = "use form, spaceDelimited, pipeDelimited or deepObject"
				continue
			}
			ie.Explode = ie.Style == "form"
			if e.Explode != nil {
				ie.Explode = *e.Explode
			}
		}
		if ie.Style == "" && ie.ContentType == "" {
			continue
		}
		out = append(out, ie)
	}
	return out
}

// multipart converts a multipart/form-data body: an object whose binary
// properties are files, each given as its content in base64 or a URL.
func (imp *importer) multipart(ref *openapi3.SchemaRef, ptr string) (*object, []string) {
	if ref == nil || ref.Value == nil || len(ref.Value.Properties) == 0 {
		return asObject(imp.conv.convert(ref, ptr, input)).clone(), nil
	}
	o := asObject(imp.conv.schema(ref.Value, ptr, input)).clone()
	s := ref.Value
	if merged, _, ok := imp.conv.mergeAllOf(s, input); ok {
		s = merged // for its properties
	}
	props, _ := o.get("properties")
	po, _ := props.(*object)
	if po == nil {
		return o, nil
	}
	var files []string
	po = po.clone()
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		if p == nil || p.Value == nil {
			continue
		}
		if _, ok := po.get(name); !ok {
			continue
		}
		switch {
		case isFile(p.Value):
			po.set(name, fileSchema(p.Value.Description))
			files = append(files, name)
		case p.Value.Type.Is("array") && p.Value.Items != nil && p.Value.Items.Value != nil && isFile(p.Value.Items.Value):
			arr := typeOnly("array")
			if p.Value.Description != "" {
				arr.set("description", p.Value.Description)
			}
			arr.set("items", fileSchema(""))
			po.set(name, arr)
			files = append(files, name)
		}
	}
	o.set("properties", po)
	return o, files
}

// isFile reports whether a multipart property carries a file.
func isFile(s *openapi3.Schema) bool {
	if s.Type != nil && !s.Type.Is("string") {
		return false
	}
	return s.Format == "binary" || s.ContentMediaType != "" && s.ContentMediaType != "text/plain" && s.ContentMediaType != "application/json"
}

// fileSchema is the schema of a file argument, as package upstream reads
// it.
func fileSchema(desc string) *object {
	o := typeOnly("object")
	if desc == "" {
		desc = "A file"
	}
	o.set("description", strings.TrimSuffix(desc, ".")+`: its name, its content type, and either its content in base64 ("base64") or an http(s) URL to fetch it from ("url").`)
	p := newObject()
	name := typeOnly("string")
	name.set("description", "The file name sent.")
	p.set("name", name)
	ct := typeOnly("string")
	ct.set("description", "The file's media type (default: from the URL's response, else application/octet-stream).")
	p.set("contentType", ct)
	b64 := typeOnly("string")
	b64.set("contentEncoding", "base64")
	b64.set("description", "The content, in base64.")
	p.set("base64", b64)
	u := typeOnly("string")
	u.set("format", "uri")
	// The server fetches only absolute http and https URLs.
	u.set("pattern", "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]")
	u.set("description", "An http or https URL to fetch the content from.")
	p.set("url", u)
	o.set("properties", p)
	o.set("additionalProperties", false)
	// The server needs the content or where to get it, and refuses both.
	one := func(name string) *object {
		r := newObject()
		r.set("required", []string{name})
		return r
	}
	o.set("oneOf", []any{one("base64"), one("url")})
	return o
}

// output is the output schema: that of the JSON content of the lowest 2xx
// response (or of the default response when there is no 2xx one), wrapped
// as {"result": ...} when it is not an object.
func (imp *importer) output(o *operation) (*object, bool) {
	code, r := successResponse(o.op)
	if r == nil || r.Value == nil {
		return nil, false
	}
	var ct string
	for _, k := range sortedKeys(r.Value.Content) {
		mt, _, _ := mime.ParseMediaType(k)
		if isJSON(mt) && r.Value.Content[k] != nil && r.Value.Content[k].Schema != nil {
			ct = k
			break
		}
	}
	if ct == "" {
		return nil, false
	}
	base := o.ptr + "/responses/" + escapeToken(code)
	if r.Ref != "" && strings.HasPrefix(r.Ref, "#/") {
		base = r.Ref
	}
	ref := r.Value.Content[ct].Schema
	schema := imp.conv.convert(ref, base+"/content/"+escapeToken(ct)+"/schema", output)
	if imp.conv.isObject(ref) {
		so := asObject(schema).clone()
		if _, ok := so.get("type"); !ok {
			// {"$ref": ...} of an object: the root must say it is one.
			c := typeOnly("object")
			for _, k := range so.keys {
				c.set(k, so.vals[k])
			}
			so = c
		}
		return so, false
	}
	w := typeOnly("object")
	props := newObject()
	props.set("result", schema)
	w.set("properties", props)
	w.set("required", []string{"result"})
	return w, true
}

// successResponse is the response whose content makes the output schema:
// the lowest 2xx one, or the default one when the operation lists no 2xx
// response; with its code.
func successResponse(op *openapi3.Operation) (string, *openapi3.ResponseRef) {
	rs := op.Responses
	if rs == nil {
		return "", nil
	}
	m := rs.Map()
	var codes []string
	for code := range m {
		if len(code) == 3 && code[0] == '2' {
			codes = append(codes, code)
		}
	}
	slices.SortFunc(codes, func(a, b string) int {
		// "2XX" after the specific codes.
		return strings.Compare(strings.ToUpper(a), strings.ToUpper(b))
	})
	if len(codes) == 0 && m["default"] != nil {
		codes = []string{"default"}
	}
	if len(codes) == 0 {
		return "", nil
	}
	return codes[0], m[codes[0]]
}

// confirm decides whether the calls of t ask the user first, as the
// override or the manifest's policy says (see manifest.Confirms), and
// checks the override's question against the tool's arguments. Its
// problems are the manifest's, so they are never demoted to leaving the
// operation out.
func (imp *importer) confirm(o *operation, t *ir.Tool) {
	var policy, msg string
	if ov := o.override; ov != nil {
		policy, msg = ov.Confirm, ov.ConfirmMessage
	}
	var destructive *bool
	if t.Annotations != nil {
		destructive = t.Annotations.DestructiveHint
	}
	ptr := o.overridePtr + "/confirmMessage"
	if !manifest.Confirms(imp.opts.Confirm, policy, destructive) {
		if msg != "" {
			imp.diags.Warn(imp.manifestPos(ptr), ptr, "confirmMessage has no effect: calls of operation %s are not confirmed", o.id).Hint = "set confirm: always"
		}
		return
	}
	if msg != "" {
		var args []string
		for _, p := range t.Op.Params {
			args = append(args, cmp.Or(p.Arg, p.Name))
		}
		if b := t.Op.Body; b != nil {
			args = append(args, cmp.Or(b.Arg, "body"))
		}
		slices.Sort(args)
		for _, p := range manifest.CheckConfirmMessage(msg, "operation "+o.id, args) {
			imp.diags.Add(imp.manifestPos(ptr), ptr, "%s", p[0]).Hint = p[1]
		}
	}
	t.Confirm = &ir.Confirm{Message: msg}
}
