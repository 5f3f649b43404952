package notifications

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/erp-interventions/erp/config"
)

// emailAttempts is how many times an e-mail is tried before its job is
// discarded (kept, visible and retryable).
const emailAttempts = 10

// EmailArgs is one e-mail to send: a job per message, so that a failing
// server delays only that message and retries it with back-off.
type EmailArgs struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// Key names the notification, for the Message-ID.
	Key string `json:"key"`
}

// Kind returns the job kind.
func (EmailArgs) Kind() string { return "notifications_email" }

type emailWorker struct {
	river.WorkerDefaults[EmailArgs]
	m *Module
}

// Work sends the e-mail through the configured SMTP server.
func (w *emailWorker) Work(ctx context.Context, job *river.Job[EmailArgs]) error {
	return sendMail(ctx, w.m.cfg.Email, job.Args)
}

// sendMail delivers one message, within the configured timeout.
func sendMail(ctx context.Context, cfg config.NotificationEmail, a EmailArgs) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	c, err := dialSMTP(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close()

	msg, err := buildMessage(cfg.From, a, time.Now())
	if err != nil {
		return err
	}
	if err := converse(c, cfg, a.To, msg); err != nil {
		return fmt.Errorf("send e-mail through %s: %w", cfg.Host, err)
	}
	return nil
}

// dialSMTP connects, in implicit TLS when asked, and greets the server.
func dialSMTP(ctx context.Context, cfg config.NotificationEmail) (*smtp.Client, error) {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to SMTP server %s: %w", addr, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if cfg.TLS == config.SMTPTLSImplicit {
		conn = tls.Client(conn, &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12})
	}
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("greet SMTP server %s: %w", addr, err)
	}
	return c, nil
}

// converse runs the SMTP dialogue: STARTTLS when asked, authentication
// when configured, then the message.
func converse(c *smtp.Client, cfg config.NotificationEmail, to string, msg []byte) error {
	if cfg.TLS == config.SMTPTLSStartTLS {
		err := c.StartTLS(&tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12})
		if err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)); err != nil {
			return fmt.Errorf("authenticate: %w", err)
		}
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return fmt.Errorf("sender address: %w", err)
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end message: %w", err)
	}
	return c.Quit()
}

// buildMessage writes a plain-text UTF-8 message, quoted-printable, with
// lines ending in CRLF.
func buildMessage(from string, a EmailArgs, at time.Time) ([]byte, error) {
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from)
	header("To", a.To)
	header("Subject", mime.QEncoding.Encode("utf-8", a.Subject))
	header("Date", at.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+sanitiseKey(a.Key)+"."+strconv.FormatInt(at.UnixNano(), 36)+
		"@erp-interventions>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(a.Body, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, fmt.Errorf("encode e-mail body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("encode e-mail body: %w", err)
	}
	return b.Bytes(), nil
}

// sanitiseKey keeps the characters a Message-ID may hold.
func sanitiseKey(k string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '.'
	}, k)
}
