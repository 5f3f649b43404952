package notifications

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// ticketRow is a stream ticket; only its SHA-256 is stored.
type ticketRow struct {
	bun.BaseModel `bun:"table:notification_tickets,alias:t"`

	Empreinte      string    `bun:"empreinte,pk"`
	UserID         int64     `bun:"user_id"`
	DateExpiration time.Time `bun:"date_expiration"`
}

// issueTicket stores and returns a new ticket for userID, valid for ttl.
func issueTicket(ctx context.Context, db bun.IDB, userID int64, ttl time.Duration) (
	TicketOut, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	ticket := base64.RawURLEncoding.EncodeToString(b[:])
	row := &ticketRow{Empreinte: fingerprint(ticket), UserID: userID,
		DateExpiration: now().Add(ttl)}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		return TicketOut{}, fmt.Errorf("store stream ticket: %w", err)
	}
	return TicketOut{Ticket: ticket, DateExpiration: row.DateExpiration}, nil
}

// redeemTicket consumes ticket and returns its user, or false when it is
// unknown, expired or already used. Deleting the row is what makes a
// ticket single use, even with two requests racing for it.
func redeemTicket(ctx context.Context, db bun.IDB, ticket string) (int64, bool, error) {
	var row ticketRow
	err := db.NewSelect().Model(&row).Where("t.empreinte = ?", fingerprint(ticket)).
		Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read stream ticket: %w", err)
	}
	res, err := db.NewDelete().Model(&row).WherePK().Exec(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("consume stream ticket: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 || !now().Before(row.DateExpiration) {
		return 0, false, nil
	}
	return row.UserID, true, nil
}

// purgeTickets drops the expired tickets nobody used.
func purgeTickets(ctx context.Context, db bun.IDB) error {
	_, err := db.NewDelete().Model((*ticketRow)(nil)).
		Where("date_expiration < ?", now()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("purge expired stream tickets: %w", err)
	}
	return nil
}

func fingerprint(ticket string) string {
	sum := sha256.Sum256([]byte(ticket))
	return hex.EncodeToString(sum[:])
}
