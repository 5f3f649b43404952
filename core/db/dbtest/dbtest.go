// Package dbtest runs a test body against every database the product
// supports: a fresh SQLite file, and a fresh database in the PostgreSQL
// cluster named by ERPTEST_POSTGRES_URL (started by `make test`).
//
// Without that variable the PostgreSQL half is skipped with a message, unless
// ERPTEST_REQUIRE_POSTGRES is set, in which case it fails: CI sets it so that a
// broken cluster can never pass as a skipped one.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db"
)

// Env names.
const (
	PostgresURLEnv     = "ERPTEST_POSTGRES_URL"
	RequirePostgresEnv = "ERPTEST_REQUIRE_POSTGRES"
)

// Target is one database a test runs on.
type Target struct {
	// Name is "SQLite" or "PostgreSQL", used as the subtest name.
	Name string
	// URL opens the test's own fresh database.
	URL string
	// DB is an open handle on it.
	DB *bun.DB
}

// Each runs body once per database, as parallel subtests, each with its own
// empty database that is dropped afterwards.
func Each(t *testing.T, body func(t *testing.T, target Target)) {
	t.Helper()
	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		body(t, SQLite(t))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		t.Parallel()
		body(t, Postgres(t))
	})
}

// SQLite returns a fresh SQLite database in t's temporary folder.
func SQLite(t testing.TB) Target {
	t.Helper()
	u := filepath.Join(t.TempDir(), "erp.db")
	return open(t, "SQLite", u)
}

// Postgres returns a fresh PostgreSQL database, or skips (or fails, see the
// package doc) when no cluster is configured.
func Postgres(t testing.TB) Target {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		if os.Getenv(RequirePostgresEnv) != "" {
			t.Fatalf("%s is set but %s is empty: the PostgreSQL cluster did not start",
				RequirePostgresEnv, PostgresURLEnv)
		}
		t.Skipf("PostgreSQL skipped: %s is not set (make test starts a cluster)",
			PostgresURLEnv)
	}
	name := "erp_t_" + randomHex(6)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open PostgreSQL admin connection: %v", err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+
			" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	u.Path = "/" + name
	return open(t, "PostgreSQL", u.String())
}

func open(t testing.TB, name, u string) Target {
	t.Helper()
	d, err := db.Open(context.Background(), u, db.Options{})
	if err != nil {
		t.Fatalf("open %s test database: %v", name, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return Target{Name: name, URL: u, DB: d}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
