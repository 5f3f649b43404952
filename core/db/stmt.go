package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// Stmt is a read whose SQL text is built once by bun, with its arguments
// sent apart from the text. bun's usual queries write their arguments into
// the text, so PostgreSQL parses and plans every call anew; a Stmt is
// prepared once per connection and then only bound and run, which halves the
// cost of a read by primary key. Use it for the hottest reads (get by id,
// the token check); everything else goes through bun's query builder.
type Stmt struct {
	db  *bun.DB
	sql string
	pg  bool
}

// Param returns the n-th (from 1) placeholder of db's dialect, to put in a
// query built for NewStmt: q.Where("i.id = ?", db.Param(d, 1)).
func Param(d bun.IDB, n int) bun.Safe {
	if DialectOf(d) == Postgres {
		return bun.Safe("$" + strconv.Itoa(n))
	}
	return bun.Safe("?" + strconv.Itoa(n))
}

// NewStmt keeps q's SQL text, whose arguments must all be Param
// placeholders.
func NewStmt(d *bun.DB, q bun.Query) (*Stmt, error) {
	b, err := q.AppendQuery(d.QueryGen(), nil)
	if err != nil {
		return nil, fmt.Errorf("build statement: %w", err)
	}
	return &Stmt{db: d, sql: string(b), pg: DialectOf(d) == Postgres}, nil
}

// String returns the statement's SQL text.
func (s *Stmt) String() string { return s.sql }

// Scan runs the statement with args and scans its first row into dest, a
// pointer to a bun model; sql.ErrNoRows when there is none.
func (s *Stmt) Scan(ctx context.Context, dest any, args ...any) error {
	if s.pg {
		// pgx keeps a prepared statement per connection for this text.
		args = append([]any{pgx.QueryExecModeCacheStatement}, args...)
	}
	rows, err := s.db.DB.QueryContext(ctx, s.sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := s.db.ScanRow(ctx, rows, dest); err != nil {
		return err
	}
	return rows.Close()
}
