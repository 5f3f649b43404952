package webhooks

import (
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/httpx"
)

// Limits of a subscription.
const (
	maxURLLength    = 2048
	minSecretLength = 16
	maxSecretLength = 256
	maxTypes        = 50
)

// typePattern is an event type ("intervention.closed"), every type of a
// resource ("intervention.*") or every event ("*").
var typePattern = regexp.MustCompile(`^(\*|[a-z][a-z_]*\.(\*|[a-z][a-z_]*))$`)

// checker collects every bad field of a request, so one 400 names them all.
type checker struct {
	errs []httpx.FieldError
}

func (c *checker) add(name, kind, msg string) {
	c.errs = append(c.errs, httpx.Field(name, kind, msg))
}

func (c *checker) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return httpx.Invalid(c.errs...)
}

// urlRules are the settings a webhook URL is judged by.
type urlRules struct {
	httpsOnly    bool // the prod profile
	allowPrivate bool // webhooks.allow_private_addresses
}

// url checks a webhook URL. A host written as an IP address is judged
// here; a host name is judged after resolution, at each delivery.
func (c *checker) url(raw string, rules urlRules) {
	if raw == "" {
		c.add("url", "missing", "champ obligatoire")
		return
	}
	if len(raw) > maxURLLength {
		c.add("url", "string_too_long", "doit contenir au plus "+
			strconv.Itoa(maxURLLength)+" caractères")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		c.add("url", "url_parsing", "URL absolue attendue, par exemple https://exemple.fr/hook")
		return
	}
	if kind, msg := schemeProblem(u.Scheme, rules.httpsOnly); kind != "" {
		c.add("url", kind, msg)
		return
	}
	if u.User != nil {
		c.add("url", "value_error", "l'URL ne doit pas contenir d'identifiants")
		return
	}
	if !rules.allowPrivate && forbiddenHost(u.Hostname()) {
		c.add("url", "url_forbidden_address", "adresse interdite : boucle locale, "+
			"réseau privé, lien local, adresse non spécifiée ou multicast")
	}
}

// schemeProblem returns the error kind and message for a scheme that is
// not allowed, or "" when it is.
func schemeProblem(scheme string, httpsOnly bool) (string, string) {
	switch {
	case scheme == "https":
		return "", ""
	case scheme == "http" && httpsOnly:
		return "url_scheme", "https obligatoire en production"
	case scheme == "http":
		return "", ""
	}
	return "url_scheme", "schéma http ou https attendu"
}

// forbiddenHost reports whether host is an IP address on a forbidden range.
// Host names are not resolved here.
func forbiddenHost(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && forbidden(a)
}

// types checks and normalises the event type patterns: at least one, each
// well formed, duplicates removed.
func (c *checker) types(in []string) []string {
	if len(in) == 0 {
		c.add("types_evenements", "missing", "au moins un type d'événement attendu")
		return nil
	}
	if len(in) > maxTypes {
		c.add("types_evenements", "too_long", "au plus "+strconv.Itoa(maxTypes)+" types")
		return nil
	}
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = strings.TrimSpace(t)
		if !typePattern.MatchString(t) {
			c.add("types_evenements", "string_pattern_mismatch", "type invalide « "+t+
				" » : « ressource.action », « ressource.* » ou « * » attendu")
			return nil
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// secret checks a secret given by the caller.
func (c *checker) secret(s string) {
	switch n := utf8.RuneCountInString(s); {
	case n < minSecretLength:
		c.add("secret", "string_too_short", "doit contenir au moins "+
			strconv.Itoa(minSecretLength)+" caractères")
	case n > maxSecretLength:
		c.add("secret", "string_too_long", "doit contenir au plus "+
			strconv.Itoa(maxSecretLength)+" caractères")
	}
}

// clientID checks a client filter; zero is allowed only when clearing it.
func (c *checker) clientID(id *int64, zeroClears bool) {
	if id == nil || *id > 0 || (zeroClears && *id == 0) {
		return
	}
	c.add("client_id", "greater_than", "identifiant de client positif attendu")
}

// newSecret returns a random signing secret: 32 bytes, hex-encoded.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// pathInt reads a positive integer path parameter.
func pathInt(req bunrouter.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(req.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, httpx.Invalid(httpx.FieldError{Loc: []string{"path", name},
			Msg: "entier positif attendu", Type: "int_parsing"})
	}
	return id, nil
}
