package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const pluginSum = "DF8B98D253C0140F0AB6F5F846D6D8386460EE590CCD64D7B16D366A37CA5509"

func TestPluginsAreReadFromTheFile(t *testing.T) {
	t.Parallel()
	cfg := mustLoad(t, Options{File: writeFile(t, `
plugins:
  - name: rapport-cloture
    path: /opt/erp/plugins/rapport
    sha256: `+pluginSum+`
    clients: [12, 40]
    timeout: 500ms
    failure_policy: fail_open
    config:
      rapport_min: 50
      labels: [a, b]
  - name: reference
    path: /opt/erp/plugins/reference
    sha256: sha256:`+strings.ToLower(pluginSum)+`
`)})
	if len(cfg.Plugins) != 2 {
		t.Fatalf("got %d plugins, want 2", len(cfg.Plugins))
	}
	first, second := cfg.Plugins[0], cfg.Plugins[1]
	want := Plugin{Name: "rapport-cloture", Path: "/opt/erp/plugins/rapport", SHA256: pluginSum,
		Clients: []int64{12, 40}, Timeout: 500 * time.Millisecond, FailurePolicy: FailOpen,
		Config: map[string]any{"rapport_min": 50, "labels": []any{"a", "b"}}}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first plugin:\n got %#v\nwant %#v", first, want)
	}
	if second.EffectiveTimeout() != DefaultPluginTimeout || second.EffectivePolicy() != FailClosed {
		t.Errorf("defaults: timeout %s, policy %q", second.EffectiveTimeout(),
			second.EffectivePolicy())
	}
	if sum, err := second.Checksum(); err != nil || len(sum) != 32 {
		t.Errorf("checksum with a sha256: prefix: %x, %v", sum, err)
	}
}

func TestPluginsDefaultToNone(t *testing.T) {
	t.Parallel()
	if cfg := mustLoad(t, Options{File: examplePath}); len(cfg.Plugins) != 0 {
		t.Errorf("the example declares %d plugins", len(cfg.Plugins))
	}
}

func TestPluginProblemsNameTheirKeys(t *testing.T) {
	t.Parallel()
	loadErr(t, Options{File: writeFile(t, `
plugins:
  - name: Bad Name
    path: ""
    sha256: "1234"
    clients: [0]
    timeout: 2m
    failure_policy: maybe
  - name: dup
    path: /x
    sha256: `+pluginSum+`
  - name: dup
    path: /y
    sha256: `+pluginSum+`
`)}, "plugins[0].name", "plugins[0].path", "plugins[0].sha256", "plugins[0].clients",
		"plugins[0].timeout", "plugins[0].failure_policy", `plugins[2].name: "dup" is already used`)
}

func TestUnknownPluginKeyIsRefused(t *testing.T) {
	t.Parallel()
	loadErr(t, Options{File: writeFile(t, `
plugins:
  - name: a
    path: /x
    sha256: `+pluginSum+`
    checksum: nope
`)}, "checksum")
}

func TestPrintedPluginsHideSecretsAndReadBack(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Plugins = []Plugin{{Name: "a", Path: "/x", SHA256: pluginSum, Clients: []int64{3},
		Timeout: time.Second, Config: map[string]any{"api_token": "s3cret", "seuil": 3}}}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret") || !strings.Contains(string(out), redactedText) {
		t.Fatalf("printed plugins leak or lose the secret:\n%s", out)
	}
	back := mustLoad(t, Options{File: writeFile(t, string(out))})
	if !reflect.DeepEqual(back.Redacted(), c.Redacted()) {
		t.Errorf("reloaded YAML differs:\n got %v\nwant %v", back.Redacted(), c.Redacted())
	}
}
