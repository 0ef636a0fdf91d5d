// Package oauth makes an MCP server its own OAuth 2.1 authorization server
// for MCP clients, signing users in with an identity provider (GitHub,
// Google or any OpenID Connect issuer), as the MCP authorization
// specification describes.
//
// To MCP clients the server is an authorization server: it publishes
// protected resource metadata (RFC 9728) and authorization server metadata
// (RFC 8414), registers clients through Client ID Metadata Documents or
// dynamic registration (RFC 7591), runs the authorization code flow with
// PKCE (S256 only) and resource indicators (RFC 8707) behind a consent
// page, and issues opaque access and refresh tokens that it revokes on
// request (RFC 7009). To the identity provider it is an ordinary OAuth
// client: the user signs in there, and the provider's token is kept,
// encrypted, on the server. It never reaches the MCP client; tool handlers
// use it through [Server.UpstreamClient].
//
// A generated main wires it up like this:
//
//	auth, err := oauth.New(AuthOptions(), os.LookupEnv, nil)
//	if err != nil { ... }
//	defer auth.Close()
//	s := NewServer(&Tools{Auth: auth}, nil)
//	auth.Gate(s)
//	opts := ServeOptions()
//	opts.Auth = auth
//	serve.Main(s, opts)
//
// # Settings
//
// [New] reads its settings from the environment:
//
//   - BASE_URL: the server's public base URL (default
//     http://localhost:<port of ADDR or PORT, or 8080>). It is the issuer,
//     and BASE_URL+"/mcp" is the resource that tokens are bound to.
//   - GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET (provider "github"), and
//     GITHUB_AUTHORIZE_URL, GITHUB_TOKEN_URL, GITHUB_API_URL to point at
//     GitHub Enterprise (defaults: github.com's).
//   - GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET (provider "google").
//   - OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (provider "oidc").
//   - ENCRYPTION_KEY: the base64 encoding of a 32-byte AES-256 key that
//     encrypts provider tokens at rest (make one with openssl rand -base64
//     32). A comma-separated list rotates keys: the first encrypts, all
//     decrypt. When it is absent, a key is generated and kept in a file
//     next to the store, with a warning: fine for development, not for
//     production, and refused when the store is shared (Redis), where
//     every replica must have the same key.
//   - STORE_URL: where clients, grants and tokens are kept (see
//     [store.Config]). Unset, the bbolt file at STORE_PATH; "memory:" for
//     development; redis://[user:password@]host:port/db or rediss://… for
//     replicas that share one Redis.
//   - STORE_PATH: the bbolt file when STORE_URL is unset (default
//     ./data/oauth.db), so that sign-ins survive restarts.
//   - OAUTH_RATE_LIMIT: requests a minute that one client address may make
//     to each endpoint, replacing the limits of [Options.RateLimits] (see
//     Rate limits); 0 turns the limits off.
//   - OAUTH_RATE_LIMIT_FAIL: what the limits do when the store cannot be
//     reached: "closed" (the default) refuses requests with 503, as the
//     endpoints would for want of the store anyway; "open" lets them
//     through.
//   - the UsersEnv variables named by [Options.Tools].
//
// [Options.Store] passes a store already open instead, such as the one the
// server's tools keep their state in.
//
// # Replicas
//
// With STORE_URL naming one Redis, any number of replicas behind a load
// balancer act as one server: every step of a sign-in may reach another
// replica, and nothing that decides whether a token is good (grants,
// tokens, codes, revocations) is kept in a process, only in the store. An
// authorization code or a refresh token is redeemed once, whichever
// replicas it is presented to at once: the store takes it atomically. The
// provider's token, when it expires, is refreshed by one replica under a
// short lock in the store while the others wait for the new one. When the
// store cannot be reached, the endpoints answer 503 (OAuth's
// temporarily_unavailable where the client reads JSON) and issue nothing,
// and they work again once it is back.
//
// # Rate limits
//
// The OAuth endpoints are limited per client address
// (the one the HTTP layer worked out, behind trusted proxies, or else the
// connection's; an IPv6 client by its /64), in the server's store, so that
// replicas sharing a Redis share each address's budget. By default:
//
//   - /register: 10 a minute, at most 5 at once;
//   - /authorize, /consent and /callback: 60 a minute each, at most 20 at
//     once;
//   - /token and /revoke: 60 a minute each, at most 20 at once.
//
// A client registers once and a sign-in takes one request of each other
// kind, with a refresh an hour, so the defaults leave room for many users
// behind one address and none for guessing client secrets or filling the
// store with registrations. A request over its limit gets 429 with
// Retry-After and an OAuth error, temporarily_unavailable, that clients
// know to retry. CORS preflights are not limited. [Options.RateLimits]
// changes the limits, and OAUTH_RATE_LIMIT overrides them.
//
// # Operations
//
// [Server.Ready] is a readiness check: the store answers, and an OpenID
// provider's configuration has been fetched. [Options.OnEvent] hears of
// every token issued or refreshed and every request refused, by endpoint
// and reason, to count them.
//
// # Clients
//
// A client_id that is an https URL with a path names a Client ID Metadata
// Document, which the server fetches (at most 5 KB, within 5 s, with no
// redirects, and only from public addresses: the check runs on the address
// dialled, so DNS rebinding cannot reach loopback or private networks) and
// caches as its Cache-Control says, between 30 s and a day. Its client_id
// must be its own URL, and its clients are public. Other clients register
// at /register (RFC 7591); those that ask for client_secret_basic or
// client_secret_post (the RFC's default) get a secret, kept hashed. A
// client that names no grant_types may refresh.
//
// # Redirect URIs
//
// Dynamic registration accepts https redirect URIs, http ones on a
// loopback host (127.0.0.1, [::1], localhost) and private-use schemes
// (com.example.app:/callback) for native apps. /authorize matches the
// redirect URI exactly, except that for an http loopback URI the port may
// differ from the registered one (RFC 8252 §7.3: native apps listen on an
// ephemeral port). An unknown client or a redirect URI it did not register
// gets an error page, never a redirect.
//
// # Consent
//
// Every authorization goes through a consent page that names the client
// (by the host serving its metadata document, or by the name it
// registered, said to be self-declared), shows its client_uri and logo_uri
// only when they are on the origin of its metadata document or of a
// redirect URI, and says the host it will send the user to, what the
// provider's scopes allow, and which tools a grant opens (those of the
// server given to [Server.Gate]). The page's form carries a CSRF token
// bound to the pending request, and the request is bound to the browser
// that made it by a cookie, so nobody can start an authorization and have
// someone else's browser approve it. The consent and error pages load
// nothing but the logo, under a Content-Security-Policy that allows their
// stylesheet by hash and lets the form go only here, to the provider and
// to the client.
//
// # Tokens
//
// Every token of this server has the scope "mcp"; what a user may do is up
// to the provider's scopes and [Options.Tools]. A client may also ask for
// provider scopes, those of [Options.Scopes] or a rule's, and sign-in then
// asks the provider for them too. That is how step-up authorization works:
// a tools/call whose rule needs a scope the user has not granted is
// answered 403 with an insufficient_scope challenge naming the tool's
// scopes, for clients of MCP 2025-11-25 or later (older ones get a tool
// error naming the scope), and the client signs in again asking for them.
// The 401 that starts a sign-in asks for "mcp" alone. Access tokens live one hour,
// and a sign-in (a grant, with its refresh tokens) 30 days, after which
// the user signs in again. Tokens are random strings that the store keeps
// only as SHA-256 hashes, each bound to the client, the resource, the user
// and the scopes; an access token begins with the (non-secret) ID of its
// grant, so that checking it reads the token and its grant in one round
// trip to the store. Authorization codes live 60 seconds. A refresh token is
// replaced on every use, and presenting one already used revokes the whole
// grant, as does using an authorization code twice. Revoking a refresh
// token (RFC 7009) revokes its grant; revoking an access token revokes
// that token.
//
// The provider's token is sealed with AES-256-GCM under ENCRYPTION_KEY,
// bound to its grant. It appears in no response, redirect, log line or
// error.
package oauth
