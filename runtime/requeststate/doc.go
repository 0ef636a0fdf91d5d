// Package requeststate seals and opens the requestState of multi-round
// requests (MCP 2026-07-28): a tool that needs the user's input answers
// "input required" with an opaque requestState, and the client calls the
// tool again with the user's answer and that state. The client holds the
// state in between, so the server must be able to tell whether it is one
// it issued, for this very call, and still valid; the go-sdk leaves that to
// the server.
//
// A [Codec] encrypts a payload with AES-256-GCM under a key that every
// replica shares, so a round started on one replica completes on any
// other. Each state is bound to a [Binding] (the user, the tool and the
// call's arguments), expires, and can be made single-use, so that a
// confirmation is acted on once however often the client sends it again.
// The single-use record lives in a [store.Store]: with several replicas it
// must be the store they share.
//
// # Usage
//
// A generated main makes one codec and hands it to the tools:
//
//	states, err := requeststate.FromEnv(os.LookupEnv, st, logger, nil)
//	if err != nil { ... }
//	s := NewServer(&Tools{States: states}, nil)
//
// A tool that deletes a repository asks the user to confirm first. The
// first round seals the repository's ID and asks; the second round, on
// whichever replica the load balancer picks, opens the state, which fails
// unless it was sealed for this user, this tool and these arguments, is
// not expired and was not used before:
//
//	func (t *Tools) DeleteRepo(ctx context.Context, req *mcp.CallToolRequest, in DeleteRepoInput) (*mcp.CallToolResult, any, error) {
//		b := requeststate.Binding{Tool: req.Params.Name, Arguments: req.Params.Arguments}
//		if req.Extra != nil && req.Extra.TokenInfo != nil {
//			b.User = req.Extra.TokenInfo.UserID
//		}
//		if req.Params.RequestState == "" {
//			id, err := t.lookUpRepo(ctx, in.Repo)
//			if err != nil {
//				return nil, nil, err
//			}
//			state, err := t.States.Seal(ctx, b, []byte(id), requeststate.SealOptions{TTL: 5 * time.Minute, SingleUse: true})
//			if err != nil {
//				return nil, nil, err
//			}
//			return &mcp.CallToolResult{
//				InputRequests: mcp.InputRequestMap{"confirm": &mcp.ElicitParams{
//					Message: "Delete " + in.Repo + "? This cannot be undone.",
//					RequestedSchema: &jsonschema.Schema{Type: "object", Properties: map[string]*jsonschema.Schema{
//						"confirm": {Type: "boolean"},
//					}},
//				}},
//				RequestState: state,
//			}, nil, nil
//		}
//		id, err := t.States.Open(ctx, req.Params.RequestState, b)
//		if err != nil {
//			return nil, nil, err // a tool error the model can act on: "... call the tool again"
//		}
//		r, _ := req.Params.InputResponses["confirm"].(*mcp.ElicitResult)
//		if r == nil || r.Action != "accept" || r.Content["confirm"] != true {
//			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "Not deleted."}}}, nil, nil
//		}
//		return t.deleteRepo(ctx, string(id))
//	}
//
// The state protects what the server carries between rounds, not the
// user's answer: the answer comes from the client, as it would in any
// single-round call.
//
// # Keys
//
// [FromEnv] reads REQUEST_STATE_KEY: the base64 encoding of a 32-byte key
// (make one with openssl rand -base64 32), or a comma-separated list of
// them to rotate keys: the first seals, all open. Every replica must have
// the same value. Without it, FromEnv refuses to start unless
// [Options.SingleReplica] says that no other process opens this one's
// states; it then seals with a random key that lasts as long as the
// process.
//
// # Format
//
// A state is the unpadded URL-safe base64 encoding of
//
//	version (1 byte, 1) | nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// and the ciphertext holds
//
//	expiry (8 bytes, Unix milliseconds) | flags (1 byte: single-use)
//	| binding digest (32 bytes) | binding hints (6 bytes) | payload
//
// so a state is 76 bytes longer than its payload before base64. The
// additional data is a fixed label and the version, so that a ciphertext
// made for another purpose under the same key never opens as a state.
//
// The binding is checked inside the ciphertext rather than as additional
// data so that [Codec.Open] can tell a state sealed for another call
// ([ErrMismatch]) from a forged one ([ErrMalformed]). The digest is
// SHA-256 over the SHA-256 digests of the user, the tool name and the
// arguments; it alone decides. The hints are the first two bytes of each
// of the three component digests, used only to say which one differs.
//
// Arguments are compared in a canonical form: they are decoded and encoded
// again, so the order of object keys and the whitespace do not matter,
// while numbers are compared as written (1 and 1.0 differ). Absent
// arguments, null and {} are the same.
//
// A single-use state's nonce doubles as its record's ID in the store: it is
// random and, as GCM requires, unique per state.
package requeststate
