package clients

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Service is what the module publishes as "clients.service". Each method
// runs on the bun.IDB it is given, so a caller inside a transaction passes
// that transaction.
type Service struct{}

// Exists reports whether a client with id exists, active or not.
func (*Service) Exists(ctx context.Context, db bun.IDB, id int64) (bool, error) {
	ok, err := db.NewSelect().Model((*client)(nil)).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("check client %d exists: %w", id, err)
	}
	return ok, nil
}

// interventionStats is the part of the interventions module's
// "interventions.stats" service this module uses.
type interventionStats interface {
	CountForClient(ctx context.Context, db bun.IDB, clientID int64) (int, error)
}

// interventionCount counts the client's interventions, or 0 when the
// interventions module is not enabled (then there can be none).
func (m *Module) interventionCount(ctx context.Context, db bun.IDB, id int64) (int, error) {
	v, ok := m.services.Lookup(statsService)
	if !ok {
		return 0, nil
	}
	stats, ok := v.(interventionStats)
	if !ok {
		return 0, fmt.Errorf("service %q is a %T, which has no CountForClient", statsService, v)
	}
	n, err := stats.CountForClient(ctx, db, id)
	if err != nil {
		return 0, fmt.Errorf("count interventions of client %d: %w", id, err)
	}
	return n, nil
}
