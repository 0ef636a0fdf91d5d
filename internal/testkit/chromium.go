package testkit

import "testing"

// Chromium returns the path of the chromium binary that the browser tests
// drive. Without it the test is skipped, saying what to install, or fails
// under MCPGEN_REQUIRE_SERVICES=1.
func Chromium(tb testing.TB) string {
	tb.Helper()
	return lookService(tb, "chromium", "Chromium (Debian: apt-get install chromium)")
}
