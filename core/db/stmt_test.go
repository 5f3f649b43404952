package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/db/dbtest"
)

type gadget struct {
	bun.BaseModel `bun:"table:gadgets,alias:g"`
	ID            int64   `bun:"id,pk"`
	Nom           string  `bun:"nom"`
	ClientID      int64   `bun:"client_id"`
	Note          *string `bun:"note"`
}

func TestStmtReadsOneRowWithSeparateArguments(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		ctx := context.Background()
		d := target.DB
		if _, err := d.ExecContext(ctx, `CREATE TABLE gadgets (id BIGINT PRIMARY KEY,
			nom TEXT NOT NULL, client_id BIGINT NOT NULL, note TEXT)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO gadgets (id, nom, client_id)
			VALUES (1, 'pompe', 7), (2, 'vanne', 8)`); err != nil {
			t.Fatal(err)
		}
		q := d.NewSelect().Model((*gadget)(nil)).Where("g.id = ?", db.Param(d, 1)).
			Where("g.client_id = ?", db.Param(d, 2))
		st, err := db.NewStmt(d, q)
		if err != nil {
			t.Fatal(err)
		}
		// Twice, so PostgreSQL also runs the statement it prepared.
		for range 2 {
			var g gadget
			if err := st.Scan(ctx, &g, 1, 7); err != nil || g.Nom != "pompe" || g.Note != nil {
				t.Fatalf("Scan = %+v, %v (%s)", g, err, st)
			}
		}
		var g gadget
		if err := st.Scan(ctx, &g, 2, 7); !errors.Is(err, sql.ErrNoRows) {
			t.Fatalf("Scan of a row out of scope = %v, want sql.ErrNoRows", err)
		}
	})
}
