package main

import (
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/app"
)

// globalFlags are accepted by every command that reads the configuration.
// Each maps onto a configuration key and beats the file and environment.
type globalFlags struct {
	configFile string
	profile    string
	addr       string
	dbURL      string
	logLevel   string
	sets       multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// flagSet returns a flag set for cmd with the configuration flags.
func (c *cli) flagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	g := &c.global
	fs.StringVar(&g.configFile, "config", "", "configuration file (default ./erp.yaml if present)")
	fs.StringVar(&g.profile, "profile", "", "profile: dev or prod (key profile)")
	fs.StringVar(&g.addr, "addr", "", "listen address host:port (key http.addr)")
	fs.StringVar(&g.dbURL, "database-url", "", "database URL (key database.url)")
	fs.StringVar(&g.logLevel, "log-level", "", "debug, info, warn or error (key log.level)")
	fs.Var(&g.sets, "set", "any configuration key as key=value; repeatable")
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "Usage: %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// overrides turns the flags that were given into configuration keys.
func (g *globalFlags) overrides() (map[string]any, error) {
	o := map[string]any{}
	put := func(key, v string) {
		if v != "" {
			o[key] = v
		}
	}
	put("profile", g.profile)
	put("http.addr", g.addr)
	put("database.url", g.dbURL)
	put("log.level", g.logLevel)
	for _, kv := range g.sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: want key=value", kv)
		}
		o[k] = v
	}
	return o, nil
}

// loadConfig reads the configuration from every layer.
func (c *cli) loadConfig() (*config.Config, error) {
	o, err := c.global.overrides()
	if err != nil {
		return nil, err
	}
	return config.Load(config.Options{File: c.global.configFile, Environ: c.environ,
		Overrides: o})
}

// newLogger builds the process logger from the log.* keys.
// Its output is buffered (see bufferedLog) and flushed when the command ends.
func (c *cli) newLogger(cfg *config.Config) *slog.Logger {
	if c.logBuf == nil {
		c.logBuf = newBufferedLog(c.stderr)
	}
	opts := &slog.HandlerOptions{Level: cfg.Level()}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(c.logBuf, opts))
	}
	return slog.New(slog.NewTextHandler(c.logBuf, opts))
}

// newApp loads the configuration and resolves the enabled modules.
func (c *cli) newApp() (*app.App, error) {
	cfg, err := c.loadConfig()
	if err != nil {
		return nil, err
	}
	log := c.newLogger(cfg)
	slog.SetDefault(log)
	return app.New(cfg, app.Options{Logger: log, Version: version})
}

// parse parses args, rejecting stray positional arguments beyond allowed.
func parse(fs *flag.FlagSet, args []string, allowed int) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	if len(rest) > allowed {
		return nil, fmt.Errorf("unexpected argument %q", rest[allowed])
	}
	return rest, nil
}
