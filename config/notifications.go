package config

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Languages the notification templates are written in.
var notificationLanguages = []string{"fr", "en"}

// SMTP TLS modes.
const (
	SMTPTLSNone     = "none"
	SMTPTLSStartTLS = "starttls"
	SMTPTLSImplicit = "tls"
)

// Notifications holds the settings of the notifications module: which
// rules run, their delays, the real-time stream and the e-mail server.
type Notifications struct {
	// Rules switches each notification rule on or off.
	Rules NotificationRules `koanf:"rules"`
	// SuspensionDelay is how long an intervention may stay suspended before
	// the responsables are told.
	SuspensionDelay time.Duration `koanf:"suspension_delay"`
	// ReminderWindow is how far ahead of its planned date the assigned
	// technician is reminded of an intervention.
	ReminderWindow time.Duration `koanf:"reminder_window"`
	// CheckInterval is how often the periodic checks (long suspensions,
	// planned reminders) run.
	CheckInterval time.Duration `koanf:"check_interval"`
	// HeartbeatInterval is how often an idle event stream sends a comment
	// line, so that proxies keep the connection open.
	HeartbeatInterval time.Duration `koanf:"heartbeat_interval"`
	// TicketTTL is how long a stream ticket stays valid (it is also single
	// use).
	TicketTTL time.Duration `koanf:"ticket_ttl"`
	// DefaultLanguage is the language of users who chose none: fr or en.
	DefaultLanguage string `koanf:"default_language"`
	// Email configures the SMTP server that sends notification e-mails.
	Email NotificationEmail `koanf:"email"`
}

// NotificationRules switches the rules that turn events into notifications.
type NotificationRules struct {
	// Assigned tells a technician of an intervention assigned to them.
	Assigned bool `koanf:"assigned"`
	// UrgentCreated tells every active responsable of an urgent new
	// intervention.
	UrgentCreated bool `koanf:"urgent_created"`
	// Closed tells the client's users that their intervention is closed.
	Closed bool `koanf:"closed"`
	// SuspendedTooLong tells the responsables of an intervention suspended
	// for longer than suspension_delay.
	SuspendedTooLong bool `koanf:"suspended_too_long"`
	// PlannedReminder reminds the technician of an intervention planned
	// within reminder_window.
	PlannedReminder bool `koanf:"planned_reminder"`
}

// NotificationEmail holds the SMTP settings.
type NotificationEmail struct {
	// Enabled sends e-mails to users who chose the email channel.
	Enabled bool `koanf:"enabled"`
	// Host and Port name the SMTP server.
	Host string `koanf:"host"`
	Port int    `koanf:"port"`
	// TLS is none, starttls or tls (implicit TLS, usually port 465).
	TLS string `koanf:"tls"`
	// Username and Password authenticate to the server (PLAIN); leave the
	// username empty for none.
	Username string `koanf:"username"`
	Password string `koanf:"password"`
	// From is the sender address, such as "ERP <erp@example.com>".
	From string `koanf:"from"`
	// Timeout bounds one delivery (connection and dialogue).
	Timeout time.Duration `koanf:"timeout"`
}

func defaultNotifications() Notifications {
	return Notifications{
		Rules: NotificationRules{Assigned: true, UrgentCreated: true, Closed: true,
			SuspendedTooLong: true, PlannedReminder: true},
		SuspensionDelay:   48 * time.Hour,
		ReminderWindow:    24 * time.Hour,
		CheckInterval:     5 * time.Minute,
		HeartbeatInterval: 15 * time.Second,
		TicketTTL:         time.Minute,
		DefaultLanguage:   "fr",
		Email: NotificationEmail{Port: 587, TLS: SMTPTLSStartTLS,
			From: "ERP Interventions <noreply@localhost>", Timeout: 30 * time.Second},
	}
}

func (n Notifications) validate() []error {
	var errs []error
	durations := []struct {
		key      string
		d, least time.Duration
	}{
		{"notifications.suspension_delay", n.SuspensionDelay, time.Second},
		{"notifications.reminder_window", n.ReminderWindow, time.Minute},
		{"notifications.check_interval", n.CheckInterval, 100 * time.Millisecond},
		{"notifications.heartbeat_interval", n.HeartbeatInterval, 100 * time.Millisecond},
		{"notifications.ticket_ttl", n.TicketTTL, time.Second},
		{"notifications.email.timeout", n.Email.Timeout, time.Second},
	}
	for _, d := range durations {
		if d.d < d.least {
			errs = append(errs, fmt.Errorf("%s: %s must be at least %s", d.key, d.d, d.least))
		}
	}
	if !slices.Contains(notificationLanguages, n.DefaultLanguage) {
		errs = append(errs, fmt.Errorf("notifications.default_language: %q is not a "+
			"language of the templates (use fr or en)", n.DefaultLanguage))
	}
	return append(errs, n.Email.validate()...)
}

func (e NotificationEmail) validate() []error {
	var errs []error
	if e.TLS != SMTPTLSNone && e.TLS != SMTPTLSStartTLS && e.TLS != SMTPTLSImplicit {
		errs = append(errs, fmt.Errorf("notifications.email.tls: %q is not a mode "+
			"(use none, starttls or tls)", e.TLS))
	}
	if e.Port < 1 || e.Port > 65535 {
		errs = append(errs, fmt.Errorf("notifications.email.port: %d is not a port "+
			"from 1 to 65535", e.Port))
	}
	if _, err := mail.ParseAddress(e.From); err != nil {
		errs = append(errs, fmt.Errorf("notifications.email.from: %q is not an address: %w",
			e.From, err))
	}
	if e.Enabled && strings.TrimSpace(e.Host) == "" {
		errs = append(errs, errors.New("notifications.email.host: must be set when "+
			"notifications.email.enabled is true"))
	}
	return errs
}
