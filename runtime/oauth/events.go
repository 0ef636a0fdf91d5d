package oauth

import (
	"context"
	"net/http"
	"path"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// events counts every Event as the metric mcpgen.oauth.events, through the
// global meter provider: the server's telemetry installs one when metrics
// are on, and until then the count costs next to nothing.
var events, _ = otel.Meter("github.com/mcpgen/mcpgen/runtime/oauth").Int64Counter("mcpgen.oauth.events",
	metric.WithUnit("{event}"),
	metric.WithDescription("OAuth tokens issued and refreshed, and requests refused, by endpoint and reason"))

// record counts e and passes it to Options.OnEvent.
func (s *Server) record(ctx context.Context, e Event) {
	events.Add(ctx, 1, metric.WithAttributes(
		attribute.String("event", e.Kind), attribute.String("endpoint", e.Endpoint), attribute.String("reason", e.Reason)))
	if s.opts.OnEvent != nil {
		s.opts.OnEvent(ctx, e)
	}
}

// Kinds of [Event].
const (
	// EventTokenIssued: an authorization code was exchanged for tokens.
	EventTokenIssued = "token_issued"
	// EventTokenRefreshed: a refresh token was exchanged for new tokens.
	EventTokenRefreshed = "token_refreshed"
	// EventRefused: an endpoint refused a request, or sent an
	// authorization back to its client with an error.
	EventRefused = "refused"
)

// An Event is something the server did that is worth counting: tokens
// issued and requests refused. See [Options.OnEvent].
type Event struct {
	// Kind is EventTokenIssued, EventTokenRefreshed or EventRefused.
	Kind string
	// Endpoint is the endpoint that answered: "register", "authorize",
	// "consent", "callback", "token" or "revoke".
	Endpoint string
	// Reason, for EventRefused, is why, as an OAuth error code
	// (invalid_request, invalid_client, invalid_grant, access_denied,
	// temporarily_unavailable, server_error, …), or rate_limited for a
	// request over its rate limit.
	Reason string
}

// ReasonRateLimited is the Reason of a request refused by a rate limit.
const ReasonRateLimited = "rate_limited"

// emit calls Options.OnEvent, if set, for a request to r's endpoint.
func (s *Server) emit(r *http.Request, kind, reason string) {
	s.record(r.Context(), Event{Kind: kind, Endpoint: endpointOf(r), Reason: reason})
}

// emitCtx is emit for a refusal known only by its endpoint's name.
func (s *Server) emitCtx(ctx context.Context, endpoint, kind, reason string) {
	s.record(ctx, Event{Kind: kind, Endpoint: endpoint, Reason: reason})
}

// endpointOf names the endpoint r was sent to: the last element of its
// path, which Mount's routes end in whatever prefix a proxy adds.
func endpointOf(r *http.Request) string { return path.Base(r.URL.Path) }
