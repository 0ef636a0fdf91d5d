package deploytest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

// goMemLimit is read by the Go runtime, not by the server, so the server's
// --help does not list it: checkMemLimit checks the files that set it.
const goMemLimit = "GOMEMLIMIT"

// checkMemLimit holds the GOMEMLIMIT a container sets against its memory
// limit: below it, as the runtime counts only the memory it manages, and
// not so far below that the heap is collected hard long before it must be.
func checkMemLimit(t *testing.T, file string, env map[string]string, limit *resource.Quantity) {
	t.Helper()
	v, ok := env[goMemLimit]
	if !ok {
		t.Errorf("%s sets no %s: the Go runtime would not collect harder as the container nears its memory limit", file, goMemLimit)
		return
	}
	n, err := parseGoMemLimit(v)
	if err != nil {
		t.Errorf("%s: %s=%q: %v", file, goMemLimit, v, err)
		return
	}
	if limit == nil || limit.IsZero() {
		t.Errorf("%s sets %s but no memory limit for it to stay under", file, goMemLimit)
		return
	}
	max := limit.Value()
	if n >= max || n < max*8/10 {
		t.Errorf("%s: %s=%s is %.0f %% of the container's memory limit %s, want 80 %% or more and under 100 %%",
			file, goMemLimit, v, 100*float64(n)/float64(max), limit)
	}
}

// parseGoMemLimit reads GOMEMLIMIT as the runtime does: a number of bytes
// with an optional B, KiB, MiB, GiB or TiB.
func parseGoMemLimit(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("a negative size")
	}
	return n * mult, nil
}

func TestParseGoMemLimit(t *testing.T) {
	for in, want := range map[string]int64{"230MiB": 230 << 20, "1GiB": 1 << 30, "1048576": 1 << 20, "512B": 512} {
		if got, err := parseGoMemLimit(in); err != nil || got != want {
			t.Errorf("parseGoMemLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"230MB", "lots", "-1"} {
		if _, err := parseGoMemLimit(in); err == nil {
			t.Errorf("parseGoMemLimit(%q) accepted", in)
		}
	}
}
