package interventions

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// errStale reports an update that lost a race with another writer.
var errStale = errors.New("intervention changed concurrently")

// getIntervention reads one intervention within the caller's scope; an
// intervention outside it is httpx.ErrNotFound. forUpdate locks the row for
// the rest of the transaction on PostgreSQL; SQLite's write transactions
// already hold the database's write lock from their start.
func getIntervention(ctx context.Context, idb bun.IDB, id int64, sc scope,
	forUpdate bool) (*InterventionOut, error) {
	iv := new(InterventionOut)
	q := sc.apply(idb.NewSelect().Model(iv).Where("i.id = ?", id))
	if forUpdate && db.DialectOf(idb) == db.Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, httpx.ErrNotFound
		}
		return nil, fmt.Errorf("read intervention %d: %w", id, err)
	}
	iv.derive(now())
	return iv, nil
}

func insertIntervention(ctx context.Context, tx bun.IDB, iv *InterventionOut) error {
	if iv.Extensions == nil {
		iv.Extensions = map[string]any{}
	}
	_, err := tx.NewInsert().Model(iv).Returning("id").Exec(ctx)
	if err != nil {
		return fmt.Errorf("insert intervention: %w", err)
	}
	return nil
}

// saveIntervention writes iv back, bumping its version, provided nobody
// changed it since it was read at version prev.
func saveIntervention(ctx context.Context, tx bun.IDB, iv *InterventionOut, prev int64) error {
	iv.Version = prev + 1
	if iv.Extensions == nil {
		iv.Extensions = map[string]any{}
	}
	res, err := tx.NewUpdate().Model(iv).
		ExcludeColumn("id", "client_id", "equipement_id", "date_creation", "createur_id").
		WherePK().Where("version = ?", prev).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update intervention %d: %w", iv.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errStale
	}
	return nil
}

// saveExtensions writes iv's extensions alone, for the fields the plugins
// compute once a new intervention has its id; the version stays.
func saveExtensions(ctx context.Context, tx bun.IDB, iv *InterventionOut) error {
	_, err := tx.NewUpdate().Model(iv).Column("extensions").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("save extensions of intervention %d: %w", iv.ID, err)
	}
	return nil
}

// sortKeys lists the sort keys in the order the documentation shows them.
var sortKeys = []string{"date_creation", "date_modification", "date_planifiee", "priorite",
	"id"}

// sortColumns maps the sort keys to columns; each has an index.
//
// Limitation: interventions without date_planifiee sort last on PostgreSQL
// and first on SQLite (each database's own rule for NULL, which lets the
// index serve the order).
var sortColumns = map[string]string{
	"date_creation":     "i.date_creation",
	"date_modification": "i.date_modification",
	"date_planifiee":    "i.date_planifiee",
	"priorite":          "i.priorite_rang",
	"id":                "i.id",
}

// listInterventions returns one page of the interventions matching f within
// the scope, and how many match in all. The count is a second query only
// when the page does not already tell it.
func listInterventions(ctx context.Context, idb bun.IDB, f filter, sc scope) (
	[]InterventionOut, int, error) {
	rows := []InterventionOut{}
	if err := listQuery(idb, f, sc, &rows).Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("list interventions: %w", err)
	}
	at := now()
	for i := range rows {
		rows[i].derive(at)
	}
	if pageTellsTotal(len(rows), f.page) {
		return rows, f.page.Offset + len(rows), nil
	}
	var total int
	if err := countQuery(idb, f, sc).Scan(ctx, &total); err != nil {
		return nil, 0, fmt.Errorf("count interventions: %w", err)
	}
	return rows, total, nil
}

// listQuery selects one page of the matching interventions into rows.
func listQuery(idb bun.IDB, f filter, sc scope, rows *[]InterventionOut) *bun.SelectQuery {
	q := f.apply(sc.apply(idb.NewSelect().Model(rows)), db.DialectOf(idb))
	col, dir := f.orderBy()
	return q.OrderExpr(col + " " + dir).OrderExpr("i.id " + dir).
		Limit(int64(f.page.Limit)).Offset(int64(f.page.Offset))
}

// countQuery counts the matching interventions.
func countQuery(idb bun.IDB, f filter, sc scope) *bun.SelectQuery {
	q := idb.NewSelect().Model((*InterventionOut)(nil)).ColumnExpr("count(*)")
	return f.apply(sc.apply(q), db.DialectOf(idb))
}

// pageTellsTotal reports whether a page of n rows is the last one, so that
// the total is known without counting: a short page, or an empty first one.
func pageTellsTotal(n int, p httpx.Page) bool {
	return (n > 0 && n < p.Limit) || (n == 0 && p.Offset == 0)
}

func (f filter) orderBy() (string, string) {
	key, dir := f.sort, "ASC"
	if rest, ok := strings.CutPrefix(key, "-"); ok {
		key, dir = rest, "DESC"
	}
	return sortColumns[key], dir
}

// apply adds f's conditions to q.
func (f filter) apply(q *bun.SelectQuery, dialect string) *bun.SelectQuery {
	if len(f.statuts) > 0 {
		q = q.Where("i.statut IN (?)", bun.In(f.statuts))
	}
	if len(f.priorites) > 0 {
		q = q.Where("i.priorite IN (?)", bun.In(f.priorites))
	}
	if len(f.types) > 0 {
		q = q.Where("i.type_intervention IN (?)", bun.In(f.types))
	}
	if f.urgence != nil {
		q = q.Where("i.urgence = ?", *f.urgence)
	}
	q = whereID(q, "i.technicien_id", f.technicienID)
	q = whereID(q, "i.client_id", f.clientID)
	q = whereID(q, "i.equipement_id", f.equipementID)
	q = whereRange(q, "i.date_creation", f.creationMin, f.creationMax)
	q = whereRange(q, "i.date_planifiee", f.planifieeMin, f.planifieeMax)
	if f.q != "" {
		q = whereText(q, f.q, dialect)
	}
	return q
}

func whereID(q *bun.SelectQuery, col string, id int64) *bun.SelectQuery {
	if id == 0 {
		return q
	}
	return q.Where(col+" = ?", id)
}

func whereRange(q *bun.SelectQuery, col string, lo, hi *time.Time) *bun.SelectQuery {
	if lo != nil {
		q = q.Where(col+" >= ?", lo.UTC())
	}
	if hi != nil {
		q = q.Where(col+" < ?", hi.UTC())
	}
	return q
}

// whereText matches text in titre or description, case-insensitively.
// PostgreSQL serves it with trigram indexes; SQLite with its trigram
// full-text table, which needs at least three characters.
//
// Limitation: on SQLite a search shorter than three characters scans the
// table, and accents are significant on both databases ("etat" does not
// find "état").
func whereText(q *bun.SelectQuery, text, dialect string) *bun.SelectQuery {
	pattern := "%" + escapeLike(text) + "%"
	if dialect == db.Postgres {
		return q.Where(`(i.titre ILIKE ? ESCAPE '\' OR i.description ILIKE ? ESCAPE '\')`,
			pattern, pattern)
	}
	if utf8.RuneCountInString(text) >= 3 {
		phrase := `"` + strings.ReplaceAll(text, `"`, `""`) + `"`
		return q.Where("i.id IN (SELECT rowid FROM interventions_texte "+
			"WHERE interventions_texte MATCH ?)", phrase)
	}
	return q.Where(`(i.titre LIKE ? ESCAPE '\' OR i.description LIKE ? ESCAPE '\')`,
		pattern, pattern)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func insertHistorique(ctx context.Context, tx bun.IDB, h *HistoriqueOut) error {
	if _, err := tx.NewInsert().Model(h).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("record intervention history: %w", err)
	}
	return nil
}

// listHistorique returns the intervention's timeline, oldest first, starting
// with its creation, which the intervention's own row records.
func listHistorique(ctx context.Context, idb bun.IDB, iv *InterventionOut) (
	[]HistoriqueOut, error) {
	rows := []HistoriqueOut{}
	err := idb.NewSelect().Model(&rows).Where("h.intervention_id = ?", iv.ID).
		Order("h.date", "h.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read intervention history: %w", err)
	}
	creation := HistoriqueOut{InterventionID: iv.ID, Action: "creation",
		NouveauStatut: StatutOuverte, UserID: iv.CreateurID, Date: iv.DateCreation}
	return append([]HistoriqueOut{creation}, rows...), nil
}

func insertCommentaire(ctx context.Context, tx bun.IDB, c *CommentaireOut) error {
	if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert comment: %w", err)
	}
	return nil
}

func listCommentaires(ctx context.Context, idb bun.IDB, interventionID int64, p httpx.Page) (
	[]CommentaireOut, int, error) {
	rows := []CommentaireOut{}
	q := idb.NewSelect().Model(&rows).Where("c.intervention_id = ?", interventionID)
	total, err := q.Order("c.date_creation", "c.id").Limit(int64(p.Limit)).
		Offset(int64(p.Offset)).
		ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list comments: %w", err)
	}
	return rows, int(total), nil
}
