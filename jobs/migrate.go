package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/migrations"
)

// MigrationsModule is the name River's migrations appear under in
// `erp migrate status`. The kernel runs them right after its own.
const MigrationsModule = "river"

// Migrations applies River's own schema (river_job, river_queue, …) through
// rivermigrate, on bun's connections, and keeps River's history in its
// river_migration table. It implements migrations.Delegate.
type Migrations struct {
	db       *bun.DB
	migrator *rivermigrate.Migrator[*sql.Tx]
}

var _ migrations.Delegate = (*Migrations)(nil)

// NewMigrations returns River's migrations for database.
func NewMigrations(database *bun.DB, log *slog.Logger) (*Migrations, error) {
	if log == nil {
		log = slog.Default()
	}
	driver := sqlDriver(db.DialectOf(database), database.DB)
	m, err := rivermigrate.New(driver, &rivermigrate.Config{
		Logger: log.With(slog.String("component", "jobs")),
	})
	if err != nil {
		return nil, fmt.Errorf("create River migrator: %w", err)
	}
	return &Migrations{db: database, migrator: m}, nil
}

// Up applies every pending River migration, each in its own transaction.
func (m *Migrations) Up(ctx context.Context) ([]migrations.Applied, error) {
	res, err := m.migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("apply River migrations: %w", err)
	}
	return applied(res), nil
}

// Down rolls back the most recent River migration.
func (m *Migrations) Down(ctx context.Context) ([]migrations.Applied, error) {
	res, err := m.migrator.Migrate(ctx, rivermigrate.DirectionDown,
		&rivermigrate.MigrateOpts{MaxSteps: 1})
	if err != nil {
		return nil, fmt.Errorf("roll back River migration: %w", err)
	}
	return applied(res), nil
}

func applied(res *rivermigrate.MigrateResult) []migrations.Applied {
	out := make([]migrations.Applied, 0, len(res.Versions))
	for _, v := range res.Versions {
		out = append(out, migrations.Applied{Name: versionName(v.Version),
			Comment: comment(v.Name)})
	}
	return out
}

// Status lists every River migration with whether it is applied.
func (m *Migrations) Status(ctx context.Context) ([]migrations.Status, error) {
	existing, err := m.migrator.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("read River migration history: %w", err)
	}
	at, err := m.appliedAt(ctx, len(existing) > 0)
	if err != nil {
		return nil, err
	}
	var out []migrations.Status
	for _, v := range m.migrator.AllVersions() {
		when, ok := at[v.Version]
		out = append(out, migrations.Status{Name: versionName(v.Version),
			Comment: comment(v.Name), Applied: ok, AppliedAt: when})
	}
	return out, nil
}

// appliedAt reads when each River version was applied; River's migrator
// reports which, not when.
func (m *Migrations) appliedAt(ctx context.Context, some bool) (map[int]time.Time, error) {
	out := map[int]time.Time{}
	if !some {
		return out, nil
	}
	var rows []struct {
		Version   int       `bun:"version"`
		CreatedAt time.Time `bun:"created_at"`
	}
	err := m.db.NewSelect().Table("river_migration").Column("version", "created_at").
		Where("line = ?", "main").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("read River migration history: %w", err)
	}
	for _, r := range rows {
		out[r.Version] = r.CreatedAt
	}
	return out, nil
}

// Pending counts River migrations not applied yet, writing nothing.
func (m *Migrations) Pending(ctx context.Context) (int, error) {
	existing, err := m.migrator.ExistingVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("read River migration history: %w", err)
	}
	return len(m.migrator.AllVersions()) - len(existing), nil
}

func versionName(v int) string { return fmt.Sprintf("%03d", v) }

// comment turns River's "create river migration" into
// "create_river_migration", the shape of our own migration names.
func comment(name string) string {
	return strings.ReplaceAll(strings.TrimSpace(name), " ", "_")
}
