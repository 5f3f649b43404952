package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/module"
)

// recorder collects what its subscribers were handed.
type recorder struct {
	mu   sync.Mutex
	got  map[string][]events.Delivered // subscriber → events
	fail map[string]int                // subscriber → failures still to return
}

func newRecorder() *recorder {
	return &recorder{got: map[string][]events.Delivered{}, fail: map[string]int{}}
}

func (r *recorder) handler(name string) events.Handler {
	return func(_ context.Context, e events.Delivered) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got[name] = append(r.got[name], e)
		if r.fail[name] > 0 {
			r.fail[name]--
			return errors.New("subscriber is not ready")
		}
		return nil
	}
}

func (r *recorder) of(name string) []events.Delivered {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got[name])
}

// subscriberModule subscribes the recorder under each name of subs.
type subscriberModule struct {
	rec  *recorder
	subs map[string][]string
}

func (m *subscriberModule) Info() module.Info { return module.Info{ID: "listener"} }

func (m *subscriberModule) Provision(_ context.Context, h *module.Host) error {
	for name, types := range m.subs {
		h.Events.Subscribe(name, types, m.rec.handler(name))
	}
	return nil
}

// startWith serves an app whose only module subscribes as subs says.
func startWith(t *testing.T, target dbtest.Target, subs map[string][]string) (
	*apptest.Server, *recorder) {
	t.Helper()
	rec := newRecorder()
	reg := module.NewRegistry()
	reg.MustAdd(&subscriberModule{rec: rec, subs: subs})
	s := apptest.Start(t, apptest.Options{Registry: reg, DatabaseURL: target.URL,
		Overrides: map[string]any{"jobs.poll_interval": "50ms"}})
	return s, rec
}

func record(t *testing.T, db *bun.DB, e events.Event, fail error) {
	t.Helper()
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		if err := events.Record(ctx, tx, e); err != nil {
			return err
		}
		return fail
	})
	if !errors.Is(err, fail) {
		t.Fatalf("record %s: %v", e.Type, err)
	}
}

// waitFor polls cond until it holds or ten seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func assigned(id string) events.Event {
	return events.Event{Type: "intervention.assigned", Resource: "intervention",
		ResourceID: id, ClientID: 4, ActorID: 7, Payload: map[string]any{"technicien_id": 3}}
}

func TestACommittedEventReachesItsSubscriber(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s, rec := startWith(t, target, map[string][]string{"n": {"intervention.*"}})
		sent := assigned("12")
		sent.ID = events.NewID()
		record(t, s.App.DB, sent, nil)

		waitFor(t, "the delivery", func() bool { return len(rec.of("n")) == 1 })
		got := rec.of("n")[0]
		var payload map[string]int
		if err := json.Unmarshal(got.Payload, &payload); err != nil {
			t.Fatal(err)
		}
		if got.ID != sent.ID || got.Type != sent.Type || got.ResourceID != "12" ||
			got.Resource != "intervention" || got.ClientID != 4 || got.ActorID != 7 ||
			payload["technicien_id"] != 3 || got.At.IsZero() {
			t.Fatalf("delivered %+v", got)
		}
	})
}

func TestARolledBackChangeDeliversNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s, rec := startWith(t, target, map[string][]string{"n": {"*"}})
		record(t, s.App.DB, assigned("1"), errors.New("rolled back"))
		record(t, s.App.DB, assigned("2"), nil)

		waitFor(t, "the committed event", func() bool { return len(rec.of("n")) > 0 })
		time.Sleep(300 * time.Millisecond) // a later, wrong delivery would show now
		got := rec.of("n")
		if len(got) != 1 || got[0].ResourceID != "2" {
			t.Fatalf("delivered %+v, want only the committed event", got)
		}
	})
}

func TestAFailingHandlerIsRetried(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s, rec := startWith(t, target, map[string][]string{"n": {"intervention.assigned"}})
		rec.fail["n"] = 1
		record(t, s.App.DB, assigned("5"), nil)

		waitFor(t, "the retry", func() bool { return len(rec.of("n")) == 2 })
		got := rec.of("n")
		if got[0].ID != got[1].ID {
			t.Fatalf("the retry carried another event: %s, %s", got[0].ID, got[1].ID)
		}
		waitFor(t, "the completed job", func() bool {
			jobs := deliveries(t, s)
			return len(jobs) == 1 && jobs[0].State == rivertype.JobStateCompleted
		})
		if job := deliveries(t, s)[0]; job.Attempt != 2 || len(job.Errors) != 1 ||
			!strings.Contains(job.Errors[0].Error, "not ready") {
			t.Fatalf("job attempt %d, errors %+v", job.Attempt, job.Errors)
		}
	})
}

func TestEachSubscriberGetsItsOwnJob(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s, rec := startWith(t, target, map[string][]string{
			"all":      {"intervention.*"},
			"assigned": {"intervention.closed", "intervention.assigned"},
			"clients":  {"client.*"},
		})
		record(t, s.App.DB, assigned("8"), nil)

		waitFor(t, "both deliveries", func() bool {
			return len(rec.of("all")) == 1 && len(rec.of("assigned")) == 1
		})
		var subscribers []string
		for _, j := range deliveries(t, s) {
			var a events.DeliveryArgs
			if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
				t.Fatal(err)
			}
			subscribers = append(subscribers, a.Subscriber)
		}
		slices.Sort(subscribers)
		if !slices.Equal(subscribers, []string{"all", "assigned"}) || len(rec.of("clients")) != 0 {
			t.Fatalf("jobs for %v; clients got %d", subscribers, len(rec.of("clients")))
		}
	})
}

func TestAnUnknownSubscriberFailsTheJob(t *testing.T) {
	t.Parallel()
	s, _ := startWith(t, dbtest.SQLite(t), map[string][]string{"n": {"*"}})
	ctx := context.Background()
	res, err := s.App.Jobs.Insert(ctx, events.DeliveryArgs{Subscriber: "gone",
		EventID: events.NewID()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failure", func() bool {
		job, err := s.App.Jobs.Get(ctx, res.Job.ID)
		return err == nil && len(job.Errors) > 0
	})
	job, _ := s.App.Jobs.Get(ctx, res.Job.ID)
	if msg := job.Errors[0].Error; !strings.Contains(msg, `"gone"`) ||
		!strings.Contains(msg, events.ErrUnknownSubscriber.Error()) {
		t.Fatalf("job error %q", msg)
	}
}

func TestSubscribeRefusesADuplicateName(t *testing.T) {
	t.Parallel()
	b := events.NewBus()
	h := func(context.Context, events.Delivered) error { return nil }
	b.Subscribe("n", []string{"*"}, h)
	b.Subscribe("n", []string{"x.y"}, h)
	b.Subscribe("m", nil, h)
	if err := b.Err(); err == nil || !strings.Contains(err.Error(), `"n" is registered twice`) ||
		!strings.Contains(err.Error(), `"m": needs event types`) {
		t.Fatalf("Err = %v", err)
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, event string
		want           bool
	}{
		{"intervention.assigned", "intervention.assigned", true},
		{"intervention.assigned", "intervention.closed", false},
		{"intervention.*", "intervention.closed", true},
		{"intervention.*", "interventions.closed", false},
		{"client.*", "intervention.closed", false},
		{"*", "anything.done", true},
		{"intervention*", "intervention.closed", false},
	}
	for _, c := range cases {
		if got := events.Match(c.pattern, c.event); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.event, got)
		}
	}
}

func deliveries(t *testing.T, s *apptest.Server) []*rivertype.JobRow {
	t.Helper()
	all, err := s.App.Jobs.List(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []*rivertype.JobRow
	for _, j := range all {
		if j.Kind == events.DeliveryKind {
			out = append(out, j)
		}
	}
	return out
}
