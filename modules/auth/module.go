// Package auth is the authentication module (the contract's auth tag): it
// signs access tokens, installs the guard that checks them on every
// protected operation, and serves sign-in.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/users"
)

// ID is the module's ID.
const ID = "auth"

// Service names this module publishes.
const (
	TokensService = "auth.tokens"
	StatesService = "auth.states"
	GrantsService = "auth.grants"
)

// stateTTL bounds how long another process may keep honouring a token of a
// user deactivated elsewhere.
const stateTTL = 5 * time.Second

func init() { module.Register(&Module{}) }

// Module is the authentication module.
type Module struct {
	db     *bun.DB
	cfg    *config.Config
	log    *slog.Logger
	tokens *coreauth.Tokens
	grants *coreauth.Grants
	states *coreauth.StateCache
}

var _ module.Provisioner = (*Module)(nil)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Requires: []string{users.ID},
		Summary: "Access tokens, sign-in and the permission guard"}
}

// Provision builds the token service, the permission table and the guard,
// and publishes them for the kernel and the other modules.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	m.db, m.cfg, m.log = h.DB, h.Config, h.Log
	secret, err := signingSecret(h.Config, h.Log)
	if err != nil {
		return err
	}
	a := h.Config.Auth
	if m.tokens, err = coreauth.NewTokens(secret, a.Issuer, a.Audience, a.AccessTTL); err != nil {
		return err
	}
	if m.grants, err = coreauth.NewGrants(nil); err != nil {
		return err
	}
	load, err := module.Service[coreauth.StateLoader](h.Services, users.StateService)
	if err != nil {
		return err
	}
	m.states = coreauth.NewStateCache(load, stateTTL)
	guard := coreauth.Guard(m.tokens, m.grants, m.states)
	return errors.Join(
		h.Services.Provide(httpx.GuardService, guard),
		h.Services.Provide(TokensService, m.tokens),
		h.Services.Provide(StatesService, m.states),
		h.Services.Provide(GrantsService, m.grants),
	)
}

// signingSecret returns the configured secret. In the dev profile, when none
// is configured, it generates one and keeps it in the data folder so tokens
// survive restarts; the prod profile refuses to start without one (the
// configuration check says so before we get here).
func signingSecret(cfg *config.Config, log *slog.Logger) ([]byte, error) {
	if s := cfg.Auth.JWTSecret; s != "" {
		return []byte(s), nil
	}
	if cfg.IsProd() {
		return nil, errors.New("auth.jwt_secret is required in the prod profile")
	}
	dir := "data"
	if p := cfg.Database.SQLitePath(); p != "" && p != ":memory:" {
		dir = filepath.Dir(p)
	}
	path := filepath.Join(dir, "jwt_secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 64 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder for the dev JWT secret: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("store the dev JWT secret: %w", err)
	}
	log.Warn("generated a development JWT secret; set auth.jwt_secret in production",
		slog.String("file", path))
	return []byte(secret), nil
}
