// Package migrations applies the versioned SQL migrations of the kernel and
// of every enabled module, in requirement order, with bun's migrator.
//
// A module's migrations are files in an fs.FS (usually embedded):
//
//	20261203100000_create_users.up.sql          the same SQL on both databases
//	20261203100000_create_users.down.sql
//	20261203100000_create_users.up.postgres.sql  optional dialect override
//	20261203100000_create_users.up.sqlite.sql
//
// The number orders the migrations and is what is recorded. Each file runs in
// one transaction, so a failing migration changes nothing and is not
// recorded. Each module keeps its own history table (erp_migrations_<id>) so
// that enabling or disabling a module never confuses another's history.
//
// A library that ships its own migrations, such as River, joins the run as a
// Set with a Delegate: the runner orders, locks and reports it like the
// others, and the delegate applies it and keeps its history.
package migrations

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/erp-interventions/erp/core/db"
)

// LocksTable holds the row that marks a module's migrations as running.
const LocksTable = "erp_migration_locks"

// Set is the migrations of one module: SQL files in FS, or a Delegate.
type Set struct {
	Module string
	FS     fs.FS
	// Delegate, when set, applies the set instead of FS: a library that
	// keeps its own migrations and history, such as River. The runner still
	// takes the set's lock around it and reports its migrations like others.
	Delegate Delegate
}

// Delegate applies migrations that another library owns. Up applies every
// pending migration, Down rolls back the most recent one, Status lists them
// all and Pending counts those not applied without writing anything. The
// Module field of what they return is filled in by the runner.
type Delegate interface {
	Up(ctx context.Context) ([]Applied, error)
	Down(ctx context.Context) ([]Applied, error)
	Status(ctx context.Context) ([]Status, error)
	Pending(ctx context.Context) (int, error)
}

// Table returns the name of the module's history table.
func (s Set) Table() string { return "erp_migrations_" + s.Module }

var fileName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.(up|down)(?:\.(sqlite|postgres))?\.sql$`)

type file struct {
	version, comment, direction, dialect, path string
}

// load builds bun migrations for dialect from the files in fsys.
func load(fsys fs.FS, dialect string) (*migrate.Migrations, error) {
	chosen := map[string]file{} // version+direction → file
	comments := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sql") {
			return err
		}
		m := fileName.FindStringSubmatch(d.Name())
		if m == nil {
			return fmt.Errorf("migration file %s: name must look like "+
				"20261203100000_create_things.up.sql", path)
		}
		f := file{version: m[1], comment: m[2], direction: m[3], dialect: m[4], path: path}
		if f.dialect != "" && f.dialect != dialect {
			return nil
		}
		key := f.version + "." + f.direction
		if prev, ok := chosen[key]; ok && prev.dialect != "" {
			return nil // a dialect-specific file wins over the shared one
		}
		chosen[key] = f
		comments[f.version] = f.comment
		return nil
	})
	if err != nil {
		return nil, err
	}

	versions := make([]string, 0, len(comments))
	for v := range comments {
		versions = append(versions, v)
	}
	sort.Strings(versions)

	ms := migrate.NewMigrations()
	for _, v := range versions {
		up, ok := chosen[v+".up"]
		if !ok {
			return nil, fmt.Errorf("migration %s_%s has no .up.sql file", v, comments[v])
		}
		mig := migrate.Migration{Name: v, Comment: comments[v], Up: sqlFunc(fsys, up.path)}
		if down, ok := chosen[v+".down"]; ok {
			mig.Down = sqlFunc(fsys, down.path)
		}
		ms.Add(mig)
	}
	return ms, nil
}

// sqlFunc runs a SQL file in one transaction. Both drivers accept several
// statements in one Exec.
func sqlFunc(fsys fs.FS, path string) func(context.Context, *migrate.Migrator,
	*migrate.Migration) error {
	return func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error {
		body, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		return m.DB().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			return nil
		})
	}
}

// Runner applies, rolls back and reports the migrations of a list of sets.
type Runner struct {
	db   *bun.DB
	sets []Set
	// LockWait is how long Up waits for another process's migration run.
	LockWait time.Duration
}

// NewRunner returns a runner for sets, which must be in requirement order.
func NewRunner(database *bun.DB, sets []Set) *Runner {
	return &Runner{db: database, sets: sets, LockWait: 30 * time.Second}
}

// migrator returns bun's migrator for s. For a delegated set it has no
// migrations: it only anchors the set's lock, and its history table stays
// empty, the delegate keeping its own.
func (r *Runner) migrator(s Set) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if s.Delegate == nil {
		var err error
		if ms, err = load(s.FS, db.DialectOf(r.db)); err != nil {
			return nil, fmt.Errorf("module %q: %w", s.Module, err)
		}
	}
	return migrate.NewMigrator(r.db, ms,
		migrate.WithTableName(s.Table()),
		migrate.WithLocksTableName(LocksTable),
		migrate.WithMarkAppliedOnSuccess(true),
	), nil
}

// Applied is one migration that a run applied or rolled back.
type Applied struct {
	Module  string
	Name    string
	Comment string
}

// Up applies every pending migration, module by module in order. It stops
// at the first failure, which it reports with the module and migration.
func (r *Runner) Up(ctx context.Context) ([]Applied, error) {
	var done []Applied
	for _, s := range r.sets {
		m, err := r.migrator(s)
		if err != nil {
			return done, err
		}
		if s.Delegate != nil {
			applied, err := r.delegated(ctx, s, m, s.Delegate.Up)
			done = append(done, applied...)
			if err != nil {
				return done, fmt.Errorf("module %q: migration: %w", s.Module, err)
			}
			continue
		}
		group, err := r.locked(ctx, s, m, func() (*migrate.MigrationGroup, error) {
			return m.Migrate(ctx)
		})
		done = appendGroup(done, s.Module, group)
		if err != nil {
			return done, fmt.Errorf("module %q: migration %w", s.Module, err)
		}
	}
	return done, nil
}

// delegated runs one step of a delegated set under the set's lock and
// names the module in what it applied.
func (r *Runner) delegated(ctx context.Context, s Set, m *migrate.Migrator,
	step func(context.Context) ([]Applied, error)) ([]Applied, error) {
	var applied []Applied
	_, err := r.locked(ctx, s, m, func() (*migrate.MigrationGroup, error) {
		var err error
		applied, err = step(ctx)
		return nil, err
	})
	for i := range applied {
		applied[i].Module = s.Module
	}
	return applied, err
}

// Down rolls back the most recent group of the last module, in requirement
// order, that has one applied: one step back per call.
func (r *Runner) Down(ctx context.Context) ([]Applied, error) {
	for i := len(r.sets) - 1; i >= 0; i-- {
		s := r.sets[i]
		m, err := r.migrator(s)
		if err != nil {
			return nil, err
		}
		if s.Delegate != nil {
			n, err := r.appliedCount(ctx, s)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				continue
			}
			done, err := r.delegated(ctx, s, m, s.Delegate.Down)
			if err != nil {
				return done, fmt.Errorf("module %q: rollback: %w", s.Module, err)
			}
			return done, nil
		}
		if err := m.Init(ctx); err != nil {
			return nil, fmt.Errorf("module %q: create history table: %w", s.Module, err)
		}
		all, err := m.MigrationsWithStatus(ctx)
		if err != nil {
			return nil, fmt.Errorf("module %q: read history: %w", s.Module, err)
		}
		if len(all.Applied()) == 0 {
			continue
		}
		group, err := r.locked(ctx, s, m, func() (*migrate.MigrationGroup, error) {
			return m.Rollback(ctx)
		})
		done := appendGroup(nil, s.Module, group)
		if err != nil {
			return done, fmt.Errorf("module %q: rollback %w", s.Module, err)
		}
		return done, nil
	}
	return nil, nil
}

func appendGroup(done []Applied, module string, g *migrate.MigrationGroup) []Applied {
	if g == nil {
		return done
	}
	for _, m := range g.Migrations {
		done = append(done, Applied{Module: module, Name: m.Name, Comment: m.Comment})
	}
	return done
}

// locked runs fn while holding the module's migration lock, waiting up to
// LockWait for another process to release it.
func (r *Runner) locked(ctx context.Context, s Set, m *migrate.Migrator,
	fn func() (*migrate.MigrationGroup, error)) (*migrate.MigrationGroup, error) {
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("create history table: %w", err)
	}
	deadline := time.Now().Add(r.LockWait)
	for {
		err := m.Lock(ctx)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("migrations are locked by another run; if no other "+
				"process is migrating, run `erp migrate unlock` (%w)", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	group, err := fn()
	// Unlock even when ctx is cancelled, or the lock would outlive the run.
	unlockErr := m.Unlock(context.WithoutCancel(ctx))
	return group, errors.Join(err, unlockErr)
}

// Status is the state of one migration.
type Status struct {
	Module    string
	Name      string
	Comment   string
	Applied   bool
	AppliedAt time.Time
}

// Status lists every migration of every set with whether it is applied.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	var out []Status
	for _, s := range r.sets {
		if s.Delegate != nil {
			st, err := s.Delegate.Status(ctx)
			if err != nil {
				return nil, fmt.Errorf("module %q: read history: %w", s.Module, err)
			}
			for i := range st {
				st[i].Module = s.Module
			}
			out = append(out, st...)
			continue
		}
		m, err := r.migrator(s)
		if err != nil {
			return nil, err
		}
		if err := m.Init(ctx); err != nil {
			return nil, fmt.Errorf("module %q: create history table: %w", s.Module, err)
		}
		all, err := m.MigrationsWithStatus(ctx)
		if err != nil {
			return nil, fmt.Errorf("module %q: read history: %w", s.Module, err)
		}
		for _, mig := range all {
			out = append(out, Status{Module: s.Module, Name: mig.Name, Comment: mig.Comment,
				Applied: mig.IsApplied(), AppliedAt: mig.MigratedAt})
		}
	}
	return out, nil
}

// Pending counts migrations not yet applied, without creating anything: a
// missing history table counts all of that module's migrations as pending.
// Readiness checks use it, so it must stay read-only.
func (r *Runner) Pending(ctx context.Context) (int, error) {
	n := 0
	for _, s := range r.sets {
		if s.Delegate != nil {
			p, err := s.Delegate.Pending(ctx)
			if err != nil {
				return 0, fmt.Errorf("module %q: read history: %w", s.Module, err)
			}
			n += p
			continue
		}
		ms, err := load(s.FS, db.DialectOf(r.db))
		if err != nil {
			return 0, err
		}
		var applied []string
		err = r.db.NewSelect().Table(s.Table()).Column("name").Scan(ctx, &applied)
		if err != nil {
			if !tableMissing(err) {
				return 0, fmt.Errorf("module %q: read history: %w", s.Module, err)
			}
			applied = nil
		}
		done := make(map[string]bool, len(applied))
		for _, a := range applied {
			done[a] = true
		}
		for _, mig := range ms.Sorted() {
			if !done[mig.Name] {
				n++
			}
		}
	}
	return n, nil
}

// appliedCount counts the applied migrations of a delegated set.
func (r *Runner) appliedCount(ctx context.Context, s Set) (int, error) {
	st, err := s.Delegate.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("module %q: read history: %w", s.Module, err)
	}
	n := 0
	for _, m := range st {
		if m.Applied {
			n++
		}
	}
	return n, nil
}

func tableMissing(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "no such table") || strings.Contains(msg, "does not exist")
}

// Unlock removes every module's migration lock, left behind when a
// migration run was killed.
func (r *Runner) Unlock(ctx context.Context) error {
	for _, s := range r.sets {
		m, err := r.migrator(s)
		if err != nil {
			return err
		}
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("module %q: create history table: %w", s.Module, err)
		}
		if err := m.Unlock(ctx); err != nil {
			return fmt.Errorf("module %q: unlock: %w", s.Module, err)
		}
	}
	return nil
}
