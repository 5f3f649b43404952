package techniciens

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Service is what the module publishes as "techniciens.service". Each
// method runs on the bun.IDB it is given, so a caller inside a transaction
// passes that transaction.
type Service struct{}

// Technicien returns the profile's user id and whether it is active; an
// error wrapping httpx.ErrNotFound when there is no such profile.
func (*Service) Technicien(ctx context.Context, db bun.IDB, id int64) (userID int64,
	actif bool, err error) {
	t, err := getTechnicien(ctx, db, id)
	if err != nil {
		return 0, false, err
	}
	return t.UserID, t.Actif, nil
}

// TechnicienOfUser returns the id of a user's technician profile; an error
// wrapping httpx.ErrNotFound when the user has none.
func (*Service) TechnicienOfUser(ctx context.Context, db bun.IDB, userID int64) (int64,
	error) {
	var id int64
	err := db.NewSelect().Model((*technicien)(nil)).Column("t.id").
		Where("t.user_id = ?", userID).Scan(ctx, &id)
	if err != nil {
		return 0, notFound("technicien of user", userID, err)
	}
	return id, nil
}

// MissingCompetences returns, among codes, those the technician does not
// hold, holds with an expiry date before at's day, or that the catalogue
// does not know, each as a short French phrase naming the code:
// "soudure (absente)", "habilitation_electrique (expirée le 2026-01-31)",
// "xyz (inconnue)". It is empty when the technician holds them all.
func (*Service) MissingCompetences(ctx context.Context, db bun.IDB, technicienID int64,
	codes []string, at time.Time) ([]string, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	var rows []struct {
		Code           string     `bun:"code"`
		TechnicienID   *int64     `bun:"technicien_id"`
		DateExpiration *time.Time `bun:"date_expiration"`
	}
	err := db.NewSelect().TableExpr("competences AS c").
		Join("LEFT JOIN technicien_competences AS tc ON tc.competence_id = c.id "+
			"AND tc.technicien_id = ?", technicienID).
		ColumnExpr("c.code, tc.technicien_id, tc.date_expiration").
		Where("c.code IN (?)", bun.In(codes)).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("read competences of technicien %d: %w", technicienID, err)
	}
	byCode := make(map[string]int, len(rows))
	for i, r := range rows {
		byCode[r.Code] = i
	}
	day := at.UTC().Format(dateLayout)
	var missing []string
	seen := map[string]bool{}
	for _, code := range codes {
		if seen[code] {
			continue
		}
		seen[code] = true
		i, known := byCode[code]
		switch {
		case !known:
			missing = append(missing, code+" (inconnue)")
		case rows[i].TechnicienID == nil:
			missing = append(missing, code+" (absente)")
		case rows[i].DateExpiration != nil &&
			rows[i].DateExpiration.UTC().Format(dateLayout) < day:
			missing = append(missing, code+" (expirée le "+
				rows[i].DateExpiration.UTC().Format(dateLayout)+")")
		}
	}
	return missing, nil
}

// interventionStats is the part of the interventions module's
// "interventions.stats" service this module uses.
type interventionStats interface {
	BusyTechniciens(ctx context.Context, db bun.IDB) ([]int64, error)
}

// busyTechniciens returns the technicians with an intervention en_cours. With
// the interventions module disabled nobody is busy.
func (m *Module) busyTechniciens(ctx context.Context) ([]int64, error) {
	v, ok := m.services.Lookup(statsService)
	if !ok {
		return nil, nil
	}
	stats, ok := v.(interventionStats)
	if !ok {
		return nil, fmt.Errorf("service %q is a %T, which has no BusyTechniciens",
			statsService, v)
	}
	ids, err := stats.BusyTechniciens(ctx, m.db)
	if err != nil {
		return nil, fmt.Errorf("read busy techniciens: %w", err)
	}
	return ids, nil
}
