package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Handler reacts to one committed event. It runs inside a River job, so a
// returned error is retried with back-off; it must tolerate seeing the same
// event twice (use e.ID).
type Handler func(ctx context.Context, e Delivered) error

// Delivered is a committed event as subscribers see it. ClientID and
// ActorID are zero when the event has none.
type Delivered struct {
	ID, Type, Resource, ResourceID string
	ClientID, ActorID              int64
	Payload                        json.RawMessage
	At                             time.Time
}

// Bus fans committed events out to subscribers. The kernel creates one per
// app and hands it to modules in module.Host; modules subscribe while they
// provision, and the relay (see Relay) turns each committed event into one
// delivery job per matching subscriber.
type Bus struct {
	mu   sync.RWMutex
	subs map[string]subscription
	errs []error
}

type subscription struct {
	types   []string
	handler Handler
}

// NewBus returns a bus with no subscriber.
func NewBus() *Bus {
	return &Bus{subs: map[string]subscription{}}
}

// Subscribe registers h under a stable name for the given event types
// ("intervention.assigned"; "intervention.*" matches every intervention
// event, "*" every event). Called from a module's Provision. The name is
// stored in delivery jobs, so it must not change between releases. A
// duplicate or empty name, or no type, is recorded and reported by Err.
func (b *Bus) Subscribe(name string, types []string, h Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case strings.TrimSpace(name) == "":
		b.errs = append(b.errs, errors.New("event subscriber: the name is empty"))
		return
	case len(types) == 0 || h == nil:
		b.errs = append(b.errs, fmt.Errorf("event subscriber %q: needs event types "+
			"and a handler", name))
		return
	}
	if _, dup := b.subs[name]; dup {
		b.errs = append(b.errs, fmt.Errorf("event subscriber %q is registered twice", name))
		return
	}
	b.subs[name] = subscription{types: slices.Clone(types), handler: h}
}

// Err returns every subscription problem, or nil.
func (b *Bus) Err() error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return errors.Join(b.errs...)
}

// Empty reports whether nobody subscribed, in which case the kernel runs
// no relay and registers no delivery worker.
func (b *Bus) Empty() bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs) == 0
}

// Subscribers returns the names of the subscribers of eventType, sorted.
func (b *Bus) Subscribers(eventType string) []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []string
	for name, s := range b.subs {
		if slices.ContainsFunc(s.types, func(p string) bool { return Match(p, eventType) }) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// handler returns the handler registered under name.
func (b *Bus) handler(name string) (Handler, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s, ok := b.subs[name]
	return s.handler, ok
}

// Match reports whether the subscription pattern matches eventType: equal
// names, "resource.*" for every event of a resource, or "*" for all.
func Match(pattern, eventType string) bool {
	if pattern == "*" || pattern == eventType {
		return true
	}
	prefix, ok := strings.CutSuffix(pattern, "*")
	return ok && strings.HasSuffix(prefix, ".") && strings.HasPrefix(eventType, prefix)
}
