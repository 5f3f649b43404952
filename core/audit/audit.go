// Package audit is the append-only record of who changed what. Every module
// writes its entries with the same transaction as the change they describe,
// so an entry exists exactly when the change does.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// Entry is one audit record.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID         int64     `bun:"id,pk,autoincrement"`
	At         time.Time `bun:"at,notnull"`
	UserID     *int64    `bun:"user_id"`
	Action     string    `bun:"action,notnull"`
	Resource   string    `bun:"resource,notnull"`
	ResourceID *string   `bun:"resource_id"`
	RequestID  *string   `bun:"request_id"`
	IP         *string   `bun:"ip"`
	Avant      *string   `bun:"avant"`
	Apres      *string   `bun:"apres"`
	Detail     *string   `bun:"detail"`
}

// Change describes what to record: the action ("intervention.create",
// "auth.login_failed"), the resource and its id, and for updates the state
// before and after (any JSON-encodable values).
type Change struct {
	Action     string
	Resource   string
	ResourceID string
	Before     any
	After      any
	Detail     string
	// UserID overrides the acting user taken from ctx, for events such as a
	// failed login where nobody is signed in yet.
	UserID int64
	// IP is the client address, recorded for authentication events.
	IP string
}

// Record appends c to the audit log through db, which should be the
// transaction of the change itself. The acting user and the request id come
// from ctx.
func Record(ctx context.Context, db bun.IDB, c Change) error {
	e := &Entry{
		At:         time.Now().UTC(),
		Action:     c.Action,
		Resource:   c.Resource,
		ResourceID: optional(c.ResourceID),
		RequestID:  optional(httpx.RequestID(ctx)),
		IP:         optional(c.IP),
		Detail:     optional(c.Detail),
	}
	if c.UserID != 0 {
		e.UserID = &c.UserID
	} else if p := auth.FromContext(ctx); p != nil {
		e.UserID = &p.UserID
	}
	var err error
	if e.Avant, err = encode(c.Before); err != nil {
		return err
	}
	if e.Apres, err = encode(c.After); err != nil {
		return err
	}
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("record audit entry %s: %w", c.Action, err)
	}
	return nil
}

func encode(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode audit state: %w", err)
	}
	s := string(b)
	return &s, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
