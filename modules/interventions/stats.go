package interventions

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Stats answers the questions other modules ask about interventions,
// published as StatsService: the clients module refuses to delete a client
// that has interventions, the techniciens module filters the available
// technicians.
type Stats struct{}

// CountForClient counts the client's interventions, whatever their status.
func (Stats) CountForClient(ctx context.Context, db bun.IDB, clientID int64) (int, error) {
	n, err := db.NewSelect().Model((*InterventionOut)(nil)).
		Where("i.client_id = ?", clientID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count interventions of client %d: %w", clientID, err)
	}
	return int(n), nil
}

// BusyTechniciens returns the ids of the technicians with an intervention
// en_cours.
func (Stats) BusyTechniciens(ctx context.Context, db bun.IDB) ([]int64, error) {
	ids := []int64{}
	err := db.NewSelect().Model((*InterventionOut)(nil)).Distinct().
		Column("i.technicien_id").
		Where("i.statut = ? AND i.technicien_id IS NOT NULL", StatutEnCours).
		Order("i.technicien_id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("list busy technicians: %w", err)
	}
	return ids, nil
}
