package oauth_test

import (
	"fmt"
	"os"

	"github.com/mcpgen/mcpgen/runtime/oauth"
	"github.com/mcpgen/mcpgen/runtime/serve"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A server whose "admin" tool only the GitHub users listed in ADMINS may
// call, wired up as a generated main does it.
func Example() {
	auth, err := oauth.New(&oauth.Options{
		Provider:   "github",
		ServerName: "Example",
		Tools:      map[string]oauth.Rule{"admin": {UsersEnv: "ADMINS"}},
	}, os.LookupEnv, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer auth.Close()
	s := mcp.NewServer(&mcp.Implementation{Name: "example", Version: "v1"}, nil)
	// ... add tools; their handlers call oauth.UserOf(req) and
	// auth.UpstreamClient(ctx, req).
	auth.Gate(s)
	serve.Main(s, &serve.Options{Name: "example", Auth: auth, Transports: []string{serve.TransportStreamable, serve.TransportSSE}})
}
