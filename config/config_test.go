package config

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const strongSecret = "0123456789abcdef0123456789abcdef"

// writeFile stores content in a new file of a temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "erp.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// mustLoad loads with an empty environment unless opts gives one.
func mustLoad(t *testing.T, opts Options) *Config {
	t.Helper()
	if opts.Environ == nil {
		opts.Environ = []string{}
	}
	cfg, err := Load(opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

// loadErr loads and expects an error that contains every fragment.
func loadErr(t *testing.T, opts Options, fragments ...string) error {
	t.Helper()
	if opts.Environ == nil {
		opts.Environ = []string{}
	}
	cfg, err := Load(opts)
	if err == nil {
		t.Fatalf("Load succeeded with %+v, want an error", cfg)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error does not mention %q:\n%v", f, err)
		}
	}
	return err
}

func TestDefault(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate(): %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"profile", c.Profile, "dev"},
		{"http.addr", c.HTTP.Addr, "127.0.0.1:8000"},
		{"http.read_timeout", c.HTTP.ReadTimeout, 15 * time.Second},
		{"http.read_header_timeout", c.HTTP.ReadHeaderTimeout, 5 * time.Second},
		{"http.write_timeout", c.HTTP.WriteTimeout, 30 * time.Second},
		{"http.idle_timeout", c.HTTP.IdleTimeout, 60 * time.Second},
		{"http.shutdown_timeout", c.HTTP.ShutdownTimeout, 20 * time.Second},
		{"http.max_body_bytes", c.HTTP.MaxBodyBytes, int64(1 << 20)},
		{"http.public_url", c.HTTP.PublicURL, ""},
		{"database.url", c.Database.URL, "file:./data/erp.db"},
		{"database.auto_migrate", c.Database.AutoMigrate, true},
		{"database.max_open_conns", c.Database.MaxOpenConns, 0},
		{"modules.enabled", c.Modules.Enabled, []string(nil)},
		{"cors.allowed_origins", c.CORS.AllowedOrigins, []string{"http://localhost:3000"}},
		{"cors.allowed_methods", c.CORS.AllowedMethods,
			[]string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}},
		{"cors.allowed_headers", c.CORS.AllowedHeaders, []string{
			"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Request-ID"}},
		{"cors.exposed_headers", c.CORS.ExposedHeaders, []string{
			"X-Total-Count", "Link", "ETag", "Location", "X-Request-ID", "Retry-After"}},
		{"cors.allow_credentials", c.CORS.AllowCredentials, true},
		{"cors.max_age", c.CORS.MaxAge, 10 * time.Minute},
		{"log.level", c.Log.Level, "info"},
		{"log.format", c.Log.Format, "text"},
		{"auth.jwt_secret", c.Auth.JWTSecret, ""},
		{"auth.issuer", c.Auth.Issuer, "erp-interventions"},
		{"auth.audience", c.Auth.Audience, "erp-interventions-api"},
		{"auth.access_ttl", c.Auth.AccessTTL, 15 * time.Minute},
		{"auth.refresh_ttl", c.Auth.RefreshTTL, 720 * time.Hour},
		{"auth.password_min_length", c.Auth.PasswordMinLength, 8},
		{"auth.seed_demo_admin", c.Auth.SeedDemoAdmin, true},
		{"driver", c.Database.Driver(), "sqlite"},
		{"sqlite path", c.Database.SQLitePath(), "./data/erp.db"},
		{"level", c.Level(), slog.LevelInfo},
		{"source", c.SourceFile(), ""},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}

	// Each call returns fresh slices.
	c.CORS.AllowedOrigins[0] = "changed"
	if Default().CORS.AllowedOrigins[0] != "http://localhost:3000" {
		t.Error("Default shares its slices between calls")
	}
}

func TestLoadWithoutFileGivesDefaults(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "erp.yaml")
	cfg, err := load(Options{Environ: []string{}}, missing)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !reflect.DeepEqual(cfg.Redacted(), Default().Redacted()) {
		t.Errorf("got %v\nwant %v", cfg.Redacted(), Default().Redacted())
	}
	if cfg.SourceFile() != "" {
		t.Errorf("SourceFile = %q, want empty", cfg.SourceFile())
	}
}

func TestLoadFindsDefaultFile(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "http:\n  addr: 127.0.0.1:9100\n")
	cfg, err := load(Options{Environ: []string{}}, path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if cfg.HTTP.Addr != "127.0.0.1:9100" || cfg.SourceFile() != path {
		t.Errorf("addr %q from %q, want 127.0.0.1:9100 from %q",
			cfg.HTTP.Addr, cfg.SourceFile(), path)
	}
}

func TestFileOverridesDefaults(t *testing.T) {
	t.Parallel()
	path := writeFile(t, `
http:
  addr: 0.0.0.0:8080
  read_timeout: 1m
  max_body_bytes: 2048
database:
  url: postgres://erp@db.internal/erp
  max_open_conns: 12
modules:
  enabled: [auth, users]
cors:
  allowed_origins: ["https://app.example.com"]
log:
  level: debug
`)
	cfg := mustLoad(t, Options{File: path})
	if cfg.SourceFile() != path {
		t.Errorf("SourceFile = %q, want %q", cfg.SourceFile(), path)
	}
	if cfg.HTTP.Addr != "0.0.0.0:8080" || cfg.HTTP.ReadTimeout != time.Minute ||
		cfg.HTTP.MaxBodyBytes != 2048 {
		t.Errorf("http = %+v", cfg.HTTP)
	}
	if cfg.HTTP.WriteTimeout != 30*time.Second {
		t.Errorf("write_timeout = %s, want the default 30s", cfg.HTTP.WriteTimeout)
	}
	if cfg.Database.Driver() != "postgres" || cfg.Database.MaxOpenConns != 12 {
		t.Errorf("database = %+v", cfg.Database)
	}
	if !slices.Equal(cfg.Modules.Enabled, []string{"auth", "users"}) {
		t.Errorf("modules.enabled = %q", cfg.Modules.Enabled)
	}
	if !slices.Equal(cfg.CORS.AllowedOrigins, []string{"https://app.example.com"}) {
		t.Errorf("cors.allowed_origins = %q", cfg.CORS.AllowedOrigins)
	}
	if cfg.Level() != slog.LevelDebug {
		t.Errorf("Level() = %v, want debug", cfg.Level())
	}
}

func TestEmptySectionKeepsDefaults(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "cors:\n  # everything commented out\nhttp:\n  public_url:\n")
	cfg := mustLoad(t, Options{File: path})
	if !reflect.DeepEqual(cfg.CORS, Default().CORS) {
		t.Errorf("cors = %+v, want the defaults", cfg.CORS)
	}
}

func TestEnvOverridesFile(t *testing.T) {
	t.Parallel()
	path := writeFile(t, `
http:
  addr: 127.0.0.1:7000
  read_timeout: 10s
database:
  auto_migrate: true
modules:
  enabled: [billing]
`)
	cfg := mustLoad(t, Options{File: path, Environ: []string{
		"ERP_HTTP__ADDR=0.0.0.0:9000",
		"ERP_DATABASE__AUTO_MIGRATE=false",
		"ERP_MODULES__ENABLED=auth, users",
		"ERP_HTTP__READ_TIMEOUT=3s",
		"ERP_HTTP__MAX_BODY_BYTES=4096",
		"ERP_CORS__ALLOWED_ORIGINS=https://a.example.com,https://b.example.com",
		"ERP_DATABASE__URL=sqlite:///var/lib/erp/erp.db",
		"HOME=/root",
		"erp_http__addr=ignored:1",
	}})
	if cfg.HTTP.Addr != "0.0.0.0:9000" {
		t.Errorf("http.addr = %q", cfg.HTTP.Addr)
	}
	if cfg.Database.AutoMigrate {
		t.Error("database.auto_migrate = true, want false from the environment")
	}
	if !slices.Equal(cfg.Modules.Enabled, []string{"auth", "users"}) {
		t.Errorf("modules.enabled = %q", cfg.Modules.Enabled)
	}
	if cfg.HTTP.ReadTimeout != 3*time.Second {
		t.Errorf("http.read_timeout = %s", cfg.HTTP.ReadTimeout)
	}
	if cfg.HTTP.MaxBodyBytes != 4096 {
		t.Errorf("http.max_body_bytes = %d", cfg.HTTP.MaxBodyBytes)
	}
	want := []string{"https://a.example.com", "https://b.example.com"}
	if !slices.Equal(cfg.CORS.AllowedOrigins, want) {
		t.Errorf("cors.allowed_origins = %q", cfg.CORS.AllowedOrigins)
	}
	if cfg.Database.SQLitePath() != "/var/lib/erp/erp.db" {
		t.Errorf("SQLitePath = %q", cfg.Database.SQLitePath())
	}
}

func TestOverridesBeatEnv(t *testing.T) {
	t.Parallel()
	cfg := mustLoad(t, Options{
		Environ: []string{
			"ERP_HTTP__ADDR=0.0.0.0:9000",
			"ERP_LOG__LEVEL=warn",
			"ERP_MODULES__ENABLED=auth",
			"ERP_HTTP__READ_TIMEOUT=3s",
		},
		Overrides: map[string]any{
			"http.addr":         "127.0.0.1:1234",
			"log.level":         "error",
			"modules.enabled":   []string{"users"},
			"http.read_timeout": 7 * time.Second,
			"auth.access_ttl":   "5m",
			"database.url":      "./erp.db",
		},
	})
	if cfg.HTTP.Addr != "127.0.0.1:1234" || cfg.Log.Level != "error" ||
		cfg.HTTP.ReadTimeout != 7*time.Second || cfg.Auth.AccessTTL != 5*time.Minute {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if !slices.Equal(cfg.Modules.Enabled, []string{"users"}) {
		t.Errorf("modules.enabled = %q", cfg.Modules.Enabled)
	}
	if cfg.Database.SQLitePath() != "./erp.db" {
		t.Errorf("SQLitePath = %q", cfg.Database.SQLitePath())
	}
}

func TestUnknownKeys(t *testing.T) {
	t.Parallel()
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		path := writeFile(t, "http:\n  adr: 127.0.0.1:1\ndatabse:\n  url: x.db\n")
		loadErr(t, Options{File: path}, path,
			`unknown configuration key "http.adr"`, `unknown configuration key "databse"`)
	})
	t.Run("env", func(t *testing.T) {
		t.Parallel()
		loadErr(t, Options{Environ: []string{"ERP_HTTP__ADR=x", "ERP_HTTP_ADDR=y"}},
			`unknown configuration key "http.adr"`, "ERP_HTTP__ADR",
			`unknown configuration key "http_addr"`, "ERP_HTTP_ADDR")
	})
	t.Run("overrides", func(t *testing.T) {
		t.Parallel()
		loadErr(t, Options{Overrides: map[string]any{"auth.jwt_secrte": "x"}},
			`unknown configuration key "auth.jwt_secrte"`)
	})
	t.Run("case matters", func(t *testing.T) {
		t.Parallel()
		path := writeFile(t, "HTTP:\n  addr: 127.0.0.1:1\n")
		loadErr(t, Options{File: path}, `unknown configuration key "HTTP"`)
	})
}

func TestWrongTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		file      string
		env       []string
		fragments []string
	}{
		{
			name: "duration from env",
			env:  []string{"ERP_HTTP__READ_TIMEOUT=abc"},
			fragments: []string{
				`http.read_timeout: "abc" is not a duration`, "ERP_HTTP__READ_TIMEOUT",
			},
		},
		{
			name:      "bool from env",
			env:       []string{"ERP_DATABASE__AUTO_MIGRATE=maybe"},
			fragments: []string{`database.auto_migrate: "maybe" is not a boolean`},
		},
		{
			name:      "int from env",
			env:       []string{"ERP_DATABASE__MAX_OPEN_CONNS=ten"},
			fragments: []string{`database.max_open_conns: "ten" is not a whole number`},
		},
		{
			name:      "number as duration",
			file:      "http:\n  read_timeout: 15\n",
			fragments: []string{"http.read_timeout: expected a duration", "the number 15"},
		},
		{
			name:      "number as string",
			file:      "auth:\n  jwt_secret: 12345\n",
			fragments: []string{"auth.jwt_secret: expected a string, got the number 12345"},
		},
		{
			name:      "string as int",
			file:      "http:\n  max_body_bytes: lots\n",
			fragments: []string{`http.max_body_bytes: "lots" is not a whole number`},
		},
		{
			name:      "list item",
			file:      "modules:\n  enabled: [auth, 3]\n",
			fragments: []string{"modules.enabled: item 1: expected a string"},
		},
		{
			name:      "scalar as section",
			file:      "http: fast\n",
			fragments: []string{"http: expected a section of keys"},
		},
		{
			name:      "float as int",
			file:      "auth:\n  password_min_length: 8.5\n",
			fragments: []string{"auth.password_min_length: 8.5 is not a whole number"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Environ: tc.env}
			if tc.file != "" {
				opts.File = writeFile(t, tc.file)
			}
			loadErr(t, opts, tc.fragments...)
		})
	}
}

func TestMalformedYAML(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "http:\n  addr: [unclosed\n")
	loadErr(t, Options{File: path}, path, "not valid YAML", "yaml:")
}

func TestMissingExplicitFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nope.yaml")
	err := loadErr(t, Options{File: path}, path, "does not exist")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
}

func TestProdRefusesInsecureSettings(t *testing.T) {
	t.Parallel()
	path := writeFile(t, `
profile: prod
auth:
  jwt_secret: short
  seed_demo_admin: true
cors:
  allowed_origins: ["*"]
`)
	loadErr(t, Options{File: path}, "auth.seed_demo_admin", "auth.jwt_secret",
		"5 bytes", "cors.allowed_origins", "3 problems")

	loadErr(t, Options{Environ: []string{"ERP_PROFILE=prod"}},
		"auth.jwt_secret: must be set in the prod profile")
}

func TestProdDefaults(t *testing.T) {
	t.Parallel()
	cfg := mustLoad(t, Options{Environ: []string{
		"ERP_PROFILE=prod", "ERP_AUTH__JWT_SECRET=" + strongSecret,
	}})
	if cfg.Database.AutoMigrate || cfg.Auth.SeedDemoAdmin || cfg.Log.Format != "json" {
		t.Errorf("prod defaults: auto_migrate=%t seed_demo_admin=%t format=%q",
			cfg.Database.AutoMigrate, cfg.Auth.SeedDemoAdmin, cfg.Log.Format)
	}
	if !cfg.IsProd() {
		t.Error("IsProd() = false")
	}
}

func TestWildcardOriginWithCredentials(t *testing.T) {
	t.Parallel()
	loadErr(t, Options{Environ: []string{"ERP_CORS__ALLOWED_ORIGINS=*"}},
		`cors.allowed_origins: "*" cannot be combined with cors.allow_credentials`)

	cfg := mustLoad(t, Options{Environ: []string{
		"ERP_CORS__ALLOWED_ORIGINS=*", "ERP_CORS__ALLOW_CREDENTIALS=false",
	}})
	if !slices.Equal(cfg.CORS.AllowedOrigins, []string{"*"}) {
		t.Errorf("cors.allowed_origins = %q", cfg.CORS.AllowedOrigins)
	}
}

func TestProfileDependentDefaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		file    string
		env     []string
		migrate bool
		format  string
		seed    bool
	}{
		{name: "dev defaults", migrate: true, format: "text", seed: true},
		{
			name: "explicit false in dev kept", file: "database:\n  auto_migrate: false\n",
			migrate: false, format: "text", seed: true,
		},
		{
			name: "explicit false in dev from env", env: []string{
				"ERP_DATABASE__AUTO_MIGRATE=false", "ERP_AUTH__SEED_DEMO_ADMIN=false",
			},
			migrate: false, format: "text", seed: false,
		},
		{
			name:    "explicit values in prod kept",
			file:    "profile: prod\ndatabase:\n  auto_migrate: true\nlog:\n  format: text\n",
			env:     []string{"ERP_AUTH__JWT_SECRET=" + strongSecret},
			migrate: true, format: "text", seed: false,
		},
		{
			name:    "null follows profile",
			file:    "profile: prod\ndatabase:\n  auto_migrate:\nlog:\n  format:\n",
			env:     []string{"ERP_AUTH__JWT_SECRET=" + strongSecret},
			migrate: false, format: "json", seed: false,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Environ: tc.env}
			if tc.file != "" {
				opts.File = writeFile(t, tc.file)
			}
			cfg := mustLoad(t, opts)
			if cfg.Database.AutoMigrate != tc.migrate || cfg.Log.Format != tc.format ||
				cfg.Auth.SeedDemoAdmin != tc.seed {
				t.Errorf("auto_migrate=%t format=%q seed_demo_admin=%t, want %t %q %t",
					cfg.Database.AutoMigrate, cfg.Log.Format, cfg.Auth.SeedDemoAdmin,
					tc.migrate, tc.format, tc.seed)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"profile", func(c *Config) { c.Profile = "staging" }, "profile:"},
		{"addr without port", func(c *Config) { c.HTTP.Addr = "localhost" },
			"http.addr:"},
		{"addr bad port", func(c *Config) { c.HTTP.Addr = "localhost:http" }, "http.addr:"},
		{"url scheme", func(c *Config) { c.Database.URL = "mysql://db/erp" },
			`database.url: uses the unsupported scheme "mysql"`},
		{"url unknown", func(c *Config) { c.Database.URL = "erp" }, "database.url:"},
		{"url empty", func(c *Config) { c.Database.URL = "" }, "database.url: must not be empty"},
		{"url unparsable", func(c *Config) { c.Database.URL = "postgres://u:p@h:x/db" },
			"database.url: cannot be parsed"},
		{"level", func(c *Config) { c.Log.Level = "verbose" }, "log.level:"},
		{"format", func(c *Config) { c.Log.Format = "xml" }, "log.format:"},
		{"negative duration", func(c *Config) { c.HTTP.IdleTimeout = -time.Second },
			"http.idle_timeout: -1s must not be negative"},
		{"negative size", func(c *Config) { c.HTTP.MaxBodyBytes = -1 },
			"http.max_body_bytes:"},
		{"negative conns", func(c *Config) { c.Database.MaxOpenConns = -1 },
			"database.max_open_conns:"},
		{"negative max age", func(c *Config) { c.CORS.MaxAge = -time.Minute }, "cors.max_age:"},
		{"module name", func(c *Config) { c.Modules.Enabled = []string{"Auth"} },
			`modules.enabled: "Auth" is not a module name`},
		{"module twice", func(c *Config) { c.Modules.Enabled = []string{"auth", "auth"} },
			"listed twice"},
		{"origin path", func(c *Config) {
			c.CORS.AllowedOrigins = []string{"https://app.example.com/"}
		}, "cors.allowed_origins:"},
		{"header token", func(c *Config) { c.CORS.AllowedHeaders = []string{"X Bad"} },
			"cors.allowed_headers:"},
		{"public url", func(c *Config) { c.HTTP.PublicURL = "api.example.com" },
			"http.public_url:"},
		{"ttl", func(c *Config) { c.Auth.AccessTTL = 0 }, "auth.access_ttl:"},
		{"password length", func(c *Config) { c.Auth.PasswordMinLength = 0 },
			"auth.password_min_length:"},
		{"grant role", func(c *Config) { c.Auth.Grants = map[string][]string{"Chef": nil} },
			`auth.grants: "Chef" is not a role name`},
		{"grant permission", func(c *Config) {
			c.Auth.Grants = map[string][]string{"client": {"users"}}
		}, `auth.grants.client: "users" is not a permission`},
		{"throttle account", func(c *Config) { c.Auth.Throttle.MaxFailuresPerAccount = 0 },
			"auth.throttle.max_failures_per_account:"},
		{"throttle ip", func(c *Config) { c.Auth.Throttle.MaxFailuresPerIP = -1 },
			"auth.throttle.max_failures_per_ip:"},
		{"throttle window", func(c *Config) { c.Auth.Throttle.Window = 0 },
			"auth.throttle.window:"},
		{"trusted proxy", func(c *Config) { c.Auth.Throttle.TrustedProxies = []string{"lan"} },
			`auth.throttle.trusted_proxies: "lan" is not an IP address or CIDR range`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			tc.change(c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not mention %q:\n%v", tc.want, err)
			}
		})
	}

	t.Run("valid variants", func(t *testing.T) {
		t.Parallel()
		c := Default()
		c.HTTP.Addr = ":0"
		c.HTTP.PublicURL = "https://api.example.com/erp"
		c.Modules.Enabled = []string{"auth", "work_orders2"}
		c.Database.URL = "postgresql://erp@[::1]:5432/erp"
		if err := c.Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
	})
}

func TestDatabaseDriver(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, driver, path string
	}{
		{"file:./data/erp.db", "sqlite", "./data/erp.db"},
		{"file:erp.db?_pragma=busy_timeout(5000)", "sqlite", "erp.db"},
		{"file::memory:", "sqlite", ":memory:"},
		{"sqlite://./data/erp.db", "sqlite", "./data/erp.db"},
		{"sqlite:///var/lib/erp.db", "sqlite", "/var/lib/erp.db"},
		{"SQLITE://erp.db", "sqlite", "erp.db"},
		{"./data/erp.db", "sqlite", "./data/erp.db"},
		{"/srv/erp.sqlite", "sqlite", "/srv/erp.sqlite"},
		{"postgres://erp:secret@localhost:5432/erp?sslmode=disable", "postgres", ""},
		{"postgresql://localhost/erp", "postgres", ""},
		{"mysql://localhost/erp", "", ""},
		{"erp", "", ""},
		{"", "", ""},
	}
	for _, tc := range cases {
		d := Database{URL: tc.url}
		if got := d.Driver(); got != tc.driver {
			t.Errorf("Driver(%q) = %q, want %q", tc.url, got, tc.driver)
		}
		if got := d.SQLitePath(); got != tc.path {
			t.Errorf("SQLitePath(%q) = %q, want %q", tc.url, got, tc.path)
		}
	}
}

func TestLevel(t *testing.T) {
	t.Parallel()
	levels := map[string]slog.Level{
		"debug": slog.LevelDebug, "info": slog.LevelInfo,
		"warn": slog.LevelWarn, "error": slog.LevelError,
	}
	for name, want := range levels {
		c := Default()
		c.Log.Level = name
		if got := c.Level(); got != want {
			t.Errorf("Level() for %q = %v, want %v", name, got, want)
		}
	}
}

func TestRedacted(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Auth.JWTSecret = strongSecret
	c.Database.URL = "postgres://erp:hunter2@db.internal:5432/erp?sslmode=require&password=x"
	m := c.Redacted()

	auth := m["auth"].(map[string]any)
	if auth["jwt_secret"] != "[redacted]" {
		t.Errorf("auth.jwt_secret = %v", auth["jwt_secret"])
	}
	if auth["password_min_length"] != 8 {
		t.Errorf("auth.password_min_length = %v, want 8 shown", auth["password_min_length"])
	}
	if auth["access_ttl"] != "15m" || auth["refresh_ttl"] != "720h" {
		t.Errorf("durations printed as %v and %v", auth["access_ttl"], auth["refresh_ttl"])
	}
	url := m["database"].(map[string]any)["url"]
	want := "postgres://erp:[redacted]@db.internal:5432/erp?sslmode=require&password=[redacted]"
	if url != want {
		t.Errorf("database.url = %v, want %v", url, want)
	}
	if c.Auth.JWTSecret != strongSecret {
		t.Error("Redacted changed the configuration")
	}

	out, err := c.YAML()
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	text := string(out)
	for _, secret := range []string{strongSecret, "hunter2"} {
		if strings.Contains(text, secret) {
			t.Errorf("YAML output reveals %q:\n%s", secret, text)
		}
	}
	if !strings.HasPrefix(text, "profile: dev\nhttp:\n") {
		t.Errorf("YAML output does not follow declaration order:\n%s", text)
	}

}

func TestYAMLReadsBack(t *testing.T) {
	t.Parallel()
	c := Default()
	c.HTTP.Addr = "0.0.0.0:8001"
	c.Modules.Enabled = []string{"auth"}
	c.CORS.MaxAge = 90 * time.Minute
	out, err := c.YAML()
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	back := mustLoad(t, Options{File: writeFile(t, string(out))})
	if !reflect.DeepEqual(back.Redacted(), c.Redacted()) {
		t.Errorf("reloaded YAML differs:\n got %v\nwant %v", back.Redacted(), c.Redacted())
	}
}

func TestRedactedKeepsEmptySecretVisible(t *testing.T) {
	t.Parallel()
	auth := Default().Redacted()["auth"].(map[string]any)
	if auth["jwt_secret"] != "" {
		t.Errorf("empty jwt_secret printed as %v", auth["jwt_secret"])
	}
}

// examplePath is the documented example file at the repository root.
const examplePath = "../erp.example.yaml"

func TestExampleFileLoads(t *testing.T) {
	t.Parallel()
	cfg := mustLoad(t, Options{File: examplePath})
	if !reflect.DeepEqual(cfg.Redacted(), Default().Redacted()) {
		t.Errorf("the example's values differ from the defaults:\n got %v\nwant %v",
			cfg.Redacted(), Default().Redacted())
	}
}

func TestExampleFileDocumentsEveryKey(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var example map[string]any
	if err := yaml.Unmarshal(raw, &example); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, key := range leafKeys(example, "") {
		documented[key] = true
	}
	defaults := leafKeys(Default().Redacted(), "")
	if len(defaults) < 25 {
		t.Fatalf("only %d keys found in Default(): %v", len(defaults), defaults)
	}
	for _, key := range defaults {
		if !documented[key] {
			t.Errorf("key %q is missing from %s", key, examplePath)
		}
	}
}

// leafKeys lists the dotted keys of the leaves of a nested map.
func leafKeys(m map[string]any, prefix string) []string {
	var out []string
	for k, v := range m {
		path := joinKey(prefix, k)
		if sub, ok := v.(map[string]any); ok {
			out = append(out, leafKeys(sub, path)...)
		} else {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

func TestGrantsFromFileAndEnvironment(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "auth:\n  grants:\n    technicien: [clients:write]\n"+
		"  throttle:\n    trusted_proxies: [10.0.0.0/8, 192.168.1.1]\n")
	cfg := mustLoad(t, Options{File: path, Environ: []string{
		"ERP_AUTH__GRANTS__CLIENT=planning:read, filtres:read",
	}})
	want := map[string][]string{
		"technicien": {"clients:write"}, "client": {"planning:read", "filtres:read"},
	}
	if !reflect.DeepEqual(cfg.Auth.Grants, want) {
		t.Errorf("auth.grants = %v, want %v", cfg.Auth.Grants, want)
	}
	if len(cfg.Auth.Throttle.TrustedProxies) != 2 {
		t.Errorf("trusted_proxies = %v", cfg.Auth.Throttle.TrustedProxies)
	}
	printed := cfg.Redacted()["auth"].(map[string]any)["grants"].(map[string]any)
	if !reflect.DeepEqual(printed["client"], []string{"planning:read", "filtres:read"}) {
		t.Errorf("printed grants = %v", printed)
	}
}
