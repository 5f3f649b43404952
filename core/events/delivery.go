package events

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/jobs"
)

// DeliveryKind is the River job kind that hands one event to one
// subscriber.
const DeliveryKind = "event_delivery"

// ErrUnknownSubscriber fails a delivery job whose subscriber is not
// registered in this process, typically because its module is disabled
// here. The job is retried, so a process that has the subscriber may still
// take it.
var ErrUnknownSubscriber = errors.New("no such event subscriber in this process")

// DeliveryArgs are the arguments of a delivery job: which subscriber gets
// which event (by its stable ID).
type DeliveryArgs struct {
	Subscriber string `json:"subscriber"`
	EventID    string `json:"event_id"`
}

// Kind returns DeliveryKind.
func (DeliveryArgs) Kind() string { return DeliveryKind }

// deliveryWorker reads the event from the outbox and calls the subscriber.
type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	bus *Bus
	db  bun.IDB
}

// AddDeliveryWorker registers the worker of delivery jobs. The kernel calls
// it, once per app, when the bus has subscribers.
func AddDeliveryWorker(r *jobs.Registry, bus *Bus, db bun.IDB) {
	jobs.AddWorker(r, &deliveryWorker{bus: bus, db: db})
}

// Work delivers the event named by the job to its subscriber.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	a := job.Args
	h, ok := w.bus.handler(a.Subscriber)
	if !ok {
		return fmt.Errorf("deliver event %s to %q: %w", a.EventID, a.Subscriber,
			ErrUnknownSubscriber)
	}
	e, err := Load(ctx, w.db, a.EventID)
	if err != nil {
		return fmt.Errorf("deliver event %s to %q: %w", a.EventID, a.Subscriber, err)
	}
	if err := h(ctx, e); err != nil {
		return fmt.Errorf("deliver %s event %s to %q: %w", e.Type, e.ID, a.Subscriber, err)
	}
	return nil
}

// ErrNotFound is returned by Load for an event id absent from the outbox.
var ErrNotFound = errors.New("event not found")

// Load reads the event with id from the outbox.
func Load(ctx context.Context, db bun.IDB, id string) (Delivered, error) {
	var row Row
	err := db.NewSelect().Model(&row).Where("event_id = ?", id).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivered{}, fmt.Errorf("load event %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Delivered{}, fmt.Errorf("load event %s: %w", id, err)
	}
	return row.Delivered(), nil
}

// Delivered returns the row as subscribers see it.
func (r *Row) Delivered() Delivered {
	d := Delivered{ID: r.EventID, Type: r.Type, Resource: r.Resource,
		ResourceID: r.ResourceID, Payload: []byte(r.Payload), At: r.CreatedAt.UTC()}
	if r.ClientID != nil {
		d.ClientID = *r.ClientID
	}
	if r.ActorID != nil {
		d.ActorID = *r.ActorID
	}
	return d
}
