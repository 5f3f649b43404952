package interventions_test

import (
	"math/rand/v2"
	"net/http"
	"testing"

	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/modules/interventions"
)

// benchRows is the table size the benchmarks run against.
const benchRows = 100_000

// BenchmarkInterventions measures the hot paths over real HTTP on each
// database, against benchRows seeded interventions: create, get by id, and
// the first page (50 rows) of statut=ouverte with its total count. It logs
// the plans of that list's queries.
func BenchmarkInterventions(b *testing.B) {
	targets := []struct {
		name string
		open func(testing.TB) dbtest.Target
	}{{"SQLite", dbtest.SQLite}, {"PostgreSQL", dbtest.Postgres}}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			w := setup(b, tg.open(b))
			seed(b, w, benchRows)
			logPlans(b, w)
			b.Run("Create", func(b *testing.B) { benchCreate(b, w) })
			b.Run("GetByID", func(b *testing.B) { benchGet(b, w) })
			b.Run("ListOuverte50WithCount", func(b *testing.B) { benchList(b, w) })
		})
	}
}

func logPlans(b *testing.B, w *world) {
	list, count, err := interventions.ListSQL(w.s.App.DB, "statut=ouverte", 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s list plan:\n%s", w.target.Name, explain(b, w.s.App.DB, w.target.Name, list))
	b.Logf("%s count plan:\n%s", w.target.Name, explain(b, w.s.App.DB, w.target.Name, count))
	b.Logf("%s list run:\n%s", w.target.Name, analyze(b, w, list))
	b.Logf("%s count run:\n%s", w.target.Name, analyze(b, w, count))
}

func benchCreate(b *testing.B, w *world) {
	body := validCreate(w.equipID)
	for b.Loop() {
		r := w.s.Do(b, apptestPost("/api/v1/interventions/", body, w.admin.Token))
		if r.StatusCode != http.StatusCreated {
			b.Fatalf("create = %d: %s", r.StatusCode, r.Body)
		}
	}
}

func benchGet(b *testing.B, w *world) {
	for b.Loop() {
		r := w.get(b, w.admin, ivPath(1+rand.Int64N(benchRows)))
		if r.StatusCode != http.StatusOK {
			b.Fatalf("get = %d: %s", r.StatusCode, r.Body)
		}
	}
}

func benchList(b *testing.B, w *world) {
	for b.Loop() {
		r := w.get(b, w.admin, "/api/v1/interventions/?statut=ouverte")
		if r.StatusCode != http.StatusOK || r.Header.Get("X-Total-Count") == "" {
			b.Fatalf("list = %d: %s", r.StatusCode, r.Body)
		}
	}
}

// analyze runs q under EXPLAIN ANALYZE on PostgreSQL (SQLite has no
// equivalent) and returns the plan with its timings.
func analyze(b *testing.B, w *world, q string) string {
	if w.target.Name != "PostgreSQL" {
		return "(SQLite: no EXPLAIN ANALYZE)"
	}
	rows, err := w.s.App.DB.QueryContext(b.Context(), "EXPLAIN ANALYZE "+q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			b.Fatal(err)
		}
		out += line + "\n"
	}
	return out
}
