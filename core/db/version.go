package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// UpdateIfVersion writes model, a bun model with a primary key and a
// version column, provided its stored version is still prev. It reports
// false when another write got there first, which callers answer with 412
// or 409.
func UpdateIfVersion(ctx context.Context, idb bun.IDB, model any, prev int) (bool, error) {
	res, err := idb.NewUpdate().Model(model).WherePK().Where("version = ?", prev).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("count updated rows: %w", err)
	}
	return n == 1, nil
}
