package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Filter chooses audit entries. Zero fields do not filter.
type Filter struct {
	UserID     int64
	Action     string
	Resource   string
	ResourceID string
	// From and To bound the entry's time, both inclusive.
	From time.Time
	To   time.Time
}

// List returns the entries matching f, newest first, limit of them after
// skipping offset, with the number of matching entries.
func List(ctx context.Context, db bun.IDB, f Filter, limit, offset int) ([]Entry, int, error) {
	var entries []Entry
	q := db.NewSelect().Model(&entries).
		OrderExpr("at DESC").OrderExpr("id DESC").
		Limit(int64(limit)).Offset(int64(offset))
	f.apply(q)
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list audit entries: %w", err)
	}
	return entries, int(total), nil
}

func (f Filter) apply(q *bun.SelectQuery) {
	if f.UserID != 0 {
		q.Where("user_id = ?", f.UserID)
	}
	if f.Action != "" {
		q.Where("action = ?", f.Action)
	}
	if f.Resource != "" {
		q.Where("resource = ?", f.Resource)
	}
	if f.ResourceID != "" {
		q.Where("resource_id = ?", f.ResourceID)
	}
	if !f.From.IsZero() {
		q.Where("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q.Where("at <= ?", f.To.UTC())
	}
}
