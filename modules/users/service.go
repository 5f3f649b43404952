package users

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/auth"
	coredb "github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
)

// Resource is the audit log's name for users.
const Resource = "users"

// Service holds the rules of user accounts: validation, password hashing,
// audit entries and session revocation, each write in one transaction. The
// HTTP handlers and the `erp users create` command both go through it.
type Service struct {
	db *bun.DB
	// byID is the prepared read of one user by id.
	byID     *coredb.Stmt
	hasher   *auth.Hasher
	minLen   int
	services *module.Services
	log      *slog.Logger
	now      func() time.Time
}

// Create validates in and stores a new user, with its audit entry.
func (s *Service) Create(ctx context.Context, in UserCreate) (*User, error) {
	if err := s.checkCreate(ctx, in); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &User{
		Email: strings.TrimSpace(in.Email), EmailNormalise: auth.NormaliseEmail(in.Email),
		Nom: strings.TrimSpace(in.Nom), Prenom: strings.TrimSpace(in.Prenom),
		Role: auth.Role(in.Role), ClientID: in.ClientID, Actif: in.Actif == nil || *in.Actif,
		PasswordHash: hash, DateCreation: now, DateModification: now, Version: 1,
	}
	if err := s.insertAudited(ctx, u, ""); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) checkCreate(ctx context.Context, in UserCreate) error {
	var f fieldErrors
	f.email("email", in.Email)
	f.name("nom", in.Nom)
	f.name("prenom", in.Prenom)
	f.password("password", in.Password, s.minLen)
	if f.role("role", auth.Role(in.Role)) {
		if err := s.clientFor(ctx, &f, auth.Role(in.Role), in.ClientID); err != nil {
			return err
		}
	}
	return f.err()
}

func (s *Service) insertAudited(ctx context.Context, u *User, detail string) error {
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := insert(ctx, tx, u); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Change{Action: "user.create", Resource: Resource,
			ResourceID: strconv.FormatInt(u.ID, 10), After: u.Out(), Detail: detail})
	})
	if errors.Is(err, errEmailTaken) {
		return httpx.Conflict("Un utilisateur utilise déjà cette adresse e-mail.")
	}
	return err
}

// change is one update of a user, checked and ready to write.
type change struct {
	before  *User
	after   User
	newPass string
}

// Update applies an administrator's partial update to the user in.ID, as
// seen by p.
func (s *Service) Update(ctx context.Context, p *auth.Principal, in UserUpdate) (*User, error) {
	u, err := get(ctx, s.db, p, in.ID)
	if err != nil {
		return nil, err
	}
	if in.IfMatch != "" && !etagMatches(in.IfMatch, u) {
		return nil, httpx.PreconditionFailed(u.Version)
	}
	c, err := s.checkUpdate(ctx, p, u, in)
	if err != nil {
		return nil, err
	}
	return s.write(ctx, c)
}

func (s *Service) checkUpdate(ctx context.Context, p *auth.Principal, u *User,
	in UserUpdate) (*change, error) {
	c := &change{before: u, after: *u}
	var f fieldErrors
	s.applyProfile(&f, &c.after, in.Email, in.Nom, in.Prenom)
	if in.Role != nil && f.role("role", auth.Role(*in.Role)) {
		c.after.Role = auth.Role(*in.Role)
	}
	if in.Actif != nil {
		c.after.Actif = *in.Actif
	}
	if in.Password != nil {
		f.password("password", *in.Password, s.minLen)
		c.newPass = *in.Password
	}
	if err := s.checkClient(ctx, &f, c, in.ClientID); err != nil {
		return nil, err
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if u.ID == p.UserID && (c.after.Role != u.Role || !c.after.Actif) {
		return nil, httpx.Conflict("Un administrateur ne peut ni changer son propre rôle " +
			"ni se désactiver lui-même.")
	}
	return c, nil
}

// checkClient settles client_id after a possible role change: a user who
// stops being a client loses it, one who becomes a client needs one.
func (s *Service) checkClient(ctx context.Context, f *fieldErrors, c *change,
	given *int64) error {
	if given != nil {
		c.after.ClientID = given
	} else if c.after.Role != auth.RoleClient {
		c.after.ClientID = nil
	}
	roleChanged := c.after.Role != c.before.Role
	if given == nil && !roleChanged {
		return nil
	}
	return s.clientFor(ctx, f, c.after.Role, c.after.ClientID)
}

func (s *Service) applyProfile(f *fieldErrors, u *User, email, nom, prenom *string) {
	if email != nil {
		f.email("email", *email)
		u.Email, u.EmailNormalise = strings.TrimSpace(*email), auth.NormaliseEmail(*email)
	}
	if nom != nil {
		f.name("nom", *nom)
		u.Nom = strings.TrimSpace(*nom)
	}
	if prenom != nil {
		f.name("prenom", *prenom)
		u.Prenom = strings.TrimSpace(*prenom)
	}
}

// write stores a checked change with its audit entries, revoking the
// user's refresh tokens when their role, client, password or active flag
// changed, then makes the guard forget the user's cached state.
func (s *Service) write(ctx context.Context, c *change) (*User, error) {
	if c.newPass != "" {
		hash, err := s.hasher.Hash(ctx, c.newPass)
		if err != nil {
			return nil, err
		}
		c.after.PasswordHash = hash
	}
	c.after.Version = c.before.Version + 1
	c.after.DateModification = s.now()
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := update(ctx, tx, &c.after); err != nil {
			return err
		}
		if err := recordChange(ctx, tx, c); err != nil {
			return err
		}
		if c.securityChanged() {
			return s.revokeSessions(ctx, tx, c.after.ID)
		}
		return nil
	})
	switch {
	case errors.Is(err, errEmailTaken):
		return nil, httpx.Conflict("Un utilisateur utilise déjà cette adresse e-mail.")
	case errors.Is(err, errStale):
		return nil, httpx.Conflict("L'utilisateur a été modifié entre-temps ; relisez-le.")
	case err != nil:
		return nil, err
	}
	s.forget(c.after.ID)
	return &c.after, nil
}

func (c *change) roleChanged() bool { return c.after.Role != c.before.Role }

func (c *change) clientChanged() bool {
	return !sameID(c.after.ClientID, c.before.ClientID)
}

func (c *change) deactivated() bool { return c.before.Actif && !c.after.Actif }

func (c *change) securityChanged() bool {
	return c.roleChanged() || c.clientChanged() || c.deactivated() || c.newPass != "" ||
		c.after.EmailNormalise != c.before.EmailNormalise
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// recordChange writes the update entry and, for the changes an auditor
// looks for, a dedicated entry each.
func recordChange(ctx context.Context, tx bun.IDB, c *change) error {
	id := strconv.FormatInt(c.after.ID, 10)
	entries := []audit.Change{{Action: "user.update", Resource: Resource, ResourceID: id,
		Before: c.before.Out(), After: c.after.Out()}}
	if c.roleChanged() || c.clientChanged() {
		entries = append(entries, audit.Change{Action: "user.role_change",
			Resource: Resource, ResourceID: id,
			Before: roleState{c.before.Role, c.before.ClientID},
			After:  roleState{c.after.Role, c.after.ClientID}})
	}
	if c.newPass != "" {
		entries = append(entries, audit.Change{Action: "user.password_change",
			Resource: Resource, ResourceID: id})
	}
	if c.deactivated() {
		entries = append(entries, audit.Change{Action: "user.deactivate",
			Resource: Resource, ResourceID: id})
	}
	for _, e := range entries {
		if err := audit.Record(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// roleState is what a role change entry records.
type roleState struct {
	Role     auth.Role `json:"role"`
	ClientID *int64    `json:"client_id"`
}

// Deactivate turns the user id off, as seen by p. Deactivating an inactive
// user changes nothing.
func (s *Service) Deactivate(ctx context.Context, p *auth.Principal, id int64) error {
	off := false
	_, err := s.Update(ctx, p, UserUpdate{ID: id, Actif: &off})
	return err
}

// UpdateMe applies the caller's change to their own profile. A new e-mail
// address or password requires the current password.
func (s *Service) UpdateMe(ctx context.Context, p *auth.Principal,
	in UserMeUpdate) (*User, error) {
	u, err := byID(ctx, s.db, p.UserID)
	if isNoRows(err) {
		return nil, httpx.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read own profile: %w", err)
	}
	c := &change{before: u, after: *u}
	var f fieldErrors
	s.applyProfile(&f, &c.after, in.Email, in.Nom, in.Prenom)
	if in.Password != nil {
		f.password("password", *in.Password, s.minLen)
		c.newPass = *in.Password
	}
	if err := s.checkCurrentPassword(ctx, &f, c, in.CurrentPassword); err != nil {
		return nil, err
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	return s.write(ctx, c)
}

// checkCurrentPassword asks for the current password before an e-mail or
// password change, so a stolen access token cannot take the account over.
//
// Limitation: wrong current passwords are not throttled like sign-ins; the
// caller needs a valid access token, and each guess costs a password hash.
func (s *Service) checkCurrentPassword(ctx context.Context, f *fieldErrors, c *change,
	current *string) error {
	sensitive := c.newPass != "" || c.after.EmailNormalise != c.before.EmailNormalise
	if !sensitive {
		return nil
	}
	if current == nil || *current == "" {
		f.add("current_password", "missing", "mot de passe actuel obligatoire")
		return nil
	}
	err := s.hasher.Check(ctx, c.before.PasswordHash, *current)
	if errors.Is(err, auth.ErrPasswordMismatch) {
		f.add("current_password", "value_error", "mot de passe actuel incorrect")
		return nil
	}
	return err
}

// revokeSessions asks the authentication module, looked up when needed
// since it starts after this one, to revoke the user's refresh tokens in
// tx. Without that module there are no sessions to revoke.
func (s *Service) revokeSessions(ctx context.Context, tx bun.IDB, id int64) error {
	v, ok := s.services.Lookup(auth.SessionsService)
	if !ok {
		return nil
	}
	sessions, ok := v.(auth.Sessions)
	if !ok {
		return fmt.Errorf("service %q is a %T, not an auth.Sessions", auth.SessionsService, v)
	}
	return sessions.RevokeUser(ctx, tx, id)
}

// forget drops the guard's cached state of the user, so a deactivation or
// a role change applies to the very next request in this process.
func (s *Service) forget(id int64) {
	v, ok := s.services.Lookup(auth.StatesService)
	if !ok {
		return
	}
	if f, ok := v.(interface{ Forget(int64) }); ok {
		f.Forget(id)
	}
}

func etagMatches(ifMatch string, u *User) bool {
	for tag := range strings.SplitSeq(ifMatch, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || tag == u.ETag() {
			return true
		}
	}
	return false
}
