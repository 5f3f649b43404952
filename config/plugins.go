package config

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
)

// The failure policies of a plugin: what a call does when the plugin is
// down, too slow or answers with an error.
const (
	// FailOpen skips the plugin, as if it had allowed the operation.
	FailOpen = "fail_open"
	// FailClosed refuses the operation.
	FailClosed = "fail_closed"
)

// DefaultPluginTimeout is the per-call deadline of a plugin whose timeout
// is not set.
const DefaultPluginTimeout = 2 * time.Second

// MaxPluginTimeout is the longest per-call deadline accepted, since a
// plugin call holds an HTTP request.
const MaxPluginTimeout = time.Minute

// Plugin declares one out-of-process plugin, an executable that the
// server starts and talks to over go-plugin's gRPC transport.
//
// Limitation: plugins are declared in the YAML file only; the environment
// layer has no way to write a list of sections.
type Plugin struct {
	// Name identifies the plugin in logs, errors and `erp plugins list`.
	Name string `koanf:"name"`
	// Path is the plugin executable. A missing file refuses this plugin
	// at start-up; the server still starts.
	Path string `koanf:"path"`
	// SHA256 is the expected checksum of the executable, in hexadecimal,
	// as given by the administrator (sha256sum). A mismatch refuses the
	// plugin.
	SHA256 string `koanf:"sha256"`
	// Clients lists the client ids the plugin applies to; empty means
	// every client.
	Clients []int64 `koanf:"clients"`
	// Timeout is the deadline of each call; zero means
	// DefaultPluginTimeout.
	Timeout time.Duration `koanf:"timeout"`
	// FailurePolicy is FailOpen or FailClosed; empty means FailClosed.
	FailurePolicy string `koanf:"failure_policy"`
	// Config is passed as is, as a JSON object, to every call of the
	// plugin. Keys that look like secrets are hidden by `erp config print`.
	Config map[string]any `koanf:"config"`
}

// EffectiveTimeout is Timeout, or DefaultPluginTimeout when unset.
func (p Plugin) EffectiveTimeout() time.Duration {
	if p.Timeout == 0 {
		return DefaultPluginTimeout
	}
	return p.Timeout
}

// EffectivePolicy is FailurePolicy, or FailClosed when unset.
func (p Plugin) EffectivePolicy() string {
	if p.FailurePolicy == "" {
		return FailClosed
	}
	return p.FailurePolicy
}

var pluginName = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// validatePlugins checks the plugins list, naming each problem's key as
// plugins[i].key.
func validatePlugins(plugins []Plugin) []error {
	var errs []error
	seen := map[string]int{}
	for i, p := range plugins {
		key := fmt.Sprintf("plugins[%d]", i)
		if first, dup := seen[p.Name]; dup && p.Name != "" {
			errs = append(errs, fmt.Errorf("%s.name: %q is already used by plugins[%d]",
				key, p.Name, first))
		}
		seen[p.Name] = i
		errs = append(errs, p.validate(key)...)
	}
	return errs
}

func (p Plugin) validate(key string) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !pluginName.MatchString(p.Name) {
		add("%s.name: %q is not a plugin name (lower-case letters, digits, - and _, "+
			"starting with a letter)", key, p.Name)
	}
	if strings.TrimSpace(p.Path) == "" {
		add("%s.path: must name the plugin executable", key)
	}
	if _, err := p.Checksum(); err != nil {
		add("%s.sha256: %w", key, err)
	}
	for _, id := range p.Clients {
		if id <= 0 {
			add("%s.clients: %d is not a client id", key, id)
		}
	}
	if p.Timeout < 0 || p.Timeout > MaxPluginTimeout {
		add("%s.timeout: %s must be between 0 (default %s) and %s", key, p.Timeout,
			DefaultPluginTimeout, MaxPluginTimeout)
	}
	if p.FailurePolicy != "" && p.FailurePolicy != FailOpen && p.FailurePolicy != FailClosed {
		add("%s.failure_policy: %q is not a policy (use %s or %s)", key, p.FailurePolicy,
			FailOpen, FailClosed)
	}
	if _, err := json.Marshal(p.Config); err != nil {
		add("%s.config: cannot be written as JSON: %w", key, err)
	}
	return errs
}

// Checksum decodes SHA256. It accepts upper or lower case and the
// "sha256:" prefix some tools print.
func (p Plugin) Checksum() ([]byte, error) {
	s := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(p.SHA256)), "sha256:")
	if s == "" {
		return nil, fmt.Errorf("must be set to the executable's SHA-256 " +
			"(sha256sum PATH)")
	}
	sum, err := hex.DecodeString(s)
	if err != nil || len(sum) != 32 {
		return nil, fmt.Errorf("%q is not a SHA-256 checksum (64 hexadecimal digits)",
			p.SHA256)
	}
	return sum, nil
}

var pluginsType = reflect.TypeFor[[]Plugin]()

// printPlugins renders the plugins list for `erp config print`: durations
// as text, and values of config keys that look like secrets hidden. An
// empty list prints as null, like the default.
func printPlugins(plugins []Plugin) any {
	if len(plugins) == 0 {
		return nil
	}
	out := make([]any, 0, len(plugins))
	for _, p := range plugins {
		clients := make([]any, 0, len(p.Clients))
		for _, id := range p.Clients {
			clients = append(clients, id)
		}
		out = append(out, map[string]any{
			"name":           p.Name,
			"path":           p.Path,
			"sha256":         p.SHA256,
			"clients":        clients,
			"timeout":        formatDuration(p.Timeout),
			"failure_policy": p.FailurePolicy,
			"config":         redactValue("", p.Config),
		})
	}
	return out
}

// redactValue copies a free-form value, hiding the values of map keys
// that look like secrets.
func redactValue(name string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			out[k] = redactValue(strings.ToLower(k), item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = redactValue(name, item)
		}
		return out
	}
	if name != "" && looksSecret(name) && v != nil && v != "" {
		return redactedText
	}
	return v
}
