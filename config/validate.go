package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var moduleName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Validate checks every setting and returns all problems found, joined with
// errors.Join, each naming its key. In the prod profile it also refuses
// insecure settings. It returns nil when the configuration is usable.
func (c *Config) Validate() error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }

	if c.Profile != ProfileDev && c.Profile != ProfileProd {
		add(fmt.Errorf("profile: %q is not a known profile (use %q or %q)",
			c.Profile, ProfileDev, ProfileProd))
	}

	errs = append(errs, c.HTTP.validate()...)
	if _, _, err := parseDatabaseURL(c.Database.URL); err != nil {
		add(fmt.Errorf("database.url: %w", err))
	}
	if c.Database.MaxOpenConns < 0 {
		add(fmt.Errorf("database.max_open_conns: %d must not be negative",
			c.Database.MaxOpenConns))
	}
	errs = append(errs, c.Modules.validate()...)
	errs = append(errs, c.CORS.validate()...)
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		add(fmt.Errorf("log.level: %q is not a level (use debug, info, warn or error)",
			c.Log.Level))
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		add(fmt.Errorf("log.format: %q is not a format (use text or json)", c.Log.Format))
	}
	errs = append(errs, c.Auth.validate()...)
	errs = append(errs, validatePlugins(c.Plugins)...)
	errs = append(errs, c.Jobs.validate()...)
	errs = append(errs, c.Notifications.validate()...)
	errs = append(errs, c.Webhooks.validate()...)
	if c.Profile == ProfileProd {
		errs = append(errs, c.prodProblems()...)
	}

	if err := errors.Join(errs...); err != nil {
		if len(errs) == 1 {
			return fmt.Errorf("invalid configuration: %w", err)
		}
		return fmt.Errorf("invalid configuration (%d problems):\n%w", len(errs), err)
	}
	return nil
}

// prodProblems lists the settings the prod profile refuses.
func (c *Config) prodProblems() []error {
	var errs []error
	if c.Auth.SeedDemoAdmin {
		errs = append(errs, errors.New("auth.seed_demo_admin: must be false in the prod "+
			"profile (the demo administrator has a publicly known password)"))
	}
	switch n := len(c.Auth.JWTSecret); {
	case n == 0:
		errs = append(errs, fmt.Errorf("auth.jwt_secret: must be set in the prod profile "+
			"(at least %d bytes, e.g. via ERP_AUTH__JWT_SECRET)", MinProdJWTSecretBytes))
	case n < MinProdJWTSecretBytes:
		errs = append(errs, fmt.Errorf("auth.jwt_secret: is %d bytes long; the prod profile "+
			"requires at least %d", n, MinProdJWTSecretBytes))
	}
	return errs
}

func (h HTTP) validate() []error {
	var errs []error
	if err := checkHostPort(h.Addr); err != nil {
		errs = append(errs, fmt.Errorf("http.addr: %q is not a host:port address: %w",
			h.Addr, err))
	}
	durations := []struct {
		key string
		d   time.Duration
	}{
		{"http.read_timeout", h.ReadTimeout},
		{"http.read_header_timeout", h.ReadHeaderTimeout},
		{"http.write_timeout", h.WriteTimeout},
		{"http.idle_timeout", h.IdleTimeout},
		{"http.shutdown_timeout", h.ShutdownTimeout},
	}
	for _, d := range durations {
		if d.d < 0 {
			errs = append(errs, fmt.Errorf("%s: %s must not be negative", d.key, d.d))
		}
	}
	if h.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("http.max_body_bytes: %d must not be negative",
			h.MaxBodyBytes))
	}
	if h.PublicURL != "" {
		u, err := url.Parse(h.PublicURL)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("http.public_url: cannot be parsed: %w", err))
		case u.Scheme != "http" && u.Scheme != "https":
			errs = append(errs, fmt.Errorf("http.public_url: %q must start with http:// "+
				"or https://", h.PublicURL))
		case u.Host == "":
			errs = append(errs, fmt.Errorf("http.public_url: %q names no host", h.PublicURL))
		}
	}
	return errs
}

// checkHostPort accepts "host:port", ":port" and "[ipv6]:port" with a
// numeric port from 0 to 65535.
func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

func (m Modules) validate() []error {
	var errs []error
	seen := map[string]bool{}
	for _, name := range m.Enabled {
		switch {
		case !moduleName.MatchString(name):
			errs = append(errs, fmt.Errorf("modules.enabled: %q is not a module name "+
				"(lower-case letters, digits and _, starting with a letter)", name))
		case seen[name]:
			errs = append(errs, fmt.Errorf("modules.enabled: %q is listed twice", name))
		}
		seen[name] = true
	}
	return errs
}

func (c CORS) validate() []error {
	var errs []error
	for _, origin := range c.AllowedOrigins {
		if origin == "*" {
			if c.AllowCredentials {
				errs = append(errs, errors.New("cors.allowed_origins: \"*\" cannot be "+
					"combined with cors.allow_credentials: true (browsers reject it); "+
					"list the origins or turn credentials off"))
			}
			continue
		}
		if err := checkOrigin(origin); err != nil {
			errs = append(errs, fmt.Errorf("cors.allowed_origins: %q %w", origin, err))
		}
	}
	lists := []struct {
		key    string
		values []string
	}{
		{"cors.allowed_methods", c.AllowedMethods},
		{"cors.allowed_headers", c.AllowedHeaders},
		{"cors.exposed_headers", c.ExposedHeaders},
	}
	for _, list := range lists {
		for _, v := range list.values {
			if !isToken(v) {
				errs = append(errs, fmt.Errorf("%s: %q is not a valid HTTP token", list.key, v))
			}
		}
	}
	if c.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("cors.max_age: %s must not be negative", c.MaxAge))
	}
	return errs
}

// checkOrigin accepts an origin as browsers send it: scheme://host[:port],
// with no path, query or fragment.
func checkOrigin(origin string) error {
	u, err := url.Parse(origin)
	switch {
	case err != nil:
		return errors.New("is not an origin such as https://app.example.com")
	case u.Scheme == "" || u.Host == "":
		return errors.New("is not an origin such as https://app.example.com")
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return errors.New("must be scheme://host[:port] only, without a path or trailing slash")
	}
	return nil
}

// isToken reports whether s is a non-empty HTTP token (RFC 9110), the
// syntax of method and header names.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("!#$%&'*+-.^_`|~", r)
		if !ok {
			return false
		}
	}
	return true
}

func (a Auth) validate() []error {
	var errs []error
	if strings.TrimSpace(a.Issuer) == "" {
		errs = append(errs, errors.New("auth.issuer: must not be empty"))
	}
	if strings.TrimSpace(a.Audience) == "" {
		errs = append(errs, errors.New("auth.audience: must not be empty"))
	}
	if a.AccessTTL <= 0 {
		errs = append(errs, fmt.Errorf("auth.access_ttl: %s must be positive", a.AccessTTL))
	}
	if a.RefreshTTL <= 0 {
		errs = append(errs, fmt.Errorf("auth.refresh_ttl: %s must be positive", a.RefreshTTL))
	}
	if a.PasswordMinLength < 1 {
		errs = append(errs, fmt.Errorf("auth.password_min_length: %d must be at least 1",
			a.PasswordMinLength))
	}
	errs = append(errs, validateGrants(a.Grants)...)
	return append(errs, a.Throttle.validate()...)
}

var (
	roleName       = regexp.MustCompile(`^[a-z][a-z_]*$`)
	permissionName = regexp.MustCompile(`^[a-z][a-z_]*:[a-z][a-z_]*$`)
)

// validateGrants checks the shape of auth.grants. Whether each role and
// permission exists is checked by the permission table when the
// authentication module starts, with errors naming the same keys.
func validateGrants(grants map[string][]string) []error {
	var errs []error
	for _, role := range slices.Sorted(maps.Keys(grants)) {
		if !roleName.MatchString(role) {
			errs = append(errs, fmt.Errorf("auth.grants: %q is not a role name", role))
			continue
		}
		for _, p := range grants[role] {
			if !permissionName.MatchString(p) {
				errs = append(errs, fmt.Errorf("auth.grants.%s: %q is not a permission "+
					"(write resource:action, e.g. clients:write)", role, p))
			}
		}
	}
	return errs
}

func (t Throttle) validate() []error {
	var errs []error
	if t.MaxFailuresPerAccount < 1 {
		errs = append(errs, fmt.Errorf("auth.throttle.max_failures_per_account: %d must be "+
			"at least 1", t.MaxFailuresPerAccount))
	}
	if t.MaxFailuresPerIP < 1 {
		errs = append(errs, fmt.Errorf("auth.throttle.max_failures_per_ip: %d must be "+
			"at least 1", t.MaxFailuresPerIP))
	}
	if t.Window < time.Second {
		errs = append(errs, fmt.Errorf("auth.throttle.window: %s must be at least 1s",
			t.Window))
	}
	for _, p := range t.TrustedProxies {
		if _, err := ParseProxy(p); err != nil {
			errs = append(errs, fmt.Errorf("auth.throttle.trusted_proxies: %w", err))
		}
	}
	return errs
}

// ParseProxy reads one entry of auth.throttle.trusted_proxies: an IP
// address or a CIDR range.
func ParseProxy(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR range", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
