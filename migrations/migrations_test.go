package migrations_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/migrations"
)

func widgets() fstest.MapFS {
	return fstest.MapFS{
		"20260101000001_create_widgets.up.sql": {Data: []byte(
			"CREATE TABLE widgets (id INTEGER PRIMARY KEY, nom TEXT NOT NULL);\n" +
				"CREATE INDEX widgets_nom ON widgets (nom);")},
		"20260101000001_create_widgets.down.sql": {Data: []byte("DROP TABLE widgets;")},
		// The override proves each database gets its own file when it needs one.
		"20260101000002_add_flag.up.sqlite.sql": {Data: []byte(
			"ALTER TABLE widgets ADD COLUMN actif INTEGER NOT NULL DEFAULT 1;")},
		"20260101000002_add_flag.up.postgres.sql": {Data: []byte(
			"ALTER TABLE widgets ADD COLUMN actif BOOLEAN NOT NULL DEFAULT TRUE;")},
		"20260101000002_add_flag.down.sql": {Data: []byte(
			"ALTER TABLE widgets DROP COLUMN actif;")},
	}
}

func TestMigrationsApplyRollBackAndReport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		ctx := context.Background()
		r := migrations.NewRunner(target.DB, []migrations.Set{{Module: "widgets", FS: widgets()}})

		pending, err := r.Pending(ctx)
		if err != nil || pending != 2 {
			t.Fatalf("Pending before up = %d, %v; want 2", pending, err)
		}
		applied, err := r.Up(ctx)
		if err != nil || len(applied) != 2 {
			t.Fatalf("Up = %v, %v; want two migrations", applied, err)
		}
		if _, err := target.DB.ExecContext(ctx,
			"INSERT INTO widgets (id, nom, actif) VALUES (1, 'a', TRUE)"); err != nil {
			t.Fatalf("insert into migrated table: %v", err)
		}
		if again, err := r.Up(ctx); err != nil || len(again) != 0 {
			t.Fatalf("second Up = %v, %v; want nothing to do", again, err)
		}
		if pending, _ := r.Pending(ctx); pending != 0 {
			t.Fatalf("Pending after up = %d, want 0", pending)
		}

		back, err := r.Down(ctx)
		if err != nil || len(back) != 2 {
			t.Fatalf("Down = %v, %v; want the whole group rolled back", back, err)
		}
		st, err := r.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if s.Applied {
				t.Errorf("%s still applied after down", s.Name)
			}
		}
	})
}

func TestFailingMigrationChangesNothingAndIsNotRecorded(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		ctx := context.Background()
		fsys := widgets()
		fsys["20260101000003_broken.up.sql"] = &fstest.MapFile{Data: []byte(
			"CREATE TABLE half_done (id INTEGER PRIMARY KEY);\n" +
				"INSERT INTO no_such_table VALUES (1);")}
		r := migrations.NewRunner(target.DB, []migrations.Set{{Module: "widgets", FS: fsys}})

		_, err := r.Up(ctx)
		if err == nil || !strings.Contains(err.Error(), `module "widgets"`) ||
			!strings.Contains(err.Error(), "20260101000003") {
			t.Fatalf("Up error = %v; want one naming the module and the migration", err)
		}
		var n int
		err = target.DB.NewSelect().Table("half_done").ColumnExpr("count(*)").Scan(ctx, &n)
		if err == nil {
			t.Fatal("table half_done exists: the failed migration was half applied")
		}
		if pending, _ := r.Pending(ctx); pending != 1 {
			t.Fatalf("Pending = %d; want the broken migration still pending", pending)
		}
		// The lock was released: fixing the file lets the next run go through.
		fsys["20260101000003_broken.up.sql"] = &fstest.MapFile{Data: []byte(
			"CREATE TABLE half_done (id INTEGER PRIMARY KEY);")}
		if _, err := r.Up(ctx); err != nil {
			t.Fatalf("Up after fix: %v", err)
		}
	})
}

func TestModulesKeepSeparateHistories(t *testing.T) {
	t.Parallel()
	target := dbtest.SQLite(t)
	ctx := context.Background()
	other := fstest.MapFS{"20250101000001_create_gadgets.up.sql": {Data: []byte(
		"CREATE TABLE gadgets (id INTEGER PRIMARY KEY);")}}
	sets := []migrations.Set{{Module: "widgets", FS: widgets()}, {Module: "gadgets", FS: other}}
	if _, err := migrations.NewRunner(target.DB, sets).Up(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"erp_migrations_widgets", "erp_migrations_gadgets"} {
		var n int
		err := target.DB.NewSelect().Table(table).ColumnExpr("count(*)").Scan(ctx, &n)
		if err != nil || n == 0 {
			t.Errorf("history table %s: %d rows, %v", table, n, err)
		}
	}
	// Down steps back the last module first.
	back, err := migrations.NewRunner(target.DB, sets).Down(ctx)
	if err != nil || len(back) != 1 || back[0].Module != "gadgets" {
		t.Fatalf("Down = %v, %v; want gadgets rolled back first", back, err)
	}
}

func TestUnlockClearsAStaleLock(t *testing.T) {
	t.Parallel()
	target := dbtest.SQLite(t)
	ctx := context.Background()
	r := migrations.NewRunner(target.DB, []migrations.Set{{Module: "widgets", FS: widgets()}})
	r.LockWait = 0
	if _, err := r.Status(ctx); err != nil { // creates the history and lock tables
		t.Fatal(err)
	}
	// A crashed run leaves its lock row behind.
	if _, err := target.DB.ExecContext(ctx, "INSERT INTO "+migrations.LocksTable+
		" (table_name) VALUES ('erp_migrations_widgets')"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Up(ctx); err == nil || !strings.Contains(err.Error(), "erp migrate unlock") {
		t.Fatalf("Up with a stale lock = %v; want advice to unlock", err)
	}
	if err := r.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Up(ctx); err != nil {
		t.Fatalf("Up after unlock: %v", err)
	}
}

func TestBadFileNameIsReported(t *testing.T) {
	t.Parallel()
	target := dbtest.SQLite(t)
	fsys := fstest.MapFS{"create.sql": {Data: []byte("SELECT 1")}}
	_, err := migrations.NewRunner(target.DB, []migrations.Set{{Module: "x", FS: fsys}}).
		Up(context.Background())
	if err == nil || !strings.Contains(err.Error(), "create.sql") {
		t.Fatalf("Up = %v; want an error naming the bad file", err)
	}
}
