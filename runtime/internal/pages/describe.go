package pages

import (
	"context"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Server is what a page shows of an MCP server.
type Server struct {
	// Name, Title and Version are its serverInfo.
	Name, Title, Version string
	// Instructions are what it tells clients about itself.
	Instructions string
	// Tools are what tools/list shows a caller who has not signed in.
	Tools []Tool
}

// Tool is what a page shows of a tool.
type Tool struct {
	Name, Title, Description string
}

// describeTimeout bounds Describe: the server answers from memory, so
// only a handler of the user's that blocks could make it slow.
const describeTimeout = 10 * time.Second

// Describe asks s about itself as a client would, over an in-memory
// session: initialize, then tools/list. The SDK has no other way to list a
// server's tools, and this way the page shows exactly what a client that
// has not signed in is shown, through whatever middleware s has. The
// server's handlers run with ctx, and its values.
func Describe(ctx context.Context, s *mcp.Server) (*Server, error) {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	ct, st := mcp.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "pages", Version: "v1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	init := cs.InitializeResult()
	d := &Server{Instructions: init.Instructions}
	if si := init.ServerInfo; si != nil {
		d.Name, d.Title, d.Version = si.Name, si.Title, si.Version
	}
	if init.Capabilities == nil || init.Capabilities.Tools == nil {
		return d, nil // a server without tools answers tools/list with an error
	}
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, err
		}
		title := t.Title
		if title == "" && t.Annotations != nil {
			title = t.Annotations.Title
		}
		d.Tools = append(d.Tools, Tool{Name: t.Name, Title: title, Description: t.Description})
	}
	return d, nil
}

// Describer describes a server the first time a page asks, and keeps what
// it learnt: a server does not pay for a page nobody opens, and a page
// shown often costs no more than one description. A failure is not kept,
// so that the next page tries again.
//
// The description goes through all of the server's middleware, as any
// client's requests do: it is counted, limited and traced as one
// initialize and one tools/list, from whoever opened the page first.
type Describer struct {
	server *mcp.Server
	mu     sync.Mutex
	desc   *Server
}

// NewDescriber returns a Describer of s.
func NewDescriber(s *mcp.Server) *Describer { return &Describer{server: s} }

// Describe returns s's description, asking s for it the first time.
func (d *Describer) Describe(ctx context.Context) (*Server, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.desc == nil {
		desc, err := Describe(ctx, d.server)
		if err != nil {
			return nil, err
		}
		d.desc = desc
	}
	return d.desc, nil
}
