package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidToken is returned for any token that does not verify. The cause
// is kept for the log; clients only ever learn that the token is refused.
var ErrInvalidToken = errors.New("invalid access token")

// claims is the access token's payload.
type claims struct {
	jwt.RegisteredClaims
	Role     Role  `json:"role"`
	ClientID int64 `json:"cid,omitempty"`
}

// Tokens issues and verifies access tokens: HS256 JWTs whose issuer,
// audience, lifetime and algorithm are pinned.
type Tokens struct {
	secret   []byte
	issuer   string
	audience string
	ttl      time.Duration
	parser   *jwt.Parser
	now      func() time.Time
	verified verifiedCache
}

// verifiedCache remembers tokens that passed verification, keyed by the
// whole token string (signature included), so a client's repeated requests
// skip the JWT parse and HMAC. Only the expiry is time-dependent, and it is
// checked on every hit. The cache is emptied when it grows past its bound:
// a simple rule that keeps memory flat without per-entry bookkeeping.
type verifiedCache struct {
	mu sync.RWMutex
	m  map[string]verifiedToken
}

type verifiedToken struct {
	p   Principal
	exp time.Time
}

// verifiedCacheMax bounds the cache: one entry is a few hundred bytes.
const verifiedCacheMax = 20000

func (c *verifiedCache) get(token string, now time.Time) (Principal, bool) {
	c.mu.RLock()
	v, ok := c.m[token]
	c.mu.RUnlock()
	if !ok || !now.Before(v.exp) {
		return Principal{}, false
	}
	return v.p, true
}

func (c *verifiedCache) put(token string, p Principal, exp time.Time) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= verifiedCacheMax {
		c.m = make(map[string]verifiedToken, 1024)
	}
	c.m[token] = verifiedToken{p: p, exp: exp}
	c.mu.Unlock()
}

// MinSecretBytes is the shortest signing secret accepted.
const MinSecretBytes = 32

// NewTokens returns a token service. The secret must be at least
// MinSecretBytes long.
func NewTokens(secret []byte, issuer, audience string, ttl time.Duration) (*Tokens, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("JWT secret must be at least %d bytes, got %d",
			MinSecretBytes, len(secret))
	}
	t := &Tokens{secret: secret, issuer: issuer, audience: audience, ttl: ttl, now: time.Now}
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithNotBeforeRequired(),
		jwt.WithLeeway(5*time.Second),
		jwt.WithTimeFunc(func() time.Time { return t.now() }),
	)
	return t, nil
}

// TTL is the lifetime of issued tokens.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs an access token for p and returns it with its expiry.
func (t *Tokens) Issue(p Principal) (string, time.Time, error) {
	now := t.now().UTC().Truncate(time.Second)
	exp := now.Add(t.ttl)
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   strconv.FormatInt(p.UserID, 10),
			Audience:  jwt.ClaimStrings{t.audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        newTokenID(),
		},
		Role:     p.Role,
		ClientID: p.ClientID,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// Verify checks the token's signature, algorithm and every claim, and
// returns the principal it names.
func (t *Tokens) Verify(token string) (*Principal, error) {
	if p, ok := t.verified.get(token, t.now()); ok {
		return &p, nil
	}
	var c claims
	_, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) {
		return t.secret, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.ID == "" {
		return nil, fmt.Errorf("%w: jti is required", ErrInvalidToken)
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 || !c.Role.Valid() {
		return nil, fmt.Errorf("%w: bad subject or role", ErrInvalidToken)
	}
	p := Principal{UserID: id, Role: c.Role, ClientID: c.ClientID, TokenID: c.ID}
	t.verified.put(token, p, c.ExpiresAt.Time)
	return &p, nil
}

func newTokenID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
