package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"testing"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/module"
)

// kernelOnly starts the app with no module, which applies the kernel's
// migrations, the outbox among them.
func kernelOnly(t *testing.T, target dbtest.Target) *bun.DB {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Registry: module.NewRegistry(),
		Enabled: []string{}, DatabaseURL: target.URL})
	return s.App.DB
}

func TestRecordWritesWithTheTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		db := kernelOnly(t, target)
		ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: 9})
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return events.Record(ctx, tx, events.Event{Type: "intervention.created",
				Resource: "intervention", ResourceID: "12", ClientID: 3,
				Payload: map[string]any{"titre": "Réparation"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		var rows []events.Row
		if err := db.NewSelect().Model(&rows).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d rows, want 1", len(rows))
		}
		r := rows[0]
		uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-` +
			`[0-9a-f]{12}$`)
		if !uuid.MatchString(r.EventID) || r.Type != "intervention.created" ||
			r.ResourceID != "12" || r.ClientID == nil || *r.ClientID != 3 ||
			r.ActorID == nil || *r.ActorID != 9 || r.PublishedAt != nil ||
			r.CreatedAt.IsZero() {
			t.Fatalf("row = %+v", r)
		}
		var payload map[string]any
		if err := json.Unmarshal([]byte(r.Payload), &payload); err != nil ||
			payload["titre"] != "Réparation" {
			t.Fatalf("payload %q: %v", r.Payload, err)
		}
	})
}

func TestRolledBackChangeLeavesNoEvent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		db := kernelOnly(t, target)
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := events.Record(ctx, tx, events.Event{Type: "x.done", Resource: "x",
				ResourceID: "1"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("RunInTx = %v", err)
		}
		n, err := db.NewSelect().Model((*events.Row)(nil)).Count(ctx)
		if err != nil || n != 0 {
			t.Fatalf("%d events after rollback (%v), want 0", n, err)
		}
	})
}

func TestRecordRefusesAnIncompleteEvent(t *testing.T) {
	t.Parallel()
	db := kernelOnly(t, dbtest.SQLite(t))
	err := events.Record(context.Background(), db, events.Event{Type: "x.done"})
	if err == nil {
		t.Fatal("an event without a resource was recorded")
	}
}

func TestNewIDIsUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := events.NewID()
		if seen[id] || len(id) != 36 {
			t.Fatalf("id %q repeated or malformed", id)
		}
		seen[id] = true
	}
}
