package notifications

import (
	"context"
	"strconv"
	"sync"
)

// notifyChannel is the PostgreSQL channel on which new notifications are
// announced; the payload is the user id.
const notifyChannel = "erp_notifications"

// hub tells the open streams of a user that they may have something new.
// A wake carries no data: the stream reads what follows its cursor, so a
// wake that is lost or doubled costs at most a query.
type hub struct {
	mu     sync.Mutex
	subs   map[int64]map[chan struct{}]struct{}
	done   chan struct{}
	closed bool
}

func newHub() *hub {
	return &hub{subs: map[int64]map[chan struct{}]struct{}{}, done: make(chan struct{})}
}

// bind closes the hub when ctx ends.
func (h *hub) bind(ctx context.Context) {
	go func() {
		select {
		case <-ctx.Done():
			h.close()
		case <-h.done:
		}
	}()
}

// subscribe returns a channel woken when userID may have new notifications
// and a function to unsubscribe.
func (h *hub) subscribe(userID int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[userID] == nil {
		h.subs[userID] = map[chan struct{}]struct{}{}
	}
	h.subs[userID][ch] = struct{}{}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.subs[userID], ch)
		if len(h.subs[userID]) == 0 {
			delete(h.subs, userID)
		}
	}
}

// wake signals every stream of userID.
func (h *hub) wake(userID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[userID] {
		signal(ch)
	}
}

// wakeAll signals every stream, after a lost listener connection.
func (h *hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for ch := range set {
			signal(ch)
		}
	}
}

// wakeFromPayload handles a PostgreSQL notification: a user id, or empty
// when the listener reconnected and may have missed some.
func (h *hub) wakeFromPayload(payload string) {
	id, err := strconv.ParseInt(payload, 10, 64)
	if err != nil {
		h.wakeAll()
		return
	}
	h.wake(id)
}

// closing is closed when the server stops; streams end then.
func (h *hub) closing() <-chan struct{} { return h.done }

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
