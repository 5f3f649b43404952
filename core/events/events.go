// Package events records domain events ("intervention.created",
// "intervention.assigned", …) in an outbox table, written by the same
// transaction as the change they describe: an event exists exactly when its
// change was committed, and a rolled-back change leaves none.
//
// The outbox is the hand-over point to what reacts to changes. Modules
// subscribe to event types on a Bus; a Relay, running where job workers run,
// takes unpublished rows in id order (the partial index on published_at
// serves that) and, in one transaction, enqueues one delivery job per
// matching subscriber and marks the rows published. The delivery worker then
// calls the subscriber's Handler, with River's retries. Subscribers must
// tolerate seeing an event twice, and use its ID to recognise a repeat.
package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
)

// Event is one domain event to record.
type Event struct {
	// ID is the event's stable identifier (a random UUID). Record fills it
	// when empty.
	ID string
	// Type is "<resource>.<past-tense verb>", e.g. "intervention.closed".
	Type string
	// Resource and ResourceID name what changed: "intervention", "42".
	Resource   string
	ResourceID string
	// ClientID is the client organisation the resource belongs to, zero when
	// none, so that consumers can route per client without reading the
	// resource.
	ClientID int64
	// ActorID is the acting user; Record takes it from ctx when zero.
	ActorID int64
	// Payload is any JSON-encodable value describing the change.
	Payload any
	// At is when the change happened; Record uses the current time when zero.
	At time.Time
}

// Row is the stored form of an event, as consumers will read it.
type Row struct {
	bun.BaseModel `bun:"table:event_outbox"`

	Seq         int64      `bun:"id,pk,autoincrement"`
	EventID     string     `bun:"event_id,notnull"`
	Type        string     `bun:"type,notnull"`
	Resource    string     `bun:"resource,notnull"`
	ResourceID  string     `bun:"resource_id,notnull"`
	ClientID    *int64     `bun:"client_id"`
	ActorID     *int64     `bun:"actor_id"`
	Payload     string     `bun:"payload,notnull"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	PublishedAt *time.Time `bun:"published_at"`
}

// Record appends e to the outbox through db, which must be the transaction
// of the change itself.
func Record(ctx context.Context, db bun.IDB, e Event) error {
	row, err := newRow(ctx, e)
	if err != nil {
		return err
	}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("record event %s: %w", e.Type, err)
	}
	return nil
}

func newRow(ctx context.Context, e Event) (*Row, error) {
	if e.Type == "" || e.Resource == "" || e.ResourceID == "" {
		return nil, errors.New("record event: type, resource and resource id are required")
	}
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s event payload: %w", e.Type, err)
	}
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	if e.ActorID == 0 {
		if p := auth.FromContext(ctx); p != nil {
			e.ActorID = p.UserID
		}
	}
	return &Row{
		EventID:    e.ID,
		Type:       e.Type,
		Resource:   e.Resource,
		ResourceID: e.ResourceID,
		ClientID:   nonZero(e.ClientID),
		ActorID:    nonZero(e.ActorID),
		Payload:    string(payload),
		CreatedAt:  e.At.UTC(),
	}, nil
}

// NewID returns a random (version 4) UUID in its usual text form.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}
