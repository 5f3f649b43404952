// Package db opens the product's database with bun: SQLite through the pure
// Go driver as the embedded default, PostgreSQL through pgx in production.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Target is a parsed database URL.
type Target struct {
	Dialect string
	// Path is the SQLite file, or ":memory:".
	Path string
	// DSN is what the database/sql driver is opened with.
	DSN string
}

// Parse reads a database URL: "postgres://…" or "postgresql://…" selects
// PostgreSQL; "sqlite://path", "file:path" or a bare path selects SQLite.
func Parse(raw string) (Target, error) {
	switch {
	case raw == "":
		return Target{}, fmt.Errorf("database URL is empty")
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return Target{}, fmt.Errorf("database URL is not a valid URL: %w", redactErr(err))
		}
		if u.Host == "" {
			return Target{}, fmt.Errorf("PostgreSQL URL has no host")
		}
		return Target{Dialect: Postgres, DSN: raw}, nil
	}
	path := raw
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if rest, ok := strings.CutPrefix(path, p); ok {
			path = rest
			break
		}
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return Target{}, fmt.Errorf("SQLite URL %q names no file", raw)
	}
	if strings.Contains(path, "://") {
		return Target{}, fmt.Errorf("database URL scheme in %q is not supported "+
			"(use postgres://… or a SQLite file path)", raw)
	}
	return Target{Dialect: SQLite, Path: path, DSN: sqliteDSN(path)}, nil
}

// sqliteDSN sets what every connection needs: foreign keys enforced, WAL so
// readers never wait for the writer, a busy timeout instead of instant
// "database is locked" errors, and write transactions that take the write
// lock at BEGIN, so two transactions never deadlock upgrading their locks.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if path != ":memory:" {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Options tune the connection pool.
type Options struct {
	// MaxOpenConns caps open connections; zero picks a default per dialect.
	MaxOpenConns int
	// PingTimeout bounds the first connection attempt.
	PingTimeout time.Duration
}

// Open connects to the database named by raw and checks that it answers.
func Open(ctx context.Context, raw string, opts Options) (*bun.DB, error) {
	t, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	if opts.PingTimeout == 0 {
		opts.PingTimeout = 5 * time.Second
	}

	var db *bun.DB
	switch t.Dialect {
	case SQLite:
		db, err = openSQLite(t, opts)
	default:
		db, err = openPostgres(t, opts)
	}
	if err != nil {
		return nil, err
	}

	pingCtx, cancel := context.WithTimeout(ctx, opts.PingTimeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to %s: %w", Describe(raw), redactErr(err))
	}
	return db, nil
}

func openSQLite(t Target, opts Options) (*bun.DB, error) {
	if t.Path != ":memory:" {
		if dir := filepath.Dir(t.Path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database folder %s: %w", dir, err)
			}
		}
	}
	sqldb, err := sql.Open("sqlite", t.DSN)
	if err != nil {
		return nil, fmt.Errorf("open SQLite %s: %w", t.Path, err)
	}
	n := opts.MaxOpenConns
	if n == 0 {
		n = 4
	}
	if t.Path == ":memory:" {
		// Each connection to ":memory:" is its own database.
		n = 1
	}
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	sqldb.SetConnMaxLifetime(0)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

func openPostgres(t Target, opts Options) (*bun.DB, error) {
	cfg, err := pgx.ParseConfig(t.DSN)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", redactErr(err))
	}
	// bun writes its arguments into the SQL text, so nearly every statement
	// is new to the server. pgx's default would prepare and cache each one:
	// an extra round trip per query and a cache that never hits. The simple
	// protocol sends the text once; queries that do pass arguments (River's)
	// have them encoded safely by pgx.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	sqldb := stdlib.OpenDB(*cfg)
	n := opts.MaxOpenConns
	if n == 0 {
		n = 20
	}
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

// DialectOf returns SQLite or Postgres for an open database.
func DialectOf(db bun.IDB) string {
	if db.Dialect().Name().String() == "pg" {
		return Postgres
	}
	return SQLite
}

// Describe names the database for logs and errors without its password:
// "SQLite ./data/erp.db" or "PostgreSQL erp@db.example.com:5432/erp".
func Describe(raw string) string {
	t, err := Parse(raw)
	if err != nil {
		return "database"
	}
	if t.Dialect == SQLite {
		return "SQLite " + t.Path
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "PostgreSQL"
	}
	return "PostgreSQL " + u.User.Username() + "@" + u.Host + u.Path
}

// redactErr keeps a driver error's message while making sure no password
// from a connection string is echoed in it.
func redactErr(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		if j := strings.Index(msg[i:], "@"); j >= 0 {
			if k := strings.Index(msg[i+3:i+j], ":"); k >= 0 {
				msg = msg[:i+3+k+1] + "xxxxx" + msg[i+j:]
				return fmt.Errorf("%s", msg)
			}
		}
	}
	return err
}
