// Package config loads, checks and prints the settings of ERP Interventions.
//
// Settings come from four layers, each one overriding the previous:
//
//  1. built-in defaults (see Default);
//  2. a YAML file (the --config path, or ./erp.yaml when it exists);
//  3. environment variables named ERP_SECTION__KEY, for example
//     ERP_HTTP__ADDR for http.addr or ERP_DATABASE__AUTO_MIGRATE for
//     database.auto_migrate (a double underscore separates levels);
//  4. overrides given by the caller, usually from command-line flags.
//
// Keys that the program does not know are reported as errors instead of being
// ignored, so that a typo never silently falls back to a default. The
// documented example of every key lives in erp.example.yaml at the root of
// the repository.
package config

import (
	"log/slog"
	"time"
)

// ProfileDev is the development profile: convenient defaults for a laptop.
const ProfileDev = "dev"

// ProfileProd is the production profile: safe defaults and refusal of
// insecure settings.
const ProfileProd = "prod"

// DriverSQLite is the value Database.Driver returns for SQLite URLs.
const DriverSQLite = "sqlite"

// DriverPostgres is the value Database.Driver returns for PostgreSQL URLs.
const DriverPostgres = "postgres"

// MinProdJWTSecretBytes is the shortest auth.jwt_secret the prod profile
// accepts.
const MinProdJWTSecretBytes = 32

// Config is the complete, typed configuration of the application.
type Config struct {
	// Profile is either "dev" or "prod". It selects several defaults and
	// turns on the production safety checks.
	Profile  string   `koanf:"profile"`
	HTTP     HTTP     `koanf:"http"`
	Database Database `koanf:"database"`
	Modules  Modules  `koanf:"modules"`
	CORS     CORS     `koanf:"cors"`
	Log      Log      `koanf:"log"`
	Auth     Auth     `koanf:"auth"`
	Jobs     Jobs     `koanf:"jobs"`
	// Notifications configures the notifications module.
	Notifications Notifications `koanf:"notifications"`
	Webhooks      Webhooks      `koanf:"webhooks"`

	// Plugins declares the out-of-process plugins, none by default.
	Plugins []Plugin `koanf:"plugins"`

	// source is the path of the YAML file that was loaded, if any.
	source string
}

// HTTP holds the settings of the HTTP server.
type HTTP struct {
	// Addr is the host:port the server listens on.
	Addr string `koanf:"addr"`
	// ReadTimeout bounds the time spent reading a whole request.
	ReadTimeout time.Duration `koanf:"read_timeout"`
	// ReadHeaderTimeout bounds the time spent reading request headers.
	ReadHeaderTimeout time.Duration `koanf:"read_header_timeout"`
	// WriteTimeout bounds the time spent writing a response.
	WriteTimeout time.Duration `koanf:"write_timeout"`
	// IdleTimeout bounds how long an idle keep-alive connection stays open.
	IdleTimeout time.Duration `koanf:"idle_timeout"`
	// ShutdownTimeout bounds how long a graceful shutdown may take.
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	// MaxBodyBytes is the largest request body accepted, in bytes.
	MaxBodyBytes int64 `koanf:"max_body_bytes"`
	// PublicURL is the address clients use to reach the API, such as
	// https://api.example.com. It is optional.
	PublicURL string `koanf:"public_url"`
}

// Database holds the settings of the database connection.
type Database struct {
	// URL selects the database. SQLite is written as sqlite://PATH,
	// file:PATH or a plain path ending in .db; PostgreSQL as
	// postgres://... or postgresql://...
	URL string `koanf:"url"`
	// AutoMigrate applies pending schema migrations at start-up. It
	// defaults to true in the dev profile and false in prod.
	AutoMigrate bool `koanf:"auto_migrate"`
	// MaxOpenConns caps the number of open connections. Zero lets the
	// database layer pick a value suited to the driver.
	MaxOpenConns int `koanf:"max_open_conns"`
}

// Modules selects which application modules are started.
type Modules struct {
	// Enabled lists module names. A nil list means every registered
	// standard module; an empty, non-nil list means none.
	Enabled []string `koanf:"enabled"`
}

// CORS holds the cross-origin resource sharing policy of the API.
type CORS struct {
	// AllowedOrigins lists the origins browsers may call the API from.
	AllowedOrigins []string `koanf:"allowed_origins"`
	// AllowedMethods lists the HTTP methods allowed in cross-origin calls.
	AllowedMethods []string `koanf:"allowed_methods"`
	// AllowedHeaders lists the request headers allowed in cross-origin calls.
	AllowedHeaders []string `koanf:"allowed_headers"`
	// ExposedHeaders lists the response headers scripts may read.
	ExposedHeaders []string `koanf:"exposed_headers"`
	// AllowCredentials lets browsers send cookies and authorization headers.
	AllowCredentials bool `koanf:"allow_credentials"`
	// MaxAge is how long browsers may cache a preflight answer.
	MaxAge time.Duration `koanf:"max_age"`
}

// Log holds the logging settings.
type Log struct {
	// Level is one of "debug", "info", "warn" or "error".
	Level string `koanf:"level"`
	// Format is "text" or "json". It defaults to text in the dev profile
	// and json in prod.
	Format string `koanf:"format"`
}

// Auth holds the authentication settings.
type Auth struct {
	// JWTSecret is the key that signs access tokens. The prod profile
	// requires at least MinProdJWTSecretBytes bytes.
	JWTSecret string `koanf:"jwt_secret"`
	// Issuer is the "iss" claim of issued tokens.
	Issuer string `koanf:"issuer"`
	// Audience is the "aud" claim of issued tokens.
	Audience string `koanf:"audience"`
	// AccessTTL is the lifetime of an access token.
	AccessTTL time.Duration `koanf:"access_ttl"`
	// RefreshTTL is the lifetime of a refresh token.
	RefreshTTL time.Duration `koanf:"refresh_ttl"`
	// PasswordMinLength is the shortest password users may choose.
	PasswordMinLength int `koanf:"password_min_length"`
	// SeedDemoAdmin creates a demo administrator account at start-up. It
	// defaults to true in the dev profile and false in prod, where it is
	// refused.
	SeedDemoAdmin bool `koanf:"seed_demo_admin"`
	// Grants adds permissions to roles on top of the built-in permission
	// table: role name → permissions, e.g. technicien: [clients:write].
	// Nothing can be taken away this way.
	Grants map[string][]string `koanf:"grants"`
	// Throttle limits failed sign-in attempts.
	Throttle Throttle `koanf:"throttle"`
}

// Throttle holds the limits on failed sign-ins. Once an account or a client
// address reaches its limit within Window, further attempts answer 429
// until the oldest failure leaves the window.
type Throttle struct {
	// MaxFailuresPerAccount is the number of failed sign-ins allowed per
	// e-mail address within Window.
	MaxFailuresPerAccount int `koanf:"max_failures_per_account"`
	// MaxFailuresPerIP is the number of failed sign-ins allowed per client
	// address within Window, whatever the e-mail address.
	MaxFailuresPerIP int `koanf:"max_failures_per_ip"`
	// Window is the sliding period over which failures are counted.
	Window time.Duration `koanf:"window"`
	// TrustedProxies lists the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For header names the client. Empty means the
	// connection's address is the client's.
	TrustedProxies []string `koanf:"trusted_proxies"`
}

// Default returns the built-in defaults for the dev profile. The result
// passes Validate; it is a fresh value that the caller may modify.
func Default() *Config {
	c := &Config{
		Profile: ProfileDev,
		HTTP: HTTP{
			Addr:              "127.0.0.1:8000",
			ReadTimeout:       15 * time.Second,
			ReadHeaderTimeout: 5 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       60 * time.Second,
			ShutdownTimeout:   20 * time.Second,
			MaxBodyBytes:      1 << 20,
		},
		Database: Database{
			URL: "file:./data/erp.db",
		},
		CORS: CORS{
			AllowedOrigins: []string{"http://localhost:3000"},
			AllowedMethods: []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"},
			AllowedHeaders: []string{
				"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID",
			},
			ExposedHeaders: []string{
				"X-Total-Count", "Link", "ETag", "Location", "X-Request-ID", "Retry-After",
			},
			AllowCredentials: true,
			MaxAge:           10 * time.Minute,
		},
		Log: Log{
			Level: "info",
		},
		Auth: Auth{
			Issuer:            "erp-interventions",
			Audience:          "erp-interventions-api",
			AccessTTL:         15 * time.Minute,
			RefreshTTL:        720 * time.Hour,
			PasswordMinLength: 8,
			Throttle: Throttle{
				MaxFailuresPerAccount: 5,
				MaxFailuresPerIP:      20,
				Window:                15 * time.Minute,
			},
		},
	}
	c.Jobs = defaultJobs()
	c.Notifications = defaultNotifications()
	c.Webhooks = defaultWebhooks()
	c.applyProfileDefaults(nil)
	return c
}

// profileKeys are the settings whose default depends on the profile.
var profileKeys = []string{"database.auto_migrate", "log.format", "auth.seed_demo_admin"}

// applyProfileDefaults fills the profile-dependent settings that were not
// given explicitly. isSet reports whether a dotted key was set by some
// layer; nil means nothing was set.
func (c *Config) applyProfileDefaults(isSet func(key string) bool) {
	set := func(key string) bool { return isSet != nil && isSet(key) }
	dev := c.Profile != ProfileProd
	if !set("database.auto_migrate") {
		c.Database.AutoMigrate = dev
	}
	if !set("log.format") {
		c.Log.Format = "json"
		if dev {
			c.Log.Format = "text"
		}
	}
	if !set("auth.seed_demo_admin") {
		c.Auth.SeedDemoAdmin = dev
	}
}

// Level returns the slog level matching Log.Level. An unknown level gives
// slog.LevelInfo.
func (c *Config) Level() slog.Level {
	switch c.Log.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// IsProd reports whether the prod profile is active.
func (c *Config) IsProd() bool {
	return c.Profile == ProfileProd
}

// SourceFile returns the path of the YAML file that Load read, as it was
// given or found, or "" when no file was read.
func (c *Config) SourceFile() string {
	return c.source
}
