package notifications

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/module"
)

// outgoing is one notification to make: its type, who receives it, the
// text's data and the key that makes it unique per recipient.
type outgoing struct {
	kind    string
	to      []recipient
	data    textData
	planned *time.Time
	key     string
}

// handleEvent is the module's event subscriber: in one transaction it
// records the event as handled, follows the intervention, applies the rules
// and writes the notifications and e-mail jobs; after commit it wakes the
// recipients' streams. A redelivered event finds itself handled and does
// nothing.
func (m *Module) handleEvent(ctx context.Context, e events.Delivered) error {
	p, err := decodePayload(e)
	if err != nil {
		return err
	}
	var users []int64
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		fresh, err := markHandled(ctx, tx, e.ID)
		if err != nil || !fresh {
			return err
		}
		s, err := follow(ctx, tx, e, p)
		if err != nil {
			return err
		}
		out, err := m.route(ctx, tx, e, p, s)
		if err != nil || out == nil {
			return err
		}
		users, err = m.deliver(ctx, tx, *out)
		return err
	})
	if err != nil {
		return fmt.Errorf("notify of %s %s: %w", e.Type, e.ResourceID, err)
	}
	m.announce(users)
	return nil
}

// route applies the event rules, returning the notification to make, or
// nil when no rule applies.
func (m *Module) route(ctx context.Context, tx bun.IDB, e events.Delivered, p payload,
	s *suivi) (*outgoing, error) {
	rules := m.cfg.Rules
	out := &outgoing{kind: e.Type, key: e.ID, planned: s.DatePlanifiee,
		data: textData{InterventionID: s.InterventionID, Titre: s.Titre,
			Priorite: p.Priorite}}
	var err error
	switch {
	case e.Type == TypeAssigned && rules.Assigned && s.TechnicienID != nil:
		out.to, err = m.technicianUser(ctx, tx, *s.TechnicienID)
	case e.Type == TypeCreated && rules.UrgentCreated && (p.Urgence || p.Priorite == "urgente"):
		out.to, err = usersWithRole(ctx, tx, auth.RoleResponsable, 0)
	case e.Type == TypeClosed && rules.Closed && e.ClientID != 0:
		out.to, err = usersWithRole(ctx, tx, auth.RoleClient, e.ClientID)
	default:
		return nil, nil
	}
	return out, err
}

// technicians is what the module needs of the techniciens module: the user
// account of a technician's profile.
type technicians interface {
	Technicien(ctx context.Context, db bun.IDB, id int64) (userID int64, actif bool, err error)
}

// technicianUser returns the active user of technician profile id. The
// techniciens module is looked up when needed, since it is not a
// requirement: without it, nobody is found.
func (m *Module) technicianUser(ctx context.Context, tx bun.IDB, id int64) (
	[]recipient, error) {
	techs, err := module.Service[technicians](m.services, techniciensService)
	if err != nil {
		m.log.WarnContext(ctx, "cannot find a technician's user; notification skipped",
			slog.Int64("technicien_id", id), slog.Any("error", err))
		return nil, nil
	}
	userID, actif, err := techs.Technicien(ctx, tx, id)
	if err != nil || !actif || userID == 0 {
		return nil, err
	}
	u, ok, err := activeUser(ctx, tx, userID)
	if err != nil || !ok {
		return nil, err
	}
	return []recipient{u}, nil
}

// deliver writes, for each recipient, the in-app notification and the
// e-mail job their preferences ask for, and announces the new rows to
// other processes at commit. It returns the users to wake.
func (m *Module) deliver(ctx context.Context, tx bun.Tx, o outgoing) ([]int64, error) {
	var woken []int64
	for _, r := range o.to {
		prefs, err := loadPreferences(ctx, tx, r.ID, m.cfg.DefaultLanguage)
		if err != nil {
			return nil, err
		}
		n, err := m.compose(prefs.Langue, r.ID, o)
		if err != nil {
			return nil, err
		}
		want := prefs.of(o.kind)
		added, err := m.keepInApp(ctx, tx, want.InApp, n)
		if err != nil {
			return nil, err
		}
		if added {
			woken = append(woken, r.ID)
		}
		if err := m.enqueueEmail(ctx, tx, want.Email, prefs.Langue, r, n); err != nil {
			return nil, err
		}
	}
	return woken, nil
}

// compose words the notification in lang.
func (m *Module) compose(lang string, userID int64, o outgoing) (*notification, error) {
	d := o.data
	if o.planned != nil {
		d.DatePlanifiee = formatDate(lang, *o.planned)
	}
	titre, msg, err := m.texts.notification(lang, o.kind, d)
	if err != nil {
		return nil, err
	}
	id := d.InterventionID
	return &notification{UserID: userID, TypeEvenement: o.kind, Titre: titre, Message: msg,
		Ressource: "intervention", RessourceID: &id, Cle: o.key, DateCreation: now()}, nil
}

// keepInApp stores n when the user wants in-app notifications, and tells
// the streams of other processes at commit.
func (m *Module) keepInApp(ctx context.Context, tx bun.Tx, want bool,
	n *notification) (bool, error) {
	if !want {
		return false, nil
	}
	added, err := insertNotification(ctx, tx, n)
	if err != nil || !added {
		return false, err
	}
	uid := strconv.FormatInt(n.UserID, 10)
	return true, events.Notify(ctx, tx, notifyChannel, uid)
}

// enqueueEmail adds the e-mail job when e-mail is on and wanted.
func (m *Module) enqueueEmail(ctx context.Context, tx bun.Tx, want bool, lang string,
	r recipient, n *notification) error {
	if !want || !m.cfg.Email.Enabled || r.Email == "" {
		return nil
	}
	subject, body, err := m.texts.email(lang, emailData{Titre: n.Titre, Message: n.Message})
	if err != nil {
		return err
	}
	_, err = m.jobs.InsertTx(ctx, tx, EmailArgs{To: r.Email, Subject: subject, Body: body,
		Key: n.Cle}, &river.InsertOpts{MaxAttempts: emailAttempts})
	return err
}

// announce wakes this process's streams of users, once their
// notifications are committed.
func (m *Module) announce(users []int64) {
	for _, id := range users {
		m.hub.wake(id)
	}
}

// formatDate writes a planned date the way each language reads it, in UTC.
func formatDate(lang string, t time.Time) string {
	if lang == "en" {
		return t.UTC().Format("2006-01-02 15:04 UTC")
	}
	return t.UTC().Format("02/01/2006 à 15:04 UTC")
}
