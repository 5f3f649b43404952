package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	coreauth "github.com/erp-interventions/erp/core/auth"
)

// errRefreshRefused covers every refresh token that cannot be used: unknown,
// expired, revoked or already rotated.
var errRefreshRefused = errors.New("refresh token refused")

// refreshToken is a row of refresh_tokens. Only a hash of the token is
// stored: a copy of the table does not let anyone sign in. Every token
// descends from one sign-in, its family; rotating a token marks it used and
// issues its successor in the same family.
type refreshToken struct {
	bun.BaseModel `bun:"table:refresh_tokens,alias:rt"`

	ID              int64      `bun:"id,pk,autoincrement"`
	UserID          int64      `bun:"user_id,notnull"`
	Famille         string     `bun:"famille,notnull"`
	TokenHash       string     `bun:"token_hash,notnull"`
	DateCreation    time.Time  `bun:"date_creation,notnull"`
	DateExpiration  time.Time  `bun:"date_expiration,notnull"`
	DateUtilisation *time.Time `bun:"date_utilisation"`
	DateRevocation  *time.Time `bun:"date_revocation"`
}

// sessions stores, rotates and revokes refresh tokens.
type sessions struct {
	ttl time.Duration
	now func() time.Time
}

var _ coreauth.Sessions = (*sessions)(nil)

// issue creates a refresh token for userID in family (a new family when
// empty) and returns the token to hand to the client.
func (s *sessions) issue(ctx context.Context, db bun.IDB, userID int64,
	family string) (string, error) {
	if family == "" {
		family = randomHex(16)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	row := &refreshToken{UserID: userID, Famille: family, TokenHash: hashToken(token),
		DateCreation: now, DateExpiration: now.Add(s.ttl)}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	return token, nil
}

// find returns the row of token, or errRefreshRefused.
func (s *sessions) find(ctx context.Context, db bun.IDB, token string) (*refreshToken, error) {
	row := new(refreshToken)
	err := db.NewSelect().Model(row).Where("rt.token_hash = ?", hashToken(token)).Scan(ctx)
	if isNoRows(err) {
		return nil, errRefreshRefused
	}
	if err != nil {
		return nil, fmt.Errorf("read refresh token: %w", err)
	}
	return row, nil
}

// claim marks row used, and reports false when another request used or
// revoked it first: whoever claims a token is the only one to rotate it.
func (s *sessions) claim(ctx context.Context, db bun.IDB, row *refreshToken) (bool, error) {
	res, err := db.NewUpdate().Table("refresh_tokens").Set("date_utilisation = ?", s.now()).
		Where("id = ?", row.ID).Where("date_utilisation IS NULL").
		Where("date_revocation IS NULL").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("claim refresh token: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// revokeFamily revokes every live token descending from one sign-in.
func (s *sessions) revokeFamily(ctx context.Context, db bun.IDB, family string) error {
	_, err := db.NewUpdate().Table("refresh_tokens").Set("date_revocation = ?", s.now()).
		Where("famille = ?", family).Where("date_revocation IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke refresh token family: %w", err)
	}
	return nil
}

// RevokeUser revokes every live refresh token of userID; it implements
// coreauth.Sessions for the users module.
func (s *sessions) RevokeUser(ctx context.Context, db bun.IDB, userID int64) error {
	_, err := db.NewUpdate().Table("refresh_tokens").Set("date_revocation = ?", s.now()).
		Where("user_id = ?", userID).Where("date_revocation IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke refresh tokens of user %d: %w", userID, err)
	}
	return nil
}

// hashToken is the stored form of a refresh token. The token holds 256
// random bits, so a fast hash is enough: there is nothing to guess.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
