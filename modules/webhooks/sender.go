package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/erp-interventions/erp/config"
)

// The headers of a webhook request.
const (
	HeaderEventID   = "X-ERP-Event-ID"
	HeaderEventType = "X-ERP-Event-Type"
	HeaderTimestamp = "X-ERP-Timestamp"
	HeaderSignature = "X-ERP-Signature"
)

// userAgent identifies the product to receivers.
const userAgent = "ERP-Interventions-Webhooks/1"

// maxAnswerBytes is how much of a receiver's answer is read (and dropped)
// so the connection can be reused.
const maxAnswerBytes = 64 << 10

// Sign returns the X-ERP-Signature value of body sent at timestamp (Unix
// seconds, as in X-ERP-Timestamp): "sha256=" and the hex HMAC-SHA256, keyed
// with the subscription's secret, of the timestamp, a dot and the body.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// sender POSTs webhook bodies. Its client dials through controlDial unless
// private addresses are allowed, ignores proxy settings (a proxy would
// dial in our place, unchecked) and never follows a redirect.
type sender struct {
	client *http.Client
	rules  urlRules
}

func newSender(cfg config.Webhooks, rules urlRules) *sender {
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if !rules.allowPrivate {
		dialer.Control = controlDial
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
	}
	client := &http.Client{Transport: transport, Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	return &sender{client: client, rules: rules}
}

// outcome is the result of one attempt.
type outcome struct {
	status int // the receiver's HTTP status, 0 without an answer
	took   time.Duration
	err    error // nil when the receiver answered 2xx
	// final is set when retrying cannot help: a forbidden address or URL.
	final bool
}

// post sends body to target, signed with secret, and reports how it went.
func (s *sender) post(ctx context.Context, target, secret string, l *livraison) outcome {
	if err := s.checkTarget(target); err != nil {
		return outcome{err: err, final: true}
	}
	req, err := s.request(ctx, target, secret, l)
	if err != nil {
		return outcome{err: err, final: true}
	}

	start := time.Now()
	resp, err := s.client.Do(req)
	took := time.Since(start)
	if err != nil {
		return outcome{took: took, err: withoutURL(err),
			final: errors.Is(err, ErrForbiddenAddress)}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerBytes))

	o := outcome{status: resp.StatusCode, took: took}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		o.err = fmt.Errorf("receiver answered %d %s", resp.StatusCode,
			http.StatusText(resp.StatusCode))
	}
	return o
}

// request builds the signed POST of a delivery's body.
func (s *sender) request(ctx context.Context, target, secret string,
	l *livraison) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target,
		strings.NewReader(l.Corps))
	if err != nil {
		return nil, fmt.Errorf("build webhook request: %w", withoutURL(err))
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", userAgent)
	h.Set(HeaderEventID, l.EventID)
	h.Set(HeaderEventType, l.EventType)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, Sign(secret, ts, []byte(l.Corps)))
	return req, nil
}

// checkTarget applies, at delivery time, the rules a URL was saved under,
// in case the configuration changed since: https in prod, no literal
// forbidden address. Host names are checked when dialled.
func (s *sender) checkTarget(target string) error {
	var c checker
	c.url(target, s.rules)
	if len(c.errs) == 0 {
		return nil
	}
	if c.errs[0].Type == "url_forbidden_address" {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, c.errs[0].Msg)
	}
	return fmt.Errorf("webhook URL refused: %s", c.errs[0].Msg)
}

// withoutURL drops the URL from a client error: its query may carry a
// receiver's token, and the delivery log is shown to API users.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}
