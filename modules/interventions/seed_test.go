package interventions_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/modules/interventions"
)

var (
	seedStatuts = []interventions.StatutIntervention{"ouverte", "affectee", "en_cours",
		"en_attente", "cloturee", "annulee", "archivee"}
	seedPriorites = []interventions.PrioriteIntervention{"urgente", "haute", "normale",
		"basse", "programmee"}
	seedTypes = []interventions.InterventionType{"corrective", "preventive", "ameliorative",
		"diagnostic"}
	seedWords = []string{"pompe", "vanne", "moteur", "compresseur", "convoyeur", "chaudière"}
)

// rank mirrors the module's priority ranking for rows inserted directly.
var rank = map[interventions.PrioriteIntervention]int{"programmee": 1, "basse": 2,
	"normale": 3, "haute": 4, "urgente": 5}

// seed inserts n interventions straight into the table, in multi-row INSERTs
// of 1,000 rows, spread over the world's two clients and two technicians and
// every status, priority and type, created a minute apart.
func seed(t testing.TB, w *world, n int) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	err := w.s.App.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for start := 0; start < n; start += 1000 {
			batch := make([]interventions.InterventionOut, 0, 1000)
			for i := start; i < min(start+1000, n); i++ {
				batch = append(batch, w.seedRow(i, base))
			}
			if _, err := tx.NewInsert().Model(&batch).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed %d interventions: %v", n, err)
	}
	// Statistics for the planners. On PostgreSQL a table in steady state
	// is also vacuumed, which lets counts read the index alone; the first
	// pass can race autovacuum's own analyze of the fresh rows and leave the
	// pages unmarked, the second one marks them.
	stmts := []string{"ANALYZE"}
	if w.target.Name == "PostgreSQL" {
		stmts = []string{"VACUUM ANALYZE interventions", "VACUUM interventions"}
	}
	for _, q := range stmts {
		if _, err := w.s.App.DB.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) seedRow(i int, base time.Time) interventions.InterventionOut {
	created := base.Add(time.Duration(i) * time.Minute)
	st := seedStatuts[i%len(seedStatuts)]
	p := seedPriorites[i%len(seedPriorites)]
	iv := interventions.InterventionOut{
		EquipementID: w.equipID, ClientID: w.clientID,
		TypeIntervention: seedTypes[i%len(seedTypes)], Statut: st, Priorite: p,
		PrioriteRang: rank[p], Urgence: i%10 == 0,
		Titre: fmt.Sprintf("Intervention %d sur %s", i, seedWords[i%len(seedWords)]),
		Description: "Contrôle et remise en état du " + seedWords[(i/7)%len(seedWords)] +
			" " + strings.Repeat("suivant la gamme de maintenance. ", 2),
		CompetencesRequises: []string{}, DateCreation: created, DateModification: created,
		Version: 1,
	}
	if i%2 == 1 {
		iv.EquipementID, iv.ClientID = w.otherEquip, w.otherClient
	}
	if st != "ouverte" && st != "annulee" {
		tech := w.techID
		if i%3 == 0 {
			tech = w.otherTechID
		}
		planned := created.Add(72 * time.Hour)
		iv.TechnicienID, iv.DatePlanifiee, iv.DateAffectation = &tech, &planned, &created
	}
	return iv
}
