package examples

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/mcpgen/mcpgen/internal/testkit"
)

// oauthPackages are what an OAuth-protected server links to be one: the
// authorization server, its store, and the store's database.
var oauthPackages = []string{
	"github.com/mcpgen/mcpgen/runtime/oauth",
	"github.com/mcpgen/mcpgen/runtime/store",
	"go.etcd.io/bbolt",
}

// TestExamplesLinkOAuthOnlyWhenAsked checks, with go list -deps, that a
// server without an auth section links no OAuth or storage code, and that
// one with it does (so that the first check is not vacuous).
func TestExamplesLinkOAuthOnlyWhenAsked(t *testing.T) {
	for _, tc := range []struct {
		dir       string
		wantOAuth bool
	}{
		{"authless", false},
		{"github-oauth", true},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", ".")
			cmd.Dir = tc.dir
			cmd.Env = testkit.OfflineEnv()
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps: %v", err)
			}
			deps := make(map[string]bool)
			for _, p := range strings.Fields(string(out)) {
				deps[p] = true
			}
			for _, p := range oauthPackages {
				if deps[p] != tc.wantOAuth {
					t.Errorf("examples/%s links %s: %v, want %v", tc.dir, p, deps[p], tc.wantOAuth)
				}
			}
		})
	}
}
