package auth

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/audit"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// Resource is the audit log's name for authentication events.
const Resource = "auth"

// badCredentials is the one answer to every failed sign-in, whatever the
// reason, so that nobody learns which addresses have accounts.
func badCredentials() error {
	return httpx.Unauthorized("Adresse e-mail ou mot de passe incorrect.")
}

// refreshRefused is the one answer to every unusable refresh token.
func refreshRefused() error {
	return httpx.Unauthorized("Jeton de rafraîchissement invalide, expiré ou révoqué.")
}

// signIn checks a password sign-in from ip and returns fresh tokens. Every
// refusal costs one password hash, known account or not, and answers the
// same body.
func (m *Module) signIn(ctx context.Context, email, password, ip string) (*Token, error) {
	norm := coreauth.NormaliseEmail(email)
	wait, err := m.throttle.wait(ctx, m.db, norm, ip, m.now())
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		return nil, m.throttled(ctx, norm, ip, wait)
	}
	acc, err := m.accounts.AccountByEmail(ctx, m.db, norm)
	if errors.Is(err, coreauth.ErrNoAccount) {
		m.hasher.CheckDummy(ctx, password)
		return nil, m.failed(ctx, norm, ip, 0, "compte inconnu")
	}
	if err != nil {
		return nil, err
	}
	if err := m.hasher.Check(ctx, acc.PasswordHash, password); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, m.failed(ctx, norm, ip, acc.ID, "mot de passe incorrect")
	}
	if !acc.Active {
		return nil, m.failed(ctx, norm, ip, acc.ID, "compte désactivé")
	}
	return m.succeeded(ctx, acc, ip)
}

// failed records a failed sign-in, for the throttle and the audit log, in
// one transaction, and returns the answer to give.
func (m *Module) failed(ctx context.Context, email, ip string, userID int64,
	reason string) error {
	err := m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := m.throttle.record(ctx, tx, email, ip, m.now()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "auth.login_failed",
			Resource: Resource, ResourceID: idString(userID), UserID: userID, IP: ip,
			Detail: reason + " : " + email})
	})
	if err != nil {
		return err
	}
	return badCredentials()
}

// throttled records a refused attempt and returns the 429. Refused
// attempts do not count as failures, so waiting always ends the block.
func (m *Module) throttled(ctx context.Context, email, ip string, wait time.Duration) error {
	err := audit.Record(ctx, m.db, audit.Change{Action: "auth.login_throttled",
		Resource: Resource, IP: ip, Detail: email})
	if err != nil {
		return err
	}
	httpx.Logger(ctx).WarnContext(ctx, "sign-in throttled",
		slog.String("request_id", httpx.RequestID(ctx)), slog.String("client_ip", ip))
	return httpx.TooManyRequests(retryAfterSeconds(wait))
}

// succeeded opens a session: a new refresh token family, the sign-in time,
// the audit entry and the reset of the address's failures, in one
// transaction; then the access token.
func (m *Module) succeeded(ctx context.Context, acc coreauth.Account,
	ip string) (*Token, error) {
	var refresh string
	err := m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if refresh, err = m.sessions.issue(ctx, tx, acc.ID, ""); err != nil {
			return err
		}
		if err := m.accounts.MarkSignedIn(ctx, tx, acc.ID, m.now()); err != nil {
			return err
		}
		if err := m.throttle.clearAccount(ctx, tx, coreauth.NormaliseEmail(acc.Email)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "auth.login", Resource: Resource,
			ResourceID: idString(acc.ID), UserID: acc.ID, IP: ip})
	})
	if err != nil {
		return nil, err
	}
	return m.token(acc, refresh)
}

// token pairs a new access token for acc with refresh.
func (m *Module) token(acc coreauth.Account, refresh string) (*Token, error) {
	access, _, err := m.tokens.Issue(acc.Principal())
	if err != nil {
		return nil, err
	}
	return &Token{AccessToken: access, TokenType: "bearer",
		ExpiresIn: int(m.tokens.TTL().Seconds()), RefreshToken: refresh}, nil
}

// refresh rotates a refresh token. Presenting a token that was already
// rotated means two parties hold it, so its whole family is revoked: the
// thief and the victim both have to sign in again.
//
// Limitation: there is no grace period, so a client that sends the same
// refresh token twice at once (two browser tabs racing) ends its own
// session and must sign in again.
func (m *Module) refresh(ctx context.Context, token, ip string) (*Token, error) {
	var (
		acc     coreauth.Account
		next    string
		refused bool
	)
	err := m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		acc, next, err = m.rotate(ctx, tx, token, ip)
		if errors.Is(err, errRefreshRefused) {
			refused = true
			return nil // keep what rotate revoked
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused {
		return nil, refreshRefused()
	}
	return m.token(acc, next)
}

func (m *Module) rotate(ctx context.Context, tx bun.IDB, token,
	ip string) (coreauth.Account, string, error) {
	var none coreauth.Account
	row, err := m.sessions.find(ctx, tx, token)
	if err != nil {
		return none, "", err
	}
	claimed, err := m.sessions.claim(ctx, tx, row)
	if err != nil {
		return none, "", err
	}
	if !claimed {
		return none, "", m.reused(ctx, tx, row, ip)
	}
	if !row.DateExpiration.After(m.now()) {
		return none, "", errRefreshRefused
	}
	acc, err := m.accounts.AccountByID(ctx, tx, row.UserID)
	if errors.Is(err, coreauth.ErrNoAccount) || err == nil && !acc.Active {
		if err := m.sessions.revokeFamily(ctx, tx, row.Famille); err != nil {
			return none, "", err
		}
		return none, "", errRefreshRefused
	}
	if err != nil {
		return none, "", err
	}
	next, err := m.sessions.issue(ctx, tx, acc.ID, row.Famille)
	if err != nil {
		return none, "", err
	}
	err = audit.Record(ctx, tx, audit.Change{Action: "auth.refresh", Resource: Resource,
		ResourceID: idString(acc.ID), UserID: acc.ID, IP: ip})
	return acc, next, err
}

// reused handles a token that was rotated or revoked before. A rotated one
// is being replayed: revoke its family and record it.
func (m *Module) reused(ctx context.Context, tx bun.IDB, row *refreshToken, ip string) error {
	if row.DateUtilisation == nil && row.DateRevocation != nil {
		return errRefreshRefused // signed out or revoked: nothing suspicious
	}
	if err := m.sessions.revokeFamily(ctx, tx, row.Famille); err != nil {
		return err
	}
	err := audit.Record(ctx, tx, audit.Change{Action: "auth.refresh_reuse",
		Resource: Resource, ResourceID: idString(row.UserID), UserID: row.UserID, IP: ip,
		Detail: "jeton déjà utilisé : toute la famille est révoquée"})
	if err != nil {
		return err
	}
	httpx.Logger(ctx).WarnContext(ctx, "refresh token reused; family revoked",
		slog.String("request_id", httpx.RequestID(ctx)), slog.Int64("user_id", row.UserID))
	return errRefreshRefused
}

// logout ends the caller's session named by token, or all their sessions
// when token is empty. A token of someone else is ignored, as if unknown.
//
// Limitation: access tokens are not revoked: one issued before the logout
// (or before a password change) stays valid until it expires, at most
// auth.access_ttl later. Deactivation and role changes, which the guard
// reads from the user's state, do apply at once.
func (m *Module) logout(ctx context.Context, p *coreauth.Principal, token, ip string) error {
	return m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := m.endSessions(ctx, tx, p, token); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "auth.logout", Resource: Resource,
			ResourceID: idString(p.UserID), IP: ip})
	})
}

func (m *Module) endSessions(ctx context.Context, tx bun.IDB, p *coreauth.Principal,
	token string) error {
	if token == "" {
		return m.sessions.RevokeUser(ctx, tx, p.UserID)
	}
	row, err := m.sessions.find(ctx, tx, token)
	if errors.Is(err, errRefreshRefused) {
		return nil
	}
	if err != nil {
		return err
	}
	if row.UserID != p.UserID {
		return nil
	}
	return m.sessions.revokeFamily(ctx, tx, row.Famille)
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
