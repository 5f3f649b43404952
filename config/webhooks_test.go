package config

import (
	"strings"
	"testing"
)

func TestWebhooksValidationNamesEachKey(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Webhooks.Timeout = 0
	c.Webhooks.MaxAttempts = 0
	c.Webhooks.RetryDelay = -1
	err := c.Validate()
	if err == nil {
		t.Fatal("bad webhooks settings accepted")
	}
	for _, key := range []string{"webhooks.timeout", "webhooks.max_attempts",
		"webhooks.retry_delay"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
}

func TestWebhooksDefaultsRefusePrivateAddresses(t *testing.T) {
	t.Parallel()
	w := Default().Webhooks
	if w.AllowPrivateAddresses || w.Timeout.Seconds() != 10 || w.MaxAttempts < 1 {
		t.Fatalf("webhooks defaults = %+v", w)
	}
}
