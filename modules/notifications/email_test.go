package notifications_test

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

// mailbox is a real SMTP server, listening on loopback, that keeps what it
// receives.
type mailbox struct {
	mu       sync.Mutex
	received []*received
	addr     *net.TCPAddr
}

type received struct {
	from, to string
	msg      *mail.Message
	body     string
}

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mb := &mailbox{addr: ln.Addr().(*net.TCPAddr)}
	srv := smtp.NewServer(mb)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return mb
}

// NewSession starts a session for one connection.
func (mb *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{mb: mb, r: &received{}}, nil
}

type session struct {
	mb *mailbox
	r  *received
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.r.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.r.to = to; return nil }
func (s *session) Reset()                                      { s.r = &received{} }
func (s *session) Logout() error                               { return nil }

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		return err
	}
	s.r.msg, s.r.body = msg, string(body)
	s.mb.mu.Lock()
	s.mb.received = append(s.mb.received, s.r)
	s.mb.mu.Unlock()
	return nil
}

// waitFor returns the message sent to address.
func (mb *mailbox) waitFor(t *testing.T, address string) *received {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		mb.mu.Lock()
		for _, r := range mb.received {
			if r.to == address {
				mb.mu.Unlock()
				return r
			}
		}
		mb.mu.Unlock()
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("no e-mail reached %s", address)
	return nil
}

func TestTheSMTPServerReceivesTheEmails(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		mb := startMailbox(t)
		w := setup(t, target, map[string]any{"notifications.email.enabled": true,
			"notifications.email.host": "127.0.0.1", "notifications.email.port": mb.addr.Port,
			"notifications.email.tls":  "none",
			"notifications.email.from": "ERP <erp@example.com>"})
		wantEmail(t, w, w.tech, "en", "intervention.assigned")
		wantEmail(t, w, w.responsable, "", "intervention.created")

		id := w.intervention(t, "Pompe de relevage HS", true)
		resp := mb.waitFor(t, w.responsable.Email)
		// Events are handled concurrently: assigning only now makes sure the
		// creation was seen, so that the technician's e-mail names the title.
		w.assign(t, id)

		tech := mb.waitFor(t, w.tech.Email)
		subject, _ := new(mime.WordDecoder).DecodeHeader(tech.msg.Header.Get("Subject"))
		if tech.from != "erp@example.com" || subject != "[ERP Interventions] New intervention assigned" ||
			!strings.Contains(tech.body, `You are assigned to intervention #`) ||
			!strings.Contains(tech.body, `"Pompe de relevage HS"`) {
			t.Fatalf("technician's e-mail from %s, subject %q:\n%q", tech.from, subject, tech.body)
		}
		subject, _ = new(mime.WordDecoder).DecodeHeader(resp.msg.Header.Get("Subject"))
		if subject != "[ERP Interventions] Intervention urgente" ||
			!strings.Contains(resp.body, "Une intervention urgente vient d'être créée") ||
			!strings.Contains(resp.body, "« Pompe de relevage HS »") {
			t.Fatalf("responsable's e-mail, subject %q:\n%s", subject, resp.body)
		}
	})
}

// wantEmail turns the email channel on for kind, and sets lang when given.
func wantEmail(t *testing.T, w *world, u userstest.User, lang, kind string) {
	t.Helper()
	body := map[string]any{"canaux": []map[string]any{
		{"type_evenement": kind, "in_app": true, "email": true}}}
	if lang != "" {
		body["langue"] = lang
	}
	r := w.s.Do(t, apptest.Request{Method: http.MethodPut, Token: u.Token,
		Path: "/api/v1/notifications/preferences", Body: body})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("preferences = %d %s", r.StatusCode, r.Body)
	}
}
