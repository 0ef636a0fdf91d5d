package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/mcpgen/mcpgen/runtime/oauth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// UserInfo serves the "userInfo" tool: it reads the signed-in user's profile
// from GitHub's API (GET /user), calling it with the token the user granted
// this server at sign-in.
//
// mcpgen created this file once and will not change it: it is yours.
func (t *Tools) UserInfo(ctx context.Context, req *mcp.CallToolRequest, in UserInfoInput) (UserInfoOutput, error) {
	user, ok := oauth.UserOf(req)
	if !ok {
		// Only a server without OAuth in front of it (an in-memory test)
		// gets here: over HTTP, a call without a valid token never does.
		return UserInfoOutput{}, errors.New("not signed in")
	}
	// The client adds the user's GitHub token to each request; the token
	// itself stays inside the oauth package.
	client, err := t.Auth.UpstreamClient(ctx, req)
	if err != nil {
		return UserInfoOutput{}, err
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodGet, t.Auth.APIURL()+"/user", nil)
	if err != nil {
		return UserInfoOutput{}, err
	}
	httpReq.Header.Set("Accept", "application/vnd.github+json")
	httpReq.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := client.Do(httpReq)
	if err != nil {
		return UserInfoOutput{}, fmt.Errorf("calling GitHub: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return UserInfoOutput{}, fmt.Errorf("GitHub answered GET /user with %s", resp.Status)
	}
	var profile struct {
		Login       string `json:"login"`
		Name        string `json:"name"`
		Email       string `json:"email"`
		PublicRepos int64  `json:"public_repos"`
		Followers   int64  `json:"followers"`
		HTMLURL     string `json:"html_url"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&profile); err != nil {
		return UserInfoOutput{}, fmt.Errorf("reading GitHub's answer: %w", err)
	}
	// GitHub leaves the email out of /user when the user keeps it private;
	// sign-in read the primary one from /user/emails.
	email := profile.Email
	if email == "" {
		email = user.Email
	}
	return UserInfoOutput{
		Login:       profile.Login,
		Name:        optional(profile.Name),
		Email:       optional(email),
		PublicRepos: &profile.PublicRepos,
		Followers:   &profile.Followers,
		ProfileURL:  optional(profile.HTMLURL),
	}, nil
}

// optional is s, or nil when s is empty, for the optional fields of a result.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
