package callinfo

import (
	"context"
	"testing"
)

func TestInfo(t *testing.T) {
	if From(context.Background()) != nil {
		t.Fatal("From on a bare context: want nil")
	}
	var none *Info
	none.SetOutcome(Refused) // must not panic
	if none.Outcome() != "" || none.UpstreamStatus() != 0 {
		t.Fatal("a nil Info must read empty")
	}
	ctx, i := With(context.Background())
	if From(ctx) != i {
		t.Fatal("From does not return the Info With made")
	}
	i.SetOutcome(RateLimited)
	i.SetOutcome(ToolError)
	if got := i.Outcome(); got != RateLimited {
		t.Errorf("Outcome = %q, want the first one set, %q", got, RateLimited)
	}
	i.SetUpstreamStatus(502)
	i.SetUpstreamStatus(200)
	if got := i.UpstreamStatus(); got != 200 {
		t.Errorf("UpstreamStatus = %d, want the last one set, 200", got)
	}
}
