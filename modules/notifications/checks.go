package notifications

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
)

// checkBatch bounds the interventions one check handles per transaction.
const checkBatch = 100

// CheckArgs is the periodic job that looks for long suspensions and
// planned interventions to remind, and drops expired stream tickets.
type CheckArgs struct{}

// Kind returns the job kind.
func (CheckArgs) Kind() string { return "notifications_check" }

func checkSchedule(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return CheckArgs{}, nil },
		&river.PeriodicJobOpts{ID: "notifications_check", RunOnStart: true})
}

type checkWorker struct {
	river.WorkerDefaults[CheckArgs]
	m *Module
}

// Work runs the checks the configuration switches on.
func (w *checkWorker) Work(ctx context.Context, _ *river.Job[CheckArgs]) error {
	m := w.m
	if m.cfg.Rules.SuspendedTooLong {
		if err := m.check(ctx, m.dueSuspensions, m.suspensionNotice); err != nil {
			return err
		}
	}
	if m.cfg.Rules.PlannedReminder {
		if err := m.check(ctx, m.dueReminders, m.reminderNotice); err != nil {
			return err
		}
	}
	return purgeTickets(ctx, m.db)
}

// check notifies, for each intervention find returns, what notice makes
// of it, in transactions of checkBatch interventions. notice also marks the
// row so that it is not found again.
func (m *Module) check(ctx context.Context,
	find func(context.Context, bun.IDB) ([]suivi, error),
	notice func(context.Context, bun.Tx, *suivi) (*outgoing, error)) error {
	for {
		var n int
		var users []int64
		err := m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			rows, err := find(ctx, tx)
			if err != nil {
				return err
			}
			n = len(rows)
			for i := range rows {
				woken, err := m.noticeOne(ctx, tx, &rows[i], notice)
				if err != nil {
					return err
				}
				users = append(users, woken...)
			}
			return nil
		})
		if err != nil {
			return err
		}
		m.announce(users)
		if n < checkBatch {
			return nil
		}
	}
}

func (m *Module) noticeOne(ctx context.Context, tx bun.Tx, s *suivi,
	notice func(context.Context, bun.Tx, *suivi) (*outgoing, error)) ([]int64, error) {
	o, err := notice(ctx, tx, s)
	if err != nil {
		return nil, err
	}
	if _, err := tx.NewUpdate().Model(s).WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("mark follow-up of intervention %d: %w", s.InterventionID, err)
	}
	return m.deliver(ctx, tx, *o)
}

// dueSuspensions returns the interventions suspended for longer than the
// configured delay and not yet reported.
func (m *Module) dueSuspensions(ctx context.Context, db bun.IDB) ([]suivi, error) {
	var rows []suivi
	err := db.NewSelect().Model(&rows).
		Where("s.suspendue_depuis IS NOT NULL AND NOT s.suspension_signalee").
		Where("s.suspendue_depuis <= ?", now().Add(-m.cfg.SuspensionDelay)).
		Order("s.intervention_id").Limit(checkBatch).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("find long suspensions: %w", err)
	}
	return rows, nil
}

func (m *Module) suspensionNotice(ctx context.Context, tx bun.Tx, s *suivi) (
	*outgoing, error) {
	s.SuspensionSignalee = true
	to, err := usersWithRole(ctx, tx, auth.RoleResponsable, 0)
	if err != nil {
		return nil, err
	}
	return &outgoing{kind: TypeSuspended, to: to,
		key: cleOf("suspension", s.InterventionID, *s.SuspendueDepuis),
		data: textData{InterventionID: s.InterventionID, Titre: s.Titre,
			Delai: m.cfg.SuspensionDelay.String()}}, nil
}

// dueReminders returns the assigned interventions planned within the
// reminder window whose technician was not reminded of that date.
func (m *Module) dueReminders(ctx context.Context, db bun.IDB) ([]suivi, error) {
	var rows []suivi
	at := now()
	err := db.NewSelect().Model(&rows).
		Where("s.technicien_id IS NOT NULL AND s.statut = ?", "affectee").
		Where("s.date_planifiee > ? AND s.date_planifiee <= ?", at, at.Add(m.cfg.ReminderWindow)).
		Where("(s.rappel_pour IS NULL OR s.rappel_pour <> s.date_planifiee)").
		Order("s.intervention_id").Limit(checkBatch).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("find planned interventions to remind: %w", err)
	}
	return rows, nil
}

func (m *Module) reminderNotice(ctx context.Context, tx bun.Tx, s *suivi) (
	*outgoing, error) {
	s.RappelPour = s.DatePlanifiee
	to, err := m.technicianUser(ctx, tx, *s.TechnicienID)
	if err != nil {
		return nil, err
	}
	return &outgoing{kind: TypeReminder, to: to, planned: s.DatePlanifiee,
		key:  cleOf("rappel", s.InterventionID, *s.DatePlanifiee),
		data: textData{InterventionID: s.InterventionID, Titre: s.Titre}}, nil
}

// cleOf is the key of a periodic notice: one per intervention and instant.
func cleOf(kind string, id int64, at time.Time) string {
	return kind + ":" + strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(at.UnixMicro(), 10)
}
