// Package auth is the authentication module (the contract's auth tag): it
// signs access tokens, installs the guard that checks them on every
// protected operation, and serves sign-in, refresh, sign-out and the
// current user.
package auth

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
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
	TokensService   = "auth.tokens"
	StatesService   = coreauth.StatesService
	GrantsService   = "auth.grants"
	SessionsService = coreauth.SessionsService
)

// stateTTL bounds how long another process may keep honouring a token of a
// user deactivated elsewhere.
const stateTTL = 5 * time.Second

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// Module is the authentication module.
type Module struct {
	db       *bun.DB
	cfg      *config.Config
	log      *slog.Logger
	tokens   *coreauth.Tokens
	grants   *coreauth.Grants
	states   *coreauth.StateCache
	accounts coreauth.Accounts
	hasher   *coreauth.Hasher
	sessions *sessions
	throttle *throttle
	clientIP clientIP
	now      func() time.Time
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Instancer   = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
	_ module.Router      = (*Module)(nil)
)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Requires: []string{users.ID},
		Summary: "Access tokens, sign-in and the permission guard"}
}

// Migrations returns the module's migrations: refresh tokens and failed
// sign-ins.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}

// Provision builds the token service, the permission table, the guard and
// the sign-in machinery, and publishes what the kernel and the other
// modules need.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	m.db, m.cfg, m.log = h.DB, h.Config, h.Log
	m.now = func() time.Time { return time.Now().UTC() }
	if err := m.provisionTokens(); err != nil {
		return err
	}
	if err := m.provisionUsers(h.Services); err != nil {
		return err
	}
	if err := m.provisionSignIn(); err != nil {
		return err
	}
	guard := coreauth.Guard(m.tokens, m.grants, m.states)
	return errors.Join(
		h.Services.Provide(httpx.GuardService, guard),
		h.Services.Provide(TokensService, m.tokens),
		h.Services.Provide(StatesService, m.states),
		h.Services.Provide(GrantsService, m.grants),
		h.Services.Provide(SessionsService, coreauth.Sessions(m.sessions)),
	)
}

func (m *Module) provisionTokens() error {
	secret, err := signingSecret(m.cfg, m.log)
	if err != nil {
		return err
	}
	a := m.cfg.Auth
	if m.tokens, err = coreauth.NewTokens(secret, a.Issuer, a.Audience, a.AccessTTL); err != nil {
		return err
	}
	m.grants, err = coreauth.NewGrants(a.Grants)
	return err
}

// provisionUsers looks up what the users module, provisioned before this
// one, publishes.
func (m *Module) provisionUsers(s *module.Services) error {
	load, err := module.Service[coreauth.StateLoader](s, users.StateService)
	if err != nil {
		return err
	}
	m.states = coreauth.NewStateCache(load, stateTTL)
	m.accounts, err = module.Service[coreauth.Accounts](s, coreauth.AccountsService)
	if err != nil {
		return err
	}
	m.hasher, err = module.Service[*coreauth.Hasher](s, coreauth.PasswordsService)
	return err
}

func (m *Module) provisionSignIn() error {
	t := m.cfg.Auth.Throttle
	m.sessions = &sessions{ttl: m.cfg.Auth.RefreshTTL, now: m.now}
	m.throttle = &throttle{maxAccount: t.MaxFailuresPerAccount, maxIP: t.MaxFailuresPerIP,
		window: t.Window}
	for _, p := range t.TrustedProxies {
		prefix, err := config.ParseProxy(p)
		if err != nil {
			return fmt.Errorf("auth.throttle.trusted_proxies: %w", err)
		}
		m.clientIP.trusted = append(m.clientIP.trusted, prefix)
	}
	return nil
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

// NewInstance gives each app its own, unprovisioned module.
func (m *Module) NewInstance() module.Module { return &Module{} }
