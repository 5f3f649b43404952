package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
)

// DeliveryKind is the River job kind of one webhook delivery.
const DeliveryKind = "webhooks_delivery"

// maxBackoff caps the wait between two attempts.
const maxBackoff = 24 * time.Hour

// jobMargin is added to webhooks.timeout to bound a delivery job, leaving
// time to record the attempt after the request gave up.
const jobMargin = 30 * time.Second

// recordTimeout bounds the recording of an attempt.
const recordTimeout = 10 * time.Second

// maxErrorLength bounds the error text kept with an attempt.
const maxErrorLength = 1000

// errInactive ends the deliveries of a deactivated subscription.
var errInactive = errors.New("webhook deactivated; delivery abandoned")

// DeliveryArgs are the arguments of a delivery job: the delivery row, which
// holds the body and names the subscription.
type DeliveryArgs struct {
	LivraisonID int64 `json:"livraison_id"`
}

// Kind returns DeliveryKind.
func (DeliveryArgs) Kind() string { return DeliveryKind }

// deliveryWorker makes one attempt per run; River retries it after the
// back-off NextRetry gives.
type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	m *Module
}

// Work makes one attempt of the delivery.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	return w.m.deliver(ctx, job.Args.LivraisonID, job.Attempt, job.MaxAttempts)
}

// NextRetry waits webhooks.retry_delay after the first failure and twice as
// long after each later one, plus up to a tenth more so that receivers
// coming back from an outage are not hit by every retry at once.
func (w *deliveryWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return time.Now().Add(backoff(w.m.cfg.RetryDelay, job.Attempt))
}

// Timeout bounds one run: the request's own timeout plus a margin.
func (w *deliveryWorker) Timeout(*river.Job[DeliveryArgs]) time.Duration {
	return w.m.cfg.Timeout + jobMargin
}

// backoff is the wait after failed attempt n (1 for the first).
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d + rand.N(d/10+1)
}

// deliver makes attempt number attempt of delivery id and records it. A
// delivery that can never succeed cancels its job; one that failed returns
// an error so that River retries it, until maxAttempts.
func (m *Module) deliver(ctx context.Context, id int64, attempt, maxAttempts int) error {
	l, w, err := loadDelivery(ctx, m.db, id)
	if errors.Is(err, sql.ErrNoRows) {
		return river.JobCancel(fmt.Errorf("deliver webhook: delivery %d was deleted", id))
	}
	if err != nil {
		return err
	}
	if l.Statut != StatutEnAttente {
		return nil
	}

	o := outcome{err: errInactive, final: true}
	if w.Actif {
		o = m.sender.post(ctx, w.URL, w.Secret, l)
	}
	if err := m.record(ctx, l, attempt, maxAttempts, o); err != nil {
		return err
	}
	m.logAttempt(ctx, l, attempt, o)

	switch {
	case o.err == nil:
		return nil
	case o.final:
		return river.JobCancel(fmt.Errorf("deliver webhook %d: %w", w.ID, o.err))
	}
	return fmt.Errorf("deliver webhook %d, attempt %d: %w", w.ID, attempt, o.err)
}

// record stores the attempt and the delivery's new state in one
// transaction.
//
// Limitation: delivery is at least once. When this write fails, or the
// process dies between the receiver's 2xx and it, the job runs again and the
// receiver gets the event a second time, with the same id.
func (m *Module) record(ctx context.Context, l *livraison, attempt, maxAttempts int,
	o outcome) error {
	now := time.Now().UTC()
	t := &tentative{LivraisonID: l.ID, Numero: attempt, DureeMS: o.took.Milliseconds(),
		Date: now}
	if o.status != 0 {
		t.CodeHTTP = &o.status
	}
	l.Tentatives = attempt
	switch {
	case o.err == nil:
		l.Statut, l.DateLivraison = StatutReussie, &now
	case o.final || attempt >= maxAttempts:
		l.Statut = StatutEchouee
	}
	if o.err != nil {
		msg := truncate(describe(o), maxErrorLength)
		t.Erreur = &msg
	}
	// The attempt is recorded even when the job's context just ended
	// (timeout, shutdown), so the log shows why it stopped.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	return m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return saveAttempt(ctx, tx, l, t)
	})
}

// logAttempt writes one line per attempt: debug when it succeeded, a
// warning otherwise. The URL and secret are never logged.
func (m *Module) logAttempt(ctx context.Context, l *livraison, attempt int, o outcome) {
	attrs := []slog.Attr{slog.Int64("webhook_id", l.WebhookID),
		slog.Int64("livraison_id", l.ID), slog.String("event_id", l.EventID),
		slog.Int("attempt", attempt), slog.Int("status", o.status),
		slog.Duration("took", o.took)}
	if o.err == nil {
		m.log.LogAttrs(ctx, slog.LevelDebug, "webhook delivered", attrs...)
		return
	}
	attrs = append(attrs, slog.String("error", o.err.Error()), slog.String("statut", l.Statut))
	m.log.LogAttrs(ctx, slog.LevelWarn, "webhook attempt failed", attrs...)
}

// describe says in French, for the delivery log, why an attempt failed.
// Errors from the network stack keep their own (English) text.
func describe(o outcome) string {
	var netErr net.Error
	switch {
	case o.status != 0:
		return "le destinataire a répondu " + strconv.Itoa(o.status) + " " +
			http.StatusText(o.status)
	case errors.Is(o.err, errInactive):
		return "abonnement désactivé : livraison abandonnée"
	case errors.Is(o.err, ErrForbiddenAddress):
		return "adresse interdite (boucle locale, réseau privé, lien local, non " +
			"spécifiée ou multicast) : " + o.err.Error()
	case errors.As(o.err, &netErr) && netErr.Timeout():
		return "délai dépassé : " + o.err.Error()
	case o.final:
		return "URL refusée : " + o.err.Error()
	}
	return "échec de la connexion : " + o.err.Error()
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
