package auth

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/uptrace/bun"
)

// throttle limits failed sign-ins per e-mail address and per client
// address over a sliding window. Failures are rows of login_failures, so
// every server process sharing the database sees the same counts.
//
// Limitation: the check and the recording of a failure are not one atomic
// step, so a burst of concurrent attempts can exceed a limit by the number
// of attempts in flight (a handful, since each costs a password hash).
type throttle struct {
	maxAccount int
	maxIP      int
	window     time.Duration
}

// failure is one row of login_failures.
type failure struct {
	bun.BaseModel `bun:"table:login_failures"`

	ID             int64     `bun:"id,pk,autoincrement"`
	At             time.Time `bun:"at,notnull"`
	EmailNormalise string    `bun:"email_normalise,notnull"`
	IP             string    `bun:"ip,notnull"`
}

// wait returns how long the client must wait before trying email from ip
// again, zero when it may try now.
func (t *throttle) wait(ctx context.Context, db bun.IDB, email, ip string,
	now time.Time) (time.Duration, error) {
	byAccount, err := t.waitFor(ctx, db, "email_normalise", email, t.maxAccount, now)
	if err != nil {
		return 0, err
	}
	byIP, err := t.waitFor(ctx, db, "ip", ip, t.maxIP, now)
	if err != nil {
		return 0, err
	}
	return max(byAccount, byIP), nil
}

// waitFor reads the limit newest failures of one key within the window.
// When there are that many, the key is blocked until the oldest of them
// leaves the window.
func (t *throttle) waitFor(ctx context.Context, db bun.IDB, column, value string, limit int,
	now time.Time) (time.Duration, error) {
	var times []time.Time
	err := db.NewSelect().Table("login_failures").Column("at").
		Where("? = ?", bun.Ident(column), value).Where("at > ?", now.Add(-t.window)).
		OrderExpr("at DESC").Limit(int64(limit)).Scan(ctx, &times)
	if err != nil {
		return 0, fmt.Errorf("count failed sign-ins: %w", err)
	}
	if len(times) < limit {
		return 0, nil
	}
	return max(times[len(times)-1].Add(t.window).Sub(now), time.Second), nil
}

// record stores a failure and forgets those that left the window.
func (t *throttle) record(ctx context.Context, db bun.IDB, email, ip string,
	now time.Time) error {
	f := &failure{At: now, EmailNormalise: email, IP: ip}
	if _, err := db.NewInsert().Model(f).Exec(ctx); err != nil {
		return fmt.Errorf("record failed sign-in: %w", err)
	}
	_, err := db.NewDelete().Table("login_failures").Where("at <= ?", now.Add(-t.window)).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("prune failed sign-ins: %w", err)
	}
	return nil
}

// clearAccount forgets the failures of an address after a successful
// sign-in. The client address keeps its count: one valid account must not
// let its holder reset the limit while guessing other passwords.
func (t *throttle) clearAccount(ctx context.Context, db bun.IDB, email string) error {
	_, err := db.NewDelete().Table("login_failures").Where("email_normalise = ?", email).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("clear failed sign-ins: %w", err)
	}
	return nil
}

// retryAfterSeconds rounds a wait up to whole seconds for Retry-After.
func retryAfterSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
