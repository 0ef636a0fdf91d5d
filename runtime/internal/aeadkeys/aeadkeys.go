// Package aeadkeys parses the key settings of the runtime (ENCRYPTION_KEY,
// REQUEST_STATE_KEY): comma-separated base64 encodings of 32-byte keys, the
// first to seal with and all to open with, so that keys can be rotated.
package aeadkeys

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"fmt"
	"strings"
)

// Parse returns an AES-256-GCM AEAD for each key in value. A key may be
// standard or URL-safe base64, padded or not. The error says which key is
// wrong and how to make one, and never repeats the value.
func Parse(value string) ([]cipher.AEAD, error) {
	var keys []cipher.AEAD
	for i, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		key, err := base64.StdEncoding.DecodeString(part)
		if err != nil {
			key, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(part, "="))
		}
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("key %d is not the base64 encoding of 32 bytes; make one with: openssl rand -base64 32", i+1)
		}
		aead, err := New(key)
		if err != nil {
			return nil, err
		}
		keys = append(keys, aead)
	}
	return keys, nil
}

// New returns the AES-256-GCM AEAD of a 32-byte key.
func New(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
