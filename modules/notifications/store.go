package notifications

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// now is the current time as both databases store it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// listNotifications returns a page of userID's notifications, newest
// first, and how many match.
func listNotifications(ctx context.Context, db bun.IDB, userID int64, unread bool,
	p httpx.Page) ([]notification, int, error) {
	rows := []notification{}
	q := db.NewSelect().Model(&rows).Where("n.user_id = ?", userID)
	if unread {
		q = q.Where("NOT n.lue")
	}
	total, err := q.Order("n.id DESC").Limit(int64(p.Limit)).Offset(int64(p.Offset)).
		ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list notifications of user %d: %w", userID, err)
	}
	return rows, int(total), nil
}

// notificationsAfter returns userID's notifications with an id above
// cursor, oldest first: what a stream has not sent yet.
func notificationsAfter(ctx context.Context, db bun.IDB, userID, cursor int64,
	limit int) ([]notification, error) {
	var rows []notification
	err := db.NewSelect().Model(&rows).Where("n.user_id = ? AND n.id > ?", userID, cursor).
		Order("n.id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read new notifications of user %d: %w", userID, err)
	}
	return rows, nil
}

// lastNotificationID returns the id of userID's newest notification, 0
// when none.
func lastNotificationID(ctx context.Context, db bun.IDB, userID int64) (int64, error) {
	var id sql.NullInt64
	err := db.NewSelect().Model((*notification)(nil)).ColumnExpr("MAX(n.id)").
		Where("n.user_id = ?", userID).Scan(ctx, &id)
	if err != nil {
		return 0, fmt.Errorf("read last notification of user %d: %w", userID, err)
	}
	return id.Int64, nil
}

func countUnread(ctx context.Context, db bun.IDB, userID int64) (int, error) {
	n, err := db.NewSelect().Model((*notification)(nil)).
		Where("n.user_id = ? AND NOT n.lue", userID).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications of user %d: %w", userID, err)
	}
	return int(n), nil
}

// markRead marks one of userID's notifications read and returns it;
// another user's notification is not found.
func markRead(ctx context.Context, db bun.IDB, userID, id int64) (*notification, error) {
	n := new(notification)
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model(n).Where("n.id = ? AND n.user_id = ?", id, userID).
			Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return httpx.ErrNotFound
		}
		if err != nil || n.Lue {
			return err
		}
		at := now()
		n.Lue, n.DateLecture = true, &at
		_, err = tx.NewUpdate().Model(n).Column("lue", "date_lecture").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mark notification %d read: %w", id, err)
	}
	return n, nil
}

// markAllRead marks every unread notification of userID read.
func markAllRead(ctx context.Context, db bun.IDB, userID int64) (int, error) {
	res, err := db.NewUpdate().Model((*notification)(nil)).
		Set("lue = ?", true).Set("date_lecture = ?", now()).
		Where("user_id = ? AND NOT lue", userID).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("mark notifications of user %d read: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// insertNotification stores n unless the user already has one with its
// key (a redelivered event). It reports whether it stored it.
func insertNotification(ctx context.Context, db bun.IDB, n *notification) (bool, error) {
	res, err := db.NewInsert().Model(n).On("CONFLICT (user_id, cle) DO NOTHING").
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("store notification for user %d: %w", n.UserID, err)
	}
	added, _ := res.RowsAffected()
	return added == 1, nil
}

// markHandled records that event id was handled and reports whether it is
// the first time.
func markHandled(ctx context.Context, db bun.IDB, id string) (bool, error) {
	res, err := db.NewInsert().TableExpr("notification_evenements").
		Model(&map[string]any{"event_id": id, "date_traitement": now()}).
		On("CONFLICT (event_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("record handled event %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// recipient is a user to notify.
type recipient struct {
	ID    int64  `bun:"id"`
	Email string `bun:"email"`
}

// usersWithRole returns the active users of role, restricted to clientID
// when it is not zero. It reads the users table that the users module,
// a requirement of this one, owns.
func usersWithRole(ctx context.Context, db bun.IDB, role auth.Role, clientID int64) (
	[]recipient, error) {
	var out []recipient
	q := db.NewSelect().TableExpr("users").Column("id", "email").
		Where("actif = ? AND role = ?", true, string(role))
	if clientID != 0 {
		q = q.Where("client_id = ?", clientID)
	}
	if err := q.Order("id").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("list active %s users: %w", role, err)
	}
	return out, nil
}

// activeUser returns user id when it is active.
func activeUser(ctx context.Context, db bun.IDB, id int64) (recipient, bool, error) {
	var out []recipient
	err := db.NewSelect().TableExpr("users").Column("id", "email").
		Where("id = ? AND actif = ?", id, true).Scan(ctx, &out)
	if err != nil {
		return recipient{}, false, fmt.Errorf("read user %d: %w", id, err)
	}
	if len(out) == 0 {
		return recipient{}, false, nil
	}
	return out[0], true, nil
}

// preferenceRow is a row of notification_preferences.
type preferenceRow struct {
	bun.BaseModel `bun:"table:notification_preferences,alias:p"`

	UserID           int64     `bun:"user_id,pk"`
	Langue           string    `bun:"langue"`
	Canaux           string    `bun:"canaux"`
	DateModification time.Time `bun:"date_modification"`
}

// channels are a user's choice for one notification type.
type channels struct {
	InApp bool `json:"in_app"`
	Email bool `json:"email"`
}

// preferences are a user's language and channels, defaults filled in.
type preferences struct {
	Langue string
	Canaux map[string]channels
}

// defaultChannels: in-app on, e-mail off, until the user chooses.
var defaultChannels = channels{InApp: true}

func (p preferences) of(kind string) channels {
	if c, ok := p.Canaux[kind]; ok {
		return c
	}
	return defaultChannels
}

// loadPreferences returns userID's preferences, lang and the default
// channels when they chose none.
func loadPreferences(ctx context.Context, db bun.IDB, userID int64, lang string) (
	preferences, error) {
	p := preferences{Langue: lang, Canaux: map[string]channels{}}
	var row preferenceRow
	err := db.NewSelect().Model(&row).Where("p.user_id = ?", userID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read notification preferences of user %d: %w", userID, err)
	}
	p.Langue = row.Langue
	if err := json.Unmarshal([]byte(row.Canaux), &p.Canaux); err != nil {
		return p, fmt.Errorf("decode notification preferences of user %d: %w", userID, err)
	}
	return p, nil
}

// savePreferences writes userID's preferences.
func savePreferences(ctx context.Context, db bun.IDB, userID int64, p preferences) error {
	canaux, err := json.Marshal(p.Canaux)
	if err != nil {
		return fmt.Errorf("encode notification preferences: %w", err)
	}
	row := &preferenceRow{UserID: userID, Langue: p.Langue, Canaux: string(canaux),
		DateModification: now()}
	_, err = db.NewInsert().Model(row).On("CONFLICT (user_id) DO UPDATE").
		Set("langue = EXCLUDED.langue, canaux = EXCLUDED.canaux, " +
			"date_modification = EXCLUDED.date_modification").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save notification preferences of user %d: %w", userID, err)
	}
	return nil
}
