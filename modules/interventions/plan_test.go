package interventions_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/modules/interventions"
)

// planQueries are list requests whose filter or sort must be served by an
// index, with the index expected on each database (SQLite, PostgreSQL).
var planQueries = []struct {
	query            string
	sqlite, postgres string
}{
	{"statut=ouverte", "interventions_statut", "interventions_statut"},
	{"statut=ouverte,en_cours", "interventions_statut", "interventions_statut"},
	{"priorite=urgente", "interventions_priorite", "interventions_priorite"},
	{"type_intervention=diagnostic", "interventions_type", "interventions_type"},
	{"urgence=true", "interventions_urgence", "interventions_urgence"},
	{"technicien_id=1", "interventions_technicien", "interventions_technicien"},
	{"client_id=1", "interventions_client", "interventions_client"},
	{"equipement_id=1", "interventions_equipement", "interventions_equipement"},
	{"date_creation_min=2025-01-10&date_creation_max=2025-01-11",
		"interventions_date_creation", "interventions_date_creation"},
	{"date_planifiee_min=2025-01-10&date_planifiee_max=2025-01-11",
		"interventions_date_planifiee", "interventions_date_planifiee"},
	{"q=compresseur", "interventions_texte", "interventions_titre_trgm"},
	{"sort=-date_creation", "interventions_date_creation", "interventions_date_creation"},
	{"sort=date_planifiee", "interventions_date_planifiee", "interventions_date_planifiee"},
	{"sort=-date_modification", "interventions_date_modification",
		"interventions_date_modification"},
	{"sort=-priorite", "interventions_priorite_rang", "interventions_priorite_rang"},
}

// explain returns the database's plan for q. On PostgreSQL sequential scans
// are discouraged for the session, so that the plan shows whether an index
// can serve the query at all, whatever the table's size.
func explain(t testing.TB, db *bun.DB, dialect, q string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prefix := "EXPLAIN QUERY PLAN "
	if dialect == "PostgreSQL" {
		prefix = "EXPLAIN "
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan") //nolint:errcheck
	}
	rows, err := conn.QueryContext(ctx, prefix+q)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var lines []string
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, toString(vals[len(vals)-1]))
	}
	return strings.Join(lines, "\n")
}

func toString(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	s, _ := v.(string)
	return s
}

// fullScan reports a plan that reads the whole interventions table.
func fullScan(dialect, plan string) bool {
	if dialect == "PostgreSQL" {
		return strings.Contains(plan, "Seq Scan on interventions")
	}
	for _, l := range strings.Split(plan, "\n") {
		l = strings.TrimSpace(l)
		if (l == "SCAN i" || strings.HasPrefix(l, "SCAN i ")) && !strings.Contains(l, "USING") {
			return true
		}
	}
	return false
}

func TestEveryListFilterAndSortUsesAnIndex(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		seed(t, w, 3000)
		for _, pq := range planQueries {
			list, count, err := interventions.ListSQL(w.s.App.DB, pq.query, 0)
			if err != nil {
				t.Fatal(err)
			}
			index := pq.sqlite
			if target.Name == "PostgreSQL" {
				index = pq.postgres
			}
			// A sort is served by its index; a filter by its index when
			// counting, while the page itself may come from walking the
			// date index when that finds 50 rows sooner.
			plan := explain(t, w.s.App.DB, target.Name, list)
			sortOnly := strings.HasPrefix(pq.query, "sort=")
			if fullScan(target.Name, plan) || (sortOnly && !strings.Contains(plan, index)) {
				t.Errorf("%s: list plan does not use an index:\n%s", pq.query, plan)
			}
			if sortOnly {
				continue
			}
			plan = explain(t, w.s.App.DB, target.Name, count)
			if fullScan(target.Name, plan) || !strings.Contains(plan, index) {
				t.Errorf("%s: count plan does not use %s:\n%s", pq.query, index, plan)
			}
		}
	})
}
