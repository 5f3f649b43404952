package interventions

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// Names of the services this module uses and publishes.
const (
	equipementsServiceName = "equipements.service"
	techniciensServiceName = "techniciens.service"
	// grantsServiceName is where the auth module publishes the permission
	// table; auth is a requirement of techniciens, so it is always there.
	grantsServiceName = "auth.grants"
	// StatsService is the name under which this module publishes Stats.
	StatsService = "interventions.stats"
)

// equipements is what this module needs from the equipements module.
type equipements interface {
	Equipement(ctx context.Context, db bun.IDB, id int64, scope int64) (
		clientID int64, criticite string, statut string, err error)
	SetStatut(ctx context.Context, tx bun.IDB, id int64, statut string, motif string,
		interventionID int64, userID int64) error
}

// techniciens is what this module needs from the techniciens module.
type techniciens interface {
	Technicien(ctx context.Context, db bun.IDB, id int64) (userID int64, actif bool, err error)
	TechnicienOfUser(ctx context.Context, db bun.IDB, userID int64) (int64, error)
	MissingCompetences(ctx context.Context, db bun.IDB, technicienID int64, codes []string,
		at time.Time) ([]string, error)
}

// scope restricts what a caller sees: a client user sees its organisation's
// interventions, a technician those assigned to them. Stores apply it to
// every read, so anything outside it is simply not found.
type scope struct {
	clientID int64
	// technicien restricts to interventions assigned to technicienID (zero
	// when the user has no technician profile, which matches nothing).
	technicien   bool
	technicienID int64
}

func (s scope) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if s.clientID != 0 {
		q = q.Where("i.client_id = ?", s.clientID)
	}
	if s.technicien {
		q = q.Where("i.technicien_id = ?", s.technicienID)
	}
	return q
}

// profileTTL bounds how long a user's technician profile id is cached. The
// link between a user and their profile is set once and rarely changes, and
// caching it keeps the technician's reads at one query.
//
// Limitation: the cache is per process. A profile created, deleted or moved
// to another user is seen by the other processes within profileTTL only.
const profileTTL = time.Minute

// profiles caches TechnicienOfUser answers.
type profiles struct {
	techs techniciens
	db    bun.IDB
	mu    sync.RWMutex
	m     map[int64]cachedProfile
}

type cachedProfile struct {
	id      int64
	expires time.Time
}

func newProfiles(techs techniciens, db bun.IDB) *profiles {
	return &profiles{techs: techs, db: db, m: map[int64]cachedProfile{}}
}

// of returns the technician profile id of userID, zero when there is none.
func (p *profiles) of(ctx context.Context, userID int64) (int64, error) {
	now := time.Now()
	p.mu.RLock()
	c, ok := p.m[userID]
	p.mu.RUnlock()
	if ok && now.Before(c.expires) {
		return c.id, nil
	}
	id, err := p.techs.TechnicienOfUser(ctx, p.db, userID)
	switch {
	case errors.Is(err, httpx.ErrNotFound):
		id = 0
	case err != nil:
		return 0, fmt.Errorf("find technician profile of user %d: %w", userID, err)
	}
	p.mu.Lock()
	p.m[userID] = cachedProfile{id: id, expires: now.Add(profileTTL)}
	p.mu.Unlock()
	return id, nil
}

// scopeOf returns the caller's scope.
func (m *Module) scopeOf(ctx context.Context, p *auth.Principal) (scope, error) {
	s := scope{clientID: p.ClientScope()}
	if p.Role != auth.RoleTechnicien {
		return s, nil
	}
	id, err := m.profiles.of(ctx, p.UserID)
	if err != nil {
		return s, err
	}
	s.technicien, s.technicienID = true, id
	return s, nil
}
