package notifications

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// streamBatch bounds the notifications read per query when a stream
// catches up.
const streamBatch = 100

// streamRetry is the reconnection delay suggested to EventSource clients.
const streamRetry = 3 * time.Second

// streamOp is the permission check applied to a stream's bearer token.
var streamOp = &httpx.Operation{ID: "stream_notifications",
	Permission: auth.NotificationsRead}

// stream serves the Server-Sent Events stream of the caller's new
// notifications: each event's id is the notification id, so a client that
// reconnects with Last-Event-ID receives what it missed. It ends when the
// client leaves or the server stops.
func (m *Module) stream(w http.ResponseWriter, req bunrouter.Request) error {
	userID, err := m.streamUser(req)
	if err != nil {
		return err
	}
	ctx := req.Context()
	cursor, err := m.streamCursor(req, userID)
	if err != nil {
		return err
	}
	wake, unsubscribe := m.hub.subscribe(userID)
	defer unsubscribe()

	s := &sse{w: w, rc: http.NewResponseController(w), grace: m.writeGrace()}
	s.open()
	if err := s.comment("connecte"); err != nil {
		return nil
	}
	heartbeat := time.NewTicker(m.cfg.HeartbeatInterval)
	defer heartbeat.Stop()
	for {
		if cursor, err = m.sendAfter(req, s, userID, cursor); err != nil {
			return nil // the client is gone or the database failed; end here
		}
		select {
		case <-ctx.Done():
			return nil
		case <-m.hub.closing():
			return nil
		case <-wake:
		case <-heartbeat.C:
			if err := s.comment("ping"); err != nil {
				return nil
			}
		}
	}
}

// streamUser authenticates a stream request: a single-use ticket in the
// query, since EventSource cannot send headers, or else a bearer token.
func (m *Module) streamUser(req bunrouter.Request) (int64, error) {
	ticket := req.URL.Query().Get("ticket")
	if ticket == "" {
		authed, err := m.guard(req, streamOp)
		if err != nil {
			return 0, err
		}
		return auth.FromContext(authed.Context()).UserID, nil
	}
	ctx := req.Context()
	userID, ok, err := redeemTicket(ctx, m.db, ticket)
	if err != nil {
		return 0, err
	}
	if ok {
		_, ok, err = activeUser(ctx, m.db, userID)
		if err != nil {
			return 0, err
		}
	}
	if !ok {
		return 0, httpx.Unauthorized("Ticket de flux invalide, expiré ou déjà utilisé.")
	}
	return userID, nil
}

// streamCursor is the id after which the stream starts: Last-Event-ID
// (the header EventSource sends when it reconnects, or the last_event_id
// query parameter) or else the user's newest notification.
func (m *Module) streamCursor(req bunrouter.Request, userID int64) (int64, error) {
	last := req.Header.Get("Last-Event-ID")
	if last == "" {
		last = req.URL.Query().Get("last_event_id")
	}
	if last == "" {
		return lastNotificationID(req.Context(), m.db, userID)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
	if err != nil || id < 0 {
		return 0, httpx.Invalid(httpx.FieldError{Loc: []string{"header", "Last-Event-ID"},
			Type: "value_error", Msg: "identifiant de notification attendu"})
	}
	return id, nil
}

// sendAfter sends the user's notifications after cursor and returns the
// new cursor.
func (m *Module) sendAfter(req bunrouter.Request, s *sse, userID, cursor int64) (
	int64, error) {
	for {
		rows, err := notificationsAfter(req.Context(), m.db, userID, cursor, streamBatch)
		if err != nil {
			return cursor, err
		}
		for i := range rows {
			if err := s.notification(rows[i].out()); err != nil {
				return cursor, err
			}
			cursor = rows[i].ID
		}
		if len(rows) < streamBatch {
			return cursor, nil
		}
	}
}

// writeGrace is how long one write to a stream may take: a client that
// stops reading is dropped after it. Each write pushes the connection's
// deadline that far, so http.write_timeout never cuts a healthy stream.
func (m *Module) writeGrace() time.Duration {
	return 2*m.cfg.HeartbeatInterval + 10*time.Second
}

// sse writes Server-Sent Events and flushes each one.
type sse struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	grace time.Duration
}

func (s *sse) open() {
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	_ = s.rc.SetReadDeadline(time.Time{})
	_, _ = fmt.Fprintf(s.w, "retry: %d\n", streamRetry.Milliseconds())
}

func (s *sse) comment(text string) error {
	return s.write(": " + text + "\n\n")
}

func (s *sse) notification(n NotificationOut) error {
	data, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode notification %d: %w", n.ID, err)
	}
	return s.write("id: " + strconv.FormatInt(n.ID, 10) + "\nevent: notification\ndata: " +
		string(data) + "\n\n")
}

func (s *sse) write(chunk string) error {
	err := s.rc.SetWriteDeadline(time.Now().Add(s.grace))
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("extend stream write deadline: %w", err)
	}
	if _, err := s.w.Write([]byte(chunk)); err != nil {
		return fmt.Errorf("write stream: %w", err)
	}
	if err := s.rc.Flush(); err != nil {
		return fmt.Errorf("flush stream: %w", err)
	}
	return nil
}
