package oauth

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/mcpgen/mcpgen/runtime/internal/aeadkeys"
	"github.com/mcpgen/mcpgen/runtime/store"
)

// settings are what New reads from the environment.
type settings struct {
	baseURL  string // no trailing slash
	store    *store.Config
	keys     []cipher.AEAD // the first encrypts; all decrypt; nil until New settles it
	provider providerSettings
	limits   *limitSettings // nil: no rate limits
}

type providerSettings struct {
	name                   string // github, google, oidc
	clientID, clientSecret string
	authURL, tokenURL      string // github only; discovered otherwise
	apiURL                 string
	issuer                 string // google, oidc
}

// readSettings reads and checks the settings, reporting every problem at
// once.
func readSettings(opts *Options, lookupEnv func(string) (string, bool), logger *slog.Logger) (*settings, error) {
	get := func(name string) string {
		v, _ := lookupEnv(name)
		return strings.TrimSpace(v)
	}
	var missing, problems []string
	require := func(name string) string {
		v := get(name)
		if v == "" {
			missing = append(missing, name)
		}
		return v
	}
	orDefault := func(name, def string) string {
		if v := get(name); v != "" {
			return strings.TrimRight(v, "/")
		}
		return def
	}

	st := &settings{}
	var err error
	if st.baseURL, err = baseURL(get("BASE_URL"), get("ADDR"), get("PORT")); err != nil {
		problems = append(problems, err.Error())
	}
	p := &st.provider
	p.name = opts.Provider
	switch opts.Provider {
	case "github":
		p.clientID = require("GITHUB_CLIENT_ID")
		p.clientSecret = require("GITHUB_CLIENT_SECRET")
		p.authURL = orDefault("GITHUB_AUTHORIZE_URL", "https://github.com/login/oauth/authorize")
		p.tokenURL = orDefault("GITHUB_TOKEN_URL", "https://github.com/login/oauth/access_token")
		p.apiURL = orDefault("GITHUB_API_URL", "https://api.github.com")
		for _, name := range []string{"GITHUB_AUTHORIZE_URL", "GITHUB_TOKEN_URL", "GITHUB_API_URL"} {
			if v := get(name); v != "" && !isHTTPURL(v) {
				problems = append(problems, fmt.Sprintf("%s=%q is not an absolute http(s) URL", name, v))
			}
		}
	case "google":
		p.clientID = require("GOOGLE_CLIENT_ID")
		p.clientSecret = require("GOOGLE_CLIENT_SECRET")
		p.issuer = "https://accounts.google.com"
		p.apiURL = "https://www.googleapis.com"
	case "oidc":
		p.issuer = strings.TrimRight(require("OIDC_ISSUER"), "/")
		p.clientID = require("OIDC_CLIENT_ID")
		p.clientSecret = require("OIDC_CLIENT_SECRET")
		if p.issuer != "" && !isHTTPURL(p.issuer) {
			problems = append(problems, fmt.Sprintf("OIDC_ISSUER=%q is not an absolute http(s) URL", p.issuer))
		}
		p.apiURL = p.issuer
	default:
		problems = append(problems, fmt.Sprintf("unknown identity provider %q (want github, google or oidc)", opts.Provider))
	}
	st.store = store.ConfigFromEnv(lookupEnv)
	if raw := get("ENCRYPTION_KEY"); raw != "" {
		if st.keys, err = parseKeys(raw); err != nil {
			problems = append(problems, err.Error())
		}
	}
	var limitProblems []string
	st.limits, limitProblems = readLimits(opts.RateLimits, get)
	problems = append(problems, limitProblems...)
	if len(missing) > 0 {
		problems = append([]string{"missing settings: " + strings.Join(missing, ", ")}, problems...)
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return st, nil
}

// errSharedNeedsKey is why a server sharing its store refuses to start
// without ENCRYPTION_KEY: a key of its own would seal provider tokens that
// no other replica could open.
var errSharedNeedsKey = errors.New("ENCRYPTION_KEY is not set, and the store (STORE_URL) is shared between replicas, " +
	"which must all seal and open provider tokens with the same key: make one with: openssl rand -base64 32, " +
	"and give every replica that value as ENCRYPTION_KEY")

// settleKeys makes sure there is a key once the store is known: the
// ENCRYPTION_KEY given, or, for a store of this process alone, a
// development key kept in a file next to the bbolt file.
func (st *settings) settleKeys(shared bool, logger *slog.Logger) error {
	if st.keys != nil {
		return nil
	}
	if shared {
		return errSharedNeedsKey
	}
	path := st.store.Path
	if path == "" {
		path = store.DefaultPath
	}
	keys, err := devKey(filepath.Join(filepath.Dir(path), "encryption.key"), logger)
	st.keys = keys
	return err
}

// baseURL returns the public base URL: BASE_URL, or a localhost URL on
// the port the server listens on.
func baseURL(raw, addr, port string) (string, error) {
	if raw == "" {
		if _, p, err := net.SplitHostPort(addr); err == nil && p != "" && p != "0" {
			port = p
		}
		if port == "" {
			port = "8080"
		}
		return "http://localhost:" + port, nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !isHTTPURL(raw):
		return "", fmt.Errorf("BASE_URL=%q is not an absolute http(s) URL", raw)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return "", fmt.Errorf("BASE_URL=%q must not have a query or fragment", raw)
	case u.User != nil:
		return "", fmt.Errorf("BASE_URL=%q must not carry credentials", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// parseKeys parses ENCRYPTION_KEY: base64 32-byte keys, comma-separated.
func parseKeys(raw string) ([]cipher.AEAD, error) {
	keys, err := aeadkeys.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("ENCRYPTION_KEY: %w", err)
	}
	return keys, nil
}

// devKey returns the key kept in path, making it first if need be. It is
// for development, where nobody has set ENCRYPTION_KEY.
func devKey(path string, logger *slog.Logger) ([]cipher.AEAD, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 32)
		rand.Read(key)
		b = []byte(base64.StdEncoding.EncodeToString(key) + "\n")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("ENCRYPTION_KEY is not set and no key can be kept: %w", err)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, fmt.Errorf("ENCRYPTION_KEY is not set and no key can be kept: %w", err)
		}
		logger.Warn("ENCRYPTION_KEY is not set: generated a key for development; set ENCRYPTION_KEY in production", "file", path)
	} else if err != nil {
		return nil, fmt.Errorf("ENCRYPTION_KEY is not set, and reading %s: %w", path, err)
	} else {
		logger.Warn("ENCRYPTION_KEY is not set: using the development key file; set ENCRYPTION_KEY in production", "file", path)
	}
	keys, err := parseKeys(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

// seal encrypts plaintext with the first key, binding it to aad (the
// record it belongs to, so that ciphertexts cannot be swapped between
// records).
func seal(keys []cipher.AEAD, plaintext, aad []byte) []byte {
	k := keys[0]
	nonce := make([]byte, k.NonceSize(), k.NonceSize()+len(plaintext)+k.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		panic(err) // crypto/rand never fails
	}
	return k.Seal(nonce, nonce, plaintext, aad)
}

// open decrypts what seal encrypted, with whichever key encrypted it.
func open(keys []cipher.AEAD, ciphertext, aad []byte) ([]byte, error) {
	for _, k := range keys {
		if len(ciphertext) < k.NonceSize() {
			break
		}
		nonce, sealed := ciphertext[:k.NonceSize()], ciphertext[k.NonceSize():]
		if pt, err := k.Open(nil, nonce, sealed, aad); err == nil {
			return pt, nil
		}
	}
	return nil, errors.New("cannot decrypt the stored provider token with any ENCRYPTION_KEY")
}
