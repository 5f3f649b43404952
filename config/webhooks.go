package config

import (
	"fmt"
	"time"
)

// MaxWebhookAttempts is the largest webhooks.max_attempts accepted.
const MaxWebhookAttempts = 50

// Webhooks holds the settings of the outgoing webhooks that integrators
// subscribe to.
type Webhooks struct {
	// AllowPrivateAddresses lets webhooks reach loopback, private (RFC 1918,
	// fc00::/7), link-local, unspecified and multicast addresses. Off by
	// default, so that a subscription cannot probe the internal network.
	AllowPrivateAddresses bool `koanf:"allow_private_addresses"`
	// Timeout bounds one delivery attempt: connection, request and answer.
	Timeout time.Duration `koanf:"timeout"`
	// MaxAttempts is how many times one delivery is tried before it is
	// marked failed.
	MaxAttempts int `koanf:"max_attempts"`
	// RetryDelay is the wait before the first retry; each later retry waits
	// twice as long as the previous one.
	RetryDelay time.Duration `koanf:"retry_delay"`
}

func defaultWebhooks() Webhooks {
	return Webhooks{
		Timeout:     10 * time.Second,
		MaxAttempts: 10,
		RetryDelay:  30 * time.Second,
	}
}

func (w Webhooks) validate() []error {
	var errs []error
	if w.Timeout < 100*time.Millisecond || w.Timeout > 5*time.Minute {
		errs = append(errs, fmt.Errorf("webhooks.timeout: %s must be between 100ms and 5m",
			w.Timeout))
	}
	if w.MaxAttempts < 1 || w.MaxAttempts > MaxWebhookAttempts {
		errs = append(errs, fmt.Errorf("webhooks.max_attempts: %d must be between 1 and %d",
			w.MaxAttempts, MaxWebhookAttempts))
	}
	if w.RetryDelay < 10*time.Millisecond || w.RetryDelay > 24*time.Hour {
		errs = append(errs, fmt.Errorf("webhooks.retry_delay: %s must be between 10ms "+
			"and 24h", w.RetryDelay))
	}
	return errs
}
